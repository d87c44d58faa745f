/**
 * csi-node stopped between any two steps of an operation, and lvmd-http gone for a while:
 * every LogicalVolume converges once they are back, with exactly one LV per object. And the
 * node sees only its own objects: asserted on what its watch delivered, not on a timing.
 */
import type { RunningCsiNode } from '@copse/csi-node';
import { isLogicalVolumeReady, type LogicalVolume } from '@copse/k8s-crd';
import { LvmdClient, type CallOptions, type CreateLogicalVolumeRequest, type CreateSnapshotRequest } from '@copse/lvmd-api';
import { GiB, until, useEnv } from './fixture';

const env = useEnv();
const ready = (lv: LogicalVolume | undefined) => Boolean(lv && isLogicalVolumeReady(lv));

type CrashPoint = 'after-create' | 'after-snapshot' | 'after-delete';

/**
 * lvmd-http's client as a node that dies right after lvmd-http did the work: the call
 * succeeds on lvmd-http's side, and the node never gets to write the status or remove the
 * finalizer (the call hangs until the node is stopped, as a killed process never returns).
 */
class CrashingLvmd extends LvmdClient {
  crashed!: Promise<void>;
  private reached!: () => void;

  constructor(
    endpoint: string,
    private readonly at: CrashPoint,
  ) {
    super({ endpoint, timeoutMs: 60_000 });
    this.crashed = new Promise((resolve) => (this.reached = resolve));
  }

  private hang<T>(o?: CallOptions): Promise<T> {
    this.reached();
    return new Promise<T>((_resolve, reject) => o?.signal?.addEventListener('abort', () => reject(new Error('the node died')), { once: true }));
  }

  override async createLogicalVolume(name: string, req: CreateLogicalVolumeRequest, o?: CallOptions) {
    const r = await super.createLogicalVolume(name, req, o);
    return this.at === 'after-create' ? this.hang<typeof r>(o) : r;
  }

  override async createSnapshot(source: string, req: CreateSnapshotRequest, o?: CallOptions) {
    const r = await super.createSnapshot(source, req, o);
    return this.at === 'after-snapshot' ? this.hang<typeof r>(o) : r;
  }

  override async deleteLogicalVolume(name: string, deviceClass?: string, o?: CallOptions) {
    await super.deleteLogicalVolume(name, deviceClass, o);
    if (this.at === 'after-delete') await this.hang<void>(o);
  }
}

async function lvNames(): Promise<string[]> {
  return (await env().lvmd.client.listLogicalVolumes()).map((v) => v.name);
}

describe('a node stopped between two steps converges once it runs again', () => {
  it('after lvcreate, before the status: the repeated create finds the LV, one LV, status written', async () => {
    const e = env();
    const crashing = new CrashingLvmd(`unix:${e.lvmd.socket}`, 'after-create');
    const first = await e.startNode({ lvmd: crashing });
    const name = e.name('pvc');
    const created = await e.createLv({ name, sizeBytes: GiB });
    await crashing.crashed;
    await first.stop({ drain: false });
    const uid = created.metadata!.uid!;
    expect(await lvNames()).toContain(uid); // lvmd-http made it ...
    expect((await e.getLv(name))!.status?.volumeID).toBeUndefined(); // ... and nobody recorded it

    const second = await e.startNode();
    const lv = await e.waitLv(name, ready);
    expect(lv!.status!.volumeID).toBe(uid);
    expect((await lvNames()).filter((n) => n === uid)).toHaveLength(1);
    await second.stop();
    await crashing.close();
  });

  it('after a larger restore\'s snapshot, before the status: converges to one LV of the asked size', async () => {
    const e = env();
    const healthy = await e.startNode();
    const src = e.name('pvc');
    await e.createLv({ name: src, sizeBytes: GiB });
    await e.waitLv(src, ready);
    await healthy.stop();

    const crashing = new CrashingLvmd(`unix:${e.lvmd.socket}`, 'after-snapshot');
    const first = await e.startNode({ lvmd: crashing });
    const restore = e.name('restore');
    const created = await e.createLv({ name: restore, sizeBytes: 3 * GiB, source: { name: src, accessType: 'rw' } });
    await crashing.crashed;
    await first.stop({ drain: false });

    const second = await e.startNode();
    const lv = await e.waitLv(restore, ready);
    expect(lv!.status).toMatchObject({ volumeID: created.metadata!.uid, currentSize: '3Gi' });
    expect(await e.lvmd.client.getLogicalVolume(created.metadata!.uid!)).toMatchObject({ sizeBytes: 3 * GiB, accessType: 'rw' });
    await second.stop();
    await crashing.close();
  });

  it('after lvremove, before the finalizer is removed: the repeated delete counts the missing LV as done', async () => {
    const e = env();
    const healthy = await e.startNode();
    const name = e.name('pvc');
    await e.createLv({ name, sizeBytes: GiB });
    const lv = await e.waitLv(name, ready);
    await healthy.stop();

    const crashing = new CrashingLvmd(`unix:${e.lvmd.socket}`, 'after-delete');
    const first = await e.startNode({ lvmd: crashing });
    await e.deleteLv(name);
    await crashing.crashed;
    await first.stop({ drain: false });
    expect(await lvNames()).not.toContain(lv!.status!.volumeID);
    expect((await e.getLv(name))!.metadata!.finalizers).toContain(e.names.logicalVolumeFinalizer); // stuck without a node

    const second = await e.startNode();
    await e.waitLv(name, (x) => x === undefined);
    await second.stop();
    await crashing.close();
  });
});

describe('lvmd-http unavailable, then back', () => {
  it('retries with backoff without failing the volume, and converges once lvmd-http is back', async () => {
    const e = env();
    const node = await e.startNode({ metrics: { host: '127.0.0.1', port: 0 } });
    await until(() => node.follower.connected, 'the watch stream to connect');
    await e.lvmd.stop();
    await until(() => !node.follower.connected, 'the watch stream to notice lvmd-http is gone');
    const name = e.name('pvc');
    await e.createLv({ name, sizeBytes: GiB });
    const unavailable = async () => {
      const m = await node.registry.getSingleMetric('copse_node_lvm_operations_total')!.get();
      return m.values.filter((v) => v.labels['operation'] === 'create' && v.labels['result'] === 'UNAVAILABLE').reduce((a, v) => a + v.value, 0);
    };
    await until(async () => (await unavailable()) >= 2, 'two failed attempts to reach lvmd-http');
    const meanwhile = await e.getLv(name);
    expect(meanwhile!.status?.code).toBeUndefined(); // not failed: unavailable is not a verdict

    await e.lvmd.start();
    const lv = await e.waitLv(name, ready, 90_000); // the key's backoff may have grown to seconds
    expect(await lvNames()).toContain(lv!.status!.volumeID);
    await until(() => node.follower.connected, 'the watch stream to reconnect');
    await node.stop();
  }, 120_000);
});

describe('the node watches only its own LogicalVolumes', () => {
  let node: RunningCsiNode;
  const delivered = new Set<string>();
  beforeAll(async () => {
    node = await env().startNode();
    for (const verb of ['add', 'update', 'delete'] as const) node.informer.on(verb, (lv) => delivered.add(lv.metadata!.name!));
  });
  afterAll(() => node.stop());

  it("never receives another node's objects, their changes or their deletion", async () => {
    const e = env();
    const others = Array.from({ length: 20 }, () => e.name('elsewhere'));
    for (const name of others) await e.createLv({ name, sizeBytes: GiB, nodeName: e.otherNode });
    for (const name of others.slice(0, 10)) await e.patchLv(name, [{ op: 'replace', path: '/spec/size', value: '2Gi' }]);
    for (const name of others.slice(10)) await e.deleteLv(name);
    // written after all of those: once the node has it, its watch has delivered everything before
    const own = e.name('own');
    await e.createLv({ name: own, sizeBytes: GiB });
    await until(() => delivered.has(own), 'the own object on the watch');
    expect(others.filter((n) => delivered.has(n))).toEqual([]);
    expect(node.informer.list().every((lv) => lv.spec.nodeName === e.nodeName)).toBe(true);
    await e.waitLv(own, ready);
  });

  it('labels at start the objects of this node that have no node label (made by TopoLVM), and reconciles them', async () => {
    const e = env();
    const name = e.name('topolvm-made');
    await e.createLv({ name, sizeBytes: GiB }, (lv) => delete lv.metadata!.labels![e.names.nodeLabel]);
    const foreign = e.name('topolvm-made-elsewhere');
    await e.createLv({ name: foreign, sizeBytes: GiB, nodeName: e.otherNode }, (lv) => delete lv.metadata!.labels![e.names.nodeLabel]);
    const marker = e.name('own');
    await e.createLv({ name: marker, sizeBytes: GiB });
    await until(() => delivered.has(marker), 'a later own object on the watch');
    expect(delivered.has(name)).toBe(false); // unlabelled: invisible to a running node

    await node.stop();
    node = await e.startNode();
    const lv = await e.waitLv(name, ready);
    expect(lv!.metadata!.labels![e.names.nodeLabel]).toBe(e.nodeName);
    expect((await e.getLv(foreign))!.metadata!.labels![e.names.nodeLabel]).toBeUndefined();
  });
});
