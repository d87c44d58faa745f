// The size rules of CreateVolume and ControllerExpandVolume, as TopoLVM has them
// (internal/driver/controller.go, allocation_settings.go), with CSI's codes: a range nothing
// satisfies is OUT_OF_RANGE, never a silent deviation from what was asked.
import type { VolumeCapability__Output } from '@copse/csi-spec';
import { CsiError, type CapacityRequest } from '@copse/csi-grpc';

const MiB = 1024 ** 2;
export const GiB = 1024 ** 3;

/** What a zero request means (TopoLVM's DefaultSize). */
export const DEFAULT_VOLUME_BYTES = GiB;
/** Every size is a whole number of these (TopoLVM's MinimumSectorSize). */
export const SECTOR_BYTES = 4096;

/** The filesystems a mount volume may ask for; '' is the node's default, ext4. */
export const FILESYSTEMS = ['ext4', 'xfs', 'btrfs'] as const;
export type Filesystem = (typeof FILESYSTEMS)[number];
export const DEFAULT_FILESYSTEM: Filesystem = 'ext4';

/**
 * The smallest volume each use can be made on: below these mkfs fails or leaves no room
 * (xfs needs 300 MiB since xfsprogs 5.19, btrfs about 114 MiB with its default profiles).
 */
export const MINIMUM_BYTES: Readonly<Record<'block' | Filesystem, number>> = Object.freeze({
  block: 8 * MiB,
  ext4: 32 * MiB,
  xfs: 300 * MiB,
  btrfs: 200 * MiB,
});

/** How one capability will be used: raw block, or a filesystem (the default one for ''). */
export function usageOf(cap: VolumeCapability__Output): 'block' | Filesystem {
  if (cap.access_type === 'block' || (cap.access_type === undefined && cap.block)) return 'block';
  const fs = cap.mount?.fs_type ?? '';
  return fs === '' ? DEFAULT_FILESYSTEM : (fs as Filesystem);
}

/** The largest minimum among the capabilities (the volume must serve them all). */
export function minimumBytesFor(caps: readonly VolumeCapability__Output[]): number {
  return caps.reduce((min, cap) => Math.max(min, MINIMUM_BYTES[usageOf(cap)] ?? 0), 0);
}

export function roundUp(bytes: number, multiple = SECTOR_BYTES): number {
  return Math.ceil(bytes / multiple) * multiple;
}

export function roundDown(bytes: number, multiple = SECTOR_BYTES): number {
  return bytes - (bytes % multiple);
}

const human = (bytes: number): string => {
  for (const [unit, size] of [['GiB', GiB], ['MiB', MiB]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return `${bytes} bytes`;
};

export interface SizeContext {
  /** the largest minimum of the capabilities asked for (minimumBytesFor) */
  readonly minimumBytes: number;
  /** a restore's or clone's source: the volume may not be smaller than its real size */
  readonly sourceBytes?: number;
  /** names the source in messages ("snapshot 9b1c...") */
  readonly sourceLabel?: string;
}

/**
 * The size of a new volume for a capacity range:
 * - nothing required: 1 GiB, or the source's size for a restore or clone (CSI leaves the choice
 *   to the plugin; a copy of the whole source is the only useful one); with a limit below 1 GiB
 *   and no source, the limit rounded down to 4096 (TopoLVM);
 * - raised to the capabilities' minimum (8 MiB raw block, 32 MiB ext4, 300 MiB xfs, 200 MiB btrfs);
 * - rounded up to 4096 bytes;
 * - OUT_OF_RANGE when that exceeds limit_bytes, or when the request is below the source.
 */
export function newVolumeBytes(range: CapacityRequest, ctx: SizeContext): number {
  const { requiredBytes, limitBytes } = range;
  const source = ctx.sourceBytes;
  const sourceLabel = ctx.sourceLabel ?? 'the source';
  let bytes: number;
  if (requiredBytes !== 0) bytes = requiredBytes;
  else if (source !== undefined) bytes = source;
  else if (limitBytes !== 0 && limitBytes < DEFAULT_VOLUME_BYTES) {
    bytes = roundDown(limitBytes);
    if (bytes === 0) {
      throw CsiError.outOfRange(`capacity_range.limit_bytes ${limitBytes} is less than one ${SECTOR_BYTES}-byte sector`);
    }
  } else bytes = DEFAULT_VOLUME_BYTES;
  const raised = Math.max(bytes, ctx.minimumBytes);
  const rounded = roundUp(raised);
  if (limitBytes !== 0 && rounded > limitBytes) {
    const why =
      raised > bytes
        ? `the volume capabilities need at least ${human(ctx.minimumBytes)}`
        : source !== undefined && requiredBytes === 0
          ? `${sourceLabel} is ${source} bytes`
          : `sizes are whole ${SECTOR_BYTES}-byte sectors, so ${bytes} bytes become ${rounded}`;
    throw CsiError.outOfRange(`capacity_range.limit_bytes ${limitBytes} cannot be met: ${why}`);
  }
  // against the source's real size (whole extents), after rounding: a byte-precise request a
  // little under it that rounds up to it is fine (TopoLVM #1039)
  if (source !== undefined && rounded < source) {
    throw CsiError.outOfRange(
      `capacity_range.required_bytes ${requiredBytes} is smaller than ${sourceLabel} (${source} bytes): a restore or clone is at least as large as its source`,
    );
  }
  return rounded;
}

/**
 * The size an expansion asks for: required_bytes (or limit_bytes alone) rounded up to 4096,
 * OUT_OF_RANGE past the limit. A range with neither is INVALID_ARGUMENT: there is no default
 * size to grow to.
 */
export function expansionBytes(range: CapacityRequest): number {
  const { requiredBytes, limitBytes } = range;
  if (requiredBytes === 0 && limitBytes === 0) {
    throw CsiError.invalidArgument('capacity_range.required_bytes is required: the size to expand the volume to');
  }
  const wanted = requiredBytes !== 0 ? roundUp(requiredBytes) : roundDown(limitBytes);
  if (wanted === 0) throw CsiError.outOfRange(`capacity_range.limit_bytes ${limitBytes} is less than one ${SECTOR_BYTES}-byte sector`);
  if (limitBytes !== 0 && wanted > limitBytes) {
    throw CsiError.outOfRange(
      `capacity_range.limit_bytes ${limitBytes} cannot be met: sizes are whole ${SECTOR_BYTES}-byte sectors, so ${requiredBytes} bytes become ${wanted}`,
    );
  }
  return wanted;
}
