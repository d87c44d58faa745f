/**
 * lvm2 JSON reports, as printed by `lvs|vgs|lvm fullreport --reportformat json --units b
 * --nosuffix -o ...`: {"report": [{"lv": [{field: "string", ...}]}]}. Every value is a
 * string; sizes are whole bytes; empty strings stand for "none" (origin, pool_lv,
 * data_percent of an inactive LV). Anything else throws ReportParseError naming the row
 * and the field, so a changed lvm2 or a forgotten --units b fails loudly.
 */
import { decodeLvAttr, type LvAttr } from './attr';

/** The -o list to ask lvs for; parseLvsReport requires every one of them. */
export const LVS_FIELDS: readonly string[] = [
  'lv_uuid',
  'lv_name',
  'lv_full_name',
  'lv_path',
  'lv_size',
  'lv_kernel_major',
  'lv_kernel_minor',
  'origin',
  'origin_size',
  'pool_lv',
  'lv_tags',
  'lv_attr',
  'vg_name',
  'data_percent',
  'metadata_percent',
];

/** The -o list to ask vgs for; parseVgsReport requires every one of them. */
export const VGS_FIELDS: readonly string[] = [
  'vg_uuid',
  'vg_name',
  'vg_size',
  'vg_free',
  'vg_extent_size',
  'vg_extent_count',
  'vg_free_count',
];

export interface LvRecord {
  readonly uuid: string;
  readonly name: string;
  /** "vg/lv" */
  readonly fullName: string;
  /** "/dev/vg/lv"; "" for LVs without a device node (thin pools). */
  readonly path: string;
  /** Virtual size for thin volumes, data size for pools. */
  readonly sizeBytes: number;
  /** -1 when the LV is not active. */
  readonly kernelMajor: number;
  readonly kernelMinor: number;
  /** Name of the LV this one is a snapshot of; "" when none (or when the origin was removed). */
  readonly origin: string;
  /** Thin pool holding this LV; "" for thick LVs and pools. */
  readonly poolLv: string;
  readonly tags: string[];
  readonly attr: LvAttr;
  readonly vgName: string;
  /** Percentage of the pool (thin pool) or virtual size (thin LV) written; absent when inactive or thick. */
  readonly dataPercent?: number;
  /** Thin pools only. */
  readonly metadataPercent?: number;
}

export interface VgRecord {
  readonly uuid: string;
  readonly name: string;
  readonly sizeBytes: number;
  readonly freeBytes: number;
  readonly extentSizeBytes: number;
  readonly extentCount: number;
  readonly freeCount: number;
}

/** One volume group of an `lvm fullreport`, with its LVs. */
export interface FullReportVg {
  readonly vg: VgRecord;
  readonly lvs: LvRecord[];
}

export class ReportParseError extends Error {
  constructor(
    message: string,
    /** The report field at fault, when one is. */
    readonly field?: string,
    /** Zero-based row within the report section, when one is. */
    readonly row?: number,
  ) {
    super(message);
    this.name = 'ReportParseError';
  }
}

type Row = Record<string, unknown>;

/** Reads one row's fields, each error naming where it is. */
class RowReader {
  constructor(
    private readonly what: string,
    private readonly row: Row,
    private readonly index: number,
  ) {}

  private fail(field: string, problem: string): never {
    const name = typeof this.row['lv_name'] === 'string' ? ` (lv_name "${this.row['lv_name']}")` : '';
    const vg = !name && typeof this.row['vg_name'] === 'string' ? ` (vg_name "${this.row['vg_name']}")` : '';
    throw new ReportParseError(`${this.what} row ${this.index}${name}${vg}: field ${field} ${problem}`, field, this.index);
  }

  /** Fails naming every field of `fields` the row lacks. */
  requireAll(fields: readonly string[]): void {
    const missing = fields.filter((f) => !Object.prototype.hasOwnProperty.call(this.row, f));
    if (missing.length === 1) this.fail(missing[0] as string, 'is missing');
    if (missing.length > 1) {
      this.fail(missing[0] as string, `is missing (so are ${missing.slice(1).join(', ')})`);
    }
  }

  string(field: string): string {
    if (!Object.prototype.hasOwnProperty.call(this.row, field)) this.fail(field, 'is missing');
    const value = this.row[field];
    if (typeof value !== 'string') this.fail(field, `is not a string: ${JSON.stringify(value)}`);
    return value;
  }

  /** A whole number of bytes or a count. */
  count(field: string): number {
    const text = this.string(field);
    if (!/^\d+$/.test(text)) this.fail(field, `is not a whole number: "${text}" (was --units b --nosuffix given?)`);
    const n = Number(text);
    if (!Number.isSafeInteger(n)) this.fail(field, `exceeds Number.MAX_SAFE_INTEGER: "${text}"`);
    return n;
  }

  /** A device number, -1 when inactive. */
  deviceNumber(field: string): number {
    const text = this.string(field);
    if (!/^(-1|\d+)$/.test(text)) this.fail(field, `is not a device number: "${text}"`);
    return Number(text);
  }

  /** A percentage such as "11.04", or undefined for "". */
  percent(field: string): number | undefined {
    const text = this.string(field);
    if (text === '') return undefined;
    if (!/^\d+(\.\d+)?$/.test(text)) this.fail(field, `is not a percentage: "${text}"`);
    return Number(text);
  }

  attr(field: string): LvAttr {
    const text = this.string(field);
    try {
      return decodeLvAttr(text);
    } catch (e) {
      this.fail(field, (e as Error).message);
    }
  }
}

function parseJson(what: string, stdout: string): unknown {
  try {
    return JSON.parse(stdout);
  } catch (e) {
    throw new ReportParseError(`${what} output is not JSON: ${(e as Error).message}`);
  }
}

/** The report[] entries of a JSON report. */
function reportEntries(what: string, stdout: string): Row[] {
  const doc = parseJson(what, stdout);
  const report = isObject(doc) ? doc['report'] : undefined;
  if (!Array.isArray(report)) throw new ReportParseError(`${what} output has no "report" array`, 'report');
  return report.map((entry, i) => {
    if (!isObject(entry)) throw new ReportParseError(`${what} report[${i}] is not an object`, 'report');
    return entry;
  });
}

/** The rows of one section ("lv", "vg") of a report entry. */
function section(what: string, entry: Row, name: string): Row[] {
  const rows = entry[name];
  if (!Array.isArray(rows)) throw new ReportParseError(`${what} output has no "${name}" array`, name);
  return rows.map((row, i) => {
    if (!isObject(row)) throw new ReportParseError(`${what} row ${i} is not an object`, name, i);
    return row;
  });
}

function isObject(v: unknown): v is Row {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function lvFromRow(what: string, row: Row, index: number, vgNameOverride?: string): LvRecord {
  const r = new RowReader(what, row, index);
  r.requireAll(vgNameOverride === undefined ? LVS_FIELDS : LVS_FIELDS.filter((f) => f !== 'vg_name'));
  const tags = r.string('lv_tags');
  const record: {
    -readonly [K in keyof LvRecord]: LvRecord[K];
  } = {
    uuid: r.string('lv_uuid'),
    name: r.string('lv_name'),
    fullName: r.string('lv_full_name'),
    path: r.string('lv_path'),
    sizeBytes: r.count('lv_size'),
    kernelMajor: r.deviceNumber('lv_kernel_major'),
    kernelMinor: r.deviceNumber('lv_kernel_minor'),
    origin: r.string('origin'),
    poolLv: r.string('pool_lv'),
    tags: tags === '' ? [] : tags.split(','),
    attr: r.attr('lv_attr'),
    vgName: vgNameOverride ?? r.string('vg_name'),
  };
  // asked for and checked, not kept: thin snapshots report "" here
  r.string('origin_size');
  const dataPercent = r.percent('data_percent');
  const metadataPercent = r.percent('metadata_percent');
  if (dataPercent !== undefined) record.dataPercent = dataPercent;
  if (metadataPercent !== undefined) record.metadataPercent = metadataPercent;
  if (record.name === '') throw new ReportParseError(`${what} row ${index}: field lv_name is empty`, 'lv_name', index);
  return record;
}

function vgFromRow(what: string, row: Row, index: number): VgRecord {
  const r = new RowReader(what, row, index);
  r.requireAll(VGS_FIELDS);
  const record: VgRecord = {
    uuid: r.string('vg_uuid'),
    name: r.string('vg_name'),
    sizeBytes: r.count('vg_size'),
    freeBytes: r.count('vg_free'),
    extentSizeBytes: r.count('vg_extent_size'),
    extentCount: r.count('vg_extent_count'),
    freeCount: r.count('vg_free_count'),
  };
  if (record.name === '') throw new ReportParseError(`${what} row ${index}: field vg_name is empty`, 'vg_name', index);
  return record;
}

/** Output of `lvs -o <LVS_FIELDS> --units b --nosuffix --reportformat json`. */
export function parseLvsReport(stdout: string): LvRecord[] {
  const what = 'lvs';
  return reportEntries(what, stdout).flatMap((entry) =>
    section(what, entry, 'lv').map((row, i) => lvFromRow(what, row, i)),
  );
}

/** Output of `vgs -o <VGS_FIELDS> --units b --nosuffix --reportformat json`. */
export function parseVgsReport(stdout: string): VgRecord[] {
  const what = 'vgs';
  return reportEntries(what, stdout).flatMap((entry) =>
    section(what, entry, 'vg').map((row, i) => vgFromRow(what, row, i)),
  );
}

/**
 * Output of `lvm fullreport --units b --nosuffix --reportformat json`: one report entry
 * per VG. Its LV rows carry no vg_name; each LV takes the name of the VG it is listed under.
 */
export function parseFullReport(stdout: string): FullReportVg[] {
  const what = 'fullreport';
  return reportEntries(what, stdout).map((entry, i) => {
    const vgRows = section(what, entry, 'vg');
    if (vgRows.length !== 1) {
      throw new ReportParseError(`${what} report[${i}] has ${vgRows.length} vg rows, expected 1`, 'vg', i);
    }
    const vg = vgFromRow(`${what} vg`, vgRows[0] as Row, 0);
    const lvs = section(what, entry, 'lv').map((row, j) => lvFromRow(`${what} lv`, row, j, vg.name));
    return { vg, lvs };
  });
}
