/**
 * How big a filesystem is, as its own tools report it: the size it spans on its device,
 * which publish and expand compare with the device's size to decide whether to grow it.
 * (statfs cannot tell: its f_blocks leaves out the filesystem's own overhead.)
 */

export class FsSizeParseError extends Error {
  constructor(
    readonly tool: string,
    reason: string,
  ) {
    super(`cannot read the filesystem size from ${tool}: ${reason}`);
    this.name = 'FsSizeParseError';
  }
}

function integerField(text: string, pattern: RegExp, tool: string, field: string): number {
  const m = pattern.exec(text);
  if (!m?.[1]) throw new FsSizeParseError(tool, `no ${field}`);
  const n = Number(m[1]);
  if (!Number.isSafeInteger(n) || n < 0) throw new FsSizeParseError(tool, `${field} ${m[1]} is not a size`);
  return n;
}

/** ext2/3/4: `dumpe2fs -h DEVICE` prints "Block count:" and "Block size:" in its header. */
export function ext4SizeFromDumpe2fs(stdout: string): number {
  const count = integerField(stdout, /^Block count:\s+(\d+)\s*$/m, 'dumpe2fs', 'Block count');
  const size = integerField(stdout, /^Block size:\s+(\d+)\s*$/m, 'dumpe2fs', 'Block size');
  return count * size;
}

/** xfs: `xfs_io -c statfs MOUNTPOINT` prints the geometry: geom.bsize and geom.datablocks. */
export function xfsSizeFromXfsIoStatfs(stdout: string): number {
  const bsize = integerField(stdout, /^geom\.bsize = (\d+)\s*$/m, 'xfs_io statfs', 'geom.bsize');
  const blocks = integerField(stdout, /^geom\.datablocks = (\d+)\s*$/m, 'xfs_io statfs', 'geom.datablocks');
  return bsize * blocks;
}

/**
 * btrfs: `btrfs inspect-internal dump-super DEVICE` prints the superblock of that device;
 * dev_item.total_bytes is how much of this device the filesystem uses (one device per
 * volume here, so also the filesystem's size).
 */
export function btrfsSizeFromDumpSuper(stdout: string): number {
  return integerField(stdout, /^dev_item\.total_bytes\s+(\d+)\s*$/m, 'btrfs inspect-internal dump-super', 'dev_item.total_bytes');
}
