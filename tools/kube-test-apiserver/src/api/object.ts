/** Plain JSON Kubernetes objects, as the server stores and serves them. */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string | null;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: ManagedFieldsEntry[];
  [k: string]: unknown;
}

/** ObjectMeta's fields, in the order the real server writes them. */
export const OBJECT_META_FIELDS: readonly string[] = [
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
];

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: 'Apply' | 'Update';
  apiVersion?: string;
  time?: string;
  fieldsType?: 'FieldsV1';
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [k: string]: unknown;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A deep copy of a JSON value: what JSON.parse(JSON.stringify(v)) answers (undefined members
 * dropped, undefined list items and non-finite numbers as null, -0 as 0, toJSON honoured), by a walk
 * that is about seven times quicker for a LogicalVolume than the round trip, which every write
 * used to pay several times.
 */
export function deepClone<T>(v: T): T {
  return v === undefined ? v : (jsonCopy(v) as T);
}

function jsonCopy(v: unknown): unknown {
  // -0 + 0 is 0, as JSON writes it; NaN and the infinities are written as null
  if (typeof v === 'number') return Number.isFinite(v) ? v + 0 : null;
  if (typeof v !== 'object' || v === null) return v;
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return JSON.parse(JSON.stringify(v)) as unknown;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = isJsonless(v[i]) ? null : jsonCopy(v[i]);
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const x = (v as Record<string, unknown>)[k];
    if (isJsonless(x)) continue;
    // JSON.parse makes "__proto__" an own member; an assignment would set the prototype
    if (k === '__proto__') Object.defineProperty(out, k, { value: jsonCopy(x), enumerable: true, writable: true, configurable: true });
    else out[k] = jsonCopy(x);
  }
  return out;
}

/** Values JSON.stringify leaves out of an object (and writes as null in a list). */
function isJsonless(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}

/** Semantic equality of JSON values (key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (Array.isArray(b)) return false;
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  if (ak.length !== bk.length) return false;
  return ak.every((k) => Object.prototype.hasOwnProperty.call(bo, k) && deepEqual(ao[k], bo[k]));
}

/** RFC 3339 with second precision, as metav1.Time serialises. */
export function timestamp(date: Date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** RFC 3339 with microsecond precision, as metav1.MicroTime serialises. */
export function microTimestamp(date: Date = new Date()): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/** Reads a dotted path ("spec.nodeName") from an object. */
export function getPath(obj: unknown, path: readonly string[]): unknown {
  let cur: unknown = obj;
  for (const p of path) {
    if (!isPlainObject(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

/** metav1.Time as the server writes it: RFC 3339, seconds, UTC ("2025-01-02T03:04:05Z"). */
export function normalizeTime(v: unknown): unknown {
  if (typeof v !== 'string' || v === '') return v;
  const t = Date.parse(v);
  return Number.isNaN(t) ? v : timestamp(new Date(t));
}

/** metav1.MicroTime as the server writes it: six fractional digits, UTC ("2025-01-02T03:04:05.250000Z"). */
export function normalizeMicroTime(v: unknown): unknown {
  if (typeof v !== 'string' || v === '') return v;
  const m = /^(.*?)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)$/i.exec(v);
  const t = Date.parse(v);
  if (!m || Number.isNaN(t)) return v;
  const whole = timestamp(new Date(Math.floor(t / 1000) * 1000)).slice(0, -1);
  const frac = ((m[2] ?? '') + '000000').slice(0, 6);
  return `${whole}.${frac}Z`;
}

/** Rewrites the fields at dotted paths ("spec.renewTime", "status.conditions[].lastTransitionTime"). */
export function mapPaths(o: unknown, paths: readonly string[], fn: (v: unknown) => unknown): void {
  for (const p of paths) mapPath(o, p.split('.'), fn);
}

function mapPath(cur: unknown, parts: string[], fn: (v: unknown) => unknown): void {
  const [head, ...rest] = parts;
  if (head === undefined || !isPlainObject(cur)) return;
  if (head.endsWith('[]')) {
    const list = cur[head.slice(0, -2)];
    if (Array.isArray(list)) for (const item of list) mapPath(item, rest, fn);
    return;
  }
  if (rest.length === 0) {
    if (head in cur) cur[head] = fn(cur[head]);
    return;
  }
  mapPath(cur[head], rest, fn);
}
