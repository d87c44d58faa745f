/**
 * Needs real lvm2 and a real kernel: ONE test node (tools/testnode) running lvmd-http and
 * the Node service (src/guest/node-plugin.ts) in front of it, called over gRPC as kubelet
 * would. Every filesystem Copse formats (ext4, xfs, btrfs) and raw block, through
 * snapshots, restores into larger volumes and online expansion, with data written through
 * the mounts and read back by sha256.
 *
 * Skips locally without the host dependencies (tools/testnode/install-deps.sh); fails
 * instead with CI=true.
 */
import { status } from '@grpc/grpc-js';
import { mountAt, mountsAt, parseMountInfo, type MountInfoEntry } from '@copse/fs-model';
import { nameSet } from '@copse/k8s-crd';
import { describeWithTestNode, patternSha256 } from '@copse/testnode';
import { MiB, NODE_NAME, startNodeServiceNode, VG, type NodeServiceNode } from './fixture';
import { block, failure, mount } from './node-client';

const FILE = 1 * MiB;
const sha = (pattern: string) => patternSha256(pattern, FILE);
const pod = (volume: string) => `/var/lib/kubelet/pods/pod-${volume}/volumes/kubernetes.io~csi/pv-${volume}/mount`;
const blockTarget = (volume: string) => `/var/lib/kubelet/plugins/kubernetes.io/csi/volumeDevices/publish/pv-${volume}/pod-${volume}`;

describeWithTestNode('the CSI Node service on real lvm2 (one test node)', () => {
  let n: NodeServiceNode;
  const published: Array<[string, string]> = [];

  beforeAll(async () => {
    n = await startNodeServiceNode();
    const t = n.node.timings;
    process.stderr.write(`[node-service-e2e] test node ${n.node.pid}: image ${t.imageMs} ms, disks and shares ${t.prepareMs} ms, boot ${t.bootMs} ms, services ready ${n.readyMs} ms later\n`);
  }, 900_000);

  afterAll(async () => {
    await n?.stop();
  }, 60_000);

  const control = () => n.node.control;
  const mounts = async (): Promise<MountInfoEntry[]> => parseMountInfo((await control().read('/proc/self/mountinfo', 0, 1 << 20)).toString('utf8'));
  /** Writes FILE bytes of `pattern` to a file (or device) and fsyncs it. */
  const write = (path: string, pattern: string) => control().writePattern(path, 0, FILE, pattern);
  /** Reads it back from the device, not the page cache. */
  const checksum = async (path: string) => {
    await control().dropCaches();
    return control().checksum(path, 0, FILE);
  };
  const absent = async (path: string) => {
    await expect(control().checksum(path, 0, 1)).rejects.toThrow(/ENOENT/);
  };
  const create = async (name: string, sizeBytes: number) => (await n.lvmd.createLogicalVolume(name, { sizeBytes })).value;
  const snapshot = async (source: string, name: string, accessType: 'ro' | 'rw', sizeBytes?: number) =>
    (await n.lvmd.createSnapshot(source, { name, accessType, ...(sizeBytes ? { sizeBytes } : {}) })).value;
  const publish = async (volumeId: string, target: string, cap = mount(), readonly = false) => {
    await n.csi.publish(volumeId, target, cap, readonly);
    published.push([volumeId, target]);
  };
  const bytesTotal = async (volumeId: string, path: string) => {
    const s = await n.csi.stats(volumeId, path);
    return Number(s.usage.find((u) => u.unit === 'BYTES')?.total);
  };

  it('answers NodeGetInfo with the node name and its topology segment, and the capabilities TopoLVM has', async () => {
    expect(await n.csi.info()).toEqual({
      node_id: NODE_NAME,
      max_volumes_per_node: '0',
      accessible_topology: { segments: { [nameSet().topologyNodeKey]: NODE_NAME } },
    });
    expect(await n.csi.capabilities()).toEqual({
      capabilities: [
        { rpc: { type: 'GET_VOLUME_STATS' }, type: 'rpc' },
        { rpc: { type: 'EXPAND_VOLUME' }, type: 'rpc' },
        { rpc: { type: 'VOLUME_CONDITION' }, type: 'rpc' },
      ],
    });
  });

  describe('ext4', () => {
    it('formats a new volume (ext4 by default), mounts it, and stores what is written', async () => {
      await create('e1', 64 * MiB);
      await publish('e1', pod('e1'));
      const m = mountAt(await mounts(), pod('e1'));
      expect(m).toMatchObject({ fsType: 'ext4', mountOptions: expect.arrayContaining(['rw']) });
      await write(`${pod('e1')}/a`, 'A');
      expect(await checksum(`${pod('e1')}/a`)).toBe(sha('A'));
    });

    it('answers the same publish again with OK and mounts nothing more; a conflicting one with ALREADY_EXISTS', async () => {
      await n.csi.publish('e1', pod('e1'), mount('ext4'));
      expect(mountsAt(await mounts(), pod('e1'))).toBe(1);
      expect(await failure(n.csi.publish('e1', pod('e1'), mount(), true))).toMatchObject({ code: status.ALREADY_EXISTS });
      expect(await failure(n.csi.publish('e1', pod('e1'), mount('xfs')))).toMatchObject({ code: status.ALREADY_EXISTS });
    });

    it('reports bytes and inodes by statfs, and a healthy condition', async () => {
      const s = await n.csi.stats('e1', pod('e1'));
      const bytes = s.usage.find((u) => u.unit === 'BYTES')!;
      const inodes = s.usage.find((u) => u.unit === 'INODES')!;
      expect(Number(bytes.total)).toBeGreaterThan(48 * MiB);
      expect(Number(bytes.total)).toBeLessThanOrEqual(64 * MiB);
      expect(Number(bytes.used)).toBeGreaterThanOrEqual(FILE);
      expect(Number(inodes.total)).toBeGreaterThan(1000);
      expect(s.volume_condition).toEqual({ abnormal: false, message: 'volume is healthy and operating normally' });
    });

    it("publishes a read-only snapshot read-only: the snapshot's data, no later writes, no writing", async () => {
      await snapshot('e1', 'e1-snap', 'ro');
      await write(`${pod('e1')}/b`, 'B');
      expect(await failure(n.csi.publish('e1-snap', pod('e1-snap'), mount()))).toMatchObject({
        code: status.FAILED_PRECONDITION,
        details: expect.stringMatching(/read-only snapshot: publish it read-only/),
      });
      await publish('e1-snap', pod('e1-snap'), mount(), true);
      expect(mountAt(await mounts(), pod('e1-snap'))?.mountOptions).toContain('ro');
      expect(await checksum(`${pod('e1-snap')}/a`)).toBe(sha('A'));
      await absent(`${pod('e1-snap')}/b`);
      expect(await control().tryWrite(`${pod('e1-snap')}/a`)).toMatchObject({ writable: false, code: 'EROFS' });
    });

    it('publishes a restore into a larger volume with its filesystem grown to it, and independent of its source', async () => {
      await snapshot('e1-snap', 'e1-big', 'rw', 128 * MiB);
      await publish('e1-big', pod('e1-big'));
      expect(await bytesTotal('e1-big', pod('e1-big'))).toBeGreaterThan(100 * MiB);
      expect(await checksum(`${pod('e1-big')}/a`)).toBe(sha('A'));
      await absent(`${pod('e1-big')}/b`);
      await write(`${pod('e1-big')}/c`, 'C');
      await absent(`${pod('e1')}/c`);
    });

    it('grows a published filesystem online after the LV grew (NodeExpandVolume)', async () => {
      const before = await bytesTotal('e1', pod('e1'));
      await n.lvmd.resizeLogicalVolume('e1', 96 * MiB);
      expect(await n.csi.expand('e1', pod('e1'), 96 * MiB)).toEqual({ capacity_bytes: String(96 * MiB) });
      expect(await bytesTotal('e1', pod('e1'))).toBeGreaterThan(before + 24 * MiB);
      expect(await checksum(`${pod('e1')}/a`)).toBe(sha('A'));
      expect(await n.csi.expand('e1', pod('e1'), 96 * MiB)).toEqual({ capacity_bytes: String(96 * MiB) });
      expect(await failure(n.csi.expand('e1', pod('e1'), 200 * MiB))).toMatchObject({ code: status.OUT_OF_RANGE });
    });
  });

  describe('xfs', () => {
    it('formats xfs when asked and mounts it with nouuid', async () => {
      await create('x1', 320 * MiB);
      await publish('x1', pod('x1'), mount('xfs', ['noatime']));
      const m = mountAt(await mounts(), pod('x1'));
      expect(m).toMatchObject({ fsType: 'xfs', mountOptions: expect.arrayContaining(['noatime']), superOptions: expect.arrayContaining(['nouuid']) });
      await write(`${pod('x1')}/a`, 'X');
    });

    it('publishes a read-only snapshot of the mounted filesystem (ro,nouuid,norecovery)', async () => {
      await snapshot('x1', 'x1-snap', 'ro');
      await publish('x1-snap', pod('x1-snap'), mount('xfs'), true);
      expect(mountAt(await mounts(), pod('x1-snap'))?.superOptions).toEqual(expect.arrayContaining(['ro', 'nouuid', 'norecovery']));
      expect(await checksum(`${pod('x1-snap')}/a`)).toBe(sha('X'));
    });

    it('mounts a restore beside its source (same filesystem UUID), each with its own data', async () => {
      await snapshot('x1-snap', 'x1-restore', 'rw');
      await publish('x1-restore', pod('x1-restore'), mount('xfs'));
      const all = await mounts();
      expect(mountAt(all, pod('x1'))?.fsType).toBe('xfs');
      expect(mountAt(all, pod('x1-restore'))?.fsType).toBe('xfs');
      expect(await checksum(`${pod('x1-restore')}/a`)).toBe(sha('X'));
      await write(`${pod('x1-restore')}/d`, 'D');
      await write(`${pod('x1')}/e`, 'E');
      await absent(`${pod('x1')}/d`);
      await absent(`${pod('x1-restore')}/e`);
      expect(await checksum(`${pod('x1-restore')}/d`)).toBe(sha('D'));
    });

    it('mounts a clone of the live, mounted volume beside it (its log replayed): the files as now', async () => {
      await snapshot('x1', 'x1-clone', 'rw');
      await publish('x1-clone', pod('x1-clone'), mount('xfs'));
      expect(await checksum(`${pod('x1-clone')}/a`)).toBe(sha('X'));
      expect(await checksum(`${pod('x1-clone')}/e`)).toBe(sha('E'));
      await absent(`${pod('x1-clone')}/d`);
    });

    it('grows a mounted xfs online (NodeExpandVolume) and keeps its data', async () => {
      const before = await bytesTotal('x1', pod('x1'));
      await n.lvmd.resizeLogicalVolume('x1', 448 * MiB);
      expect(await n.csi.expand('x1', pod('x1'), 448 * MiB)).toEqual({ capacity_bytes: String(448 * MiB) });
      expect(await bytesTotal('x1', pod('x1'))).toBeGreaterThan(before + 100 * MiB);
      expect(await checksum(`${pod('x1')}/e`)).toBe(sha('E'));
    });
  });

  describe('btrfs', () => {
    it('formats btrfs when asked and reports bytes without inodes', async () => {
      await create('b1', 256 * MiB);
      await publish('b1', pod('b1'), mount('btrfs'));
      expect(mountAt(await mounts(), pod('b1'))?.fsType).toBe('btrfs');
      await write(`${pod('b1')}/a`, 'F');
      const s = await n.csi.stats('b1', pod('b1'));
      expect(s.usage.map((u) => u.unit)).toEqual(['BYTES']);
    });

    it("refuses a clone beside its mounted source while it holds an uncommitted tree log (FAILED_PRECONDITION, nothing changed); it mounts once the source is unmounted", async () => {
      // the clone is taken right after an fsync: its superblock points to a tree log that only a mount replays
      await write(`${pod('b1')}/h`, 'H');
      await snapshot('b1', 'b1-clone', 'rw');
      expect(await failure(n.csi.publish('b1-clone', pod('b1-clone'), mount('btrfs')))).toMatchObject({
        code: status.FAILED_PRECONDITION,
        details: expect.stringMatching(/holds fsync'd writes in a tree log that only a mount can replay/),
      });
      expect(mountsAt(await mounts(), pod('b1-clone'))).toBe(0);
      await absent(pod('b1-clone'));
      await n.csi.unpublish('b1', pod('b1'));
      await publish('b1-clone', pod('b1-clone'), mount('btrfs'));
      expect(await checksum(`${pod('b1-clone')}/h`)).toBe(sha('H'));
      expect(await checksum(`${pod('b1-clone')}/a`)).toBe(sha('F'));
      await n.csi.unpublish('b1-clone', pod('b1-clone'));
      await publish('b1', pod('b1'), mount('btrfs'));
    });

    it('mounts a restore into a larger volume beside its source (a new filesystem id), grown, with its own data', async () => {
      await control().sync(); // a committed filesystem: no tree log, so the restore can be given a new id
      await snapshot('b1', 'b1-snap', 'ro');
      await snapshot('b1-snap', 'b1-restore', 'rw', 384 * MiB);
      await publish('b1-restore', pod('b1-restore'), mount('btrfs'));
      expect(mountAt(await mounts(), pod('b1'))?.fsType).toBe('btrfs');
      expect(mountAt(await mounts(), pod('b1-restore'))?.fsType).toBe('btrfs');
      expect(await bytesTotal('b1-restore', pod('b1-restore'))).toBeGreaterThan(300 * MiB);
      expect(await checksum(`${pod('b1-restore')}/a`)).toBe(sha('F'));
      await write(`${pod('b1-restore')}/g`, 'G');
      await absent(`${pod('b1')}/g`);
    });
  });

  describe('raw block', () => {
    it('puts the device at the target path: what is written there is on the LV', async () => {
      await create('r1', 16 * MiB);
      await publish('r1', blockTarget('r1'), block());
      await write(blockTarget('r1'), 'R');
      expect(await checksum(`/dev/${VG}/r1`)).toBe(sha('R'));
      expect(await n.csi.stats('r1', blockTarget('r1'))).toMatchObject({ usage: [{ unit: 'BYTES', total: String(16 * MiB) }] });
    });

    it('has nothing to grow on NodeExpandVolume and answers the new size', async () => {
      await n.lvmd.resizeLogicalVolume('r1', 32 * MiB);
      expect(await n.csi.expand('r1', blockTarget('r1'), 32 * MiB, block())).toEqual({ capacity_bytes: String(32 * MiB) });
      expect(await bytesTotal('r1', blockTarget('r1'))).toBe(32 * MiB);
    });

    it('publishes a read-only snapshot read-only: its data, and no writing through it', async () => {
      await snapshot('r1', 'r1-snap', 'ro');
      await publish('r1-snap', blockTarget('r1-snap'), block(), true);
      expect(await checksum(blockTarget('r1-snap'))).toBe(sha('R'));
      expect(await control().tryWrite(blockTarget('r1-snap'))).toMatchObject({ writable: false });
    });
  });

  describe('refusals', () => {
    it('answers INVALID_ARGUMENT naming the field, before touching anything', async () => {
      expect(await failure(n.csi.publish('e1', '', mount()))).toMatchObject({ code: status.INVALID_ARGUMENT, details: 'target_path is required' });
      expect(await failure(n.csi.publish('', pod('e1'), mount()))).toMatchObject({ code: status.INVALID_ARGUMENT, details: 'volume_id is required' });
      expect(await failure(n.csi.publish('e1', pod('e1-other'), mount('zfs')))).toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringMatching(/fs_type "zfs"/) });
      expect(await failure(n.csi.stats('e1', ''))).toMatchObject({ code: status.INVALID_ARGUMENT, details: 'volume_path is required' });
      // a volume_path that is not absolute cannot be where the volume is published (csi-sanity expects NOT_FOUND)
      expect(await failure(n.csi.stats('e1', 'relative/path'))).toMatchObject({ code: status.NOT_FOUND, details: expect.stringMatching(/must be an absolute path/) });
      await absent(pod('e1-other'));
    });

    it('answers NOT_FOUND for a volume lvmd-http does not know, and for a path that is not the volume', async () => {
      expect(await failure(n.csi.publish('no-such-volume', pod('nope'), mount()))).toMatchObject({ code: status.NOT_FOUND });
      expect(await failure(n.csi.stats('no-such-volume', pod('e1')))).toMatchObject({ code: status.NOT_FOUND });
      expect(await failure(n.csi.stats('e1', pod('x1')))).toMatchObject({ code: status.NOT_FOUND });
      expect(await failure(n.csi.expand('x1', pod('e1'), 0))).toMatchObject({ code: status.NOT_FOUND });
    });

    it('refuses to reformat a volume that holds another filesystem, leaving no target behind', async () => {
      expect(await failure(n.csi.publish('x1-restore', pod('x1-as-ext4'), mount('ext4')))).toMatchObject({
        code: status.FAILED_PRECONDITION,
        details: expect.stringMatching(/holds an xfs filesystem/),
      });
      expect(mountsAt(await mounts(), pod('x1-as-ext4'))).toBe(0);
    });
  });

  describe('unpublish', () => {
    it('unmounts every target and removes it; a second unpublish is a no-op', async () => {
      for (const [volumeId, target] of published) await n.csi.unpublish(volumeId, target);
      for (const [volumeId, target] of published) await n.csi.unpublish(volumeId, target);
      const left = (await mounts()).filter((m) => m.mountPoint.startsWith('/var/lib/kubelet'));
      expect(left).toEqual([]);
      for (const [, target] of published) await absent(target);
    });

    it('leaves every LV free to delete (nothing holds it open)', async () => {
      const names = (await n.lvmd.listLogicalVolumes()).map((v) => v.name);
      expect(names.sort()).toEqual(['b1', 'b1-clone', 'b1-restore', 'b1-snap', 'e1', 'e1-big', 'e1-snap', 'r1', 'r1-snap', 'x1', 'x1-clone', 'x1-restore', 'x1-snap']);
      for (const name of names) await n.lvmd.deleteLogicalVolume(name);
      expect(await n.lvmd.listLogicalVolumes()).toEqual([]);
    });
  });
});

