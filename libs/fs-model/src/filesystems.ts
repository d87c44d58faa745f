/**
 * The filesystems Copse formats and mounts, and the rules for mounting them (TopoLVM's,
 * plus what real lvm2 and kernel 6.1 showed in the test node, ../../shared/reference):
 *
 * - xfs is always mounted with nouuid: a restore or clone is a block copy of its source,
 *   so both carry the same filesystem UUID, and xfs refuses a second filesystem with a
 *   UUID already mounted ("Filesystem has duplicate UUID").
 * - a read-only xfs mount adds norecovery: a read-only snapshot cannot have its log
 *   replayed (the device refuses writes: error -30), and a snapshot taken of a mounted
 *   filesystem has a log to replay.
 * - a read-only publish is the `ro` mount option; the flag `rw` beside it is refused.
 */

export const FILESYSTEMS = ['ext4', 'xfs', 'btrfs'] as const;
export type FsType = (typeof FILESYSTEMS)[number];

/** What an empty csi.storage.k8s.io/fstype means (TopoLVM's default). */
export const DEFAULT_FS_TYPE: FsType = 'ext4';

export function isFsType(value: string): value is FsType {
  return (FILESYSTEMS as readonly string[]).includes(value);
}

/**
 * Options that would make the mount something other than a mount of this volume at the
 * target (a bind or move of something else, a remount of whatever is there, a loop
 * device, propagation changes, util-linux helpers that create directories or change
 * owners): refused in mount_flags.
 */
const REFUSED_FLAGS = /^(bind|rbind|remount|move|loop|loop=.*|offset=.*|sizelimit=.*|helper=.*|(r)?(shared|private|slave|unbindable)|make-.*|x-mount\..*)$/i;

/** One mount flag: an option word or key=value, nothing a shell or mount's parser would split. */
const FLAG = /^[A-Za-z0-9_.:+@/=-]{1,256}$/;

/**
 * Why mount flags (VolumeCapability.mount.mount_flags, a StorageClass's mountOptions)
 * cannot be used, or undefined. Each flag is one option: no commas (which would smuggle
 * in more options), no spaces or control characters.
 */
export function mountFlagsProblem(flags: readonly string[], readOnly: boolean, field = 'volume_capability.mount.mount_flags'): string | undefined {
  for (const [i, flag] of flags.entries()) {
    if (!FLAG.test(flag)) {
      return `${field}[${i}] ${JSON.stringify(flag)} is not a mount option: one word or key=value of letters, digits and _.:+@/=- (no commas, spaces or quotes), at most 256 characters`;
    }
    if (REFUSED_FLAGS.test(flag)) return `${field}[${i}] ${JSON.stringify(flag)} is not allowed: it would change what is mounted or how, not the volume's mount options`;
    if (flag === 'rw' && readOnly) return `${field}[${i}] "rw" contradicts the read-only publish`;
  }
  return undefined;
}

/** A read-only publish, or the flag ro among the mount flags. */
export function isReadOnlyRequest(readOnly: boolean, flags: readonly string[]): boolean {
  return readOnly || flags.includes('ro');
}

export interface MountRequest {
  readonly fsType: FsType;
  readonly readOnly: boolean;
  /** checked with mountFlagsProblem */
  readonly flags: readonly string[];
}

/** The -o options for mounting a volume's filesystem, without duplicates: ro first, the caller's flags, then the filesystem's own. */
export function filesystemMountOptions(req: MountRequest): string[] {
  const ro = isReadOnlyRequest(req.readOnly, req.flags);
  const options: string[] = [];
  const add = (o: string) => {
    if (!options.includes(o)) options.push(o);
  };
  if (ro) add('ro');
  for (const f of req.flags) add(f);
  if (req.fsType === 'xfs') {
    add('nouuid');
    if (ro) add('norecovery');
  }
  return options;
}

/** The -o options for bind-mounting a raw block volume's device node onto the target file. */
export function blockMountOptions(readOnly: boolean): string[] {
  return readOnly ? ['bind', 'ro'] : ['bind'];
}
