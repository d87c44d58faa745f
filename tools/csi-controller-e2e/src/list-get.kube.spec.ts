/**
 * Beyond TopoLVM: ListVolumes and ListSnapshots (filters, pages, ABORTED for a token that is not
 * ours), ControllerGetVolume and GetSnapshot, and the volume condition from the LogicalVolume.
 */
import { GrpcStatus as status } from '@copse/csi-grpc';
import type {
  ControllerGetVolumeResponse__Output,
  CreateSnapshotResponse__Output,
  CreateVolumeResponse__Output,
  GetSnapshotResponse__Output,
  ListSnapshotsResponse__Output,
  ListVolumesResponse__Output,
} from '@copse/csi-spec';
import { failure } from './controller-process';
import { GiB, onNodes, useStack, volumeRequest, type Stack } from './fixture';

const stack = useStack({ nodes: [{ key: 'a', free: { '': 100 * GiB } }] });

async function volume(s: Stack, bytes = GiB) {
  const name = s.cluster.name('pvc');
  const res = await s.call<CreateVolumeResponse__Output>('CreateVolume', { ...volumeRequest(s, name, { bytes }), accessibility_requirements: onNodes(s, 'a') });
  return { name, id: res.volume!.volume_id };
}

async function snapshot(s: Stack, sourceId: string) {
  const name = s.cluster.name('snapshot');
  const res = await s.call<CreateSnapshotResponse__Output>('CreateSnapshot', { name, source_volume_id: sourceId });
  return { name, id: res.snapshot!.snapshot_id };
}

/** This run's entries only (a real cluster may hold others). */
function mine<T>(s: Stack, ids: readonly string[], entries: readonly T[], idOf: (e: T) => string): string[] {
  return entries.map(idOf).filter((id) => ids.includes(id));
}

describe('ListVolumes', () => {
  it('lists created volumes (not snapshots) with size, topology, source and condition; a deleted one is gone from the next list', async () => {
    const s = stack();
    const v1 = await volume(s);
    const v2 = await volume(s, 2 * GiB);
    const snap = await snapshot(s, v1.id);
    const clone = await s.call<CreateVolumeResponse__Output>('CreateVolume', { ...volumeRequest(s, s.cluster.name('pvc'), { bytes: GiB }), volume_content_source: { snapshot: { snapshot_id: snap.id } } });
    const list = await s.call<ListVolumesResponse__Output>('ListVolumes', {});
    const ids = [v1.id, v2.id, clone.volume!.volume_id, snap.id];
    expect(mine(s, ids, list.entries, (e) => e.volume!.volume_id).sort()).toEqual([v1.id, v2.id, clone.volume!.volume_id].sort());
    const e2 = list.entries.find((e) => e.volume?.volume_id === v2.id)!;
    expect(e2.volume).toMatchObject({ capacity_bytes: String(2 * GiB), accessible_topology: [{ segments: { [s.cluster.names.topologyNodeKey]: s.nodeName('a') } }] });
    expect(e2.status).toEqual({ published_node_ids: [], volume_condition: { abnormal: false, message: `the logical volume exists on node ${s.nodeName('a')}` } });
    const ec = list.entries.find((e) => e.volume?.volume_id === clone.volume!.volume_id)!;
    expect(ec.volume?.content_source).toEqual({ snapshot: { snapshot_id: snap.id }, type: 'snapshot' });
    await s.call('DeleteVolume', { volume_id: v2.id });
    const after = await s.call<ListVolumesResponse__Output>('ListVolumes', {});
    expect(after.entries.map((e) => e.volume?.volume_id)).not.toContain(v2.id);
  });

  it('pages by max_entries with tokens that survive the deletion of the last entry handed out', async () => {
    const s = stack();
    for (let i = 0; i < 5; i++) await volume(s);
    const all = (await s.call<ListVolumesResponse__Output>('ListVolumes', {})).entries.map((e) => e.volume!.volume_id);
    const first = await s.call<ListVolumesResponse__Output>('ListVolumes', { max_entries: 2 });
    expect(first.entries).toHaveLength(2);
    expect(first.next_token).not.toBe('');
    await s.call('DeleteVolume', { volume_id: first.entries[1]!.volume!.volume_id });
    const seen = first.entries.map((e) => e.volume!.volume_id);
    let token = first.next_token;
    while (token) {
      const page = await s.call<ListVolumesResponse__Output>('ListVolumes', { max_entries: 2, starting_token: token });
      seen.push(...page.entries.map((e) => e.volume!.volume_id));
      token = page.next_token;
    }
    expect(new Set(seen).size).toBe(seen.length); // no repeats
    expect(seen.sort()).toEqual(all.sort());
  });

  it('answers ABORTED for a token it did not issue, INVALID_ARGUMENT for a negative max_entries', async () => {
    const s = stack();
    const bad = await failure(s.call('ListVolumes', { starting_token: 'invalid-token' }));
    expect(bad.code).toBe(status.ABORTED);
    expect(bad.details).toBe('starting_token "invalid-token" is not a token this plugin issued: start again without one');
    expect((await failure(s.call('ListSnapshots', { starting_token: 'v1.!!' }))).code).toBe(status.ABORTED);
    expect((await failure(s.call('ListVolumes', { max_entries: -1 }))).code).toBe(status.INVALID_ARGUMENT);
  });
});

describe('ListSnapshots', () => {
  it('filters by snapshot ID and by source volume, pages, and never lists a snapshot being cut', async () => {
    const s = stack();
    const v1 = await volume(s);
    const v2 = await volume(s);
    const s1 = await snapshot(s, v1.id);
    const s2 = await snapshot(s, v1.id);
    const s3 = await snapshot(s, v2.id);
    const held = s.node('a').hold('create', (lv) => lv.spec.source === (v2.name as string) && lv.spec.accessType === 'ro');
    const cutting = s.call('CreateSnapshot', { name: s.cluster.name('snapshot'), source_volume_id: v2.id });
    await held.reached;
    const all = await s.call<ListSnapshotsResponse__Output>('ListSnapshots', {});
    expect(mine(s, [s1.id, s2.id, s3.id], all.entries, (e) => e.snapshot!.snapshot_id).sort()).toEqual([s1.id, s2.id, s3.id].sort());
    expect(all.entries.filter((e) => e.snapshot?.source_volume_id === v2.id)).toHaveLength(1);
    const byId = await s.call<ListSnapshotsResponse__Output>('ListSnapshots', { snapshot_id: s2.id });
    expect(byId.entries.map((e) => e.snapshot)).toEqual([expect.objectContaining({ snapshot_id: s2.id, source_volume_id: v1.id, ready_to_use: true, size_bytes: String(GiB) })]);
    const bySource = await s.call<ListSnapshotsResponse__Output>('ListSnapshots', { source_volume_id: v1.id });
    expect(bySource.entries.map((e) => e.snapshot!.snapshot_id).sort()).toEqual([s1.id, s2.id].sort());
    expect((await s.call<ListSnapshotsResponse__Output>('ListSnapshots', { snapshot_id: 'no-such' })).entries).toEqual([]);
    expect((await s.call<ListSnapshotsResponse__Output>('ListSnapshots', { source_volume_id: 'no-such' })).entries).toEqual([]);
    const page = await s.call<ListSnapshotsResponse__Output>('ListSnapshots', { source_volume_id: v1.id, max_entries: 1 });
    const rest = await s.call<ListSnapshotsResponse__Output>('ListSnapshots', { source_volume_id: v1.id, starting_token: page.next_token });
    expect([...page.entries, ...rest.entries].map((e) => e.snapshot!.snapshot_id).sort()).toEqual([s1.id, s2.id].sort());
    expect(rest.next_token).toBe('');
    held.release();
    await cutting;
  });
});

describe('ControllerGetVolume and GetSnapshot', () => {
  it('answers one volume or snapshot by ID, NOT_FOUND for an unknown one or one of the other kind', async () => {
    const s = stack();
    const v = await volume(s);
    const snap = await snapshot(s, v.id);
    const got = await s.call<ControllerGetVolumeResponse__Output>('ControllerGetVolume', { volume_id: v.id });
    expect(got.volume?.volume_id).toBe(v.id);
    expect(got.status?.volume_condition).toEqual({ abnormal: false, message: `the logical volume exists on node ${s.nodeName('a')}` });
    const gotSnap = await s.call<GetSnapshotResponse__Output>('GetSnapshot', { snapshot_id: snap.id });
    expect(gotSnap.snapshot).toMatchObject({ snapshot_id: snap.id, source_volume_id: v.id, ready_to_use: true });
    for (const [method, req] of [
      ['ControllerGetVolume', { volume_id: 'nope' }],
      ['ControllerGetVolume', { volume_id: snap.id }],
      ['GetSnapshot', { snapshot_id: 'nope' }],
      ['GetSnapshot', { snapshot_id: v.id }],
    ] as const) {
      expect((await failure(s.call(method, req))).code).toBe(status.NOT_FOUND);
    }
  });

  it('reports the volume abnormal when its node reports a failure, from status.code and message', async () => {
    const s = stack();
    const v = await volume(s);
    s.node('a').fail('resize', (lv) => lv.metadata?.uid === v.id, status.INTERNAL, 'lvresize failed: device-mapper: reload ioctl failed');
    await failure(s.call('ControllerExpandVolume', { volume_id: v.id, capacity_range: { required_bytes: 2 * GiB } }));
    const got = await s.call<ControllerGetVolumeResponse__Output>('ControllerGetVolume', { volume_id: v.id });
    expect(got.status?.volume_condition).toEqual({
      abnormal: true,
      message: `node ${s.nodeName('a')}: Internal: lvresize failed: device-mapper: reload ioctl failed`,
    });
    const listed = await s.call<ListVolumesResponse__Output>('ListVolumes', {});
    expect(listed.entries.find((e) => e.volume?.volume_id === v.id)?.status?.volume_condition?.abnormal).toBe(true);
  });
});
