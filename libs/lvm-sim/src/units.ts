/**
 * Sizes as lvm2 2.03.16 reads them from the command line and prints them in messages
 * and reports (behaviour learned from tools/lvmcmdline.c _size_arg and libdm's
 * dm_size_to_string; our own code).
 */

export const SECTOR = 512;
export const KiB = 1024;
export const MiB = 1024 * KiB;

export type Sign = '' | '+' | '-';

export type SizeArg =
  | { readonly ok: true; readonly sectors: number; readonly sign: Sign; readonly percent?: PercentArg }
  | { readonly ok: false; readonly error: string };

export interface PercentArg {
  readonly value: number;
  readonly of: 'VG' | 'FREE' | 'PVS' | 'LV' | 'ORIGIN';
}

const KMGTPE = 'kmgtpe';

/** strtod's decimal or hexadecimal prefix of s (lvm2 hands size arguments to strtod). */
function strtodPrefix(s: string): string {
  const hex = /^0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?/.exec(s);
  if (hex) return hex[0];
  const dec = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(s);
  return dec ? dec[0] : '';
}

function strtod(text: string): number {
  if (/^0[xX]/.test(text)) {
    const m = /^0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)(?:[pP]([+-]?\d+))?$/.exec(text);
    if (!m) return NaN;
    const int = m[1] ? parseInt(m[1], 16) : 0;
    const frac = m[2] ? parseInt(m[2], 16) / 16 ** m[2].length : 0;
    return (int + frac) * 2 ** (m[3] ? Number(m[3]) : 0);
  }
  return Number(text);
}

/**
 * Parses a size option value (-L, -V, -I, ...) into 512-byte sectors the way lvm2 does:
 * optional sign, a number, then an optional unit among b s k m g t p e (either case,
 * all powers of 1024); without a unit the number is multiplied by defaultFactor
 * sectors (2048 for MiB). Only the first character after the number is looked at.
 * Byte sizes must be a multiple of 512. withPercent accepts "N%VG|FREE|PVS|ORIGIN".
 */
export function parseSizeArg(value: string, defaultFactor: number, withPercent = false): SizeArg {
  let val = value;
  let sign: Sign = '';
  if (val.startsWith('+') || val.startsWith('-')) {
    sign = val[0] as Sign;
    val = val.slice(1);
  }
  if (val.startsWith('+') || val.startsWith('-')) return { ok: false, error: 'Multiple sign symbols detected.' };
  if (!/^[0-9.]/.test(val)) return { ok: false, error: 'Size requires number argument.' };
  const num = strtodPrefix(val);
  if (num === '') return { ok: false, error: `Can't parse size argument at '${val[0] ?? ''}'.` };
  let v = strtod(num);
  const rest = val.slice(num.length);
  if (withPercent && rest.startsWith('%')) {
    const of = rest.slice(1).toUpperCase();
    const kinds = ['VG', 'FREE', 'PVS', 'LV', 'ORIGIN'] as const;
    const kind = kinds.find((k) => k === of);
    if (!kind) return { ok: false, error: 'Specified %s is unknown.' };
    return { ok: true, sectors: 0, sign, percent: { value: v, of: kind } };
  }
  if (rest.length > 0) {
    const unit = rest[0]!.toLowerCase();
    if (unit === 's') {
      // already sectors
    } else if (unit === 'b') {
      let bytes = Math.trunc(v);
      const adjustment = bytes % SECTOR;
      if (adjustment) {
        bytes += SECTOR - adjustment;
        return {
          ok: false,
          error: `Size is not a multiple of 512. Try using ${bytes - SECTOR} or ${bytes}.`,
        };
      }
      v /= SECTOR;
    } else {
      const i = KMGTPE.indexOf(unit);
      if (i < 0) return { ok: false, error: "Can't parse size argument." };
      v *= 2 * 1024 ** i;
    }
  } else {
    v *= defaultFactor;
  }
  if (!(v < 2 ** 64 / SECTOR)) return { ok: false, error: 'Size is too big (>=16EiB).' };
  return { ok: true, sectors: Math.trunc(v), sign };
}

const HUMAN_UNITS = ['EiB', 'PiB', 'TiB', 'GiB', 'MiB', 'KiB', 'B'];
const REPORT_UNITS = ['e', 'p', 't', 'g', 'm', 'k', 'b'];

function human(bytes: number, suffixes: readonly string[], space: boolean): string {
  let unit = 1024 ** 6;
  let s = 0;
  while (s < 7 && bytes < unit) {
    unit /= 1024;
    s++;
  }
  s = Math.min(s, 6);
  const isBytes = s === 6;
  const d = (100 * bytes) / unit;
  const prefix = Math.floor(d) !== Math.round(d) ? '<' : '';
  const text = (bytes / unit).toFixed(isBytes ? 0 : 2);
  return `${prefix}${text}${space ? ' ' : ''}${suffixes[s]}`;
}

/** A size as lvm2 prints it in messages (human units with a '<' when rounded up): "52.00 MiB", "<10.49 GiB". */
export function displaySize(bytes: number): string {
  if (bytes === 0) return '0   ';
  return human(bytes, HUMAN_UNITS, true);
}

/**
 * A size as lvm2 prints it in a report for --units U (default 'r') and --nosuffix.
 * Lower case units are powers of 1024, upper case of 1000 (except B and S).
 */
export function reportSize(bytes: number, units: string, nosuffix: boolean): string {
  const u = units.length > 0 ? units : 'r';
  const c = u[u.length - 1]!;
  const count = u.length > 1 ? Number(u.slice(0, -1)) || 1 : 1;
  if (c === 'h' || c === 'r' || c === 'H' || c === 'R') {
    if (bytes === 0) return '0';
    const text = human(bytes, REPORT_UNITS, false);
    const rounded = c === 'r' || c === 'R' ? text : text.replace(/^</, '');
    return nosuffix ? rounded.replace(/[a-z]$/, '') : rounded;
  }
  let factor: number;
  let suffix: string;
  if (c === 'b' || c === 'B') {
    factor = 1;
    suffix = 'B';
  } else if (c === 's' || c === 'S') {
    factor = SECTOR;
    suffix = 'S';
  } else {
    const i = KMGTPE.indexOf(c.toLowerCase());
    const si = c !== c.toLowerCase();
    factor = (si ? 1000 : 1024) ** (i + 1);
    suffix = c;
  }
  factor *= count;
  const precision = c === 'b' || c === 'B' || c === 's' || c === 'S' ? 0 : 2;
  const text = bytes === 0 ? '0' : (bytes / factor).toFixed(precision);
  return nosuffix ? text : `${text}${suffix}`;
}

/** lvm2's percent display: 2 decimals, never "0.00" for a non-zero value nor "100.00" below full. */
export function formatPercent(used: number, total: number): string {
  if (total <= 0) return '0.00';
  const p = (100 * used) / total;
  if (p > 0 && p < 0.01) return '0.01';
  if (p > 99.99 && p < 100) return '99.99';
  return p.toFixed(2);
}
