/**
 * CreateSnapshot, restore (CreateVolume from a snapshot) and clone (from a volume): placed on
 * the source's node and device class, sized against the source's real size, idempotent by name.
 */
import { GrpcStatus as status } from '@copse/csi-grpc';
import type { CreateSnapshotResponse__Output, CreateVolumeResponse__Output } from '@copse/csi-spec';
import { failure } from './controller-process';
import { GiB, MiB, onNodes, useStack, volumeRequest, type Stack } from './fixture';

const stack = useStack({
  nodes: [
    { key: 'a', free: { '': 100 * GiB } },
    { key: 'b', free: { '': 500 * GiB } },
  ],
});

async function volumeOnA(s: Stack, bytes = 2 * GiB + 1) {
  const name = s.cluster.name('pvc-src');
  const res = await s.call<CreateVolumeResponse__Output>('CreateVolume', { ...volumeRequest(s, name, { bytes }), accessibility_requirements: onNodes(s, 'a') });
  return { name, id: res.volume!.volume_id, capacity: Number(res.volume!.capacity_bytes) };
}

async function snapshotOf(s: Stack, sourceId: string, name = s.cluster.name('snapshot')) {
  const res = await s.call<CreateSnapshotResponse__Output>('CreateSnapshot', { name, source_volume_id: sourceId, parameters: {} });
  return { name, snapshot: res.snapshot! };
}

describe('CreateSnapshot', () => {
  it('makes a read-only thin snapshot on the source\'s node and class: ready, its size the source\'s real size, a creation time', async () => {
    const s = stack();
    const src = await volumeOnA(s);
    const before = Math.floor(Date.now() / 1000) - 1;
    const { name, snapshot } = await snapshotOf(s, src.id);
    const lv = await s.cluster.getLogicalVolume(name);
    const srcLv = await s.cluster.getLogicalVolume(src.name);
    expect(lv?.spec).toMatchObject({ nodeName: s.nodeName('a'), deviceClass: s.deviceClass, source: src.name, accessType: 'ro' });
    expect(lv?.metadata?.annotations?.[s.cluster.names.contentSourceAnnotation]).toBe(`volume:${src.id}`);
    // 2 GiB + 1 byte became 2 GiB + 4096 at create, 2 GiB + 4 MiB on the node: the snapshot is that
    expect(Number(snapshot.size_bytes)).toBe(2 * GiB + 4 * MiB);
    expect(snapshot.size_bytes).toBe(srcLv?.status?.currentSize);
    expect(snapshot).toMatchObject({ snapshot_id: lv?.metadata?.uid, source_volume_id: src.id, ready_to_use: true });
    expect(Number(snapshot.creation_time?.seconds)).toBeGreaterThanOrEqual(before);
  });

  it('answers a repeat with the same snapshot and creation time; another source is ALREADY_EXISTS', async () => {
    const s = stack();
    const src = await volumeOnA(s);
    const other = await volumeOnA(s);
    const first = await snapshotOf(s, src.id);
    const again = await snapshotOf(s, src.id, first.name);
    expect(again.snapshot).toEqual(first.snapshot);
    const err = await failure(s.call('CreateSnapshot', { name: first.name, source_volume_id: other.id }));
    expect(err.code).toBe(status.ALREADY_EXISTS);
    expect(err.details).toContain('already exists with another source');
  });

  it('refuses an unknown source with NOT_FOUND, and missing fields with INVALID_ARGUMENT', async () => {
    const s = stack();
    const src = await volumeOnA(s);
    const snap = await snapshotOf(s, src.id);
    const unknown = await failure(s.call('CreateSnapshot', { name: s.cluster.name('snapshot'), source_volume_id: '00000000-0000-0000-0000-000000000000' }));
    expect(unknown.code).toBe(status.NOT_FOUND);
    // a snapshot is not a volume: no snapshot of a snapshot through CreateSnapshot
    const ofSnapshot = await failure(s.call('CreateSnapshot', { name: s.cluster.name('snapshot'), source_volume_id: snap.snapshot.snapshot_id }));
    expect(ofSnapshot.code).toBe(status.NOT_FOUND);
    expect((await failure(s.call('CreateSnapshot', { name: '', source_volume_id: src.id }))).details).toBe('name is required');
    expect((await failure(s.call('CreateSnapshot', { name: 'x', source_volume_id: '' }))).details).toBe('source_volume_id is required');
  });
});

describe('restore and clone', () => {
  it('restores a snapshot on its node as a writable thin snapshot, echoing content_source', async () => {
    const s = stack();
    const src = await volumeOnA(s);
    const snap = await snapshotOf(s, src.id);
    const name = s.cluster.name('pvc-restore');
    // no requirements, and node b has far more room: a restore still goes to node a
    const res = await s.call<CreateVolumeResponse__Output>('CreateVolume', {
      ...volumeRequest(s, name, { bytes: Number(snap.snapshot.size_bytes) }),
      volume_content_source: { snapshot: { snapshot_id: snap.snapshot.snapshot_id } },
    });
    expect(res.volume?.content_source).toEqual({ snapshot: { snapshot_id: snap.snapshot.snapshot_id }, type: 'snapshot' });
    expect(res.volume?.accessible_topology[0]?.segments[s.cluster.names.topologyNodeKey]).toBe(s.nodeName('a'));
    const lv = await s.cluster.getLogicalVolume(name);
    expect(lv?.spec).toMatchObject({ nodeName: s.nodeName('a'), deviceClass: s.deviceClass, source: snap.name, accessType: 'rw' });
    expect(lv?.metadata?.annotations?.[s.cluster.names.contentSourceAnnotation]).toBe(`snapshot:${snap.snapshot.snapshot_id}`);
  });

  it('clones a volume, larger than its source if asked; never smaller than the source\'s real size (OUT_OF_RANGE)', async () => {
    const s = stack();
    const src = await volumeOnA(s, 2 * GiB);
    const source = { volume: { volume_id: src.id } };
    const larger = s.cluster.name('pvc-clone');
    const res = await s.call<CreateVolumeResponse__Output>('CreateVolume', { ...volumeRequest(s, larger, { bytes: 3 * GiB }), volume_content_source: source });
    expect(res.volume?.content_source).toEqual({ volume: { volume_id: src.id }, type: 'volume' });
    expect((await s.cluster.getLogicalVolume(larger))?.spec).toMatchObject({ size: '3Gi', source: src.name, accessType: 'rw' });
    // zero means the source's size for a clone
    const same = s.cluster.name('pvc-clone');
    const sameRes = await s.call<CreateVolumeResponse__Output>('CreateVolume', { ...volumeRequest(s, same), volume_content_source: source });
    expect(Number(sameRes.volume?.capacity_bytes)).toBe(2 * GiB);
    const smaller = await failure(s.call('CreateVolume', { ...volumeRequest(s, s.cluster.name('pvc-clone'), { bytes: GiB }), volume_content_source: source }));
    expect(smaller.code).toBe(status.OUT_OF_RANGE);
    expect(smaller.details).toBe(`capacity_range.required_bytes ${GiB} is smaller than source volume ${src.id} (${2 * GiB} bytes): a restore or clone is at least as large as its source`);
    const limited = await failure(
      s.call('CreateVolume', { ...volumeRequest(s, s.cluster.name('pvc-clone')), capacity_range: { required_bytes: 0, limit_bytes: GiB }, volume_content_source: source }),
    );
    expect(limited.code).toBe(status.OUT_OF_RANGE);
  });

  it('compares against the source\'s real size, so a byte-precise request just under it that rounds up to it is fine (TopoLVM #1039)', async () => {
    const s = stack();
    const src = await volumeOnA(s, 2 * GiB + 1); // 2 GiB + 4 MiB on the node
    const snap = await snapshotOf(s, src.id);
    const res = await s.call<CreateVolumeResponse__Output>('CreateVolume', {
      ...volumeRequest(s, s.cluster.name('pvc-restore'), { bytes: 2 * GiB + 4 * MiB - 100 }),
      volume_content_source: { snapshot: { snapshot_id: snap.snapshot.snapshot_id } },
    });
    expect(Number(res.volume?.capacity_bytes)).toBe(2 * GiB + 4 * MiB);
  });

  it('refuses requirements that exclude the source\'s node, another device class, and unknown sources', async () => {
    const s = stack();
    const src = await volumeOnA(s);
    const snap = await snapshotOf(s, src.id);
    const source = { snapshot: { snapshot_id: snap.snapshot.snapshot_id } };
    const excluded = await failure(s.call('CreateVolume', { ...volumeRequest(s, s.cluster.name('pvc-r'), { bytes: 3 * GiB }), volume_content_source: source, accessibility_requirements: onNodes(s, 'b') }));
    expect(excluded.code).toBe(status.INVALID_ARGUMENT);
    expect(excluded.details).toBe(`accessibility_requirements exclude node ${s.nodeName('a')}, where source snapshot ${snap.snapshot.snapshot_id} is: a restore or clone is made on its source's node`);
    const allowed = await s.call<CreateVolumeResponse__Output>('CreateVolume', {
      ...volumeRequest(s, s.cluster.name('pvc-r'), { bytes: 3 * GiB }),
      volume_content_source: source,
      accessibility_requirements: onNodes(s, 'b', 'a'),
    });
    expect(allowed.volume?.accessible_topology[0]?.segments[s.cluster.names.topologyNodeKey]).toBe(s.nodeName('a'));
    const otherClass = await failure(
      s.call('CreateVolume', { ...volumeRequest(s, s.cluster.name('pvc-r'), { bytes: 3 * GiB }), volume_content_source: source, parameters: { [s.cluster.names.deviceClassParameter]: 'ssd' } }),
    );
    expect(otherClass.code).toBe(status.INVALID_ARGUMENT);
    expect(otherClass.details).toContain('differs from the device class of source snapshot');
    // a StorageClass naming no class takes the source's
    const noClass = await s.call<CreateVolumeResponse__Output>('CreateVolume', { ...volumeRequest(s, s.cluster.name('pvc-r'), { bytes: 3 * GiB }), parameters: {}, volume_content_source: source });
    expect(noClass.volume?.volume_id).toBeTruthy();
    for (const missing of [{ snapshot: { snapshot_id: 'no-such-snapshot' } }, { volume: { volume_id: 'no-such-volume' } }, { volume: { volume_id: snap.snapshot.snapshot_id } }, { snapshot: { snapshot_id: src.id } }]) {
      const err = await failure(s.call('CreateVolume', { ...volumeRequest(s, s.cluster.name('pvc-r'), { bytes: 3 * GiB }), volume_content_source: missing }));
      expect(err.code).toBe(status.NOT_FOUND);
    }
  });

  it('snapshots a restore of a snapshot, and restores that: the chain stays on the node', async () => {
    const s = stack();
    const src = await volumeOnA(s);
    const snap1 = await snapshotOf(s, src.id);
    const restored = await s.call<CreateVolumeResponse__Output>('CreateVolume', {
      ...volumeRequest(s, s.cluster.name('pvc-r1'), { bytes: 4 * GiB }),
      volume_content_source: { snapshot: { snapshot_id: snap1.snapshot.snapshot_id } },
    });
    const snap2 = await snapshotOf(s, restored.volume!.volume_id);
    expect(Number(snap2.snapshot.size_bytes)).toBe(4 * GiB);
    const restored2 = await s.call<CreateVolumeResponse__Output>('CreateVolume', {
      ...volumeRequest(s, s.cluster.name('pvc-r2'), { bytes: 4 * GiB }),
      volume_content_source: { snapshot: { snapshot_id: snap2.snapshot.snapshot_id } },
    });
    expect(restored2.volume?.accessible_topology[0]?.segments[s.cluster.names.topologyNodeKey]).toBe(s.nodeName('a'));
  });

  it('keeps snapshots, restores and clones when their source is deleted; a snapshot still names its source volume', async () => {
    const s = stack();
    const src = await volumeOnA(s);
    const snap = await snapshotOf(s, src.id);
    const clone = await s.call<CreateVolumeResponse__Output>('CreateVolume', { ...volumeRequest(s, s.cluster.name('pvc-c'), { bytes: 3 * GiB }), volume_content_source: { volume: { volume_id: src.id } } });
    await s.call('DeleteVolume', { volume_id: src.id });
    expect(await s.cluster.getLogicalVolume(src.name)).toBeUndefined();
    const listed = await s.call<{ entries: Array<{ snapshot: { snapshot_id: string; source_volume_id: string } }> }>('ListSnapshots', { snapshot_id: snap.snapshot.snapshot_id });
    expect(listed.entries.map((e) => e.snapshot)).toEqual([expect.objectContaining({ snapshot_id: snap.snapshot.snapshot_id, source_volume_id: src.id })]);
    const restore = await s.call<CreateVolumeResponse__Output>('CreateVolume', {
      ...volumeRequest(s, s.cluster.name('pvc-r'), { bytes: 3 * GiB }),
      volume_content_source: { snapshot: { snapshot_id: snap.snapshot.snapshot_id } },
    });
    expect(restore.volume?.volume_id).toBeTruthy();
    const got = await s.call<{ volume: { volume_id: string; content_source: unknown } }>('ControllerGetVolume', { volume_id: clone.volume!.volume_id });
    expect(got.volume.content_source).toEqual({ volume: { volume_id: src.id }, type: 'volume' });
  });
});
