/**
 * What a node's failure, a caller's deadline or cancellation, and concurrent calls do: the
 * node's code and message reach the caller; a create the caller gave up on leaves its object
 * for the next call of the same name to pick up (TopoLVM #1104's first half); one operation per
 * name or ID at a time (ABORTED for the second).
 */
import { GrpcStatus as status } from '@copse/csi-grpc';
import type { CreateSnapshotResponse__Output, CreateVolumeResponse__Output } from '@copse/csi-spec';
import { callUnary } from '@copse/csi-grpc';
import { failure } from './controller-process';
import { GiB, onNodes, useStack, volumeRequest, type Stack } from './fixture';

const stack = useStack({ nodes: [{ key: 'a', free: { '': 100 * GiB } }] });

const named = (name: string) => (lv: { spec: { name: string } }) => lv.spec.name === name;

function create(s: Stack, name: string, options: { deadlineMs?: number } = {}) {
  return s.call<CreateVolumeResponse__Output>('CreateVolume', { ...volumeRequest(s, name, { bytes: GiB }), accessibility_requirements: onNodes(s, 'a') }, options);
}

describe('a node\'s failure', () => {
  it.each([
    [status.RESOURCE_EXHAUSTED, 'not enough space left in volume group myvg1: 1073741824 bytes wanted, 5242880 free'],
    [status.NOT_FOUND, 'device class "ssd" not found'],
    [status.INTERNAL, 'lvcreate failed: exit status 5'],
  ])('reaches the caller as code %s with the node\'s message; the object is removed and the next call starts afresh', async (code, message) => {
    const s = stack();
    const name = s.cluster.name('pvc-fail');
    const held = s.node('a').hold('create', named(name));
    const creating = failure(create(s, name));
    await held.reached;
    held.release({ code, message });
    const err = await creating;
    expect(err.code).toBe(code);
    expect(err.details).toBe(`node ${s.nodeName('a')}: ${message}`);
    await s.cluster.waitGone(name);
    const again = await create(s, name);
    expect(again.volume?.volume_id).toBeTruthy();
    expect(s.node('a').journal.filter((j) => j.endsWith(name) || j.includes(`${name} `))).toEqual([`fail ${name} ${code}`, `remove ${name}`, `create ${name}`]);
    const metrics = await s.controller.metrics();
    expect(metrics).toMatch(/csi_controller_node_failures_total\{operation="create_volume",code="[A-Za-z]+"\} [1-9]/);
  });

  it('of a snapshot reaches the caller the same way', async () => {
    const s = stack();
    const v = await create(s, s.cluster.name('pvc'));
    const name = s.cluster.name('snapshot');
    s.node('a').fail('create', named(name), status.UNIMPLEMENTED, 'device class "thick" is thick: no snapshots');
    const err = await failure(s.call('CreateSnapshot', { name, source_volume_id: v.volume!.volume_id }));
    expect(err.code).toBe(status.UNIMPLEMENTED);
    expect(err.details).toBe(`node ${s.nodeName('a')}: device class "thick" is thick: no snapshots`);
  });

  it('waits for a failed create still being removed before creating the name again', async () => {
    const s = stack();
    const name = s.cluster.name('pvc-slowremove');
    s.node('a').fail('create', (lv) => lv.spec.name === name && s.node('a').journal.every((j) => j !== `fail ${name} 8`), status.RESOURCE_EXHAUSTED, 'full');
    const removal = s.node('a').hold('remove', named(name));
    expect((await failure(create(s, name))).code).toBe(status.RESOURCE_EXHAUSTED);
    await removal.reached;
    const first = await s.cluster.getLogicalVolume(name);
    const again = create(s, name);
    await new Promise((r) => setTimeout(r, 200));
    removal.release();
    const res = await again;
    expect(res.volume?.volume_id).not.toBe(first?.metadata?.uid);
  });
});

describe('a create the caller gave up on', () => {
  it('ends with DEADLINE_EXCEEDED and leaves the object; the next call picks it up without a second create', async () => {
    const s = stack();
    const name = s.cluster.name('pvc-deadline');
    const held = s.node('a').hold('create', named(name));
    const err = await failure(create(s, name, { deadlineMs: 500 }));
    expect(err.code).toBe(status.DEADLINE_EXCEEDED);
    await held.reached;
    const lv = await s.cluster.getLogicalVolume(name);
    expect(lv?.metadata?.deletionTimestamp).toBeUndefined();
    // the lock was released with the call: a retry at once is served, not ABORTED
    const retry = create(s, name);
    held.release();
    const res = await retry;
    expect(res.volume?.volume_id).toBe(lv?.metadata?.uid);
    expect(s.node('a').journal.filter((j) => j === `create ${name}`)).toHaveLength(1);
    const line = await s.controller.waitForLog((l) => l.method === 'CreateVolume' && l.grpcCode === 'DEADLINE_EXCEEDED');
    expect((line['request'] as { name: string }).name).toBe(name);
  });

  it('ends with CANCELLED when the caller cancels; the object stays for the next call', async () => {
    const s = stack();
    const name = s.cluster.name('pvc-cancel');
    const held = s.node('a').hold('create', named(name));
    const client = s.controller.controller();
    const pending = callUnary<CreateVolumeResponse__Output>((cb) => {
      const c = client.CreateVolume({ ...volumeRequest(s, name, { bytes: GiB }), accessibility_requirements: onNodes(s, 'a') }, cb);
      void held.reached.then(() => setTimeout(() => c.cancel(), 50));
      return c;
    });
    const err = await failure(pending);
    expect(err.code).toBe(status.CANCELLED);
    await s.controller.waitForLog((l) => l.method === 'CreateVolume' && l.grpcCode === 'CANCELLED');
    const lv = await s.cluster.getLogicalVolume(name);
    held.release();
    const res = await create(s, name);
    expect(res.volume?.volume_id).toBe(lv?.metadata?.uid);
  });

  it('ends with ABORTED when the object is deleted meanwhile, and a retry creates it again', async () => {
    const s = stack();
    const name = s.cluster.name('pvc-deleted');
    const held = s.node('a').hold('create', named(name));
    const creating = failure(create(s, name));
    await held.reached;
    const { group, version, plural } = s.cluster.names.logicalVolumes;
    await s.cluster.custom.deleteClusterCustomObject({ group, version, plural, name });
    const err = await creating;
    expect(err.code).toBe(status.ABORTED);
    expect(err.details).toContain(`LogicalVolume ${name} was deleted while node ${s.nodeName('a')} was creating it`);
    held.release();
    await s.cluster.waitGone(name);
    expect((await create(s, name)).volume?.volume_id).toBeTruthy();
  });
});

describe('one operation per name or ID', () => {
  it('refuses a second CreateVolume of a name in flight with ABORTED', async () => {
    const s = stack();
    const name = s.cluster.name('pvc-twice');
    const held = s.node('a').hold('create', named(name));
    const first = create(s, name);
    await held.reached;
    const second = await failure(create(s, name));
    expect(second.code).toBe(status.ABORTED);
    expect(second.details).toBe(`an operation with the given volume name ${name} already exists`);
    held.release();
    await first;
  });

  it('refuses a second DeleteVolume of an ID in flight, and a second CreateSnapshot of a name, with ABORTED', async () => {
    const s = stack();
    const v = await create(s, s.cluster.name('pvc'));
    const snapName = s.cluster.name('snapshot');
    const snapHeld = s.node('a').hold('create', named(snapName));
    const snapping = s.call<CreateSnapshotResponse__Output>('CreateSnapshot', { name: snapName, source_volume_id: v.volume!.volume_id });
    await snapHeld.reached;
    const snapErr = await failure(s.call('CreateSnapshot', { name: snapName, source_volume_id: v.volume!.volume_id }));
    expect(snapErr.details).toBe(`an operation with the given snapshot name ${snapName} already exists`);
    snapHeld.release();
    await snapping;
    const removal = s.node('a').hold('remove', (lv) => lv.metadata?.uid === v.volume!.volume_id);
    const deleting = s.call('DeleteVolume', { volume_id: v.volume!.volume_id });
    await removal.reached;
    const second = await failure(s.call('DeleteVolume', { volume_id: v.volume!.volume_id }));
    expect(second.code).toBe(status.ABORTED);
    expect(second.details).toBe(`an operation with the given volume ID ${v.volume!.volume_id} already exists`);
    removal.release();
    await deleting;
  });

  it('serves other names meanwhile', async () => {
    const s = stack();
    const slow = s.cluster.name('pvc-slow');
    const held = s.node('a').hold('create', named(slow));
    const pending = create(s, slow);
    await held.reached;
    const others = await Promise.all([0, 1, 2, 3, 4].map(() => create(s, s.cluster.name('pvc-other'))));
    expect(new Set(others.map((o) => o.volume?.volume_id)).size).toBe(5);
    held.release();
    await pending;
  });
});
