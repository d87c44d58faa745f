/**
 * DeleteVolume, DeleteSnapshot, ControllerExpandVolume, ValidateVolumeCapabilities,
 * GetCapacity, the capability lists and Identity, through the real process.
 */
import { GrpcStatus as status } from '@copse/csi-grpc';
import type {
  ControllerExpandVolumeResponse__Output,
  ControllerGetCapabilitiesResponse__Output,
  CreateSnapshotResponse__Output,
  CreateVolumeResponse__Output,
  GetCapacityResponse__Output,
  GetPluginCapabilitiesResponse__Output,
  GetPluginInfoResponse__Output,
  ProbeResponse__Output,
  ValidateVolumeCapabilitiesResponse__Output,
} from '@copse/csi-spec';
import { call, ControllerProcess, failure } from './controller-process';
import { block, GiB, mount, onNodes, useStack, volumeRequest, type Stack } from './fixture';

const stack = useStack({
  nodes: [
    { key: 'a', free: { '': 100 * GiB, thick: 7 * GiB } },
    { key: 'b', free: { '': 50 * GiB } },
  ],
});

async function volume(s: Stack, bytes = GiB, key = 'a') {
  const name = s.cluster.name('pvc');
  const res = await s.call<CreateVolumeResponse__Output>('CreateVolume', { ...volumeRequest(s, name, { bytes }), accessibility_requirements: onNodes(s, key) });
  return { name, id: res.volume!.volume_id };
}

describe('DeleteVolume and DeleteSnapshot', () => {
  it('deletes the LogicalVolume and answers once the node has removed it', async () => {
    const s = stack();
    const v = await volume(s);
    const held = s.node('a').hold('remove', (lv) => lv.metadata?.name === v.name);
    const deleting = s.call('DeleteVolume', { volume_id: v.id });
    await held.reached;
    // the object is marked for deletion, the answer waits for the node
    expect((await s.cluster.getLogicalVolume(v.name))?.metadata?.deletionTimestamp).toBeTruthy();
    let answered = false;
    void deleting.then(() => (answered = true));
    await new Promise((r) => setTimeout(r, 200));
    expect(answered).toBe(false);
    held.release();
    await deleting;
    expect(await s.cluster.getLogicalVolume(v.name)).toBeUndefined();
    expect(s.node('a').journal).toContain(`remove ${v.name}`);
  });

  it('answers OK for an unknown ID, and for a repeat; INVALID_ARGUMENT without an ID', async () => {
    const s = stack();
    const v = await volume(s);
    await s.call('DeleteVolume', { volume_id: v.id });
    await s.call('DeleteVolume', { volume_id: v.id });
    await s.call('DeleteVolume', { volume_id: 'no-such-volume' });
    await s.call('DeleteSnapshot', { snapshot_id: 'no-such-snapshot' });
    expect((await failure(s.call('DeleteVolume', { volume_id: '' }))).code).toBe(status.INVALID_ARGUMENT);
    expect((await failure(s.call('DeleteSnapshot', { snapshot_id: '' }))).code).toBe(status.INVALID_ARGUMENT);
  });

  it('deletes a snapshot by its ID, and never a volume through DeleteSnapshot (or the other way round)', async () => {
    const s = stack();
    const v = await volume(s);
    const snap = await s.call<CreateSnapshotResponse__Output>('CreateSnapshot', { name: s.cluster.name('snapshot'), source_volume_id: v.id });
    await s.call('DeleteSnapshot', { snapshot_id: v.id });
    await s.call('DeleteVolume', { volume_id: snap.snapshot!.snapshot_id });
    const lvs = await s.cluster.listLogicalVolumes();
    expect(lvs.map((lv) => lv.metadata?.uid)).toEqual(expect.arrayContaining([v.id, snap.snapshot!.snapshot_id]));
    await s.call('DeleteSnapshot', { snapshot_id: snap.snapshot!.snapshot_id });
    expect((await s.cluster.listLogicalVolumes()).map((lv) => lv.metadata?.uid)).not.toContain(snap.snapshot!.snapshot_id);
  });
});

describe('ControllerExpandVolume', () => {
  it('grows spec.size, waits for the node, and asks for node expansion of a filesystem', async () => {
    const s = stack();
    const v = await volume(s);
    const res = await s.call<ControllerExpandVolumeResponse__Output>('ControllerExpandVolume', {
      volume_id: v.id,
      capacity_range: { required_bytes: 3 * GiB },
      volume_capability: mount('xfs'),
    });
    expect(res).toEqual({ capacity_bytes: String(3 * GiB), node_expansion_required: true });
    const lv = await s.cluster.getLogicalVolume(v.name);
    expect(lv?.spec.size).toBe('3Gi');
    expect(lv?.status?.currentSize).toBe(String(3 * GiB));
    expect(lv?.metadata?.annotations?.[s.cluster.names.resizeRequestedAtAnnotation]).toBeTruthy();
  });

  it('needs no node expansion for raw block; a size it already has is answered at once', async () => {
    const s = stack();
    const v = await volume(s, 2 * GiB);
    const res = await s.call<ControllerExpandVolumeResponse__Output>('ControllerExpandVolume', { volume_id: v.id, capacity_range: { required_bytes: 4 * GiB }, volume_capability: block() });
    expect(res).toEqual({ capacity_bytes: String(4 * GiB), node_expansion_required: false });
    const smaller = await s.call<ControllerExpandVolumeResponse__Output>('ControllerExpandVolume', { volume_id: v.id, capacity_range: { required_bytes: GiB } });
    expect(smaller).toEqual({ capacity_bytes: String(4 * GiB), node_expansion_required: true });
    expect(s.node('a').journal.filter((j) => j === `resize ${v.name}`)).toHaveLength(1);
  });

  it('reports the node\'s failure with its code, and succeeds on the retry once the node can', async () => {
    const s = stack();
    const v = await volume(s);
    const held = s.node('a').hold('resize', (lv) => lv.metadata?.name === v.name);
    const expanding = failure(s.call('ControllerExpandVolume', { volume_id: v.id, capacity_range: { required_bytes: 5 * GiB } }));
    await held.reached;
    held.release({ code: status.RESOURCE_EXHAUSTED, message: 'thin pool pool0 is full' });
    const err = await expanding;
    expect(err.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(err.details).toBe(`node ${s.nodeName('a')}: thin pool pool0 is full`);
    // the resizer retries: the annotation it bumps makes the node try again, which now works
    const res = await s.call<ControllerExpandVolumeResponse__Output>('ControllerExpandVolume', { volume_id: v.id, capacity_range: { required_bytes: 5 * GiB } });
    expect(res.capacity_bytes).toBe(String(5 * GiB));
  });

  it('refuses growth beyond the node\'s free bytes (RESOURCE_EXHAUSTED), unknown volumes (NOT_FOUND), bad ranges', async () => {
    const s = stack();
    const v = await volume(s, GiB, 'b');
    const tooBig = await failure(s.call('ControllerExpandVolume', { volume_id: v.id, capacity_range: { required_bytes: 60 * GiB } }));
    expect(tooBig.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(tooBig.details).toContain(`node ${s.nodeName('b')} has ${50 * GiB} bytes free`);
    expect((await failure(s.call('ControllerExpandVolume', { volume_id: 'nope', capacity_range: { required_bytes: GiB } }))).code).toBe(status.NOT_FOUND);
    expect((await failure(s.call('ControllerExpandVolume', { volume_id: v.id }))).details).toBe('capacity_range is required');
    expect((await failure(s.call('ControllerExpandVolume', { volume_id: '', capacity_range: { required_bytes: GiB } }))).details).toBe('volume_id is required');
    const limit = await failure(s.call('ControllerExpandVolume', { volume_id: v.id, capacity_range: { required_bytes: 2 * GiB + 1, limit_bytes: 2 * GiB + 2 } }));
    expect(limit.code).toBe(status.OUT_OF_RANGE);
  });
});

describe('ValidateVolumeCapabilities', () => {
  it('confirms what the plugin serves, says why not otherwise, NOT_FOUND for an unknown volume', async () => {
    const s = stack();
    const v = await volume(s);
    const ok = await s.call<ValidateVolumeCapabilitiesResponse__Output>('ValidateVolumeCapabilities', { volume_id: v.id, volume_capabilities: [mount('xfs'), block()] });
    expect(ok.confirmed?.volume_capabilities).toHaveLength(2);
    const no = await s.call<ValidateVolumeCapabilitiesResponse__Output>('ValidateVolumeCapabilities', {
      volume_id: v.id,
      volume_capabilities: [mount('ext4', { mode: 'MULTI_NODE_MULTI_WRITER' })],
    });
    expect(no.confirmed).toBeNull();
    expect(no.message).toBe('volume_capabilities[0].access_mode.mode MULTI_NODE_MULTI_WRITER is not supported; supported: SINGLE_NODE_WRITER');
    const unknown = await failure(s.call('ValidateVolumeCapabilities', { volume_id: 'nope', volume_capabilities: [mount()] }));
    expect(unknown.code).toBe(status.NOT_FOUND);
    expect((await failure(s.call('ValidateVolumeCapabilities', { volume_id: v.id, volume_capabilities: [] }))).code).toBe(status.INVALID_ARGUMENT);
  });
});

describe('GetCapacity', () => {
  it('answers per node (topology) and device class, with the largest volume it could make', async () => {
    const s = stack();
    const key = s.cluster.names.topologyNodeKey;
    const dc = { [s.cluster.names.deviceClassParameter]: s.deviceClass };
    const onA = await s.call<GetCapacityResponse__Output>('GetCapacity', { parameters: dc, accessible_topology: { segments: { [key]: s.nodeName('a') } } });
    expect(onA).toEqual({ available_capacity: String(100 * GiB), maximum_volume_size: { value: String(100 * GiB) }, minimum_volume_size: null });
    const thick = await s.call<GetCapacityResponse__Output>('GetCapacity', { parameters: { [s.cluster.names.deviceClassParameter]: 'thick' }, accessible_topology: { segments: { [key]: s.nodeName('a') } } });
    expect(thick.available_capacity).toBe(String(7 * GiB));
    const all = await s.call<GetCapacityResponse__Output>('GetCapacity', { parameters: dc });
    expect(all.available_capacity).toBe(String(150 * GiB));
    expect(all.maximum_volume_size?.value).toBe(String(100 * GiB));
    // a node without the class, an unknown node, a segment without the key, an unserved capability: 0
    for (const req of [
      { parameters: { [s.cluster.names.deviceClassParameter]: 'thick' }, accessible_topology: { segments: { [key]: s.nodeName('b') } } },
      { parameters: dc, accessible_topology: { segments: { [key]: 'no-such-node' } } },
      { parameters: dc, accessible_topology: { segments: { zone: 'z' } } },
      { parameters: dc, volume_capabilities: [mount('ext4', { mode: 'MULTI_NODE_MULTI_WRITER' })] },
    ]) {
      expect((await s.call<GetCapacityResponse__Output>('GetCapacity', req)).available_capacity).toBe('0');
    }
    await s.cluster.setFree(s.nodeName('b'), s.deviceClass, 70 * GiB);
    // the Node informer follows the annotation csi-node keeps current (the test polls; the controller watches)
    const deadline = Date.now() + 10_000;
    let seen = '';
    while (Date.now() < deadline) {
      seen = (await s.call<GetCapacityResponse__Output>('GetCapacity', { parameters: dc, accessible_topology: { segments: { [key]: s.nodeName('b') } } })).available_capacity;
      if (seen === String(70 * GiB)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(seen).toBe(String(70 * GiB));
  });
});

describe('capabilities and Identity', () => {
  it('lists TopoLVM\'s controller capabilities plus listing, GET_VOLUME and VOLUME_CONDITION; GET_SNAPSHOT (alpha) when asked', async () => {
    const s = stack();
    const types = (r: ControllerGetCapabilitiesResponse__Output) => r.capabilities.map((c) => c.rpc?.type);
    const base = ['CREATE_DELETE_VOLUME', 'CLONE_VOLUME', 'GET_CAPACITY', 'EXPAND_VOLUME', 'CREATE_DELETE_SNAPSHOT', 'LIST_VOLUMES', 'LIST_SNAPSHOTS', 'GET_VOLUME', 'VOLUME_CONDITION'];
    expect(types(await s.call<ControllerGetCapabilitiesResponse__Output>('ControllerGetCapabilities', {}))).toEqual(base);
    const unimplemented = await failure(s.call('ControllerPublishVolume', { volume_id: 'x', node_id: 'y' }));
    expect(unimplemented.code).toBe(status.UNIMPLEMENTED);

    const advertising = await new ControllerProcess(s.cluster, { args: ['--advertise-get-snapshot=true'] }).start();
    try {
      const caps = await call<unknown, ControllerGetCapabilitiesResponse__Output>(advertising.controller(), 'ControllerGetCapabilities', {});
      expect(types(caps)).toEqual([...base, 'GET_SNAPSHOT']);
    } finally {
      await advertising.close();
    }
  });

  it('names the driver after the API group, says ready once its caches are filled, and offers no Node service', async () => {
    const s = stack();
    const identity = s.controller.identity();
    const info = await call<unknown, GetPluginInfoResponse__Output>(identity, 'GetPluginInfo', {});
    expect(info).toMatchObject({ name: s.cluster.names.driverName, vendor_version: '0.1.0' });
    const caps = await call<unknown, GetPluginCapabilitiesResponse__Output>(identity, 'GetPluginCapabilities', {});
    expect(caps.capabilities.map((c) => c.service?.type ?? `expansion ${c.volume_expansion?.type}`)).toEqual([
      'CONTROLLER_SERVICE',
      'VOLUME_ACCESSIBILITY_CONSTRAINTS',
      'expansion ONLINE',
      'expansion OFFLINE',
    ]);
    expect(await call<unknown, ProbeResponse__Output>(identity, 'Probe', {})).toEqual({ ready: { value: true } });
  });
});
