// A stand-in for the node's filesystems and mounts, for the Node service's unit tests:
// block devices with what they hold, directories and files, and a mount table shaped as
// the kernel shows it (ext4/xfs with their device numbers, btrfs with an anonymous one,
// raw block binds as devtmpfs). The real behaviour is proven on real lvm2 in the test
// node (tools/csi-node-e2e); this one records what the service asked for.
import * as path from 'node:path';
import { FsCommandError, type FilesystemHost, type FilesystemUsage, type MountResult, type PathInfo } from '@copse/fs-exec';
import { sameDevice, type DeviceNumber, type FsType, type MountInfoEntry, type ProbeResult } from '@copse/fs-model';

export interface FakeDevice {
  readonly rdev: DeviceNumber;
  sizeBytes: number;
  fsType?: string;
  partitionTable?: string;
  fsSizeBytes?: number;
  readOnly?: boolean;
}

export class FakeHost implements FilesystemHost {
  readonly devices = new Map<string, FakeDevice>();
  readonly paths = new Map<string, 'directory' | 'file'>();
  readonly mountTable: MountInfoEntry[] = [];
  /** what each devtmpfs bind mount stands for */
  private readonly binds = new Map<number, DeviceNumber>();
  /** every change, in order: "format /dev/vg/a xfs", "mount ...", ... */
  readonly calls: string[] = [];
  readonly modes = new Map<string, number>();
  /** the next mountFilesystem throws this */
  failNextMount?: FsCommandError;
  usageOf: (mountPoint: string) => FilesystemUsage = () => ({
    bytes: { total: 1000, used: 100, available: 900 },
    inodes: { total: 50, used: 5, available: 45 },
  });
  private nextMountId = 100;

  addDevice(devicePath: string, device: FakeDevice): FakeDevice {
    this.devices.set(devicePath, device);
    return device;
  }

  addDirectory(p: string): void {
    this.paths.set(p, 'directory');
  }

  async probe(device: string): Promise<ProbeResult> {
    const d = this.device(device);
    return { ...(d.fsType ? { fsType: d.fsType } : {}), ...(d.partitionTable ? { partitionTable: d.partitionTable } : {}) };
  }

  async format(device: string, fsType: FsType): Promise<void> {
    const d = this.device(device);
    if (d.readOnly) throw this.failure(['mkfs', device], 'Read-only file system');
    d.fsType = fsType;
    d.fsSizeBytes = d.sizeBytes;
    this.calls.push(`format ${device} ${fsType}`);
  }

  async mountFilesystem(device: string, target: string, fsType: FsType, options: readonly string[]): Promise<MountResult> {
    const failure = this.failNextMount;
    this.failNextMount = undefined;
    if (failure) throw failure;
    const d = this.device(device);
    if (this.paths.get(target) !== 'directory') throw this.failure(['mount', device, target], `mount point does not exist`);
    if (d.fsType !== fsType) throw this.failure(['mount', device, target], `wrong fs type, bad option, bad superblock on ${device}`);
    const ro = options.includes('ro');
    this.calls.push(`mount ${device} ${target} -t ${fsType}${options.length ? ` -o ${options.join(',')}` : ''}`);
    const btrfs = fsType === 'btrfs';
    this.mountTable.push({
      mountId: this.nextMountId++,
      parentId: 1,
      major: btrfs ? 0 : d.rdev.major,
      minor: btrfs ? 40 + this.nextMountId : d.rdev.minor,
      root: '/',
      mountPoint: target,
      mountOptions: [ro ? 'ro' : 'rw', 'relatime'],
      optionalFields: [],
      fsType,
      source: device,
      superOptions: [ro ? 'ro' : 'rw', ...options.filter((o) => o !== 'ro')],
    });
    return { newFsid: false };
  }

  async bindMount(device: string, targetFile: string, readOnly: boolean): Promise<void> {
    const d = this.device(device);
    if (this.paths.get(targetFile) !== 'file') throw this.failure(['mount', device, targetFile], 'mount point is not a file');
    this.calls.push(`bind ${device} ${targetFile}${readOnly ? ' ro' : ''}`);
    const mountId = this.nextMountId++;
    this.binds.set(mountId, d.rdev);
    this.mountTable.push({
      mountId,
      parentId: 1,
      major: 0,
      minor: 5,
      root: `/mapper/${path.basename(device)}`,
      mountPoint: targetFile,
      mountOptions: [readOnly ? 'ro' : 'rw', 'relatime'],
      optionalFields: [],
      fsType: 'devtmpfs',
      source: 'devtmpfs',
      superOptions: ['rw'],
    });
  }

  async unmount(target: string): Promise<void> {
    const i = this.mountTable.map((e) => e.mountPoint).lastIndexOf(target);
    if (i < 0) throw this.failure(['umount', target], `umount: ${target}: not mounted.`);
    this.mountTable.splice(i, 1);
    this.calls.push(`umount ${target}`);
  }

  async mounts(): Promise<MountInfoEntry[]> {
    return this.mountTable.map((e) => ({ ...e }));
  }

  async deviceOfMount(entry: MountInfoEntry): Promise<DeviceNumber | undefined> {
    if (entry.major !== 0) return { major: entry.major, minor: entry.minor };
    const bind = this.binds.get(entry.mountId);
    if (bind) return bind;
    return this.devices.get(entry.source)?.rdev;
  }

  async pathInfo(p: string): Promise<PathInfo | undefined> {
    const top = [...this.mountTable].reverse().find((e) => e.mountPoint === p);
    if (top && this.binds.has(top.mountId)) return { kind: 'block', rdev: this.binds.get(top.mountId) };
    const d = this.devices.get(p);
    if (d) return { kind: 'block', rdev: d.rdev };
    const kind = this.paths.get(p);
    return kind ? { kind } : undefined;
  }

  async deviceSize(dev: DeviceNumber): Promise<number> {
    return this.byNumber(dev).sizeBytes;
  }

  async filesystemSize(_fsType: FsType, device: string): Promise<number> {
    return this.device(device).fsSizeBytes ?? 0;
  }

  async grow(fsType: FsType, device: string, mountPoint: string): Promise<void> {
    const d = this.device(device);
    d.fsSizeBytes = d.sizeBytes;
    this.calls.push(`grow ${fsType} ${device} ${mountPoint}`);
  }

  async usage(mountPoint: string): Promise<FilesystemUsage> {
    return this.usageOf(mountPoint);
  }

  async makeDirectory(p: string): Promise<boolean> {
    if (this.paths.has(p)) return false;
    this.paths.set(p, 'directory');
    this.calls.push(`mkdir ${p}`);
    return true;
  }

  async createFile(p: string): Promise<boolean> {
    if (this.paths.has(p)) return false;
    this.paths.set(p, 'file');
    this.calls.push(`create ${p}`);
    return true;
  }

  async removePath(p: string): Promise<void> {
    if (this.mountTable.some((e) => e.mountPoint === p)) throw Object.assign(new Error(`EBUSY: ${p}`), { code: 'EBUSY' });
    if ([...this.paths.keys()].some((q) => q.startsWith(`${p}/`))) throw Object.assign(new Error(`ENOTEMPTY: ${p}`), { code: 'ENOTEMPTY' });
    if (this.paths.delete(p)) this.calls.push(`remove ${p}`);
  }

  async chmod(p: string, mode: number): Promise<void> {
    this.modes.set(p, mode);
    this.calls.push(`chmod ${p} ${mode.toString(8)}`);
  }

  private device(devicePath: string): FakeDevice {
    const d = this.devices.get(devicePath);
    if (!d) throw this.failure(['blkid', devicePath], `${devicePath}: No such file or directory`);
    return d;
  }

  private byNumber(dev: DeviceNumber): FakeDevice {
    const d = [...this.devices.values()].find((x) => sameDevice(x.rdev, dev));
    if (!d) throw new Error(`no device ${dev.major}:${dev.minor}`);
    return d;
  }

  private failure(argv: string[], stderr: string): FsCommandError {
    return new FsCommandError(argv, { exitCode: 32, stdout: '', stderr });
  }
}
