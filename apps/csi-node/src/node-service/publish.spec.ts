import { status } from '@grpc/grpc-js';
import { FsCommandError } from '@copse/fs-exec';
import { blockCap, ctx, MiB, mountCap, publishRequest, setup } from '../../test/fixture';

const T = '/var/lib/kubelet/pods/p1/volumes/kubernetes.io~csi/pv1/mount';
const B = '/var/lib/kubelet/plugins/kubernetes.io/csi/volumeDevices/publish/pv1/p1';

describe('NodePublishVolume, filesystem', () => {
  it('formats an unformatted volume with ext4 by default, mounts it, and opens its root to every pod user', async () => {
    const { host, service, addVolume } = setup();
    addVolume('v1');
    expect(await service.NodePublishVolume!(publishRequest('v1', T, mountCap()), ctx())).toEqual({});
    expect(host.calls).toEqual([`format /dev/vg0/v1 ext4`, `mkdir ${T}`, `mount /dev/vg0/v1 ${T} -t ext4`, `chmod ${T} 2777`]);
  });

  it('formats with the fs_type asked for and mounts xfs with nouuid, the flags passed on', async () => {
    const { host, service, addVolume } = setup();
    addVolume('v1', { sizeBytes: 320 * MiB });
    await service.NodePublishVolume!(publishRequest('v1', T, mountCap({ fsType: 'xfs', flags: ['noatime'] })), ctx());
    expect(host.calls).toContain(`format /dev/vg0/v1 xfs`);
    expect(host.calls).toContain(`mount /dev/vg0/v1 ${T} -t xfs -o noatime,nouuid`);
  });

  it('mounts the filesystem a volume holds (a restore) without formatting or chmod, whatever fs_type is empty', async () => {
    const { host, service, addVolume } = setup();
    addVolume('v1', { fsType: 'btrfs' });
    await service.NodePublishVolume!(publishRequest('v1', T, mountCap()), ctx());
    expect(host.calls).toEqual([`mkdir ${T}`, `mount /dev/vg0/v1 ${T} -t btrfs`]);
  });

  it('grows the filesystem of a restore into a larger volume, and leaves one of the right size alone', async () => {
    const { host, service, addVolume } = setup();
    const larger = addVolume('big', { fsType: 'ext4', sizeBytes: 128 * MiB, fsSizeBytes: 64 * MiB });
    addVolume('same', { fsType: 'ext4', sizeBytes: 64 * MiB });
    await service.NodePublishVolume!(publishRequest('big', T, mountCap()), ctx());
    await service.NodePublishVolume!(publishRequest('same', `${T}2`, mountCap()), ctx());
    expect(host.calls.filter((c) => c.startsWith('grow'))).toEqual([`grow ext4 /dev/vg0/big ${T}`]);
    expect(larger.fsSizeBytes).toBe(128 * MiB);
  });

  it('mounts a read-only xfs snapshot ro,nouuid,norecovery and never grows it', async () => {
    const { host, service, addVolume } = setup();
    addVolume('snap', { fsType: 'xfs', readOnly: true, sizeBytes: 400 * MiB, fsSizeBytes: 320 * MiB });
    await service.NodePublishVolume!(publishRequest('snap', T, mountCap(), true), ctx());
    expect(host.calls).toEqual([`mkdir ${T}`, `mount /dev/vg0/snap ${T} -t xfs -o ro,nouuid,norecovery`]);
  });

  it('treats a reader-only access mode and the ro flag as a read-only publish', async () => {
    const { host, service, addVolume } = setup();
    addVolume('a', { fsType: 'ext4' });
    addVolume('b', { fsType: 'ext4' });
    await service.NodePublishVolume!(publishRequest('a', `${T}a`, mountCap({ mode: 'SINGLE_NODE_READER_ONLY' })), ctx());
    await service.NodePublishVolume!(publishRequest('b', `${T}b`, mountCap({ flags: ['ro'] })), ctx());
    expect(host.calls.filter((c) => c.startsWith('mount'))).toEqual([`mount /dev/vg0/a ${T}a -t ext4 -o ro`, `mount /dev/vg0/b ${T}b -t ext4 -o ro`]);
  });

  it.each([
    ['a read-only snapshot published read-write', { readOnly: true, fsType: 'ext4' }, mountCap(), false, /is a read-only snapshot: publish it read-only/],
    ['an unformatted volume published read-only', {}, mountCap(), true, /has no filesystem, and a read-only publish does not format one/],
    ['another filesystem than the one asked for', { fsType: 'ext4' }, mountCap({ fsType: 'xfs' }), false, /holds an ext4 filesystem; volume_capability.mount.fs_type asks for xfs/],
    ['a filesystem this plugin does not mount', { fsType: 'swap' }, mountCap(), false, /holds swap, which this plugin does not mount/],
    ['a partition table', { partitionTable: 'gpt' }, mountCap(), false, /holds a gpt partition table and no filesystem: not formatting it/],
    ['an inactive LV', { active: false }, mountCap(), false, /is not active on node node-1/],
  ] as const)('refuses %s with FAILED_PRECONDITION, leaving nothing behind', async (_name, volume, cap, readonly, message) => {
    const { host, service, addVolume } = setup();
    addVolume('v1', volume);
    await expect(service.NodePublishVolume!(publishRequest('v1', T, cap, readonly), ctx())).rejects.toMatchObject({ code: status.FAILED_PRECONDITION, message: expect.stringMatching(message) });
    expect(host.calls).toEqual([]);
    expect(host.mountTable).toEqual([]);
  });

  it('answers NOT_FOUND for a volume lvmd-http does not know', async () => {
    const { service } = setup();
    await expect(service.NodePublishVolume!(publishRequest('nope', T, mountCap()), ctx())).rejects.toMatchObject({
      code: status.NOT_FOUND,
      message: 'volume nope does not exist on node node-1 (no logical volume of that name in lvmd-http)',
    });
  });

  it('answers UNAVAILABLE, touching nothing, for a volume whose create was interrupted (lvmd-http state incomplete)', async () => {
    const { host, service, addVolume } = setup();
    addVolume('v1', { complete: false });
    await expect(service.NodePublishVolume!(publishRequest('v1', T, mountCap()), ctx())).rejects.toMatchObject({
      code: status.UNAVAILABLE,
      message: expect.stringMatching(/being completed after an interrupted create/),
    });
    expect(host.calls).toEqual([]);
  });

  it.each([
    ['no volume_id', { volume_id: '' }, 'volume_id is required'],
    ['no target_path', { target_path: '' }, 'target_path is required'],
    ['a relative target_path', { target_path: 'pods/x' }, 'target_path "pods/x" must be an absolute path'],
    ['a target_path with ..', { target_path: '/var/lib/kubelet/../etc' }, /must be a normal path/],
    ['no volume_capability', { volume_capability: null }, 'volume_capability is required'],
    ['a multi-node access mode', { volume_capability: mountCap({ mode: 'MULTI_NODE_MULTI_WRITER' }) }, /access_mode.mode MULTI_NODE_MULTI_WRITER is not supported/],
    ['an unknown fs_type', { volume_capability: mountCap({ fsType: 'zfs' }) }, /fs_type "zfs" is not supported/],
    ['a mount flag that smuggles in bind', { volume_capability: mountCap({ flags: ['noatime,bind'] }) }, /mount_flags\[0\] "noatime,bind" is not a mount option/],
    ['rw beside readonly', { volume_capability: mountCap({ flags: ['rw'] }), readonly: true }, /"rw" contradicts the read-only publish/],
  ] as const)('refuses %s with INVALID_ARGUMENT naming the field', async (_name, change, message) => {
    const { host, service, addVolume } = setup();
    addVolume('v1');
    const req = { ...publishRequest('v1', T, mountCap()), ...change };
    await expect(service.NodePublishVolume!(req, ctx())).rejects.toMatchObject({ code: status.INVALID_ARGUMENT, message: expect.stringMatching(message) });
    expect(host.calls).toEqual([]);
  });

  it('removes the target directory it created when the mount fails', async () => {
    const { host, service, addVolume } = setup();
    addVolume('v1', { fsType: 'ext4' });
    host.failNextMount = new FsCommandError(['mount'], { exitCode: 32, stdout: '', stderr: 'mount: wrong fs type\n' });
    await expect(service.NodePublishVolume!(publishRequest('v1', T, mountCap()), ctx())).rejects.toBeInstanceOf(FsCommandError);
    expect(host.paths.has(T)).toBe(false);
  });

  it('keeps a target directory that was there before when the mount fails', async () => {
    const { host, service, addVolume } = setup();
    addVolume('v1', { fsType: 'ext4' });
    host.addDirectory(T);
    host.failNextMount = new FsCommandError(['mount'], { exitCode: 32, stdout: '', stderr: 'mount: wrong fs type\n' });
    await expect(service.NodePublishVolume!(publishRequest('v1', T, mountCap()), ctx())).rejects.toBeInstanceOf(FsCommandError);
    expect(host.paths.get(T)).toBe('directory');
  });
});

describe('NodePublishVolume, a second time at the same target', () => {
  it('answers OK for the same request without mounting again', async () => {
    const { host, service, addVolume } = setup();
    addVolume('v1');
    const req = publishRequest('v1', T, mountCap({ fsType: 'ext4', flags: ['noatime'] }));
    await service.NodePublishVolume!(req, ctx());
    const calls = host.calls.length;
    expect(await service.NodePublishVolume!(req, ctx())).toEqual({});
    expect(host.calls.length).toBe(calls);
    expect(host.mountTable).toHaveLength(1);
  });

  it('grows on a repeat when the volume grew meanwhile (a retry after a failed grow)', async () => {
    const { host, service, addVolume } = setup();
    const d = addVolume('v1', { fsType: 'ext4' });
    await service.NodePublishVolume!(publishRequest('v1', T, mountCap()), ctx());
    d.sizeBytes = 128 * MiB;
    await service.NodePublishVolume!(publishRequest('v1', T, mountCap()), ctx());
    expect(host.calls.at(-1)).toBe(`grow ext4 /dev/vg0/v1 ${T}`);
  });

  it.each([
    ['read-only after read-write', mountCap(), false, mountCap(), true, /it is mounted read-write; requested any filesystem, read-only/],
    ['another fs_type', mountCap({ fsType: 'ext4' }), false, mountCap({ fsType: 'xfs' }), false, /its filesystem is ext4/],
    ['other mount flags', mountCap({ flags: ['noatime'] }), false, mountCap({ flags: ['nodiratime'] }), false, /it was published with mount flags \[noatime\]/],
    ['raw block after a filesystem', mountCap(), false, blockCap(), false, /it is published as a filesystem/],
  ] as const)('answers ALREADY_EXISTS for %s', async (_name, cap1, ro1, cap2, ro2, message) => {
    const { service, addVolume } = setup();
    addVolume('v1', { fsType: 'ext4' });
    await service.NodePublishVolume!(publishRequest('v1', T, cap1, ro1), ctx());
    await expect(service.NodePublishVolume!(publishRequest('v1', T, cap2, ro2), ctx())).rejects.toMatchObject({
      code: status.ALREADY_EXISTS,
      message: expect.stringMatching(message),
    });
  });

  it('answers ALREADY_EXISTS when another volume is mounted at the target', async () => {
    const { service, addVolume } = setup();
    addVolume('v1', { fsType: 'ext4' });
    addVolume('v2', { fsType: 'ext4' });
    await service.NodePublishVolume!(publishRequest('v1', T, mountCap()), ctx());
    await expect(service.NodePublishVolume!(publishRequest('v2', T, mountCap()), ctx())).rejects.toMatchObject({
      code: status.ALREADY_EXISTS,
      message: expect.stringMatching(/another device \(\/dev\/vg0\/v1\) is mounted there/),
    });
  });

  it('publishes one volume at two targets (two pods of a ReadWriteOnce claim on one node)', async () => {
    const { host, service, addVolume } = setup();
    addVolume('v1', { fsType: 'ext4' });
    await service.NodePublishVolume!(publishRequest('v1', `${T}a`, mountCap()), ctx());
    await service.NodePublishVolume!(publishRequest('v1', `${T}b`, mountCap()), ctx());
    expect(host.mountTable.map((m) => m.mountPoint)).toEqual([`${T}a`, `${T}b`]);
  });

  it('after a restart (nothing recorded), judges by the mount table alone', async () => {
    const { host, service, published, addVolume } = setup();
    addVolume('v1', { fsType: 'ext4' });
    await service.NodePublishVolume!(publishRequest('v1', T, mountCap({ flags: ['noatime'] })), ctx());
    published.delete(T);
    await expect(service.NodePublishVolume!(publishRequest('v1', T, mountCap({ flags: ['nodiratime'] })), ctx())).resolves.toEqual({});
    await expect(service.NodePublishVolume!(publishRequest('v1', T, mountCap(), true), ctx())).rejects.toMatchObject({ code: status.ALREADY_EXISTS });
    expect(host.mountTable).toHaveLength(1);
  });
});

describe('NodePublishVolume, raw block', () => {
  it('bind-mounts the device onto a file it creates, read-only when asked', async () => {
    const { host, service, addVolume } = setup();
    addVolume('v1');
    addVolume('v2');
    await service.NodePublishVolume!(publishRequest('v1', B, blockCap()), ctx());
    await service.NodePublishVolume!(publishRequest('v2', `${B}2`, blockCap(), true), ctx());
    expect(host.calls).toEqual([
      `mkdir /var/lib/kubelet/plugins/kubernetes.io/csi/volumeDevices/publish/pv1`,
      `create ${B}`,
      `bind /dev/vg0/v1 ${B}`,
      `create ${B}2`,
      `bind /dev/vg0/v2 ${B}2 ro`,
    ]);
  });

  it('never formats a raw block volume', async () => {
    const { host, service, addVolume } = setup();
    const d = addVolume('v1');
    await service.NodePublishVolume!(publishRequest('v1', B, blockCap()), ctx());
    expect(d.fsType).toBeUndefined();
    expect(host.calls.some((c) => c.startsWith('format'))).toBe(false);
  });

  it('is idempotent, and refuses a filesystem publish at a raw block target', async () => {
    const { host, service, addVolume } = setup();
    addVolume('v1');
    await service.NodePublishVolume!(publishRequest('v1', B, blockCap()), ctx());
    await service.NodePublishVolume!(publishRequest('v1', B, blockCap()), ctx());
    expect(host.mountTable).toHaveLength(1);
    await expect(service.NodePublishVolume!(publishRequest('v1', B, mountCap()), ctx())).rejects.toMatchObject({
      code: status.ALREADY_EXISTS,
      message: expect.stringMatching(/it is published as a raw block device/),
    });
  });

  it('refuses a directory at the target', async () => {
    const { host, service, addVolume } = setup();
    addVolume('v1');
    host.addDirectory(B);
    await expect(service.NodePublishVolume!(publishRequest('v1', B, blockCap()), ctx())).rejects.toMatchObject({ code: status.FAILED_PRECONDITION });
  });
});
