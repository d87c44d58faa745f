/**
 * Byte quantities. Sizes are plain JS numbers holding whole bytes; anything above
 * Number.MAX_SAFE_INTEGER (8 PiB - 1) is refused rather than silently rounded.
 * Parsing is done with BigInt so "1.5Gi" or "0.1k" never meets floating point.
 */

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;
export const TiB = 1024 * GiB;

/** lvm2 and the kernel count in 512-byte sectors; lvm refuses byte sizes that are not multiples. */
export const SECTOR = 512;

/** What a CSI CreateVolume with no capacity range gets (TopoLVM: 1 GiB). */
export const DEFAULT_SIZE_BYTES = GiB;

/** Smallest volume TopoLVM hands out per filesystem (below these mkfs fails or misbehaves). */
export const MIN_SIZE_BYTES = {
  block: 8 * MiB,
  ext4: 32 * MiB,
  xfs: 300 * MiB,
  btrfs: 200 * MiB,
} as const;

export type VolumeKind = keyof typeof MIN_SIZE_BYTES;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function assertBytes(name: string, n: number, { positive = false } = {}): void {
  if (!Number.isSafeInteger(n) || n < 0 || (positive && n === 0)) {
    throw new RangeError(`${name} must be a ${positive ? 'positive' : 'non-negative'} safe integer, got ${n}`);
  }
}

/** The smallest multiple of `multiple` that is >= bytes. */
export function roundUp(bytes: number, multiple: number): number {
  assertBytes('bytes', bytes);
  assertBytes('multiple', multiple, { positive: true });
  const remainder = bytes % multiple;
  const result = remainder === 0 ? bytes : bytes - remainder + multiple;
  if (!Number.isSafeInteger(result)) {
    throw new RangeError(`${bytes} rounded up to a multiple of ${multiple} exceeds Number.MAX_SAFE_INTEGER`);
  }
  return result;
}

/** What lvm allocates for a thick LV (or a thin LV's extent accounting): whole extents. */
export function roundUpToExtent(bytes: number, extentSizeBytes: number): number {
  return roundUp(bytes, extentSizeBytes);
}

/**
 * roundUp without its ceiling: the exact result as a BigInt. Any safe size rounds, even
 * one within an extent of Number.MAX_SAFE_INTEGER whose rounded size is not safe; callers
 * compare the result with what is free (always a safe number) before turning it into one.
 */
export function roundUpExact(bytes: number, multiple: number): bigint {
  assertBytes('bytes', bytes);
  assertBytes('multiple', multiple, { positive: true });
  const b = BigInt(bytes);
  const m = BigInt(multiple);
  return ((b + m - 1n) / m) * m;
}

/** The sum of byte counts, saturating at Number.MAX_SAFE_INTEGER (real lvm2 holds thin LVs of 8 PiB each). */
export function sumBytes(values: Iterable<number>): number {
  let sum = 0n;
  for (const v of values) {
    assertBytes('value', v);
    sum += BigInt(v);
  }
  return sum > MAX_SAFE ? Number.MAX_SAFE_INTEGER : Number(sum);
}

/** Minimum size for a filesystem type or raw block; unknown kinds are a programming error. */
export function minimumSize(kind: VolumeKind): number {
  if (!Object.prototype.hasOwnProperty.call(MIN_SIZE_BYTES, kind)) {
    throw new RangeError(`unknown filesystem type "${kind}"`);
  }
  return MIN_SIZE_BYTES[kind];
}

/** Free bytes a thin device class can still promise: floor(ratio x pool) - virtual sizes, never negative. */
export function thinFreeBytes(input: {
  poolSizeBytes: number;
  overprovisionRatio: number;
  virtualSizeSumBytes: number;
}): number {
  const { poolSizeBytes, overprovisionRatio, virtualSizeSumBytes } = input;
  assertBytes('poolSizeBytes', poolSizeBytes);
  assertBytes('virtualSizeSumBytes', virtualSizeSumBytes);
  if (!Number.isFinite(overprovisionRatio) || overprovisionRatio < 1) {
    throw new RangeError(`overprovisionRatio must be a number >= 1, got ${overprovisionRatio}`);
  }
  const capacity = Math.min(Math.floor(overprovisionRatio * poolSizeBytes), Number.MAX_SAFE_INTEGER);
  return Math.max(0, capacity - virtualSizeSumBytes);
}

/** Free bytes a thick device class can still promise: VG free minus the spare, never negative. */
export function thickFreeBytes(input: { vgFreeBytes: number; spareBytes: number }): number {
  assertBytes('vgFreeBytes', input.vgFreeBytes);
  assertBytes('spareBytes', input.spareBytes);
  return Math.max(0, input.vgFreeBytes - input.spareBytes);
}

/** lvm's argv form of an exact byte size ("104857600b"). */
export function formatLvmBytes(bytes: number): string {
  assertBytes('bytes', bytes);
  return `${bytes}b`;
}

// ---------------------------------------------------------------------------
// Exact decimal arithmetic shared by both parsers.

interface Decimal {
  /** all digits of the number, the decimal point removed */
  digits: bigint;
  /** how many of them were after the decimal point */
  scale: number;
}

function parseDecimal(text: string): Decimal | undefined {
  const m = /^(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m) return undefined;
  const whole = m[1] ?? '';
  const frac = m[2] ?? '';
  if (whole === '' && frac === '') return undefined;
  return { digits: BigInt(whole + frac || '0'), scale: frac.length };
}

/** value x multiplier / divisor, or undefined when that is not a whole number. */
function exactBytes(d: Decimal, multiplier: bigint, divisor: bigint = 1n): bigint | undefined {
  const numerator = d.digits * multiplier;
  const denominator = 10n ** BigInt(d.scale) * divisor;
  return numerator % denominator === 0n ? numerator / denominator : undefined;
}

// ---------------------------------------------------------------------------
// Kubernetes resource quantities (LogicalVolume spec.size, PVC requests).

export class QuantityError extends Error {
  constructor(
    readonly input: string,
    reason: string,
  ) {
    super(`invalid quantity "${input}": ${reason}`);
    this.name = 'QuantityError';
  }
}

const BINARY_SUFFIXES: Record<string, bigint> = {
  Ki: 1n << 10n,
  Mi: 1n << 20n,
  Gi: 1n << 30n,
  Ti: 1n << 40n,
  Pi: 1n << 50n,
  Ei: 1n << 60n,
};

/** decimal SI suffixes as powers of ten */
const DECIMAL_SUFFIXES: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

/** An exponent beyond this cannot give a safe integer number of bytes anyway. */
const MAX_EXPONENT = 40;

/**
 * A Kubernetes resource quantity ("1Gi", "500M", "1e3", "1.5Gi", "1000m") in bytes.
 * Throws QuantityError on junk, negatives, fractional bytes (e.g. "1.5", "1m") and
 * values above Number.MAX_SAFE_INTEGER.
 */
export function parseQuantity(input: string): number {
  if (typeof input !== 'string') throw new QuantityError(String(input), 'not a string');
  const m = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])|[eE]([+-]?\d+))?$/.exec(input);
  if (!m) throw new QuantityError(input, 'expected a number with an optional suffix (Ki, Mi, Gi, k, M, G, e3, ...)');
  const [, sign, number = '', suffix, exponent] = m;
  const decimal = parseDecimal(number);
  if (!decimal) throw new QuantityError(input, 'not a number');
  if (sign === '-' && decimal.digits !== 0n) throw new QuantityError(input, 'must not be negative');

  let bytes: bigint | undefined;
  if (suffix !== undefined && suffix in BINARY_SUFFIXES) {
    bytes = exactBytes(decimal, BINARY_SUFFIXES[suffix] as bigint);
  } else {
    const power = exponent !== undefined ? Number(exponent) : (DECIMAL_SUFFIXES[suffix ?? ''] as number);
    if (Math.abs(power) > MAX_EXPONENT) {
      if (decimal.digits === 0n) return 0;
      throw new QuantityError(input, power > 0 ? 'exceeds Number.MAX_SAFE_INTEGER bytes' : 'is a fraction of a byte');
    }
    bytes = power >= 0 ? exactBytes(decimal, 10n ** BigInt(power)) : exactBytes(decimal, 1n, 10n ** BigInt(-power));
  }
  if (bytes === undefined) throw new QuantityError(input, 'is not a whole number of bytes');
  if (bytes > MAX_SAFE) throw new QuantityError(input, 'exceeds Number.MAX_SAFE_INTEGER bytes');
  return Number(bytes);
}

// ---------------------------------------------------------------------------
// lvm2's size arguments (-L, -V, --stripesize, ...).

export type LvmSizeUnit = 'b' | 's' | 'k' | 'm' | 'g' | 't' | 'p' | 'e';

const LVM_UNIT_BYTES: Record<LvmSizeUnit, bigint> = {
  b: 1n,
  s: 512n,
  k: 1n << 10n,
  m: 1n << 20n,
  g: 1n << 30n,
  t: 1n << 40n,
  p: 1n << 50n,
  e: 1n << 60n,
};

export type LvmSizeArg =
  /** sign is set for relative sizes ("+10m" in lvresize -L) */
  | { bytes: number; sign?: '+' | '-' }
  | { error: string };

/**
 * lvm2's size syntax: a number, optionally with a fraction, then an optional unit
 * (b bytes, s 512-byte sectors, k m g t p e binary multiples; case-insensitive, as on
 * lvm's command line). A bare number is in `defaultUnit` (MiB for -L/-V, KiB for
 * --stripesize). Byte sizes must be a multiple of 512 (lvm's own message is returned);
 * fractional sizes in larger units are truncated to whole sectors, as lvm does.
 */
export function parseLvmSizeArg(input: string, defaultUnit: LvmSizeUnit = 'm'): LvmSizeArg {
  const m = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)([bBsSkKmMgGtTpPeE]?)$/.exec(typeof input === 'string' ? input : '');
  if (!m) return { error: `Invalid size "${String(input)}": expected a number with an optional unit (b s k m g t p e).` };
  const [, sign, number = '', unitText = ''] = m;
  const unit = (unitText.toLowerCase() || defaultUnit) as LvmSizeUnit;
  const decimal = parseDecimal(number);
  if (!decimal) return { error: `Invalid size "${input}".` };

  let bytes: bigint | undefined;
  if (unit === 'b' || unit === 's') {
    bytes = exactBytes(decimal, LVM_UNIT_BYTES[unit]);
    if (bytes === undefined) return { error: `Invalid size "${input}": ${unit === 'b' ? 'bytes' : 'sectors'} must be whole.` };
    if (bytes % 512n !== 0n) {
      const below = bytes - (bytes % 512n);
      return { error: `Size is not a multiple of 512. Try using ${below} or ${below + 512n}.` };
    }
  } else {
    // value x unit, truncated to whole sectors
    const numerator = decimal.digits * LVM_UNIT_BYTES[unit];
    const sectors = numerator / (10n ** BigInt(decimal.scale) * 512n);
    bytes = sectors * 512n;
  }
  if (bytes > MAX_SAFE) return { error: `Size "${input}" is too large.` };
  const result: { bytes: number; sign?: '+' | '-' } = { bytes: Number(bytes) };
  if (sign === '+' || sign === '-') result.sign = sign;
  return result;
}
