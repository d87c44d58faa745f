import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import {
  blockMountOptions,
  deviceNumber,
  formatDeviceNumber,
  parseMountInfo,
  SYSFS_SECTOR_BYTES,
  type DeviceNumber,
  type FsType,
  type MountInfoEntry,
  type ProbeResult,
} from '@copse/fs-model';
import type { FsCommands } from './commands';
import { FsCommandError } from './errors';

/** What is at a path. */
export interface PathInfo {
  readonly kind: 'directory' | 'file' | 'block' | 'other';
  /** the device a block device node stands for */
  readonly rdev?: DeviceNumber;
}

export interface Usage {
  readonly total: number;
  readonly used: number;
  readonly available: number;
}

/** statfs of a mounted filesystem: bytes always, inodes when the filesystem counts them (btrfs does not). */
export interface FilesystemUsage {
  readonly bytes: Usage;
  readonly inodes?: Usage;
}

export interface MountResult {
  /** a btrfs got a new filesystem id because another mounted filesystem had its id (see mountFilesystem) */
  readonly newFsid: boolean;
}

/**
 * Everything csi-node's Node service does to the node's filesystems and mounts: the
 * commands (through FsCommands), and what can be read without a process (mountinfo,
 * stat, sysfs, statfs). The service takes this interface, so its tests can use a
 * stand-in; HostFilesystem is the real one.
 */
export interface FilesystemHost {
  probe(device: string, signal?: AbortSignal): Promise<ProbeResult>;
  format(device: string, fsType: FsType, signal?: AbortSignal): Promise<void>;
  mountFilesystem(device: string, target: string, fsType: FsType, options: readonly string[], signal?: AbortSignal): Promise<MountResult>;
  bindMount(device: string, targetFile: string, readOnly: boolean, signal?: AbortSignal): Promise<void>;
  unmount(target: string, signal?: AbortSignal): Promise<void>;
  /** the mount table of the namespace the mount commands run in */
  mounts(): Promise<MountInfoEntry[]>;
  /** the block device a mount shows, whatever the filesystem (see HostFilesystem.deviceOfMount) */
  deviceOfMount(entry: MountInfoEntry): Promise<DeviceNumber | undefined>;
  pathInfo(p: string): Promise<PathInfo | undefined>;
  /** a block device's size in bytes */
  deviceSize(dev: DeviceNumber): Promise<number>;
  filesystemSize(fsType: FsType, device: string, mountPoint: string, signal?: AbortSignal): Promise<number>;
  grow(fsType: FsType, device: string, mountPoint: string, signal?: AbortSignal): Promise<void>;
  usage(mountPoint: string): Promise<FilesystemUsage>;
  /** mkdir -p; true when the last directory was created by this call */
  makeDirectory(p: string, mode: number): Promise<boolean>;
  /** an empty regular file, if nothing is there; true when created by this call */
  createFile(p: string, mode: number): Promise<boolean>;
  /** removes an empty directory or a file; nothing there is fine */
  removePath(p: string): Promise<void>;
  chmod(p: string, mode: number): Promise<void>;
}

export interface HostFilesystemOptions {
  /**
   * The mount table to read: /proc/self/mountinfo when the commands run in our own mount
   * namespace, /proc/1/mountinfo when the command prefix enters the host's (nsenter -m).
   */
  readonly mountInfoPath?: string;
  /** where sysfs is mounted (tests point it elsewhere) */
  readonly sysfsRoot?: string;
}

/** The real FilesystemHost: commands through FsCommands, the rest from /proc, /sys, stat and statfs. */
export class HostFilesystem implements FilesystemHost {
  private readonly mountInfoPath: string;
  private readonly sysfsRoot: string;

  constructor(
    private readonly commands: FsCommands,
    options: HostFilesystemOptions = {},
  ) {
    this.mountInfoPath = options.mountInfoPath ?? '/proc/self/mountinfo';
    this.sysfsRoot = options.sysfsRoot ?? '/sys';
  }

  probe(device: string, signal?: AbortSignal): Promise<ProbeResult> {
    return this.commands.probe(device, signal);
  }

  format(device: string, fsType: FsType, signal?: AbortSignal): Promise<void> {
    return this.commands.format(device, fsType, signal);
  }

  /**
   * Mounts a filesystem. A btrfs that mount(2) refuses with EEXIST shares its filesystem
   * id with another one the kernel knows (a snapshot, restore or clone beside its origin:
   * kernel 6.1 mounts only one of them, 6.7 and later give the second a temporary id):
   * it gets a new id with `btrfstune -m` (the superblock only) and is mounted again.
   */
  async mountFilesystem(device: string, target: string, fsType: FsType, options: readonly string[], signal?: AbortSignal): Promise<MountResult> {
    try {
      await this.commands.mount(device, target, fsType, options, signal);
      return { newFsid: false };
    } catch (e) {
      if (!(fsType === 'btrfs' && e instanceof FsCommandError && e.isFileExists)) throw e;
    }
    await this.commands.newBtrfsFsid(device, signal);
    await this.commands.mount(device, target, fsType, options, signal);
    return { newFsid: true };
  }

  bindMount(device: string, targetFile: string, readOnly: boolean, signal?: AbortSignal): Promise<void> {
    return this.commands.bindMount(device, targetFile, blockMountOptions(readOnly), signal);
  }

  unmount(target: string, signal?: AbortSignal): Promise<void> {
    return this.commands.unmount(target, signal);
  }

  async mounts(): Promise<MountInfoEntry[]> {
    return parseMountInfo(await fs.readFile(this.mountInfoPath, 'utf8'));
  }

  /**
   * ext4 and xfs show their block device in mountinfo's major:minor; btrfs shows an
   * anonymous device (major 0), so its source path is looked at; a device node
   * bind-mounted onto a file (raw block) shows devtmpfs, so the mount point itself is.
   */
  async deviceOfMount(entry: MountInfoEntry): Promise<DeviceNumber | undefined> {
    if (entry.major !== 0) return { major: entry.major, minor: entry.minor };
    for (const candidate of [entry.source, entry.mountPoint]) {
      if (!path.isAbsolute(candidate)) continue;
      const info = await this.pathInfo(candidate);
      if (info?.kind === 'block') return info.rdev;
    }
    return undefined;
  }

  async pathInfo(p: string): Promise<PathInfo | undefined> {
    let st: import('node:fs').BigIntStats;
    try {
      st = await fs.stat(p, { bigint: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    if (st.isBlockDevice()) return { kind: 'block', rdev: deviceNumber(st.rdev) };
    if (st.isDirectory()) return { kind: 'directory' };
    if (st.isFile()) return { kind: 'file' };
    return { kind: 'other' };
  }

  async deviceSize(dev: DeviceNumber): Promise<number> {
    const file = path.join(this.sysfsRoot, 'dev', 'block', formatDeviceNumber(dev), 'size');
    const sectors = Number((await fs.readFile(file, 'utf8')).trim());
    if (!Number.isSafeInteger(sectors)) throw new Error(`${file} does not hold a sector count`);
    return sectors * SYSFS_SECTOR_BYTES;
  }

  filesystemSize(fsType: FsType, device: string, mountPoint: string, signal?: AbortSignal): Promise<number> {
    return this.commands.filesystemSize(fsType, device, mountPoint, signal);
  }

  grow(fsType: FsType, device: string, mountPoint: string, signal?: AbortSignal): Promise<void> {
    return this.commands.grow(fsType, device, mountPoint, signal);
  }

  async usage(mountPoint: string): Promise<FilesystemUsage> {
    const s = await fs.statfs(mountPoint);
    const bytes = { total: s.blocks * s.bsize, used: (s.blocks - s.bfree) * s.bsize, available: s.bavail * s.bsize };
    if (s.files === 0) return { bytes };
    return { bytes, inodes: { total: s.files, used: s.files - s.ffree, available: s.ffree } };
  }

  async makeDirectory(p: string, mode: number): Promise<boolean> {
    const existed = (await this.pathInfo(p)) !== undefined;
    await fs.mkdir(p, { recursive: true, mode });
    return !existed;
  }

  async createFile(p: string, mode: number): Promise<boolean> {
    try {
      const handle = await fs.open(p, 'wx', mode);
      await handle.close();
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
  }

  async removePath(p: string): Promise<void> {
    const info = await this.pathInfo(p);
    if (!info) return;
    if (info.kind === 'directory') await fs.rmdir(p);
    else await fs.unlink(p);
  }

  chmod(p: string, mode: number): Promise<void> {
    return fs.chmod(p, mode);
  }
}
