/**
 * resource.Quantity: parsing and the canonical form the real server stores for built-in
 * quantity fields ("1073741824Ki" -> "1Ti", "1.5Gi" -> "1536Mi", "1500m" -> "1500m").
 */

const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

export interface Quantity {
  /** value = num / 10^scale (exact rational with a power-of-ten denominator) */
  readonly num: bigint;
  readonly scale: number;
  readonly format: 'BinarySI' | 'DecimalSI' | 'DecimalExponent';
}

export function parseQuantity(text: string): Quantity | undefined {
  const m = QUANTITY.exec(text.trim());
  if (!m) return undefined;
  const sign = m[1] === '-' ? -1n : 1n;
  const [intPart = '', frac = ''] = (m[2] as string).split('.');
  let num = BigInt((intPart || '0') + frac) * sign;
  let scale = frac.length;
  const suffix = m[3] ?? '';
  let format: Quantity['format'] = 'DecimalSI';
  if (suffix in BINARY) {
    format = 'BinarySI';
    num *= 1n << BigInt(BINARY[suffix] as number);
  } else if (/^[eE]/.test(suffix)) {
    format = 'DecimalExponent';
    scale -= Number(suffix.slice(1));
  } else {
    scale -= DECIMAL[suffix] as number;
  }
  while (scale < 0) {
    num *= 10n;
    scale++;
  }
  return normalise({ num, scale, format });
}

function normalise(q: Quantity): Quantity {
  let { num, scale } = q;
  while (scale > 0 && num % 10n === 0n) {
    num /= 10n;
    scale--;
  }
  // below nano rounds up, as the real type does
  if (scale > 9) {
    const div = 10n ** BigInt(scale - 9);
    num = num / div + (num % div !== 0n ? (num > 0n ? 1n : 0n) : 0n);
    scale = 9;
  }
  return { num, scale, format: q.format };
}

/** The canonical string of a quantity (Quantity.String()). */
export function formatQuantity(q: Quantity): string {
  if (q.num === 0n) return '0';
  let format = q.format;
  if (format === 'BinarySI') {
    const isInt = q.scale === 0;
    if (!isInt || (q.num > -1024n && q.num < 1024n)) format = 'DecimalSI';
    else {
      let n = q.num;
      let shift = 0;
      while (shift < 60 && n % 1024n === 0n) {
        n /= 1024n;
        shift += 10;
      }
      const suffix = Object.entries(BINARY).find(([, v]) => v === shift)?.[0] ?? '';
      return `${n}${suffix}`;
    }
  }
  // decimal: value = num * 10^-scale; pick an exponent that is a multiple of 3
  let num = q.num;
  let exp = -q.scale;
  while (num % 10n === 0n) {
    num /= 10n;
    exp++;
  }
  let e3 = Math.floor(exp / 3) * 3;
  if (format === 'DecimalSI') e3 = Math.max(-9, Math.min(18, e3));
  while (exp > e3) {
    num *= 10n;
    exp--;
  }
  if (format === 'DecimalExponent') return e3 === 0 ? `${num}` : `${num}e${e3}`;
  const suffix = Object.entries(DECIMAL).find(([, v]) => v === e3)?.[0] ?? '';
  return `${num}${suffix}`;
}

export function canonicalQuantity(text: unknown): unknown {
  if (typeof text === 'number') return formatQuantity(parseQuantity(String(text)) as Quantity);
  if (typeof text !== 'string') return text;
  const q = parseQuantity(text);
  return q ? formatQuantity(q) : text;
}

/** The value in bytes (rounded up), for comparisons. */
export function quantityValue(text: string): number | undefined {
  const q = parseQuantity(text);
  if (!q) return undefined;
  return Number(q.num) / 10 ** q.scale;
}

export const QUANTITY_PATTERN = QUANTITY;
