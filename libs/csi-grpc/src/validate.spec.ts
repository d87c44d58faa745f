import { status } from '@grpc/grpc-js';
import type { VolumeCapability__Output } from '@copse/csi-spec';
import { CURRENT_API_GROUP, LEGACY_API_GROUP, nameSet } from '@copse/k8s-crd';
import { CsiError } from './errors';
import {
  capacityRange,
  checkMapSize,
  checkPluginName,
  checkVolumeCapabilities,
  checkVolumeCapability,
  int64,
  requireList,
  requireMessage,
  requireString,
  topologyProblem,
  volumeCapabilityProblem,
  type VolumeCapabilitySupport,
} from './validate';

/** The CsiError `fn` throws, as code name and message. */
function refusal(fn: () => unknown): { code: string; message: string } | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (!(e instanceof CsiError)) throw e;
    return { code: status[e.code]!, message: e.message };
  }
}

describe('required fields', () => {
  it.each([
    ['an empty string', () => requireString('', 'volume_id'), 'volume_id is required'],
    ['a missing message', () => requireMessage(null, 'volume_capability'), 'volume_capability is required'],
    ['an empty list', () => requireList([], 'volume_capabilities'), 'volume_capabilities is required: give at least one'],
    ['a string over 128 bytes', () => requireString('n'.repeat(129), 'name'), 'name is 129 bytes; at most 128 are allowed'],
    ['multi-byte characters counted as bytes', () => requireString('é'.repeat(65), 'name'), 'name is 130 bytes; at most 128 are allowed'],
    ['a map over 4 KiB', () => checkMapSize({ k: 'v'.repeat(4096) }, 'parameters'), 'parameters is 4097 bytes; at most 4096 are allowed'],
  ])('refuse %s with INVALID_ARGUMENT naming the field', (_what, fn, message) => {
    expect(refusal(fn)).toEqual({ code: 'INVALID_ARGUMENT', message });
  });

  it('accept what the spec allows: a 128-byte name (csi-sanity sends one), a path beyond 128 bytes when the field allows it', () => {
    expect(requireString('N'.repeat(128), 'name')).toHaveLength(128);
    expect(requireString(`/${'p'.repeat(300)}`, 'target_path', 4096)).toHaveLength(301);
    expect(requireMessage({ a: 1 }, 'x')).toEqual({ a: 1 });
    expect(requireList([1], 'x')).toEqual([1]);
    expect(() => checkMapSize({ k: 'v'.repeat(4095) }, 'parameters')).not.toThrow();
  });
});

describe('int64 and capacity ranges', () => {
  it.each([
    ['0', 0],
    ['1073741824', 1073741824],
    ['9007199254740991', Number.MAX_SAFE_INTEGER],
    [4096, 4096],
  ])('%p is %p', (value, n) => {
    expect(int64(value, 'x')).toBe(n);
  });

  it.each([
    ['9007199254740992', 'OUT_OF_RANGE', 'capacity_range.required_bytes 9007199254740992 is more than this plugin handles (at most 9007199254740991)'],
    ['9223372036854775807', 'OUT_OF_RANGE', 'capacity_range.required_bytes 9223372036854775807 is more than this plugin handles (at most 9007199254740991)'],
    ['-1', 'INVALID_ARGUMENT', 'capacity_range.required_bytes must not be negative (-1)'],
    ['1e9', 'INVALID_ARGUMENT', 'capacity_range.required_bytes 1e9 is not an integer'],
  ])('%p is refused', (value, code, message) => {
    expect(refusal(() => int64(value, 'capacity_range.required_bytes'))).toEqual({ code, message });
  });

  it('reads a range, 0 meaning not given, and refuses a limit below the requirement', () => {
    expect(capacityRange(null)).toEqual({ requiredBytes: 0, limitBytes: 0 });
    expect(capacityRange({ required_bytes: '1048576', limit_bytes: '0' })).toEqual({ requiredBytes: 1048576, limitBytes: 0 });
    expect(capacityRange({ required_bytes: '10', limit_bytes: '10' })).toEqual({ requiredBytes: 10, limitBytes: 10 });
    expect(refusal(() => capacityRange({ required_bytes: '20', limit_bytes: '10' }))).toEqual({
      code: 'INVALID_ARGUMENT',
      message: 'capacity_range.limit_bytes 10 is less than capacity_range.required_bytes 20',
    });
  });
});

describe('volume capabilities', () => {
  const topolvm: VolumeCapabilitySupport = { accessModes: ['SINGLE_NODE_WRITER', 'SINGLE_NODE_SINGLE_WRITER'], block: true, fsTypes: ['ext4', 'xfs', 'btrfs'] };
  const mount = (fs_type: string, mode: VolumeCapability__Output['access_mode'] = { mode: 'SINGLE_NODE_WRITER' }): VolumeCapability__Output => ({
    access_type: 'mount',
    mount: { fs_type, mount_flags: [], volume_mount_group: '' },
    access_mode: mode,
  });
  const block: VolumeCapability__Output = { access_type: 'block', block: {}, access_mode: { mode: 'SINGLE_NODE_WRITER' } };

  it.each([
    ['ext4', mount('ext4')],
    ['the default filesystem', mount('')],
    ['raw block', block],
  ])('serves %s', (_what, cap) => {
    expect(volumeCapabilityProblem(cap, topolvm, 'volume_capabilities[0]')).toBeUndefined();
  });

  it.each([
    ['an unsupported filesystem', mount('zfs'), 'volume_capabilities[0].mount.fs_type "zfs" is not supported; supported: ext4, xfs, btrfs'],
    [
      'a shared access mode',
      mount('xfs', { mode: 'MULTI_NODE_MULTI_WRITER' }),
      'volume_capabilities[0].access_mode.mode MULTI_NODE_MULTI_WRITER is not supported; supported: SINGLE_NODE_WRITER, SINGLE_NODE_SINGLE_WRITER',
    ],
    ['no access mode', mount('xfs', null), 'volume_capabilities[0].access_mode.mode is required'],
    ['the UNKNOWN access mode', mount('xfs', { mode: 'UNKNOWN' }), 'volume_capabilities[0].access_mode.mode is required'],
    ['no access type', { access_mode: { mode: 'SINGLE_NODE_WRITER' } } as VolumeCapability__Output, 'volume_capabilities[0].access_type is required: block or mount'],
  ])('names the field of %s', (_what, cap, message) => {
    expect(volumeCapabilityProblem(cap, topolvm, 'volume_capabilities[0]')).toBe(message);
  });

  it('refuses what a plugin does not offer at all', () => {
    expect(volumeCapabilityProblem(block, { ...topolvm, block: false }, 'c')).toBe('c.block: raw block volumes are not supported');
    expect(volumeCapabilityProblem(mount('xfs'), { ...topolvm, fsTypes: [] }, 'c')).toBe('c.mount: filesystem volumes are not supported');
  });

  it('checks lists element by element and single capabilities, as INVALID_ARGUMENT', () => {
    expect(checkVolumeCapabilities([mount('xfs'), block], topolvm)).toHaveLength(2);
    expect(refusal(() => checkVolumeCapabilities([mount('xfs'), mount('ntfs')], topolvm))).toEqual({
      code: 'INVALID_ARGUMENT',
      message: 'volume_capabilities[1].mount.fs_type "ntfs" is not supported; supported: ext4, xfs, btrfs',
    });
    expect(refusal(() => checkVolumeCapabilities([], topolvm))?.message).toBe('volume_capabilities is required: give at least one');
    expect(refusal(() => checkVolumeCapability(null, topolvm))?.message).toBe('volume_capability is required');
    expect(checkVolumeCapability(block, topolvm)).toBe(block);
  });
});

describe('names the plugin sends', () => {
  const current = nameSet(CURRENT_API_GROUP);
  const legacy = nameSet(LEGACY_API_GROUP);
  it.each([current.driverName, legacy.driverName, 'a', 'csi-1.example.com', 'x'.repeat(63)])('plugin name %s is valid', (name) => {
    expect(() => checkPluginName(name)).not.toThrow();
  });
  const d = current.driverName;
  it.each(['', `-${d}`, `${d}.`, d.replace('.', '_'), 'x'.repeat(64), `${d}/x`])('plugin name %p is refused', (name) => {
    expect(() => checkPluginName(name)).toThrow(/is not a CSI plugin name/);
  });

  it('accepts TopoLVM topology segments and names what breaks the rules', () => {
    expect(topologyProblem({ [current.topologyNodeKey]: 'worker-1' })).toBeUndefined();
    expect(topologyProblem({ [legacy.topologyNodeKey]: 'ip-10-0-0-1.ec2.internal' })).toBeUndefined();
    expect(topologyProblem({ 'Topology.io/node': 'n' })).toMatch(/prefix must be a lower-case DNS name/);
    expect(topologyProblem({ [current.topologyNodeKey.replace('/node', '/-node')]: 'n' })).toMatch(/the name must be at most 63 characters/);
    expect(topologyProblem({ [current.topologyNodeKey]: 'n'.repeat(64) })).toMatch(/a value must be at most 63 characters/);
    expect(topologyProblem({ zone: 'a', ZONE: 'b' })).toBe('segments key "ZONE" repeats another but for case');
  });
});
