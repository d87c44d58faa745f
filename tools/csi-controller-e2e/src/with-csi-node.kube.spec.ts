/**
 * The controller with the real node: csi-node and lvmd-http on the simulated lvm2 (no
 * stand-in). What the controller answers is checked against the LVs lvmd-http reports:
 * placement from the capacity csi-node writes, volume, snapshot, larger restore, clone,
 * expansion, the node's refusals as their gRPC codes, and nothing left after the deletes.
 */
import { GrpcStatus as status } from '@copse/csi-grpc';
import type {
  ControllerExpandVolumeResponse__Output,
  CreateSnapshotResponse__Output,
  CreateVolumeResponse__Output,
  GetCapacityResponse__Output,
} from '@copse/csi-spec';
import { capacityAnnotation } from '@copse/k8s-crd';
import { failure } from './controller-process';
import { mount } from './fixture';
import { GiB, useNodeStack, type NodeStack } from './node-stack';

const stack = useNodeStack();

function request(s: NodeStack, name: string, more: Record<string, unknown> = {}, deviceClass = 'thin') {
  return {
    name,
    volume_capabilities: [mount('xfs')],
    capacity_range: { required_bytes: GiB },
    parameters: { [s.cluster.names.deviceClassParameter]: deviceClass },
    ...more,
  };
}

const onTheNode = (s: NodeStack) => {
  const topo = { segments: { [s.cluster.names.topologyNodeKey]: s.nodeName } };
  return { preferred: [topo], requisite: [topo] };
};

describe('with csi-node and lvmd-http on the simulated lvm2', () => {
  const made: string[] = [];

  it('places a volume by the capacity csi-node reports, and the LV is named by the volume ID', async () => {
    const s = stack();
    const node = await s.cluster.core.readNode({ name: s.nodeName });
    const free = Number(node.metadata?.annotations?.[capacityAnnotation(s.cluster.names, 'thin')]);
    expect(free).toBe(5 * 10 * GiB); // the pool, overprovisioned 5 x
    const capacity = await s.call<GetCapacityResponse__Output>('GetCapacity', {
      parameters: { [s.cluster.names.deviceClassParameter]: 'thin' },
      accessible_topology: { segments: { [s.cluster.names.topologyNodeKey]: s.nodeName } },
    });
    expect(Number(capacity.available_capacity)).toBe(free);

    const res = await s.call<CreateVolumeResponse__Output>('CreateVolume', request(s, s.cluster.name('pvc')));
    const id = res.volume!.volume_id;
    made.push(id);
    expect(res.volume!.accessible_topology).toEqual([{ segments: { [s.cluster.names.topologyNodeKey]: s.nodeName } }]);
    const lv = await s.lv(id);
    expect(lv).toMatchObject({ name: id, deviceClass: 'thin', type: 'thin', origin: '' });
    expect(Number(res.volume!.capacity_bytes)).toBe(lv!.sizeBytes);
  });

  it('snapshots, restores larger, clones: thin snapshots on the node, sizes as lvs has them, content_source echoed', async () => {
    const s = stack();
    const source = await s.call<CreateVolumeResponse__Output>('CreateVolume', request(s, s.cluster.name('pvc')));
    const sourceId = source.volume!.volume_id;
    made.push(sourceId);
    const snap = await s.call<CreateSnapshotResponse__Output>('CreateSnapshot', { name: s.cluster.name('snapshot'), source_volume_id: sourceId });
    const snapId = snap.snapshot!.snapshot_id;
    made.push(snapId);
    expect(snap.snapshot).toMatchObject({ source_volume_id: sourceId, ready_to_use: true });
    expect(await s.lv(snapId)).toMatchObject({ origin: sourceId, accessType: 'ro', sizeBytes: Number(snap.snapshot!.size_bytes) });
    expect(Number(snap.snapshot!.size_bytes)).toBe(Number(source.volume!.capacity_bytes));

    const restore = await s.call<CreateVolumeResponse__Output>(
      'CreateVolume',
      request(s, s.cluster.name('restore'), { capacity_range: { required_bytes: 2 * GiB }, volume_content_source: { snapshot: { snapshot_id: snapId } } }),
    );
    made.push(restore.volume!.volume_id);
    expect(restore.volume!.content_source).toMatchObject({ snapshot: { snapshot_id: snapId } });
    expect(await s.lv(restore.volume!.volume_id)).toMatchObject({ origin: snapId, accessType: 'rw', sizeBytes: 2 * GiB });
    expect(Number(restore.volume!.capacity_bytes)).toBe(2 * GiB);

    const clone = await s.call<CreateVolumeResponse__Output>(
      'CreateVolume',
      request(s, s.cluster.name('clone'), { capacity_range: { required_bytes: 0 }, volume_content_source: { volume: { volume_id: sourceId } } }),
    );
    made.push(clone.volume!.volume_id);
    expect(clone.volume!.content_source).toMatchObject({ volume: { volume_id: sourceId } });
    expect(await s.lv(clone.volume!.volume_id)).toMatchObject({ origin: sourceId, accessType: 'rw' });
  });

  it('refuses a clone smaller than its source (OUT_OF_RANGE) before anything is made', async () => {
    const s = stack();
    const source = await s.call<CreateVolumeResponse__Output>('CreateVolume', request(s, s.cluster.name('pvc'), { capacity_range: { required_bytes: 2 * GiB } }));
    made.push(source.volume!.volume_id);
    const before = (await s.lvs()).length;
    const objects = (await s.cluster.listLogicalVolumes()).length;
    const err = await failure(
      s.call('CreateVolume', request(s, s.cluster.name('clone'), { volume_content_source: { volume: { volume_id: source.volume!.volume_id } } })),
    );
    expect(err.code).toBe(status.OUT_OF_RANGE);
    expect((await s.lvs()).length).toBe(before);
    expect((await s.cluster.listLogicalVolumes()).length).toBe(objects);
  });

  it('expands the LV and asks for the filesystem to be grown on the node', async () => {
    const s = stack();
    const v = await s.call<CreateVolumeResponse__Output>('CreateVolume', request(s, s.cluster.name('pvc')));
    made.push(v.volume!.volume_id);
    const res = await s.call<ControllerExpandVolumeResponse__Output>('ControllerExpandVolume', {
      volume_id: v.volume!.volume_id,
      capacity_range: { required_bytes: 3 * GiB },
      volume_capability: mount('xfs'),
    });
    expect(res).toMatchObject({ node_expansion_required: true });
    expect(Number(res.capacity_bytes)).toBe(3 * GiB);
    expect((await s.lv(v.volume!.volume_id))!.sizeBytes).toBe(3 * GiB);
  });

  it("passes the node's refusals on as their gRPC codes, with lvmd-http's words, leaving nothing behind", async () => {
    const s = stack();
    const before = (await s.lvs()).length;
    // the scheduler's choice is not capacity-checked by the controller: the node refuses
    const tooBig = await failure(
      s.call('CreateVolume', request(s, s.cluster.name('pvc'), { capacity_range: { required_bytes: 40 * GiB }, accessibility_requirements: onTheNode(s) }, 'thick')),
    );
    expect(tooBig.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(tooBig.details).toMatch(new RegExp(`^node ${s.nodeName}: `));
    const unknown = await failure(
      s.call('CreateVolume', request(s, s.cluster.name('pvc'), { accessibility_requirements: onTheNode(s) }, 'nosuch')),
    );
    expect(unknown.code).toBe(status.NOT_FOUND);
    expect(unknown.details).toMatch(/nosuch/);
    expect((await s.lvs()).length).toBe(before);
  });

  it('after deleting everything: no LV, no LogicalVolume', async () => {
    const s = stack();
    const snapshots = new Set((await s.cluster.listLogicalVolumes()).filter((lv) => lv.spec.accessType === 'ro').map((lv) => lv.status?.volumeID));
    for (const id of made) {
      if (snapshots.has(id)) await s.call('DeleteSnapshot', { snapshot_id: id });
      else await s.call('DeleteVolume', { volume_id: id });
    }
    expect(await s.lvs()).toEqual([]);
    expect((await s.cluster.listLogicalVolumes()).filter((lv) => lv.spec.nodeName === s.nodeName)).toEqual([]);
  });
});
