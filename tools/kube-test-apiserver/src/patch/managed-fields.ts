/**
 * metadata.managedFields: decoding, encoding and the bookkeeping of every non-apply write, as the
 * apiserver's fieldmanager does it (k8s.io/apimachinery/pkg/util/managedfields/internal):
 *
 * - managers are identified by name, operation, subresource and, for Update, apiVersion;
 * - a write records as operation Update the fields it added or changed (taking them from other
 *   managers) and drops from everyone the fields it removed; its time is set only when it
 *   changed something;
 * - apiVersion, kind, metadata and metadata's system fields are never recorded;
 * - updates of an object with no managedFields stay untracked; creates are tracked;
 * - a request may set managedFields itself: [] or [{}] resets them, a valid list replaces
 *   them, an absent or invalid one keeps the stored ones; writes to a subresource always keep
 *   the stored ones;
 * - at most 10 Update entries: the oldest are merged into "ancient-changes".
 */
import { FieldSet, type Path } from './fieldpath';
import { isObject, type Json, type JsonObject } from './json';
import type { TypeNode } from './schema';
import { compare, validate, withZeroFields, type Comparison } from './typed';

/** metav1.ManagedFieldsEntry as it appears in metadata.managedFields. */
export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  /** RFC 3339, seconds, UTC: "2026-11-22T03:04:05Z". */
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: { [key: string]: Json };
  subresource?: string;
}

/** What every managed-fields computation needs to know about the request. */
export interface FieldManagerContext {
  /** The root type of the kind: builtinType(apiVersion, kind) or typeFromOpenAPIV3(crd schema). */
  readonly type: TypeNode;
  /** The group/version the request is served at, recorded in each entry: "v1", "storage.k8s.io/v1". */
  readonly apiVersion: string;
  readonly kind: string;
  /** "status" for writes through /status; absent for the main resource. */
  readonly subresource?: string;
  /** Paths the resource's strategy resets (resetFieldsFor): never owned by this write. */
  readonly resetFields?: readonly (readonly string[])[];
  /** The time recorded in entries this write touches. */
  readonly now: Date;
}

/** One manager's fields. */
export interface ManagerFields {
  /** The identity: name, operation, apiVersion (Update only), subresource. */
  readonly manager: string;
  readonly operation: 'Apply' | 'Update';
  readonly subresource?: string;
  apiVersion: string;
  set: FieldSet;
  time?: string;
}

/** All managers of an object, by identity (BuildManagerIdentifier's JSON). */
export type Managed = Map<string, ManagerFields>;

/** BuildManagerIdentifier: the JSON of the entry without fields, time, and (for Apply) apiVersion. */
export function managerIdentity(manager: string, operation: 'Apply' | 'Update', apiVersion: string, subresource?: string): string {
  const o: Record<string, string> = {};
  if (manager !== '') o.manager = manager;
  o.operation = operation;
  if (operation === 'Update' && apiVersion !== '') o.apiVersion = apiVersion;
  if (subresource !== undefined && subresource !== '') o.subresource = subresource;
  return JSON.stringify(o);
}

/** printManager: how a conflict names a manager: "kubectl", "kube-controller" using v1, ... */
export function printManager(identity: string): string {
  let e: { manager?: string; operation?: string; apiVersion?: string; subresource?: string };
  try {
    e = JSON.parse(identity) as typeof e;
  } catch {
    return JSON.stringify(identity);
  }
  let s = JSON.stringify(e.manager ?? '');
  if (e.subresource) s = `${s} with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') return `${s} using ${e.apiVersion ?? ''}`;
  return s;
}

/** metav1.Time as it is written: RFC 3339 in UTC, whole seconds. */
export function formatTime(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

export class ManagedFieldsError extends Error {}

/** DecodeManagedFields; throws ManagedFieldsError for an invalid list. */
export function decodeManagedFields(entries: Json | undefined): Managed {
  const managed: Managed = new Map();
  if (entries === undefined || entries === null) return managed;
  if (!Array.isArray(entries)) throw new ManagedFieldsError('managedFields must be a list');
  entries.forEach((raw, i) => {
    if (!isObject(raw)) throw new ManagedFieldsError(`managed fields entry ${i} must be an object`);
    const operation = raw.operation;
    if (operation !== 'Apply' && operation !== 'Update') throw new ManagedFieldsError('operation must be `Apply` or `Update`');
    const apiVersion = typeof raw.apiVersion === 'string' ? raw.apiVersion : '';
    if (apiVersion === '') throw new ManagedFieldsError('apiVersion must not be empty');
    const fieldsType = typeof raw.fieldsType === 'string' ? raw.fieldsType : '';
    if (fieldsType === '') throw new ManagedFieldsError(`missing fieldsType in managed fields entry ${i}`);
    if (fieldsType !== 'FieldsV1') throw new ManagedFieldsError(`invalid fieldsType ${JSON.stringify(fieldsType)} in managed fields entry ${i}`);
    const manager = typeof raw.manager === 'string' ? raw.manager : '';
    const subresource = typeof raw.subresource === 'string' && raw.subresource !== '' ? raw.subresource : undefined;
    let set: FieldSet;
    try {
      set = FieldSet.fromFieldsV1(raw.fieldsV1);
    } catch (e) {
      throw new ManagedFieldsError(`error decoding set: ${(e as Error).message}`);
    }
    let time: string | undefined;
    if (typeof raw.time === 'string') {
      time = normalizedTime(raw.time);
      if (time === undefined) throw new ManagedFieldsError(`invalid time ${JSON.stringify(raw.time)}`);
    }
    managed.set(managerIdentity(manager, operation, apiVersion, subresource), { manager, operation, subresource, apiVersion, set, time });
  });
  return managed;
}

/** The last times read: every write decodes the stored entries again, and they share a few times. */
const timesRead = new Map<string, string | undefined>();

/** An entry's time as it is written (formatTime), or undefined when it is not a time. */
function normalizedTime(text: string): string | undefined {
  if (timesRead.has(text)) return timesRead.get(text);
  const d = new Date(text);
  const out = Number.isNaN(d.getTime()) ? undefined : formatTime(d);
  if (timesRead.size >= 256) timesRead.clear();
  timesRead.set(text, out);
  return out;
}

const secondsOfTimes = new Map<string, number>();

function timeSeconds(t: string | undefined): number {
  if (t === undefined) return 0;
  let s = secondsOfTimes.get(t);
  if (s === undefined) {
    s = Math.floor(new Date(t).getTime() / 1000);
    if (secondsOfTimes.size >= 256) secondsOfTimes.clear();
    secondsOfTimes.set(t, s);
  }
  return s;
}

/** encodeManagedFields: the entries sorted as the apiserver sorts them; undefined when there are none. */
export function encodeManagedFields(managed: Managed): ManagedFieldsEntry[] | undefined {
  if (managed.size === 0) return undefined;
  const entries = [...managed.values()].map((m) => {
    const e: ManagedFieldsEntry = {
      manager: m.manager,
      operation: m.operation,
      apiVersion: m.apiVersion,
      ...(m.time !== undefined ? { time: m.time } : {}),
      fieldsType: 'FieldsV1',
      fieldsV1: m.set.toFieldsV1(),
      ...(m.subresource !== undefined ? { subresource: m.subresource } : {}),
    };
    if (e.manager === '') delete (e as Partial<ManagedFieldsEntry>).manager;
    return e;
  });
  entries.sort((p, q) => {
    if (p.operation !== q.operation) return p.operation < q.operation ? -1 : 1;
    const ps = timeSeconds(p.time);
    const qs = timeSeconds(q.time);
    if (ps !== qs) return ps - qs;
    const pm = p.manager ?? '';
    const qm = q.manager ?? '';
    if (pm !== qm) return pm < qm ? -1 : 1;
    if (p.apiVersion !== q.apiVersion) return p.apiVersion < q.apiVersion ? -1 : 1;
    const pr = p.subresource ?? '';
    const qr = q.subresource ?? '';
    return pr < qr ? -1 : pr > qr ? 1 : 0;
  });
  return entries;
}

/** Returns a copy of `obj` with metadata.managedFields set to the encoded managers (or removed). */
export function withManagedFields(obj: JsonObject, managed: Managed): JsonObject {
  const out: JsonObject = { ...obj };
  const metadata: JsonObject = isObject(out.metadata) ? { ...out.metadata } : {};
  const encoded = encodeManagedFields(managed);
  if (encoded === undefined) delete metadata.managedFields;
  else metadata.managedFields = encoded as unknown as Json;
  out.metadata = metadata;
  return out;
}

/** The fields no manager ever owns (stripMetaManager). */
const STRIPPED = FieldSet.of(
  [{ field: 'apiVersion' }],
  [{ field: 'kind' }],
  [{ field: 'metadata' }],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map(
    (f): Path => [{ field: 'metadata' }, { field: f }],
  ),
);

export function stripMeta(set: FieldSet): FieldSet {
  return set.difference(STRIPPED);
}

/** The reset fields as a set (their children are excluded with them). */
export function resetFieldSet(resetFields: readonly (readonly string[])[] | undefined): FieldSet {
  return FieldSet.of(...(resetFields ?? []).map((p) => p.map((field) => ({ field }))));
}

/** The empty typed object a create starts from (the zero value of the kind). */
export function emptyObject(ctx: FieldManagerContext): JsonObject {
  return withZeroFields({}, ctx.type) as JsonObject;
}

/** The comparison of two objects with the reset fields excluded, on typed (zero-filled) values. */
export function compareObjects(before: JsonObject, after: JsonObject, ctx: FieldManagerContext): Comparison {
  return compareTyped(withZeroFields(before, ctx.type), withZeroFields(after, ctx.type), ctx);
}

/** compareObjects of objects already zero-filled (withZeroFields). */
function compareTyped(before: Json, after: Json, ctx: FieldManagerContext): Comparison {
  const c = compare(before, after, ctx.type);
  const reset = resetFieldSet(ctx.resetFields);
  return {
    added: c.added.recursiveDifference(reset),
    modified: c.modified.recursiveDifference(reset),
    removed: c.removed.recursiveDifference(reset),
  };
}

/** A copy of `obj` without metadata.managedFields. */
export function withoutManagedFields(obj: JsonObject): JsonObject {
  if (!isObject(obj.metadata) || !Object.prototype.hasOwnProperty.call(obj.metadata, 'managedFields')) return obj;
  const metadata = { ...obj.metadata };
  delete metadata.managedFields;
  return { ...obj, metadata };
}

function managedFieldsOf(obj: JsonObject | undefined): Json | undefined {
  return obj !== undefined && isObject(obj.metadata) ? obj.metadata.managedFields : undefined;
}

function isReset(entries: Json | undefined): boolean {
  if (!Array.isArray(entries)) return false;
  if (entries.length === 0) return true;
  return entries.length === 1 && isObject(entries[0]) && Object.keys(entries[0]).length === 0;
}

function decodeOrEmpty(entries: Json | undefined): Managed {
  try {
    return decodeManagedFields(entries);
  } catch {
    return new Map();
  }
}

/** decodeLiveOrNew */
function decodeLiveOrNew(live: JsonObject | undefined, object: JsonObject, ignoreNew: boolean): Managed {
  if (ignoreNew) return decodeOrEmpty(managedFieldsOf(live));
  const fromNew = managedFieldsOf(object);
  if (isReset(fromNew)) return new Map();
  let managed: Managed | undefined;
  try {
    managed = decodeManagedFields(fromNew);
  } catch {
    managed = undefined;
  }
  if (managed === undefined || managed.size === 0) return decodeOrEmpty(managedFieldsOf(live));
  return managed;
}

const ANCIENT_CHANGES = 'ancient-changes';
const MAX_UPDATE_MANAGERS = 10;

/** capUpdateManagers: merges the oldest Update entries into "ancient-changes" past 10. */
export function capUpdateManagers(managed: Managed): void {
  const updaters = [...managed.entries()].filter(([, m]) => m.operation === 'Update').map(([id]) => id);
  if (updaters.length <= MAX_UPDATE_MANAGERS) return;
  updaters.sort((a, b) => {
    const ta = timeSeconds(managed.get(a)!.time);
    const tb = timeSeconds(managed.get(b)!.time);
    if (ta !== tb) return ta - tb;
    return a < b ? -1 : a > b ? 1 : 0;
  });
  const firstByVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > MAX_UPDATE_MANAGERS; i++) {
    const id = updaters[i]!;
    const m = managed.get(id)!;
    const bucket = managerIdentity(ANCIENT_CHANGES, 'Update', m.apiVersion);
    const first = firstByVersion.get(m.apiVersion);
    if (first === undefined) {
      firstByVersion.set(m.apiVersion, id);
      continue;
    }
    if (!managed.has(bucket)) {
      const f = managed.get(first)!;
      managed.delete(first);
      managed.set(bucket, { ...f, manager: ANCIENT_CHANGES, operation: 'Update', subresource: undefined });
    }
    const b = managed.get(bucket)!;
    managed.set(bucket, { ...b, set: m.set.union(b.set), apiVersion: m.apiVersion, time: m.time });
    managed.delete(id);
    length--;
  }
}

/**
 * Updater.update: the comparison live -> next takes `changedBy`'s changes away from every other
 * manager (conflicts, when forced) and the removed fields from everyone. Returns the conflicts
 * per manager when not forced.
 */
export function takeOwnership(
  managed: Managed,
  comparison: Comparison,
  changedBy: string,
  force: boolean,
): Map<string, FieldSet> | undefined {
  const conflicts = new Map<string, FieldSet>();
  const changed = comparison.modified.union(comparison.added);
  for (const [id, m] of managed) {
    if (id === changedBy) continue;
    const c = m.set.intersection(changed);
    if (!c.empty()) conflicts.set(id, c);
  }
  if (!force && conflicts.size > 0) return conflicts;
  for (const [id, c] of conflicts) {
    const m = managed.get(id)!;
    m.set = m.set.difference(c);
  }
  if (!comparison.removed.empty()) {
    for (const [id, m] of managed) {
      if (id === changedBy) continue;
      m.set = m.set.difference(comparison.removed);
    }
  }
  for (const [id, m] of [...managed]) if (m.set.empty()) managed.delete(id);
  return undefined;
}

export interface UpdateManagedFieldsInput extends FieldManagerContext {
  /** The stored object before the write; undefined for a create. */
  readonly live: JsonObject | undefined;
  /**
   * The object about to be stored (after patching, or the request body of a create/update).
   * Its metadata.managedFields, when the client sent some, are honoured as the apiserver does:
   * [] (or [{}]) resets them, a valid list replaces them, absent or invalid keeps live's.
   */
  readonly object: JsonObject;
  /** fieldManagerFor(query fieldManager, User-Agent); "" is recorded as "unknown". */
  readonly manager: string;
}

/**
 * Returns `object` with metadata.managedFields updated for a non-apply write (operation
 * Update): the manager takes ownership of every field it added or changed (taking it from
 * other managers), loses fields it removed, and its entry's time is `now` when it changed
 * anything. Objects whose managedFields are empty on update stay untracked, as on the
 * apiserver; creates are always tracked. At most 10 Update entries are kept; older ones are
 * merged into one "ancient-changes" entry. Never throws: like UpdateNoErrors, an object that
 * does not fit its type keeps the stored managedFields.
 */
export function updateManagedFields(input: UpdateManagedFieldsInput): JsonObject {
  const isSubresource = input.subresource !== undefined && input.subresource !== '';
  const managed = decodeLiveOrNew(input.live, input.object, isSubresource);
  const next = withoutManagedFields(input.object);
  const isCreate = input.live === undefined || !isObject(input.live.metadata) || !input.live.metadata.uid;
  if (managed.size === 0 && !isCreate) return withManagedFields(next, managed);

  const live = input.live === undefined ? emptyObject(input) : withoutManagedFields(input.live);
  const typedNext = withZeroFields(next, input.type);
  if (validate(typedNext, input.type, true).length > 0) {
    return withManagedFields(next, decodeOrEmpty(managedFieldsOf(input.live)));
  }
  const comparison = compareTyped(withZeroFields(live, input.type), typedNext, input);
  const manager = input.manager === '' ? 'unknown' : input.manager;
  const id = managerIdentity(manager, 'Update', input.apiVersion, input.subresource);
  takeOwnership(managed, comparison, '', true);
  const owned = stripMeta(comparison.modified.union(comparison.added));
  if (!owned.empty()) {
    const previous = managed.get(id);
    managed.set(id, {
      manager,
      operation: 'Update',
      subresource: isSubresource ? input.subresource : undefined,
      apiVersion: input.apiVersion,
      set: previous ? owned.union(previous.set) : owned,
      time: formatTime(input.now),
    });
  }
  capUpdateManagers(managed);
  return withManagedFields(next, managed);
}
