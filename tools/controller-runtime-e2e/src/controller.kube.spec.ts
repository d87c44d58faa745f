/**
 * STYLE.md's controller shape against a Kubernetes API: an informer enqueues keys, workers
 * reconcile(key) from the informer's cache, NotFound is done, failures back off per key.
 */
import {
  Controller,
  informerFor,
  ItemExponentialRateLimiter,
  WorkQueue,
  type Informer,
} from '@copse/controller-runtime';
import type { LogicalVolume } from '@copse/k8s-crd';
import { useCluster } from './cluster';
import { until } from './until';

const cluster = useCluster();
const SEQ = 'e2e.copse.io/seq';

let informer: Informer<LogicalVolume>;
beforeAll(async () => {
  const { kc, names, runId } = cluster();
  informer = informerFor<LogicalVolume>(kc, names.logicalVolumes, { labelSelector: `e2e.copse.io/run=${runId}` });
  informer.start();
  await informer.waitForSync(AbortSignal.timeout(30_000));
});
afterAll(async () => {
  await informer?.stop();
});

async function patchSeq(name: string, seq: number): Promise<void> {
  const { custom, names } = cluster();
  const { group, version, plural } = names.logicalVolumes;
  await custom.patchClusterCustomObject({
    group,
    version,
    plural,
    name,
    body: [{ op: 'add', path: '/metadata/annotations', value: { [SEQ]: String(seq) } }],
  });
}

describe('controller', () => {
  it('collapses 1000 updates of one object made while it is being reconciled into one more reconcile, which sees the last state', async () => {
    const c = cluster();
    const name = (await c.createLogicalVolume(c.logicalVolume('burst'))).metadata!.name!;
    let delivered = 0;
    informer.on('update', (lv) => {
      if (lv.metadata?.name === name) delivered += 1;
    });
    const seen: (string | undefined)[] = [];
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    const controller = new Controller<string>({
      name: 'burst',
      concurrency: 4,
      reconcile: async (key) => {
        if (key !== name) return;
        seen.push(informer.get(key)?.metadata?.annotations?.[SEQ]);
        if (seen.length === 1) await firstHeld; // a long reconcile: lvmd calls, status writes
      },
    });
    controller.watch(informer);
    controller.start();
    controller.enqueue(name);
    await until(() => seen.length === 1, 'the first reconcile');

    // 1000 updates, 10 at a time, all delivered to the informer while the first reconcile runs
    for (let seq = 1; seq <= 1000; seq += 10) {
      await Promise.all(Array.from({ length: 10 }, (_, i) => patchSeq(name, seq + i)));
    }
    await until(() => delivered === 1000, 'the informer to deliver all 1000 updates');
    const { group, version, plural } = c.names.logicalVolumes;
    const final = (await c.custom.getClusterCustomObject({ group, version, plural, name })) as LogicalVolume;
    releaseFirst();
    await until(() => seen.length === 2, 'the second reconcile');
    await new Promise((r) => setTimeout(r, 300)); // nothing further comes
    await controller.stop();

    expect(seen).toHaveLength(2); // 1000 adds of a key being processed: one more reconcile
    expect(seen[1]).toBe(final.metadata?.annotations?.[SEQ]);
  });

  it('collapses a stream of updates into far fewer reconciles when reconciling is slower than the updates', async () => {
    const c = cluster();
    const name = (await c.createLogicalVolume(c.logicalVolume('stream'))).metadata!.name!;
    let delivered = 0;
    informer.on('update', (lv) => {
      if (lv.metadata?.name === name) delivered += 1;
    });
    let reconciles = 0;
    const controller = new Controller<string>({
      name: 'stream',
      reconcile: async (key) => {
        if (key !== name) return;
        reconciles += 1;
        await new Promise((r) => setTimeout(r, 100));
      },
    });
    controller.watch(informer);
    controller.start();
    for (let seq = 1; seq <= 300; seq += 20) {
      await Promise.all(Array.from({ length: 20 }, (_, i) => patchSeq(name, seq + i)));
    }
    await until(() => delivered === 300 && controller.queue.len() === 0 && controller.queue.processingCount() === 0, 'the stream to be reconciled');
    await controller.stop();
    expect(reconciles).toBeLessThan(delivered);
    expect(reconciles).toBeGreaterThanOrEqual(1);
  });

  it('backs a failing key off exponentially while other keys go on, and forgets once it succeeds', async () => {
    const c = cluster();
    const bad = (await c.createLogicalVolume(c.logicalVolume('bad'))).metadata!.name!;
    const good = (await c.createLogicalVolume(c.logicalVolume('good'))).metadata!.name!;
    const attempts: number[] = [];
    let goodReconciles = 0;
    let healthy = false;
    const queue = new WorkQueue<string>({ rateLimiter: new ItemExponentialRateLimiter({ baseDelayMs: 10, maxDelayMs: 5_000 }) });
    const controller = new Controller<string>({
      name: 'backoff',
      queue,
      reconcile: async (key) => {
        if (key === good) goodReconciles += 1;
        if (key !== bad) return;
        attempts.push(Date.now());
        if (!healthy) throw new Error('lvmd unavailable');
      },
    });
    controller.watch(informer, (lv) => (lv.metadata?.name === bad || lv.metadata?.name === good ? lv.metadata.name : undefined));
    controller.start();
    controller.enqueue(bad);
    controller.enqueue(good);
    await until(() => attempts.length >= 8, 'eight attempts');
    const gaps = attempts.slice(1, 8).map((t, i) => t - (attempts[i] as number));
    // 10, 20, 40, ... 640 ms: each wait at least the backoff, growing
    gaps.forEach((gap, i) => expect([i, gap]).toEqual([i, expect.any(Number)]));
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(10 * 2 ** i - 2));
    expect(gaps[6]).toBeGreaterThan(4 * (gaps[0] as number));
    expect(queue.numRequeues(bad)).toBeGreaterThanOrEqual(7);

    // the failing key never held the others up
    await patchSeq(good, 1);
    await until(() => goodReconciles >= 2, 'the good key to be reconciled again');

    healthy = true;
    const before = attempts.length;
    await until(() => attempts.length > before && queue.numRequeues(bad) === 0, 'the bad key to succeed', 30_000);
    await controller.stop();
  });

  it('reconciles a deleted object, finds it gone from the cache, and is done with it', async () => {
    const c = cluster();
    const name = (await c.createLogicalVolume(c.logicalVolume('gone'))).metadata!.name!;
    await until(() => informer.get(name) !== undefined, 'the informer to see the object');
    const outcomes: string[] = [];
    const controller = new Controller<string>({
      name: 'notfound',
      reconcile: async (key) => {
        if (key !== name) return;
        outcomes.push(informer.get(key) ? 'present' : 'not-found');
      },
    });
    controller.watch(informer);
    controller.start();
    controller.enqueue(name);
    await until(() => outcomes.length > 0, 'the first reconcile');
    expect(outcomes).toEqual(['present']);
    const { group, version, plural } = c.names.logicalVolumes;
    await c.custom.deleteClusterCustomObject({ group, version, plural, name });
    await until(() => outcomes.includes('not-found'), 'the reconcile after the delete');
    await until(() => controller.queue.len() === 0 && controller.queue.processingCount() === 0, 'the queue to settle');
    const settled = outcomes.length;
    await new Promise((r) => setTimeout(r, 500)); // nothing further comes: gone is done, not retried
    await controller.stop();
    expect(outcomes.length).toBe(settled);
    expect(outcomes).toEqual(['present', 'not-found']);
    expect(controller.queue.numRequeues(name)).toBe(0);
  });
});
