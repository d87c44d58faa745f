/**
 * The LogicalVolume reconciler end to end: LogicalVolume objects on the API test server (or
 * KUBECONFIG's cluster), csi-node in this process, lvmd-http on the simulated lvm2. Each test
 * creates objects the way csi-controller does and checks what a user sees: the status, the
 * Ready condition, and the LVs lvmd-http reports.
 */
import { GrpcStatus } from '@copse/csi-grpc';
import type { RunningCsiNode } from '@copse/csi-node';
import { isLogicalVolumeReady, quantityToBytes, type LogicalVolume } from '@copse/k8s-crd';
import { LvmdClientError } from '@copse/lvmd-api';
import { GiB, MiB, useEnv } from './fixture';

const env = useEnv();
let node: RunningCsiNode;

beforeAll(async () => {
  node = await env().startNode();
}, 60_000);

const ready = (lv: LogicalVolume | undefined) => Boolean(lv && isLogicalVolumeReady(lv));
const failed = (lv: LogicalVolume | undefined) => Boolean(lv?.status?.code);

async function lvmdVolume(name: string) {
  try {
    return await env().lvmd.client.getLogicalVolume(name);
  } catch (err) {
    if (err instanceof LvmdClientError && err.code === 'not-found') return undefined;
    throw err;
  }
}

describe('create, snapshot, restore, clone, resize, delete', () => {
  it('creates the LV named by the object UID and reports it: volumeID, currentSize, Ready', async () => {
    const e = env();
    const name = e.name('pvc');
    const created = await e.createLv({ name, sizeBytes: GiB + 1 }); // not a whole extent: rounded up
    const lv = await e.waitLv(name, ready);
    const uid = created.metadata!.uid!;
    expect(lv!.status!.volumeID).toBe(uid);
    const onDisk = await lvmdVolume(uid);
    expect(onDisk).toMatchObject({ name: uid, deviceClass: 'thin', type: 'thin', active: true });
    expect(quantityToBytes(lv!.status!.currentSize!)).toBe(onDisk!.sizeBytes);
    expect(onDisk!.sizeBytes).toBeGreaterThan(GiB + 1);
    expect(lv!.status!.conditions).toEqual([expect.objectContaining({ type: 'Ready', status: 'True', reason: 'VolumeCreated' })]);
    expect(lv!.metadata!.finalizers).toContain(e.names.logicalVolumeFinalizer);
  });

  it('makes a read-only snapshot, a larger read-write restore of it and a clone of the live volume, all thin snapshots', async () => {
    const e = env();
    const src = e.name('pvc');
    await e.createLv({ name: src, sizeBytes: GiB, deviceClass: 'thin' });
    const source = await e.waitLv(src, ready);
    const sourceSize = quantityToBytes(source!.status!.currentSize!);

    const snap = e.name('snapshot');
    await e.createLv({ name: snap, sizeBytes: sourceSize, deviceClass: 'thin', source: { name: src, accessType: 'ro' } });
    const restore = e.name('restore');
    await e.createLv({ name: restore, sizeBytes: 2 * GiB, deviceClass: 'thin', source: { name: snap, accessType: 'rw' } });
    const clone = e.name('clone');
    await e.createLv({ name: clone, sizeBytes: sourceSize, deviceClass: 'thin', source: { name: src, accessType: 'rw' } });

    const [s, r, c] = await Promise.all([e.waitLv(snap, ready), e.waitLv(restore, ready), e.waitLv(clone, ready)]);
    const onDisk = await Promise.all([s, r, c].map((lv) => lvmdVolume(lv!.status!.volumeID!)));
    expect(onDisk[0]).toMatchObject({ origin: source!.status!.volumeID, accessType: 'ro', active: true, sizeBytes: sourceSize });
    expect(onDisk[1]).toMatchObject({ origin: s!.status!.volumeID, accessType: 'rw', active: true, sizeBytes: 2 * GiB });
    expect(onDisk[2]).toMatchObject({ origin: source!.status!.volumeID, accessType: 'rw', active: true, sizeBytes: sourceSize });
    expect(quantityToBytes(r!.status!.currentSize!)).toBe(2 * GiB);
  });

  it('refuses a restore smaller than its source\'s current size with OUT_OF_RANGE and creates nothing', async () => {
    const e = env();
    const src = e.name('pvc');
    await e.createLv({ name: src, sizeBytes: GiB });
    await e.waitLv(src, ready);
    const small = e.name('restore');
    const created = await e.createLv({ name: small, sizeBytes: GiB - 4 * MiB, source: { name: src, accessType: 'rw' } });
    const lv = await e.waitLv(small, failed);
    expect(lv!.status).toMatchObject({ code: GrpcStatus.OUT_OF_RANGE, message: expect.stringContaining('current size') });
    expect(lv!.status!.conditions).toEqual([expect.objectContaining({ type: 'Ready', status: 'False', reason: 'OutOfRange' })]);
    expect(await lvmdVolume(created.metadata!.uid!)).toBeUndefined();
  });

  it('reports lvmd-http\'s refusals in status.code: no space (RESOURCE_EXHAUSTED), a thick snapshot (UNIMPLEMENTED), a missing source (NOT_FOUND)', async () => {
    const e = env();
    const huge = e.name('huge');
    await e.createLv({ name: huge, sizeBytes: 1024 * GiB });
    const thick = e.name('thick');
    await e.createLv({ name: thick, sizeBytes: 64 * MiB, deviceClass: 'thick' });
    await e.waitLv(thick, ready);
    const thickSnap = e.name('snapshot');
    await e.createLv({ name: thickSnap, sizeBytes: 64 * MiB, deviceClass: 'thick', source: { name: thick, accessType: 'ro' } });
    const orphan = e.name('restore');
    await e.createLv({ name: orphan, sizeBytes: GiB, source: { name: 'no-such-volume', accessType: 'rw' } });
    const [h, t, o] = await Promise.all([e.waitLv(huge, failed), e.waitLv(thickSnap, failed), e.waitLv(orphan, failed)]);
    expect(h!.status).toMatchObject({ code: GrpcStatus.RESOURCE_EXHAUSTED, message: expect.stringMatching(/^lvmd-http: /) });
    expect(t!.status).toMatchObject({ code: GrpcStatus.UNIMPLEMENTED });
    expect(o!.status).toMatchObject({ code: GrpcStatus.NOT_FOUND, message: 'source LogicalVolume no-such-volume not found' });
  });

  it('grows the LV when spec.size grows, and reports the extent-rounded size', async () => {
    const e = env();
    const name = e.name('pvc');
    await e.createLv({ name, sizeBytes: GiB });
    const lv = await e.waitLv(name, ready);
    await e.patchLv(name, [
      { op: 'replace', path: '/spec/size', value: String(2 * GiB + 1) },
      { op: 'add', path: `/metadata/annotations`, value: { [e.names.resizeRequestedAtAnnotation]: new Date().toISOString() } },
    ]);
    const grown = await e.waitLv(name, (x) => Boolean(x?.status?.currentSize && quantityToBytes(x.status.currentSize) > 2 * GiB));
    const onDisk = await lvmdVolume(lv!.status!.volumeID!);
    expect(quantityToBytes(grown!.status!.currentSize!)).toBe(onDisk!.sizeBytes);
    expect(onDisk!.sizeBytes).toBe(2 * GiB + 4 * MiB);
  });

  it('records a resize that fails for good, and tries again when the controller bumps resize-requested-at', async () => {
    const e = env();
    const name = e.name('pvc');
    await e.createLv({ name, sizeBytes: GiB, deviceClass: 'thick' });
    await e.waitLv(name, ready);
    await e.patchLv(name, [{ op: 'replace', path: '/spec/size', value: '1Ti' }]);
    const refused = await e.waitLv(name, failed);
    expect(refused!.status).toMatchObject({ code: GrpcStatus.RESOURCE_EXHAUSTED, volumeID: refused!.metadata!.uid });
    expect(refused!.status!.conditions).toEqual([expect.objectContaining({ status: 'False', reason: 'ResourceExhausted' })]);
    // the controller asks again with a size that fits, bumping the annotation
    await e.patchLv(name, [
      { op: 'replace', path: '/spec/size', value: '2Gi' },
      { op: 'add', path: '/metadata/annotations', value: { [e.names.resizeRequestedAtAnnotation]: 'again' } },
    ]);
    const grown = await e.waitLv(name, (x) => ready(x) && x?.status?.currentSize === '2Gi');
    expect(grown!.status!.code).toBeUndefined();
  });

  it('deletes: removes the LV, then the finalizer, and the object goes', async () => {
    const e = env();
    const name = e.name('pvc');
    await e.createLv({ name, sizeBytes: GiB });
    const lv = await e.waitLv(name, ready);
    const uid = lv!.status!.volumeID!;
    expect(await lvmdVolume(uid)).toBeDefined();
    await e.deleteLv(name);
    await e.waitLv(name, (x) => x === undefined);
    expect(await lvmdVolume(uid)).toBeUndefined();
  });

  it('keeps a snapshot\'s data volume when its source is deleted', async () => {
    const e = env();
    const src = e.name('pvc');
    await e.createLv({ name: src, sizeBytes: GiB });
    await e.waitLv(src, ready);
    const snap = e.name('snapshot');
    await e.createLv({ name: snap, sizeBytes: GiB, source: { name: src, accessType: 'ro' } });
    const s = await e.waitLv(snap, ready);
    await e.deleteLv(src);
    await e.waitLv(src, (x) => x === undefined);
    expect(await lvmdVolume(s!.status!.volumeID!)).toMatchObject({ origin: '', active: true });
  });

  it('never writes the status of a node it is not: objects of other nodes are left alone', async () => {
    const e = env();
    const name = e.name('pvc');
    await e.createLv({ name, sizeBytes: GiB, nodeName: e.otherNode });
    // an own object created after it is reconciled: the other one, earlier in the watch, was not
    const own = e.name('pvc');
    await e.createLv({ name: own, sizeBytes: GiB });
    await e.waitLv(own, ready);
    expect((await e.getLv(name))!.status).toBeUndefined();
    expect(node.informer.get(name)).toBeUndefined();
  });
});
