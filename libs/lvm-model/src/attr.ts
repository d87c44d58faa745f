/**
 * lv_attr, the ten status characters lvs prints per LV (lvs(8), "The lv_attr bits are").
 * Characters lvm may add in later releases decode to 'unknown' instead of failing, so a
 * newer lvm2 does not take the driver down; a string that is not ten characters throws.
 */

export type LvVolumeType =
  | 'plain' // '-': linear or striped
  | 'cache' // C
  | 'mirrored' // m
  | 'mirrored-without-initial-sync' // M
  | 'origin' // o
  | 'origin-with-merging-snapshot' // O
  | 'integrity' // g
  | 'raid' // r
  | 'raid-without-initial-sync' // R
  | 'snapshot' // s
  | 'merging-snapshot' // S
  | 'pvmove' // p
  | 'virtual' // v
  | 'image' // i
  | 'image-out-of-sync' // I
  | 'mirror-log' // l
  | 'under-conversion' // c
  | 'thin-volume' // V
  | 'thin-pool' // t
  | 'thin-pool-data' // T
  | 'vdo-pool' // d
  | 'vdo-pool-data' // D
  | 'metadata' // e: raid or pool metadata, or the pool metadata spare
  | 'unknown';

export type LvPermission = 'writeable' | 'read-only' | 'read-only-activation' | 'unknown';

export type LvAllocationPolicy = 'anywhere' | 'contiguous' | 'inherit' | 'cling' | 'normal' | 'unknown';

export type LvState =
  | 'inactive' // -
  | 'active' // a
  | 'historical' // h
  | 'suspended' // s
  | 'invalid-snapshot' // I
  | 'invalid-suspended-snapshot' // S
  | 'snapshot-merge-failed' // m
  | 'suspended-snapshot-merge-failed' // M
  | 'mapped-without-tables' // d
  | 'mapped-with-inactive-table' // i
  | 'thin-pool-check-needed' // c
  | 'suspended-thin-pool-check-needed' // C
  | 'unknown'; // X or anything newer

export type LvTargetType = 'none' | 'cache' | 'mirror' | 'raid' | 'snapshot' | 'thin' | 'virtual' | 'unknown';

export type LvHealthStatus =
  | 'ok' // -
  | 'partial' // p: a PV under this LV is missing
  | 'refresh-needed' // r: raid leg failed transiently
  | 'mismatches' // m: raid scrub found mismatches
  | 'writemostly' // w: raid leg is write-mostly
  | 'failed' // F: thin pool or thin volume failed
  | 'out-of-data' // D: thin pool out of data space
  | 'metadata-read-only' // M: thin pool metadata read only
  | 'error' // E: dm-writecache (or vdo) reports an error
  | 'unknown'; // X or anything newer

export interface LvAttr {
  readonly raw: string;
  readonly volumeType: LvVolumeType;
  readonly permission: LvPermission;
  readonly allocationPolicy: LvAllocationPolicy;
  /** Allocation character upper-cased: locked against allocation changes (pvmove). */
  readonly allocationLocked: boolean;
  readonly fixedMinor: boolean;
  readonly state: LvState;
  /** A device with a live table exists (suspended ones included: they are active, but frozen). */
  readonly active: boolean;
  readonly suspended: boolean;
  readonly open: boolean;
  readonly targetType: LvTargetType;
  /** Newly allocated blocks are zeroed before use. */
  readonly zero: boolean;
  readonly health: LvHealthStatus;
  /** Created with --setactivationskip y: plain "-ay" will not activate it. */
  readonly activationSkip: boolean;
  readonly isThinVolume: boolean;
  readonly isThinPool: boolean;
}

export class LvAttrError extends Error {
  constructor(
    readonly attr: string,
    reason: string,
  ) {
    super(`invalid lv_attr "${attr}": ${reason}`);
    this.name = 'LvAttrError';
  }
}

const VOLUME_TYPES: Record<string, LvVolumeType> = {
  '-': 'plain',
  C: 'cache',
  m: 'mirrored',
  M: 'mirrored-without-initial-sync',
  o: 'origin',
  O: 'origin-with-merging-snapshot',
  g: 'integrity',
  r: 'raid',
  R: 'raid-without-initial-sync',
  s: 'snapshot',
  S: 'merging-snapshot',
  p: 'pvmove',
  v: 'virtual',
  i: 'image',
  I: 'image-out-of-sync',
  l: 'mirror-log',
  c: 'under-conversion',
  V: 'thin-volume',
  t: 'thin-pool',
  T: 'thin-pool-data',
  d: 'vdo-pool',
  D: 'vdo-pool-data',
  e: 'metadata',
};

const PERMISSIONS: Record<string, LvPermission> = {
  w: 'writeable',
  r: 'read-only',
  R: 'read-only-activation',
};

const ALLOCATION: Record<string, LvAllocationPolicy> = {
  a: 'anywhere',
  c: 'contiguous',
  i: 'inherit',
  l: 'cling',
  n: 'normal',
};

const STATES: Record<string, LvState> = {
  '-': 'inactive',
  a: 'active',
  h: 'historical',
  s: 'suspended',
  I: 'invalid-snapshot',
  S: 'invalid-suspended-snapshot',
  m: 'snapshot-merge-failed',
  M: 'suspended-snapshot-merge-failed',
  d: 'mapped-without-tables',
  i: 'mapped-with-inactive-table',
  c: 'thin-pool-check-needed',
  C: 'suspended-thin-pool-check-needed',
};

/** States with a live device-mapper table. */
const LIVE_STATES: ReadonlySet<LvState> = new Set<LvState>([
  'active',
  'suspended',
  'invalid-snapshot',
  'invalid-suspended-snapshot',
  'snapshot-merge-failed',
  'suspended-snapshot-merge-failed',
  'thin-pool-check-needed',
  'suspended-thin-pool-check-needed',
]);

const SUSPENDED_STATES: ReadonlySet<LvState> = new Set<LvState>([
  'suspended',
  'invalid-suspended-snapshot',
  'suspended-snapshot-merge-failed',
  'suspended-thin-pool-check-needed',
]);

const TARGET_TYPES: Record<string, LvTargetType> = {
  '-': 'none',
  C: 'cache',
  m: 'mirror',
  r: 'raid',
  s: 'snapshot',
  t: 'thin',
  u: 'unknown',
  v: 'virtual',
};

const HEALTH: Record<string, LvHealthStatus> = {
  '-': 'ok',
  p: 'partial',
  r: 'refresh-needed',
  m: 'mismatches',
  w: 'writemostly',
  F: 'failed',
  D: 'out-of-data',
  M: 'metadata-read-only',
  E: 'error',
  X: 'unknown',
};

function lookup<T>(table: Record<string, T>, ch: string, fallback: T): T {
  return Object.prototype.hasOwnProperty.call(table, ch) ? (table[ch] as T) : fallback;
}

export function decodeLvAttr(attr: string): LvAttr {
  if (typeof attr !== 'string') throw new LvAttrError(String(attr), 'not a string');
  if (attr.length !== 10) throw new LvAttrError(attr, `expected 10 characters, got ${attr.length}`);
  const [type, perm, alloc, minor, st, open, target, zero, health, skip] = attr.split('') as [
    string, string, string, string, string, string, string, string, string, string,
  ];
  const volumeType = lookup(VOLUME_TYPES, type, 'unknown');
  const state = lookup(STATES, st, 'unknown');
  return {
    raw: attr,
    volumeType,
    permission: lookup(PERMISSIONS, perm, 'unknown'),
    allocationPolicy: lookup(ALLOCATION, alloc.toLowerCase(), 'unknown'),
    allocationLocked: alloc !== alloc.toLowerCase(),
    fixedMinor: minor === 'm',
    state,
    active: LIVE_STATES.has(state),
    suspended: SUSPENDED_STATES.has(state),
    open: open === 'o',
    targetType: lookup(TARGET_TYPES, target, 'unknown'),
    zero: zero === 'z',
    health: lookup(HEALTH, health, 'unknown'),
    activationSkip: skip === 'k',
    isThinVolume: volumeType === 'thin-volume',
    isThinPool: volumeType === 'thin-pool',
  };
}

export interface LvHealth {
  readonly healthy: boolean;
  /** Why not, in words fit for a CSI VolumeCondition message. */
  readonly reason?: string;
}

const UNHEALTHY: Partial<Record<LvHealthStatus, string>> = {
  partial: 'one or more physical volumes under the logical volume are missing (partial)',
  'refresh-needed': 'the logical volume needs a refresh (a device under it failed)',
  failed: 'the logical volume has failed',
  'out-of-data': 'the thin pool is out of data space',
  'metadata-read-only': 'the thin pool metadata is read-only',
  error: 'the device-mapper target reports an error',
};

/**
 * Health of an LV for CSI VolumeCondition. A thin volume's own attr does not show its
 * pool running out of space: pass the pool's attr too and its failure counts.
 * 'mismatches', 'writemostly' and an unknown health character are informational.
 */
export function lvHealth(attr: LvAttr, poolAttr?: LvAttr): LvHealth {
  const own = ownHealth(attr);
  if (!own.healthy || !poolAttr) return own;
  const pool = ownHealth(poolAttr);
  return pool.healthy ? own : { healthy: false, reason: `thin pool: ${pool.reason}` };
}

function ownHealth(attr: LvAttr): LvHealth {
  const reason = UNHEALTHY[attr.health];
  if (reason) return { healthy: false, reason };
  if (attr.suspended) return { healthy: false, reason: 'the logical volume is suspended' };
  if (attr.state === 'invalid-snapshot') return { healthy: false, reason: 'the snapshot is invalid' };
  if (attr.state === 'snapshot-merge-failed') return { healthy: false, reason: 'the snapshot merge failed' };
  return { healthy: true };
}
