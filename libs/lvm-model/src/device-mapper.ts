/**
 * Device-mapper's view of a thin pool, as `dmsetup` prints it (LC_ALL=C) and as the
 * kernel's block layer counts its I/O (/sys/dev/block/MAJ:MIN/stat). Pure parsing:
 * the command layer (libs/lvm-exec) runs dmsetup, lvmd-http reads the stat files.
 *
 * The thin-pool status line is the kernel's (Documentation/admin-guide/device-mapper/
 * thin-provisioning.rst, drivers/md/dm-thin.c pool_status()):
 *
 *   <start> <length> thin-pool <transaction id> <used metadata blocks>/<total metadata blocks>
 *     <used data blocks>/<total data blocks> <held metadata root> ro|rw|out_of_data_space
 *     [no_]discard_passdown [error|queue]_if_no_space needs_check|- [<metadata low watermark>]
 *
 * or the single word "Fail" (the pool failed) or "Error" (its metadata could not be read).
 * Fixtures captured from the kernel 6.1 test node are in fixtures/dmsetup/.
 */
import { dmName } from './names';

export class DmParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DmParseError';
  }
}

/** Bytes in a thin pool metadata block (dm-thin's THIN_METADATA_BLOCK_SIZE). */
export const THIN_METADATA_BLOCK_BYTES = 4096;
const SECTOR = 512;

/** The device carrying a thin pool's target once thin volumes use it (lvm2 stacks the pool's own device on it). */
export function thinPoolDmName(vg: string, pool: string): string {
  return `${dmName(vg, pool)}-tpool`;
}

/**
 * Where a thin pool's target may be: VG-POOL-tpool once a thin volume has used the pool
 * (lvm2 then stacks VG-POOL, a linear device, on it), VG-POOL itself while none has since
 * the pool was activated (the test node: `dmsetup table` shows VG-POOL as thin-pool right
 * after `lvcreate -T`, and VG-POOL-tpool once `lvcreate -T ... -V` made a thin volume).
 */
export function thinPoolDmNames(vg: string, pool: string): [string, string] {
  return [thinPoolDmName(vg, pool), dmName(vg, pool)];
}

/** The hidden metadata LV of a thin pool: every commit writes it. */
export function thinPoolMetadataDmName(vg: string, pool: string): string {
  return dmName(vg, `${pool}_tmeta`);
}

/** What `dmsetup info` (and `status -v`) say of a device. */
export interface DmDeviceInfo {
  readonly name: string;
  /** ACTIVE or SUSPENDED */
  readonly state: string;
  /** The kernel's event counter: raised on the pool's low-water mark, out of space, mode changes. */
  readonly eventNumber: number;
  readonly major: number;
  readonly minor: number;
  readonly openCount: number;
}

export interface DmTargetLine {
  readonly startSector: number;
  readonly lengthSectors: number;
  readonly targetType: string;
  readonly params: string;
}

export type ThinPoolMode = 'rw' | 'ro' | 'out_of_data_space';

export type ThinPoolStatus =
  | {
      readonly kind: 'ok';
      readonly lengthSectors: number;
      readonly transactionId: number;
      readonly metadataUsedBlocks: number;
      readonly metadataTotalBlocks: number;
      readonly dataUsedBlocks: number;
      readonly dataTotalBlocks: number;
      /** The pool's data block (chunk) size, from its length and block count. */
      readonly dataBlockBytes: number;
      readonly mode: ThinPoolMode;
      readonly discardPassdown: boolean;
      /** error_if_no_space: out of data space fails writes at once instead of queueing them. */
      readonly errorIfNoSpace: boolean;
      readonly needsCheck: boolean;
      /** Metadata blocks free below which the kernel raises an event (kernels since 4.x print it). */
      readonly metadataLowWatermark?: number;
    }
  /** "Fail": the pool failed; every I/O fails. */
  | { readonly kind: 'failed' }
  /** "Error": the kernel could not read the pool's metadata to report its status. */
  | { readonly kind: 'error' };

/** `dmsetup status -v NAME` of a one-target device: its info block and its status line. */
export interface DmStatusVerbose {
  readonly info: DmDeviceInfo;
  readonly targets: DmTargetLine[];
}

function wholeNumber(text: string | undefined, what: string): number {
  if (text === undefined || !/^\d+$/.test(text)) throw new DmParseError(`${what} is not a whole number: ${JSON.stringify(text)}`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new DmParseError(`${what} is too large: ${text}`);
  return n;
}

/** One target line of `dmsetup status` or `table`: "<start> <length> <type> <params...>". */
export function parseDmTargetLine(line: string): DmTargetLine {
  const m = /^\s*(\d+)\s+(\d+)\s+(\S+)\s?(.*?)\s*$/.exec(line);
  if (!m) throw new DmParseError(`not a device-mapper target line: ${JSON.stringify(line)}`);
  return {
    startSector: wholeNumber(m[1], 'start sector'),
    lengthSectors: wholeNumber(m[2], 'length'),
    targetType: m[3] as string,
    params: m[4] as string,
  };
}

/**
 * Output of `dmsetup status -v NAME`: "Key: value" lines (Name, State, Open count, Event
 * number, "Major, minor"), a blank line, then one line per target.
 */
export function parseDmStatusVerbose(stdout: string): DmStatusVerbose {
  const lines = stdout.split('\n');
  const fields = new Map<string, string>();
  let i = 0;
  for (; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === '') break;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new DmParseError(`dmsetup status -v: expected "Key: value", got ${JSON.stringify(line)}`);
    fields.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  const field = (key: string): string => {
    const v = fields.get(key);
    if (v === undefined) throw new DmParseError(`dmsetup status -v: no "${key}" line`);
    return v;
  };
  const majorMinor = /^(\d+),\s*(\d+)$/.exec(field('Major, minor'));
  if (!majorMinor) throw new DmParseError(`dmsetup status -v: "Major, minor" is not "M, m": ${field('Major, minor')}`);
  const info: DmDeviceInfo = {
    name: field('Name'),
    state: field('State'),
    eventNumber: wholeNumber(field('Event number'), 'Event number'),
    major: wholeNumber(majorMinor[1], 'major'),
    minor: wholeNumber(majorMinor[2], 'minor'),
    openCount: wholeNumber(field('Open count'), 'Open count'),
  };
  const targets = lines
    .slice(i)
    .filter((l) => l.trim() !== '')
    .map(parseDmTargetLine);
  return { info, targets };
}

function fraction(text: string | undefined, what: string): [number, number] {
  const m = text === undefined ? null : /^(\d+)\/(\d+)$/.exec(text);
  if (!m) throw new DmParseError(`thin-pool status: ${what} is not used/total: ${JSON.stringify(text)}`);
  return [wholeNumber(m[1], what), wholeNumber(m[2], what)];
}

/** A thin-pool target's status (the line's params after "thin-pool"), with the line's length. */
export function parseThinPoolStatus(target: DmTargetLine): ThinPoolStatus {
  if (target.targetType !== 'thin-pool') throw new DmParseError(`not a thin-pool target: ${target.targetType}`);
  const words = target.params.split(/\s+/).filter((w) => w !== '');
  if (words[0] === 'Fail') return { kind: 'failed' };
  if (words[0] === 'Error') return { kind: 'error' };
  if (words.length < 8) throw new DmParseError(`thin-pool status has ${words.length} fields, expected at least 8: ${target.params}`);
  const [transaction, meta, data, , mode, discard, noSpace, check, lowWatermark] = words;
  const [metadataUsedBlocks, metadataTotalBlocks] = fraction(meta, 'metadata blocks');
  const [dataUsedBlocks, dataTotalBlocks] = fraction(data, 'data blocks');
  if (mode !== 'rw' && mode !== 'ro' && mode !== 'out_of_data_space') {
    throw new DmParseError(`thin-pool status: unknown mode ${JSON.stringify(mode)}`);
  }
  if (noSpace !== 'error_if_no_space' && noSpace !== 'queue_if_no_space') {
    throw new DmParseError(`thin-pool status: unknown no-space policy ${JSON.stringify(noSpace)}`);
  }
  if (dataTotalBlocks === 0) throw new DmParseError('thin-pool status: the pool has no data blocks');
  return {
    kind: 'ok',
    lengthSectors: target.lengthSectors,
    transactionId: wholeNumber(transaction, 'transaction id'),
    metadataUsedBlocks,
    metadataTotalBlocks,
    dataUsedBlocks,
    dataTotalBlocks,
    dataBlockBytes: Math.round((target.lengthSectors * SECTOR) / dataTotalBlocks),
    mode,
    discardPassdown: discard === 'discard_passdown',
    errorIfNoSpace: noSpace === 'error_if_no_space',
    needsCheck: check === 'needs_check',
    ...(lowWatermark !== undefined && /^\d+$/.test(lowWatermark) ? { metadataLowWatermark: Number(lowWatermark) } : {}),
  };
}

/**
 * A percentage as lvm2 reports it (dm_make_percent, two decimals): 0 and 100 only when
 * exactly empty or full, so a nearly full pool reads 99.99 and a barely used one 0.01.
 */
export function lvmPercent(used: number, total: number): number {
  if (total <= 0) return 100;
  if (used <= 0) return 0;
  if (used >= total) return 100;
  const p = (100 * used) / total;
  if (p < 0.01) return 0.01;
  if (p > 99.99) return 99.99;
  return Number(p.toFixed(2));
}

/** The counters of /sys/block/DEV/stat that say whether a device was written or discarded. */
export interface BlockIoCounters {
  readonly writeIos: number;
  readonly writeSectors: number;
  readonly discardIos: number;
  readonly discardSectors: number;
  readonly inFlight: number;
}

/**
 * One line of /sys/dev/block/MAJ:MIN/stat (Documentation/block/stat.rst): 11 fields, 15
 * since kernel 4.18 (discards), 17 since 5.5 (flushes). Counters are in I/Os and sectors.
 */
export function parseBlockStat(text: string): BlockIoCounters {
  const f = text.trim().split(/\s+/);
  if (f.length < 11 || !f.every((x) => /^\d+$/.test(x))) throw new DmParseError(`not a block stat line: ${JSON.stringify(text)}`);
  const n = (i: number) => (i < f.length ? Number(f[i]) : 0);
  return { writeIos: n(4), writeSectors: n(6), inFlight: n(8), discardIos: n(11), discardSectors: n(13) };
}

/** True when the device was written or discarded between two readings. */
export function blockIoMoved(a: BlockIoCounters, b: BlockIoCounters): boolean {
  return a.writeIos !== b.writeIos || a.writeSectors !== b.writeSectors || a.discardIos !== b.discardIos || a.discardSectors !== b.discardSectors;
}
