import { probeResult, type FsType, type ProbeResult, btrfsSizeFromDumpSuper, ext4SizeFromDumpe2fs, xfsSizeFromXfsIoStatfs } from '@copse/fs-model';
import type { CommandResult, CommandRunner } from '@copse/process-runner';
import { FsCommandError } from './errors';

/** What one command cost; fed to logs and metrics. */
export interface FsInvocation {
  readonly argv: readonly string[];
  readonly exitCode: number | 'error';
  readonly seconds: number;
}

export interface FsCommandsOptions {
  readonly onInvocation?: (invocation: FsInvocation) => void;
}

/**
 * The filesystem and mount commands Copse runs, one method each, every one an argv array
 * through the process runner (which adds the command prefix, LC_ALL=C and cancellation).
 * A non-zero exit throws FsCommandError. Paths come from the caller already checked
 * (absolute, as the CSI spec requires); nothing here reads a user's string as an option.
 *
 * | what | command |
 * | --- | --- |
 * | what a device holds | `blkid -p -s TYPE -s PTTYPE -o export DEVICE` (exit 2: nothing) |
 * | format | `mkfs.ext4 -F -m0`, `mkfs.xfs -f`, `mkfs.btrfs -f` (as Kubernetes' mount-utils and TopoLVM) |
 * | mount | `mount -t TYPE [-o OPTIONS] DEVICE TARGET` |
 * | raw block | `mount -o bind[,ro] DEVICE TARGETFILE` |
 * | unmount | `umount TARGET` |
 * | filesystem size | `dumpe2fs -h DEVICE`, `xfs_io -r -c statfs MOUNTPOINT`, `btrfs inspect-internal dump-super DEVICE` |
 * | grow online | `resize2fs DEVICE`, `xfs_growfs MOUNTPOINT`, `btrfs filesystem resize max MOUNTPOINT` |
 * | a new btrfs fsid | `btrfstune -m DEVICE` (the metadata keeps its uuid: nothing else is rewritten) |
 */
export class FsCommands {
  constructor(
    private readonly runner: CommandRunner,
    private readonly options: FsCommandsOptions = {},
  ) {}

  async probe(device: string, signal?: AbortSignal): Promise<ProbeResult> {
    const argv = ['blkid', '-p', '-s', 'TYPE', '-s', 'PTTYPE', '-o', 'export', device];
    const result = await this.exec(argv, signal);
    const probed = probeResult(result.exitCode, result.stdout);
    if (!probed) throw new FsCommandError(argv, result);
    return probed;
  }

  async format(device: string, fsType: FsType, signal?: AbortSignal): Promise<void> {
    await this.checked(mkfsArgv(fsType, device), signal);
  }

  async mount(device: string, target: string, fsType: FsType, options: readonly string[], signal?: AbortSignal): Promise<void> {
    await this.checked(['mount', '-t', fsType, ...(options.length > 0 ? ['-o', options.join(',')] : []), device, target], signal);
  }

  async bindMount(device: string, targetFile: string, options: readonly string[], signal?: AbortSignal): Promise<void> {
    await this.checked(['mount', '-o', options.join(','), device, targetFile], signal);
  }

  async unmount(target: string, signal?: AbortSignal): Promise<void> {
    await this.checked(['umount', target], signal);
  }

  async newBtrfsFsid(device: string, signal?: AbortSignal): Promise<void> {
    await this.checked(['btrfstune', '-m', device], signal);
  }

  /** The size the filesystem spans: ext4 and btrfs read from the device, xfs from its mount point. */
  async filesystemSize(fsType: FsType, device: string, mountPoint: string, signal?: AbortSignal): Promise<number> {
    switch (fsType) {
      case 'ext4':
        return ext4SizeFromDumpe2fs((await this.checked(['dumpe2fs', '-h', device], signal)).stdout);
      case 'xfs':
        return xfsSizeFromXfsIoStatfs((await this.checked(['xfs_io', '-r', '-c', 'statfs', mountPoint], signal)).stdout);
      case 'btrfs':
        return btrfsSizeFromDumpSuper((await this.checked(['btrfs', 'inspect-internal', 'dump-super', device], signal)).stdout);
    }
  }

  /** Grows a mounted filesystem to the size of its device. */
  async grow(fsType: FsType, device: string, mountPoint: string, signal?: AbortSignal): Promise<void> {
    await this.checked(growArgv(fsType, device, mountPoint), signal);
  }

  private async checked(argv: readonly string[], signal?: AbortSignal): Promise<CommandResult> {
    const result = await this.exec(argv, signal);
    if (result.exitCode !== 0) throw new FsCommandError(argv, result);
    return result;
  }

  private async exec(argv: readonly string[], signal?: AbortSignal): Promise<CommandResult> {
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    try {
      const result = await this.runner.run(argv, { signal });
      this.options.onInvocation?.({ argv, exitCode: result.exitCode, seconds: seconds() });
      return result;
    } catch (e) {
      this.options.onInvocation?.({ argv, exitCode: 'error', seconds: seconds() });
      throw e;
    }
  }
}

export function mkfsArgv(fsType: FsType, device: string): string[] {
  switch (fsType) {
    case 'ext4':
      // -m0: no blocks reserved for root (a volume belongs to its pod), as Kubernetes formats ext4
      return ['mkfs.ext4', '-F', '-m0', device];
    case 'xfs':
      return ['mkfs.xfs', '-f', device];
    case 'btrfs':
      return ['mkfs.btrfs', '-f', device];
  }
}

export function growArgv(fsType: FsType, device: string, mountPoint: string): string[] {
  switch (fsType) {
    case 'ext4':
      return ['resize2fs', device];
    case 'xfs':
      return ['xfs_growfs', mountPoint];
    case 'btrfs':
      return ['btrfs', 'filesystem', 'resize', 'max', mountPoint];
  }
}
