import { blockMountOptions, DEFAULT_FS_TYPE, filesystemMountOptions, isFsType, isReadOnlyRequest, mountFlagsProblem } from './filesystems';

describe('filesystemMountOptions', () => {
  it.each([
    ['ext4 rw', { fsType: 'ext4', readOnly: false, flags: [] }, []],
    ['ext4 ro', { fsType: 'ext4', readOnly: true, flags: ['noatime'] }, ['ro', 'noatime']],
    ['xfs rw: always nouuid (a restore beside its origin)', { fsType: 'xfs', readOnly: false, flags: [] }, ['nouuid']],
    ['xfs ro: nouuid and norecovery (a read-only snapshot)', { fsType: 'xfs', readOnly: true, flags: [] }, ['ro', 'nouuid', 'norecovery']],
    ['xfs with ro among the flags counts as read-only', { fsType: 'xfs', readOnly: false, flags: ['ro'] }, ['ro', 'nouuid', 'norecovery']],
    ['no duplicates', { fsType: 'xfs', readOnly: true, flags: ['nouuid', 'ro', 'noatime'] }, ['ro', 'nouuid', 'noatime', 'norecovery']],
    ['btrfs keeps its flags', { fsType: 'btrfs', readOnly: false, flags: ['compress=zstd', 'noatime'] }, ['compress=zstd', 'noatime']],
  ] as const)('%s', (_name, req, expected) => {
    expect(filesystemMountOptions(req)).toEqual(expected);
  });

  it('bind-mounts raw block, ro when asked', () => {
    expect(blockMountOptions(false)).toEqual(['bind']);
    expect(blockMountOptions(true)).toEqual(['bind', 'ro']);
  });
});

describe('mountFlagsProblem', () => {
  it.each([['noatime'], ['discard'], ['compress=zstd:3'], ['context=system_u:object_r:container_file_t:s0'], ['data=ordered']])('accepts %s', (flag) => {
    expect(mountFlagsProblem([flag], false)).toBeUndefined();
  });

  it.each([
    ['a comma smuggling another option', 'noatime,bind', /mount_flags\[0\] "noatime,bind" is not a mount option/],
    ['a space', 'no atime', /is not a mount option/],
    ['an empty flag', '', /is not a mount option/],
    ['bind', 'bind', /is not allowed/],
    ['remount', 'remount', /is not allowed/],
    ['propagation', 'rshared', /is not allowed/],
    ['a loop device', 'loop=/dev/loop0', /is not allowed/],
    ['a util-linux helper', 'X-mount.mkdir', /is not allowed/],
  ])('refuses %s, naming the field and index', (_name, flag, message) => {
    expect(mountFlagsProblem([flag], false)).toMatch(message);
  });

  it('names the index of the bad flag', () => {
    expect(mountFlagsProblem(['noatime', 'bind'], false, 'f')).toBe('f[1] "bind" is not allowed: it would change what is mounted or how, not the volume\'s mount options');
  });

  it('refuses rw beside a read-only publish, as TopoLVM does', () => {
    expect(mountFlagsProblem(['rw'], true)).toMatch(/"rw" contradicts the read-only publish/);
    expect(mountFlagsProblem(['rw'], false)).toBeUndefined();
  });
});

describe('filesystem names', () => {
  it('serves ext4, xfs and btrfs with ext4 the default', () => {
    expect(['ext4', 'xfs', 'btrfs'].every(isFsType)).toBe(true);
    expect(isFsType('ext3')).toBe(false);
    expect(DEFAULT_FS_TYPE).toBe('ext4');
    expect(isReadOnlyRequest(false, ['ro'])).toBe(true);
    expect(isReadOnlyRequest(false, ['noatime'])).toBe(false);
  });
});
