/**
 * What lvs and vgs share: which fields to print (-o, with lvm2's
 * "lv_"/"vg_" prefixes optional), sorting (-O) and the JSON output.
 */
import { LVM_EXIT } from '@copse/lvm-model';
import { has, opt, type ParsedArgs } from '../options';
import { Exit, type Output } from '../output';
import { renderJsonReport, type ReportRow } from './json';

/** How sizes are printed: --units and --nosuffix. */
export interface ReportContext {
  readonly units: string;
  readonly nosuffix: boolean;
}

/** A row's fields by id, each computed when printed or sorted on. */
export type FieldValues = Record<string, () => string>;

export interface Row<T> {
  readonly values: FieldValues;
  readonly item: T;
}

/** The fields -o asks for (resolved to their ids) and the size format; prints lvm2's errors. */
export function reportSetup(
  a: ParsedArgs,
  defaults: string,
  prefix: string,
  fields: Record<string, unknown>,
  out: Output,
): { names: string[]; ctx: ReportContext } {
  const format = opt(a, 'reportformat');
  if (format !== 'json') {
    out.error(`The simulated lvm2 reports only with --reportformat json.`);
    throw new Exit(LVM_EXIT.INVALID_PARAMETERS);
  }
  let names: string[] = defaults.split(',');
  for (const o of a.options.get('options') ?? []) {
    if (o.startsWith('+')) names = [...names, ...o.slice(1).split(',')];
    else names = o.split(',');
  }
  const resolved: string[] = [];
  for (const raw of names) {
    const f = raw.trim();
    if (f === '') continue;
    const id = f in fields ? f : `${prefix}${f}` in fields ? `${prefix}${f}` : undefined;
    if (!id) {
      out.error(`Unrecognised field: ${f}`);
      throw new Exit(LVM_EXIT.FAILED);
    }
    resolved.push(id);
  }
  return { names: resolved, ctx: { units: opt(a, 'units') ?? 'r', nosuffix: has(a, 'nosuffix') } };
}

/** The -O keys (or the defaults) as field ids with an optional leading "-". */
export function sortKeys(a: ParsedArgs, defaults: string, prefix: string, fields: Record<string, unknown>): string[] {
  const given = a.options.get('sort');
  const list = given ? given.join(',').split(',') : defaults.split(',');
  return list
    .filter((k) => k !== '')
    .map((k) => {
      const bare = k.replace(/^[+-]/, '');
      const sign = k.startsWith('-') ? '-' : '';
      return bare in fields ? `${sign}${bare}` : `${sign}${prefix}${bare}`;
    });
}

/** Sorts rows by the keys: numbers as numbers, the rest as strings. */
export function sortRows<T>(rows: Row<T>[], sort: string[]): void {
  const keys = sort.map((k) => (k.startsWith('-') ? { id: k.slice(1), dir: -1 } : { id: k.replace(/^\+/, ''), dir: 1 }));
  rows.sort((x, y) => {
    for (const { id, dir } of keys) {
      const a = x.values[id]?.() ?? '';
      const b = y.values[id]?.() ?? '';
      const na = Number(a);
      const nb = Number(b);
      const c = a !== '' && b !== '' && !Number.isNaN(na) && !Number.isNaN(nb) ? na - nb : a < b ? -1 : a > b ? 1 : 0;
      if (c !== 0) return c * dir;
    }
    return 0;
  });
}

/** Prints the rows' named fields as lvm2's JSON report of this kind ("lv", "vg"). */
export function printReport<T>(kind: string, rows: readonly Row<T>[], names: readonly string[], out: Output): void {
  out.rawOut(renderJsonReport(kind, rows.map((r) => names.map((n) => [n, r.values[n]!()] as const) as ReportRow)));
}
