import type { FilesystemHost } from '@copse/fs-exec';
import type { DeviceNumber, FsType } from '@copse/fs-model';

/**
 * Growth smaller than this is not attempted: a filesystem spans whole blocks (and xfs
 * whole allocation groups), so a device a few KiB larger than its filesystem is normal,
 * and LVs grow by whole extents (4 MiB) anyway.
 */
export const GROW_SLACK_BYTES = 1024 * 1024;

export interface Growth {
  readonly fromBytes: number;
  readonly toBytes: number;
}

/**
 * Grows the filesystem mounted at `mountPoint` to its device's size when the device is
 * larger (a restore or clone into a larger volume, an expanded volume): one command to
 * measure it, one to grow it. Answers what changed, or undefined.
 */
export async function growIfSmaller(
  host: FilesystemHost,
  fsType: FsType,
  devicePath: string,
  dev: DeviceNumber,
  mountPoint: string,
  signal?: AbortSignal,
): Promise<Growth | undefined> {
  const deviceBytes = await host.deviceSize(dev);
  const fsBytes = await host.filesystemSize(fsType, devicePath, mountPoint, signal);
  if (deviceBytes - fsBytes < GROW_SLACK_BYTES) return undefined;
  await host.grow(fsType, devicePath, mountPoint, signal);
  return { fromBytes: fsBytes, toBytes: deviceBytes };
}
