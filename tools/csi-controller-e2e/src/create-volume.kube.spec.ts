/**
 * CreateVolume through the real process: placement, sizes, access modes, parameters, repeats.
 */
import { GrpcStatus as status } from '@copse/csi-grpc';
import type { CreateVolumeResponse__Output } from '@copse/csi-spec';
import { formatQuantity } from '@copse/k8s-crd';
import { failure } from './controller-process';
import { block, GiB, MiB, mount, onNodes, useStack, volumeRequest } from './fixture';

const stack = useStack({
  nodes: [
    { key: 'a', free: { '': 100 * GiB } },
    { key: 'b', free: { '': 300 * GiB, ssd: 10 * GiB } },
  ],
});

type Created = CreateVolumeResponse__Output;

describe('CreateVolume', () => {
  it('makes a LogicalVolume, waits for the node, and answers with its ID, size and topology', async () => {
    const s = stack();
    const name = s.cluster.name('pvc-plain');
    const res = await s.call<Created>('CreateVolume', volumeRequest(s, name, { bytes: 5 * GiB }));
    const lv = await s.cluster.getLogicalVolume(name);
    expect(lv?.spec).toMatchObject({ name, size: '5Gi', deviceClass: s.deviceClass });
    expect(lv?.metadata?.labels?.[s.cluster.names.nodeLabel]).toBe(lv?.spec.nodeName);
    expect(lv?.metadata?.finalizers).toEqual([s.cluster.names.logicalVolumeFinalizer]);
    expect(res.volume?.volume_id).toBe(lv?.metadata?.uid);
    expect(res.volume?.capacity_bytes).toBe(String(5 * GiB));
    expect(res.volume?.accessible_topology).toEqual([{ segments: { [s.cluster.names.topologyNodeKey]: lv?.spec.nodeName } }]);
    expect(res.volume?.content_source).toBeNull();
  });

  it('puts a volume on the node with the most free bytes in its device class when free to choose', async () => {
    const s = stack();
    const res = await s.call<Created>('CreateVolume', volumeRequest(s, s.cluster.name('pvc-free'), { bytes: GiB }));
    expect(res.volume?.accessible_topology[0]?.segments).toEqual({ [s.cluster.names.topologyNodeKey]: s.nodeName('b') });
    const ssd = await s.call<Created>('CreateVolume', {
      ...volumeRequest(s, s.cluster.name('pvc-ssd'), { bytes: GiB }),
      parameters: { [s.cluster.names.deviceClassParameter]: 'ssd' },
    });
    expect(ssd.volume?.accessible_topology[0]?.segments).toEqual({ [s.cluster.names.topologyNodeKey]: s.nodeName('b') });
  });

  it('refuses with RESOURCE_EXHAUSTED when no node has the room, naming the best one', async () => {
    const s = stack();
    const err = await failure(s.call('CreateVolume', volumeRequest(s, s.cluster.name('pvc-huge'), { bytes: 400 * GiB })));
    expect(err.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(err.details).toContain(`the most is ${300 * GiB} bytes, on node ${s.nodeName('b')}`);
    const none = await failure(
      s.call('CreateVolume', { ...volumeRequest(s, s.cluster.name('pvc-nodc'), { bytes: GiB }), parameters: { [s.cluster.names.deviceClassParameter]: 'nvme-x' } }),
    );
    expect(none.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(none.details).toBe('no node reports free capacity for device class "nvme-x"');
  });

  it('takes the node from accessibility_requirements, preferred first, without a capacity check', async () => {
    const s = stack();
    const name = s.cluster.name('pvc-topo');
    const res = await s.call<Created>('CreateVolume', { ...volumeRequest(s, name, { bytes: 200 * GiB }), accessibility_requirements: onNodes(s, 'a', 'b') });
    expect(res.volume?.accessible_topology[0]?.segments[s.cluster.names.topologyNodeKey]).toBe(s.nodeName('a'));
    expect((await s.cluster.getLogicalVolume(name))?.spec.nodeName).toBe(s.nodeName('a'));
    const requisiteOnly = await s.call<Created>('CreateVolume', {
      ...volumeRequest(s, s.cluster.name('pvc-req'), { bytes: GiB }),
      accessibility_requirements: { preferred: [], requisite: [{ segments: { [s.cluster.names.topologyNodeKey]: s.nodeName('b') } }] },
    });
    expect(requisiteOnly.volume?.accessible_topology[0]?.segments[s.cluster.names.topologyNodeKey]).toBe(s.nodeName('b'));
    const wrongKey = await failure(
      s.call('CreateVolume', { ...volumeRequest(s, s.cluster.name('pvc-zone'), { bytes: GiB }), accessibility_requirements: { preferred: [{ segments: { zone: 'z1' } }], requisite: [] } }),
    );
    expect(wrongKey.code).toBe(status.INVALID_ARGUMENT);
    expect(wrongKey.details).toContain(s.cluster.names.topologyNodeKey);
  });

  it.each([
    ['zero', undefined, undefined, GiB],
    ['zero with a limit under 1 GiB: the limit, rounded down to 4096', 0, 100 * MiB + 100, 100 * MiB],
    ['an odd size: rounded up to 4096', 40 * MiB + 1, undefined, 40 * MiB + 4096],
    ['below the ext4 minimum: raised to 32 MiB', MiB, undefined, 32 * MiB],
  ])('sizes %s', async (_what, required, limit, expected) => {
    const s = stack();
    const name = s.cluster.name('pvc-size');
    const res = await s.call<Created>('CreateVolume', {
      ...volumeRequest(s, name),
      capacity_range: required === undefined && limit === undefined ? undefined : { required_bytes: required ?? 0, limit_bytes: limit ?? 0 },
    });
    expect((await s.cluster.getLogicalVolume(name))?.spec.size).toBe(formatQuantity(expected));
    // the node rounds up to whole 4 MiB extents, and the answer is the node's size
    expect(Number(res.volume?.capacity_bytes)).toBe(Math.ceil(expected / (4 * MiB)) * 4 * MiB);
  });

  it.each([
    ['raw block', block(), 8 * MiB],
    ['xfs', mount('xfs'), 300 * MiB],
    ['btrfs', mount('btrfs'), 200 * MiB],
    ['ext4 (the default filesystem)', mount(''), 32 * MiB],
  ])('refuses with OUT_OF_RANGE a limit below the minimum of %s', async (_what, cap, minimum) => {
    const s = stack();
    const err = await failure(
      s.call('CreateVolume', { ...volumeRequest(s, s.cluster.name('pvc-min')), volume_capabilities: [cap], capacity_range: { required_bytes: MiB, limit_bytes: minimum - 4096 } }),
    );
    expect(err.code).toBe(status.OUT_OF_RANGE);
    expect(err.details).toContain('cannot be met: the volume capabilities need at least');
  });

  it('refuses with OUT_OF_RANGE a limit that rounding to 4096 passes, and INVALID_ARGUMENT a limit below the request', async () => {
    const s = stack();
    const rounded = await failure(s.call('CreateVolume', { ...volumeRequest(s, s.cluster.name('pvc-r')), capacity_range: { required_bytes: GiB + 1, limit_bytes: GiB + 2 } }));
    expect(rounded.code).toBe(status.OUT_OF_RANGE);
    const inverted = await failure(s.call('CreateVolume', { ...volumeRequest(s, s.cluster.name('pvc-i')), capacity_range: { required_bytes: 2 * GiB, limit_bytes: GiB } }));
    expect(inverted.code).toBe(status.INVALID_ARGUMENT);
    expect(inverted.details).toBe(`capacity_range.limit_bytes ${GiB} is less than capacity_range.required_bytes ${2 * GiB}`);
  });

  it.each(['SINGLE_NODE_READER_ONLY', 'MULTI_NODE_READER_ONLY', 'MULTI_NODE_SINGLE_WRITER', 'MULTI_NODE_MULTI_WRITER', 'SINGLE_NODE_SINGLE_WRITER', 'SINGLE_NODE_MULTI_WRITER'] as const)(
    'refuses access mode %s with INVALID_ARGUMENT, as TopoLVM does',
    async (mode) => {
      const s = stack();
      const err = await failure(s.call('CreateVolume', { ...volumeRequest(s, s.cluster.name('pvc-mode')), volume_capabilities: [mount('ext4', { mode })] }));
      expect(err.code).toBe(status.INVALID_ARGUMENT);
      expect(err.details).toBe(`volume_capabilities[0].access_mode.mode ${mode} is not supported; supported: SINGLE_NODE_WRITER`);
    },
  );

  it('refuses a missing name, missing capabilities, an unknown filesystem and a bad device class name, naming the field', async () => {
    const s = stack();
    const cases: Array<[unknown, string]> = [
      [{ ...volumeRequest(s, ''), name: '' }, 'name is required'],
      [{ ...volumeRequest(s, 'x'), volume_capabilities: [] }, 'volume_capabilities is required: give at least one'],
      [{ ...volumeRequest(s, 'x'), volume_capabilities: [mount('ntfs')] }, 'volume_capabilities[0].mount.fs_type "ntfs" is not supported; supported: ext4, xfs, btrfs'],
      [{ ...volumeRequest(s, 'x'), parameters: { [s.cluster.names.deviceClassParameter]: 'fast ssd' } }, `parameters["${s.cluster.names.deviceClassParameter}"] "fast ssd" is not a class name`],
      [{ ...volumeRequest(s, 'x'), name: 'n'.repeat(129) }, 'name is 129 bytes; at most 128 are allowed'],
    ];
    for (const [req, message] of cases) {
      const err = await failure(s.call('CreateVolume', req));
      expect(err.code).toBe(status.INVALID_ARGUMENT);
      expect(err.details).toContain(message);
    }
    expect(await s.cluster.getLogicalVolume('x')).toBeUndefined();
  });

  it('ignores parameters it does not know, as TopoLVM does, and passes the lvcreate option class on', async () => {
    const s = stack();
    const name = s.cluster.name('pvc-params');
    const names = s.cluster.names;
    await s.call('CreateVolume', {
      ...volumeRequest(s, name, { bytes: GiB }),
      parameters: {
        [names.deviceClassParameter]: s.deviceClass,
        [names.lvcreateOptionClassParameter]: 'striped',
        'csi.storage.k8s.io/pvc/name': 'data',
        'example.com/anything': 'x',
        [`${names.group}/device-clas`]: 'typo',
      },
    });
    expect((await s.cluster.getLogicalVolume(name))?.spec).toMatchObject({ lvcreateOptionClass: 'striped', deviceClass: s.deviceClass });
    const warning = await s.controller.waitForLog((l) => l.msg.startsWith('ignoring StorageClass parameters'));
    expect(warning['unknown']).toEqual([`${names.group}/device-clas`]);
  });

  it('answers a repeat with the same volume, and ALREADY_EXISTS when the parameters differ', async () => {
    const s = stack();
    const name = s.cluster.name('pvc-twice');
    const first = await s.call<Created>('CreateVolume', volumeRequest(s, name, { bytes: GiB }));
    const again = await s.call<Created>('CreateVolume', volumeRequest(s, name, { bytes: GiB }));
    expect(again.volume?.volume_id).toBe(first.volume?.volume_id);
    expect(s.node('a').journal.concat(s.node('b').journal).filter((j) => j === `create ${name}`)).toHaveLength(1);
    const bigger = await failure(s.call('CreateVolume', { ...volumeRequest(s, name), capacity_range: { required_bytes: 2 * GiB, limit_bytes: 2 * GiB } }));
    expect(bigger.code).toBe(status.ALREADY_EXISTS);
    expect(bigger.details).toBe(`volume "${name}" already exists with ${GiB} bytes; this request asks for ${2 * GiB} to ${2 * GiB} bytes`);
    const otherClass = await failure(s.call('CreateVolume', { ...volumeRequest(s, name, { bytes: GiB }), parameters: { [s.cluster.names.deviceClassParameter]: 'ssd' } }));
    expect(otherClass.code).toBe(status.ALREADY_EXISTS);
    const elsewhere = await failure(s.call('CreateVolume', { ...volumeRequest(s, name, { bytes: GiB }), accessibility_requirements: onNodes(s, first.volume?.accessible_topology[0]?.segments[s.cluster.names.topologyNodeKey] === s.nodeName('a') ? 'b' : 'a') }));
    expect(elsewhere.code).toBe(status.ALREADY_EXISTS);
    expect(elsewhere.details).toContain('which accessibility_requirements exclude');
  });

  it('maps a CSI name that is no object name (csi-sanity: 128 bytes, upper case) to a derived object name, keeping the name in spec.name', async () => {
    const s = stack();
    const csiName = `sanity-Controller-CreateVolume-${'X'.repeat(60)}-${s.cluster.runId}`.padEnd(128, 'Z');
    const res = await s.call<Created>('CreateVolume', volumeRequest(s, csiName, { bytes: GiB }));
    const lv = (await s.cluster.listLogicalVolumes()).find((o) => o.spec.name === csiName);
    expect(lv?.metadata?.name).toMatch(/^sanity-controller-createvolume-x+-[a-z0-9]+-[0-9a-f]{16}$/);
    expect(lv?.metadata?.uid).toBe(res.volume?.volume_id);
    const again = await s.call<Created>('CreateVolume', volumeRequest(s, csiName, { bytes: GiB }));
    expect(again.volume?.volume_id).toBe(res.volume?.volume_id);
    // the same name in lower case is another volume
    const lower = await s.call<Created>('CreateVolume', volumeRequest(s, csiName.toLowerCase(), { bytes: GiB }));
    expect(lower.volume?.volume_id).not.toBe(res.volume?.volume_id);
  });
});
