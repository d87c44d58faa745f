/**
 * LV and VG name rules as lvm2 2.03.16 enforces them, so that nothing lvm2 would
 * reject is ever sent to it.
 *
 * Learned from lvm2's lib/misc/lvm-string.c (name validation, reserved prefixes and
 * substrings), tools/toollib.c (LV name parameters, "vg/lv" paths), tools/lvrename.c
 * (LV name length against its VG) and device_mapper (DM_NAME_LEN). Our own code.
 *
 * - A name is 1..127 characters (lvm2's NAME_LEN is 128 including the NUL) of
 *   [a-zA-Z0-9+_.-], does not start with '-' (the hyphen separates VG and LV in
 *   device-mapper names) and is not "." or "..".
 * - An LV name additionally must not start with "pvmove" or "snapshot" and must not
 *   contain one of lvm2's component-LV suffixes ("_tmeta", "_rimage", ...).
 * - A '/' is never part of a name: lvm2 reads "vg/lv" or "/dev/vg/lv" as a path.
 */

/** lvm2's NAME_LEN: the buffer size for a VG or LV name, terminating NUL included. */
export const LVM_NAME_LEN = 128;
/** Longest VG or LV name lvm2 accepts (NAME_LEN minus the NUL). */
export const LVM_MAX_NAME_CHARS = LVM_NAME_LEN - 1;
/** device-mapper's DM_NAME_LEN: a dm device name plus its NUL. */
export const DM_NAME_LEN = 128;

/** LV names lvm2 keeps for itself: pvmove's temporary LVs and old-style snapshot internals. */
export const RESERVED_LV_PREFIXES: readonly string[] = ['pvmove', 'snapshot'];

/**
 * Substrings lvm2 reserves for the hidden component LVs it creates (cache, writecache,
 * mirror, raid, thin, vdo, integrity), then the two it reserves for other internal LVs
 * (the pool metadata spare and the virtual origin). Order as lvm2 checks them, so the
 * first one reported is the one lvm2 reports.
 */
export const RESERVED_LV_SUBSTRINGS: readonly string[] = [
  '_cdata',
  '_cmeta',
  '_corig',
  '_cpool',
  '_cvol',
  '_wcorig',
  '_mimage',
  '_mlog',
  '_rimage',
  '_rmeta',
  '_tdata',
  '_tmeta',
  '_vdata',
  '_imeta',
  '_iorig',
  '_pmspare',
  '_vorigin',
];

/** Why lvm2 would refuse a name, in the order lvm2 checks. */
export type NameViolation =
  | { readonly kind: 'empty' }
  | { readonly kind: 'leading-hyphen' }
  | { readonly kind: 'dots' }
  | { readonly kind: 'charset'; readonly char: string }
  | { readonly kind: 'length'; readonly max: number }
  | { readonly kind: 'reserved-prefix'; readonly reserved: string }
  | { readonly kind: 'reserved-substring'; readonly reserved: string };

const NAME_CHAR = /^[a-zA-Z0-9+_.-]$/;

/**
 * lvm2's basic name check (shared by VG and LV names), without the LV reservations.
 * lvm2 checks, in order: empty, leading hyphen, "."/"..", each character, then length.
 */
export function basicNameViolation(name: string): NameViolation | undefined {
  if (name.length === 0) return { kind: 'empty' };
  if (name.startsWith('-')) return { kind: 'leading-hyphen' };
  if (name === '.' || name === '..') return { kind: 'dots' };
  for (const char of name) {
    if (!NAME_CHAR.test(char)) return { kind: 'charset', char };
  }
  if (name.length > LVM_MAX_NAME_CHARS) return { kind: 'length', max: LVM_MAX_NAME_CHARS };
  return undefined;
}

/** The reservation lvm2 applies to names of new LVs (lvcreate -n, lvrename), if any. */
export function lvNameReservation(name: string): NameViolation | undefined {
  const prefix = RESERVED_LV_PREFIXES.find((p) => name.startsWith(p));
  if (prefix !== undefined) return { kind: 'reserved-prefix', reserved: prefix };
  const substring = RESERVED_LV_SUBSTRINGS.find((s) => name.includes(s));
  if (substring !== undefined) return { kind: 'reserved-substring', reserved: substring };
  return undefined;
}

/** Everything lvm2 would refuse about the name of a new LV, first problem first. */
export function lvNameViolation(name: string): NameViolation | undefined {
  return basicNameViolation(name) ?? lvNameReservation(name);
}

function describe(what: string, name: string, v: NameViolation): string {
  const quoted = JSON.stringify(name);
  switch (v.kind) {
    case 'empty':
      return `${what} name must not be empty.`;
    case 'leading-hyphen':
      return `${what} name ${quoted} must not start with a hyphen.`;
    case 'dots':
      return `${what} name ${quoted} must not be "." or "..".`;
    case 'charset':
      return v.char === '/'
        ? `${what} name ${quoted} must not contain "/" (lvm2 reads it as a path).`
        : `${what} name ${quoted} contains ${JSON.stringify(v.char)}; only a-z A-Z 0-9 + _ . - are allowed.`;
    case 'length':
      return `${what} name ${quoted} is ${name.length} characters long; at most ${v.max} are allowed.`;
    case 'reserved-prefix':
      return `${what} names starting "${v.reserved}" are reserved by lvm2.`;
    case 'reserved-substring':
      return `${what} names including "${v.reserved}" are reserved by lvm2.`;
  }
}

/** Why lvm2 would refuse this as the name of a new LV; undefined when it is valid. */
export function lvNameProblem(name: string): string | undefined {
  const v = lvNameViolation(name);
  return v && describe('Logical volume', name, v);
}

/** Why lvm2 would refuse this as the name of a new VG; undefined when it is valid. */
export function vgNameProblem(name: string): string | undefined {
  const v = basicNameViolation(name);
  return v && describe('Volume group', name, v);
}

export function isValidLvName(name: string): boolean {
  return lvNameProblem(name) === undefined;
}

export function isValidVgName(name: string): boolean {
  return vgNameProblem(name) === undefined;
}

/** The device-mapper name lvm2 gives an LV: "vg-lv", hyphens inside either name doubled. */
export function dmName(vg: string, lv: string): string {
  return `${vg.replace(/-/g, '--')}-${lv.replace(/-/g, '--')}`;
}

/**
 * Why the LV vg/lv could not be created, activated and renamed, beyond the rules on
 * each name alone; undefined when fine.
 * - its device-mapper name must fit DM_NAME_LEN (device-mapper refuses longer names
 *   at activation, after lvm2 has written the metadata);
 * - lvrename allows an LV name of at most NAME_LEN - len(vg) - 3 characters; keeping to
 *   it keeps every LV renameable.
 */
export function lvFullNameProblem(vg: string, lv: string): string | undefined {
  const own = vgNameProblem(vg) ?? lvNameProblem(lv);
  if (own) return own;
  const maxLv = LVM_NAME_LEN - vg.length - 3;
  if (lv.length > maxLv) {
    return `Logical volume name ${JSON.stringify(lv)} is ${lv.length} characters long; in volume group ${JSON.stringify(vg)} at most ${maxLv} are allowed.`;
  }
  const dm = dmName(vg, lv);
  if (dm.length >= DM_NAME_LEN) {
    return `Device-mapper name ${JSON.stringify(dm)} of ${vg}/${lv} is ${dm.length} characters long; at most ${DM_NAME_LEN - 1} are allowed.`;
  }
  return undefined;
}
