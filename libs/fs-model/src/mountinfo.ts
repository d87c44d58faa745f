/**
 * /proc/<pid>/mountinfo (proc(5)): one line per mount,
 *
 *   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
 *   (1)(2)(3)   (4)   (5)      (6)       (7)   (8) (9)    (10)        (11)
 *
 * mount id, parent id, major:minor of st_dev, root of the mount within its filesystem,
 * mount point, per-mount options, optional fields up to "-", filesystem type, source,
 * superblock options. The kernel writes space, tab, newline and backslash in paths as
 * octal escapes (\040, \011, \012, \134); they are decoded here.
 */

export interface MountInfoEntry {
  readonly mountId: number;
  readonly parentId: number;
  /** st_dev of files in the mount: the block device for ext4 and xfs, an anonymous device (major 0) for btrfs and bind mounts of device nodes */
  readonly major: number;
  readonly minor: number;
  /** the path within the filesystem that is mounted: "/" for a whole filesystem, the file's path for a bind mount of one file */
  readonly root: string;
  readonly mountPoint: string;
  /** per-mount options: ro or rw first, then nosuid, nodev, noexec, relatime, ... */
  readonly mountOptions: readonly string[];
  readonly optionalFields: readonly string[];
  readonly fsType: string;
  /** what was mounted, as the mount call named it ("/dev/mapper/vg-lv", "devtmpfs", "none") */
  readonly source: string;
  readonly superOptions: readonly string[];
}

export class MountInfoParseError extends Error {
  constructor(
    readonly line: string,
    reason: string,
  ) {
    super(`mountinfo line ${JSON.stringify(line)}: ${reason}`);
    this.name = 'MountInfoParseError';
  }
}

/** Decodes the kernel's octal escapes (\040 for a space, ...). */
export function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

export function parseMountInfo(text: string): MountInfoEntry[] {
  const entries: MountInfoEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    entries.push(parseLine(line));
  }
  return entries;
}

function parseLine(line: string): MountInfoEntry {
  const fields = line.split(' ');
  const dash = fields.indexOf('-', 6);
  if (fields.length < 10 || dash < 0 || fields.length < dash + 3) throw new MountInfoParseError(line, 'too few fields');
  const [id, parent, devNumbers, root, mountPoint, options] = fields as [string, string, string, string, string, string];
  const dev = /^(\d+):(\d+)$/.exec(devNumbers);
  if (!/^\d+$/.test(id) || !/^\d+$/.test(parent) || !dev) throw new MountInfoParseError(line, 'bad mount id or device numbers');
  return {
    mountId: Number(id),
    parentId: Number(parent),
    major: Number(dev[1]),
    minor: Number(dev[2]),
    root: unescapeMountField(root),
    mountPoint: unescapeMountField(mountPoint),
    mountOptions: options.split(','),
    optionalFields: fields.slice(6, dash),
    fsType: fields[dash + 1] as string,
    source: unescapeMountField(fields[dash + 2] as string),
    superOptions: (fields[dash + 3] ?? '').split(',').filter((o) => o !== ''),
  };
}

/**
 * The mount visible at `mountPoint`: the last one mounted there (mounts stacked on one
 * path hide each other; the kernel lists them in mount order), or undefined.
 */
export function mountAt(entries: readonly MountInfoEntry[], mountPoint: string): MountInfoEntry | undefined {
  let found: MountInfoEntry | undefined;
  for (const e of entries) if (e.mountPoint === mountPoint) found = e;
  return found;
}

/** How many mounts are stacked on `mountPoint` (an unpublish unmounts until none is left). */
export function mountsAt(entries: readonly MountInfoEntry[], mountPoint: string): number {
  return entries.filter((e) => e.mountPoint === mountPoint).length;
}

/** The per-mount read-only flag: what a publish with readonly sets (mount -o ro, or bind,ro). */
export function isReadOnlyMount(entry: MountInfoEntry): boolean {
  return entry.mountOptions.includes('ro');
}

/**
 * The superblock is read-only: set by a read-only mount, and by the filesystem itself after
 * an error (ext4 errors=remount-ro, an xfs shutdown leaves it rw but failing). A writable
 * mount of a read-only superblock means the filesystem stopped taking writes.
 */
export function isReadOnlySuperblock(entry: MountInfoEntry): boolean {
  return entry.superOptions[0] === 'ro';
}
