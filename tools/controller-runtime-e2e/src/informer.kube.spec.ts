/**
 * The informer against a Kubernetes API (the test server, or KUBECONFIG's cluster), with a
 * proxy playing the network between them.
 */
import { informerFor, type Informer } from '@copse/controller-runtime';
import type { LogicalVolume } from '@copse/k8s-crd';
import { useCluster } from './cluster';
import { ApiProxy } from './proxy';
import { until } from './until';

const cluster = useCluster();
const SEQ = 'e2e.copse.io/seq';

let proxy: ApiProxy;
beforeAll(async () => {
  proxy = await ApiProxy.start(cluster().kc);
});
afterAll(async () => {
  await proxy?.close();
});

/** An informer on this run's LogicalVolumes carrying `label`, recording every event. */
function recordingInformer(label: string) {
  const { names, runId } = cluster();
  const informer = informerFor<LogicalVolume>(proxy.kubeConfig(), names.logicalVolumes, {
    labelSelector: `e2e.copse.io/run=${runId},e2e.copse.io/set=${label}`,
    backoff: { initialMs: 50, maxMs: 2_000 },
    name: label,
  });
  const events: { verb: string; name: string; seq?: string; rv?: string }[] = [];
  for (const verb of ['add', 'update', 'delete'] as const) {
    informer.on(verb, (lv) =>
      events.push({ verb, name: lv.metadata?.name ?? '', seq: lv.metadata?.annotations?.[SEQ], rv: lv.metadata?.resourceVersion }),
    );
  }
  return { informer, events };
}

async function createSet(label: string, count: number): Promise<string[]> {
  const c = cluster();
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const lv = c.logicalVolume(label);
    lv.metadata!.labels!['e2e.copse.io/set'] = label;
    names.push((await c.createLogicalVolume(lv)).metadata!.name!);
  }
  return names;
}

async function setSeq(name: string, seq: number): Promise<void> {
  const { custom, names } = cluster();
  const { group, version, plural } = names.logicalVolumes;
  await custom.patchClusterCustomObject({
    group,
    version,
    plural,
    name,
    body: [{ op: 'add', path: `/metadata/annotations`, value: { [SEQ]: String(seq) } }],
  });
}

async function stopped(informer: Informer<LogicalVolume>): Promise<void> {
  await informer.stop();
  await until(() => proxy.openWatches() === 0, 'the informer to close its watch');
}

describe('informer', () => {
  it('syncs, then delivers every change exactly once across watch cuts, resuming from the last resourceVersion', async () => {
    const lvs = await createSet('cut', 5);
    const { informer, events } = recordingInformer('cut');
    informer.start();
    await informer.waitForSync(AbortSignal.timeout(20_000));
    expect(informer.hasSynced()).toBe(true);
    expect(informer.list().map((lv) => lv.metadata?.name).sort()).toEqual([...lvs].sort());
    expect(events.filter((e) => e.verb === 'add')).toHaveLength(5);
    // the default transform keeps managedFields (half an object's bytes) out of the cache
    const { group, version, plural } = cluster().names.logicalVolumes;
    const raw = (await cluster().custom.getClusterCustomObject({ group, version, plural, name: lvs[0] as string })) as LogicalVolume;
    expect(raw.metadata?.managedFields?.length).toBeGreaterThan(0);
    expect(informer.list().every((lv) => lv.metadata?.managedFields === undefined)).toBe(true);
    const watchesBefore = proxy.watchRequests.length;

    const written = new Map<string, number[]>(lvs.map((n) => [n, []]));
    let cuts = 0;
    for (let seq = 1; seq <= 60; seq++) {
      const name = lvs[seq % lvs.length] as string;
      await setSeq(name, seq);
      written.get(name)!.push(seq);
      if (seq % 10 === 5) {
        // the next event of every open watch is cut in half, then the connection dies
        await until(() => proxy.openWatches() > 0, 'the watch to be open again');
        cuts += proxy.cutWatches({ midEvent: seq % 20 === 5 });
      }
    }
    await until(
      () => lvs.every((n) => informer.get(n)?.metadata?.annotations?.[SEQ] === String(written.get(n)!.at(-1))),
      'the cache to hold the last write of every object',
    );

    for (const name of lvs) {
      const seen = events.filter((e) => e.verb === 'update' && e.name === name).map((e) => Number(e.seq));
      expect([name, seen]).toEqual([name, written.get(name)]);
    }
    expect(events.filter((e) => e.verb !== 'update')).toHaveLength(5); // the adds of the first list only
    expect(cuts).toBeGreaterThanOrEqual(6);
    expect(informer.stats.lists).toBe(1); // resumed every time, never listed again
    const resumed = proxy.watchRequests.slice(watchesBefore);
    expect(resumed.length).toBeGreaterThanOrEqual(cuts);
    for (const request of proxy.watchRequests.slice(watchesBefore - 1)) {
      expect(request.resourceVersion).toBeTruthy();
      expect(request.query.get('allowWatchBookmarks')).toBe('true');
    }
    await stopped(informer);
  });

  it('lists again after 410 Gone, with add, update and delete events for what changed meanwhile', async () => {
    const c = cluster();
    const [a, b, keep] = await createSet('gone', 3);
    const { informer, events } = recordingInformer('gone');
    informer.start();
    await informer.waitForSync(AbortSignal.timeout(20_000));
    await until(() => proxy.openWatches() > 0, 'the watch to open');

    proxy.holdWatches(); // the network is down: the informer's next watch waits
    proxy.cutWatches();
    await setSeq(a as string, 1);
    const { group, version, plural } = c.names.logicalVolumes;
    await c.custom.deleteClusterCustomObject({ group, version, plural, name: b as string });
    const [d] = await createSet('gone', 1);
    if (c.server) c.server.compact(); // the server forgets the history: the resume gets its real 410
    else proxy.expireNextWatch(); // a real cluster cannot be made to compact on demand: answer as it would
    const eventsBefore = events.length;
    proxy.releaseWatches();

    await until(() => informer.stats.lists === 2 && informer.get(d as string) !== undefined, 'the informer to list again');
    expect(informer.stats.gone).toBeGreaterThanOrEqual(1);
    expect(informer.list().map((lv) => lv.metadata?.name).sort()).toEqual([a, keep, d].sort());
    expect(informer.get(a as string)?.metadata?.annotations?.[SEQ]).toBe('1');
    const after = events.slice(eventsBefore).map((e) => `${e.verb} ${e.name}`);
    expect(after.sort()).toEqual([`add ${d}`, `delete ${b}`, `update ${a}`].sort());
    await stopped(informer);
  });

  it('restarts with a growing backoff while the server refuses, then recovers without a re-list', async () => {
    await createSet('refused', 1);
    const { informer } = recordingInformer('refused');
    informer.start();
    await informer.waitForSync(AbortSignal.timeout(20_000));
    await until(() => proxy.openWatches() > 0, 'the watch to open');
    const start = proxy.watchRequests.length;
    proxy.failNextWatches(4);
    proxy.cutWatches();
    await until(() => proxy.watchRequests.length >= start + 5 && proxy.openWatches() > 0, 'the watch to be back', 30_000);
    const times = proxy.watchRequests.slice(start, start + 5).map((r) => r.at);
    expect(informer.stats.restarts).toBe(4);
    expect(informer.stats.lists).toBe(1);
    // 50 ms doubling (+ up to 20% jitter): the gaps between refused attempts grow
    const gaps = times.slice(1, 5).map((t, i) => t - (times[i] as number));
    expect(gaps[0]).toBeGreaterThanOrEqual(45);
    expect(gaps[3]).toBeGreaterThan(gaps[0] as number);
    expect(gaps[3]).toBeGreaterThanOrEqual(350);
    await stopped(informer);
  });

  it('gives up waiting for sync when told to, and stop() closes its watch', async () => {
    proxy.holdWatches();
    const { informer } = recordingInformer('never');
    try {
      const abort = new AbortController();
      abort.abort(new Error('not waiting'));
      await expect(informer.waitForSync(abort.signal)).rejects.toThrow('not waiting');
    } finally {
      proxy.releaseWatches();
    }
    informer.start();
    await informer.waitForSync(AbortSignal.timeout(20_000));
    await until(() => proxy.openWatches() > 0, 'the watch to open');
    await stopped(informer);
    expect(proxy.openWatches()).toBe(0);
  });
});
