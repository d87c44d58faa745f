/**
 * The operations structured-merge-diff performs on typed values, over plain JSON and TypeNode:
 * the set of fields a value sets (toFieldSet), the difference between two values (compare),
 * merging an applied configuration into an object (merge), removing a set of fields
 * (removeItems), and checking a value against its type (validate).
 *
 * `undefined` stands for an absent value (Go's nil value.Value); `null` is JSON null.
 */
import { FieldSet, keyElement, pathString, type Path, type PathElement } from './fieldpath';
import { deepEqual, isObject, type Json, type JsonObject } from './json';
import { effectiveType, fieldType, isNamedField, UNTYPED, type ListType, type MapType, type TypeNode } from './schema';

type V = Json | undefined;

type Atom = { kind: 'scalar' } | { kind: 'map'; t: MapType } | { kind: 'list'; t: ListType };

function atom(t: TypeNode, v: V): Atom {
  const e = effectiveType(t, v);
  if (e.kind === 'map') return { kind: 'map', t: e };
  if (e.kind === 'list') return { kind: 'list', t: e };
  return { kind: 'scalar' };
}

function sameAtom(a: Atom, b: Atom): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'scalar') return true;
  return (a as { t: TypeNode }).t === (b as { t: TypeNode }).t;
}

/** listItemToPathElement: the key of a list item, or an error text. */
export function listItemPathElement(t: ListType, item: Json): PathElement | string {
  if (t.listType === 'atomic') return 'invalid indexing of non-associative list';
  const keys = t.listType === 'map' ? (t.keys ?? []) : [];
  if (keys.length > 0) {
    if (item === null) return 'associative list with keys may not have a null element';
    if (!isObject(item)) return 'associative list with keys may not have non-map elements';
    const fields: Record<string, Json> = {};
    const defaults = t.items.kind === 'map' ? t.items.defaults : undefined;
    for (const k of keys) {
      if (Object.prototype.hasOwnProperty.call(item, k)) fields[k] = item[k]!;
      else if (defaults !== undefined && defaults[k] !== undefined) fields[k] = defaults[k]!;
    }
    if (Object.keys(fields).length === 0) {
      return `associative list with keys has an element that omits all key fields ${goQuotedList(keys)} (and doesn't have default values for any key fields)`;
    }
    return keyElement(fields);
  }
  if (isObject(item)) return "associative list without keys has an element that's a map type";
  if (Array.isArray(item)) return 'not supported: associative list with lists as elements';
  if (item === null) return "associative list without keys has an element that's an explicit null";
  return { value: item };
}

function goQuotedList(keys: readonly string[]): string {
  return `[${keys.map((k) => JSON.stringify(k)).join(' ')}]`;
}

function peKey(pe: PathElement): string {
  return JSON.stringify(pe);
}

function asList(v: V): Json[] | undefined {
  return Array.isArray(v) ? v : undefined;
}

function asMap(v: V): JsonObject | undefined {
  return isObject(v) ? v : undefined;
}

// ---------------------------------------------------------------------------------------------
// toFieldSet

/** TypedValue.ToFieldSet: every leaf, every list item, every map key that is not a named field. */
export function toFieldSet(v: Json, t: TypeNode): FieldSet {
  const set = new FieldSet();
  fieldSetWalk(v, t, [], set);
  return set;
}

function fieldSetWalk(v: Json, t: TypeNode, path: Path, set: FieldSet): void {
  const a = atom(t, v);
  if (a.kind === 'scalar') {
    set.insert(path);
    return;
  }
  if (a.kind === 'list') {
    if (a.t.listType === 'atomic') {
      set.insert(path);
      return;
    }
    const list = asList(v);
    if (list === undefined) return;
    const pes = list.map((item) => listItemPathElement(a.t, item));
    const seen = new Set<string>();
    const dups = new Set<string>();
    for (const pe of pes) {
      if (typeof pe === 'string') continue;
      const k = peKey(pe);
      if (seen.has(k)) {
        if (!dups.has(k)) {
          set.insert([...path, pe]);
          dups.add(k);
        }
      } else seen.add(k);
    }
    list.forEach((item, i) => {
      const pe = pes[i]!;
      if (typeof pe === 'string' || dups.has(peKey(pe))) return;
      fieldSetWalk(item, a.t.items, [...path, pe], set);
      set.insert([...path, pe]);
    });
    return;
  }
  if (a.t.atomic) {
    set.insert(path);
    return;
  }
  const m = asMap(v);
  if (m === undefined) return;
  for (const [k, val] of Object.entries(m)) {
    const p = [...path, { field: k }];
    fieldSetWalk(val, fieldType(a.t, k), p, set);
    if (val === null || (isObject(val) && Object.keys(val).length === 0)) set.insert(p);
    else if (!isNamedField(a.t, k)) set.insert(p);
  }
}

// ---------------------------------------------------------------------------------------------
// compare

export interface Comparison {
  readonly added: FieldSet;
  readonly modified: FieldSet;
  readonly removed: FieldSet;
}

/** TypedValue.Compare: the fields added, modified and removed going from lhs to rhs. */
export function compare(lhs: V, rhs: V, t: TypeNode): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  compareWalk(lhs, rhs, t, [], c);
  return c;
}

interface LeafState {
  inLeaf: boolean;
}

function compareWalk(lhs: V, rhs: V, t: TypeNode, path: Path, c: Comparison): void {
  const al = atom(t, lhs);
  const ar = atom(t, rhs);
  const state: LeafState = { inLeaf: false };
  if (sameAtom(al, ar)) compareAtom(ar, lhs, rhs, path, c, state);
  else {
    compareAtom(al, lhs, rhs, path, c, { inLeaf: false });
    compareAtom(ar, lhs, rhs, path, c, state);
  }
  if (!state.inLeaf) {
    if (lhs === undefined) c.added.insert(path);
    else if (rhs === undefined) c.removed.insert(path);
  }
}

function compareLeaf(lhs: V, rhs: V, path: Path, c: Comparison, state: LeafState): void {
  if (state.inLeaf) return;
  state.inLeaf = true;
  if (lhs === undefined) c.added.insert(path);
  else if (rhs === undefined) c.removed.insert(path);
  else if (!deepEqual(lhs, rhs)) c.modified.insert(path);
}

function compareAtom(a: Atom, lhs: V, rhs: V, path: Path, c: Comparison, state: LeafState): void {
  if (a.kind === 'scalar') {
    compareLeaf(lhs, rhs, path, c, state);
    return;
  }
  if (a.kind === 'list') {
    const l = asList(lhs);
    const r = asList(rhs);
    const promote = (l === undefined || l.length === 0) && (r === undefined || r.length === 0);
    if (a.t.listType === 'atomic' || promote) {
      compareLeaf(lhs, rhs, path, c, state);
      return;
    }
    compareListItems(a.t, l ?? [], r ?? [], path, c);
    return;
  }
  const l = asMap(lhs);
  const r = asMap(rhs);
  const promote = (l === undefined || Object.keys(l).length === 0) && (r === undefined || Object.keys(r).length === 0);
  if (a.t.atomic || promote) {
    compareLeaf(lhs, rhs, path, c, state);
    return;
  }
  const keys = new Set([...Object.keys(l ?? {}), ...Object.keys(r ?? {})]);
  for (const k of keys) {
    const lv = l !== undefined && Object.prototype.hasOwnProperty.call(l, k) ? l[k] : undefined;
    const rv = r !== undefined && Object.prototype.hasOwnProperty.call(r, k) ? r[k] : undefined;
    compareWalk(lv, rv, fieldType(a.t, k), [...path, { field: k }], c);
  }
}

function groupByKey(t: ListType, list: Json[]): { order: PathElement[]; values: Map<string, Json[]> } {
  const order: PathElement[] = [];
  const values = new Map<string, Json[]>();
  for (const item of list) {
    const pe = listItemPathElement(t, item);
    if (typeof pe === 'string') continue;
    const k = peKey(pe);
    const got = values.get(k);
    if (got) got.push(item);
    else {
      values.set(k, [item]);
      order.push(pe);
    }
  }
  return { order, values };
}

function compareListItems(t: ListType, lhs: Json[], rhs: Json[], path: Path, c: Comparison): void {
  const l = groupByKey(t, lhs);
  const r = groupByKey(t, rhs);
  const all = [...l.order, ...r.order.filter((pe) => !l.values.has(peKey(pe)))];
  for (const pe of all) {
    const lList = l.values.get(peKey(pe)) ?? [];
    const rList = r.values.get(peKey(pe)) ?? [];
    const p = [...path, pe];
    if (lList.length <= 1 && rList.length <= 1) {
      compareWalk(lList[0], rList[0], t.items, p, c);
    } else if (lList.length >= 2 && rList.length >= 2) {
      if (lList.length !== rList.length || lList.some((x, i) => !deepEqual(x, rList[i]))) c.modified.insert(p);
    } else if (lList.length >= 2) {
      if (rList.length !== 0) compareWalk(undefined, rList[0], t.items, p, c);
      c.removed.insert(p);
    } else {
      if (lList.length !== 0) compareWalk(lList[0], undefined, t.items, p, c);
      c.added.insert(p);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// merge

/**
 * TypedValue.Merge: the applied configuration `rhs` merged into `lhs`. Throws an error text for
 * duplicate keys in `rhs` (duplicates in `lhs` are tolerated, as for live objects).
 */
export function merge(lhs: V, rhs: V, t: TypeNode): V {
  const errs: string[] = [];
  const out = mergeWalk(lhs, rhs, t, [], errs);
  if (errs.length > 0) throw new Error(errs.join('\n'));
  return out;
}

function mergeWalk(lhs: V, rhs: V, t: TypeNode, path: Path, errs: string[]): V {
  const al = atom(t, lhs);
  const ar = atom(t, rhs);
  if (rhs === undefined) return mergeAtom(al, lhs, rhs, path, errs);
  if (lhs === undefined || sameAtom(al, ar)) return mergeAtom(ar, lhs, rhs, path, errs);
  mergeAtom(al, lhs, rhs, path, errs);
  return mergeAtom(ar, lhs, rhs, path, errs);
}

function keepRhs(lhs: V, rhs: V): V {
  return rhs !== undefined ? rhs : lhs;
}

function mergeAtom(a: Atom, lhs: V, rhs: V, path: Path, errs: string[]): V {
  if (a.kind === 'scalar') return keepRhs(lhs, rhs);
  if (a.kind === 'list') {
    const l = asList(lhs);
    const r = asList(rhs);
    const promote = (l === undefined || l.length === 0) && (r === undefined || r.length === 0);
    if (a.t.listType === 'atomic' || promote) return keepRhs(lhs, rhs);
    return mergeListItems(a.t, l, r, path, errs);
  }
  const l = asMap(lhs);
  const r = asMap(rhs);
  const promote = (l === undefined || Object.keys(l).length === 0) && (r === undefined || Object.keys(r).length === 0);
  if (a.t.atomic || promote) return keepRhs(lhs, rhs);
  const out: JsonObject = {};
  const keys = [...Object.keys(l ?? {}), ...Object.keys(r ?? {}).filter((k) => !(l !== undefined && Object.prototype.hasOwnProperty.call(l, k)))];
  for (const k of keys) {
    const lv = l !== undefined && Object.prototype.hasOwnProperty.call(l, k) ? l[k] : undefined;
    const rv = r !== undefined && Object.prototype.hasOwnProperty.call(r, k) ? r[k] : undefined;
    const merged = mergeWalk(lv, rv, fieldType(a.t, k), [...path, { field: k }], errs);
    if (merged !== undefined) out[k] = merged;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

interface Indexed {
  pes: PathElement[];
  observed: Map<string, Json>;
}

function indexList(t: ListType, list: Json[] | undefined, allowDuplicates: boolean, path: Path, errs: string[]): Indexed {
  const pes: PathElement[] = [];
  const observed = new Map<string, Json>();
  (list ?? []).forEach((child, i) => {
    const pe = listItemPathElement(t, child);
    if (typeof pe === 'string') {
      errs.push(`${pathString(path)}: element ${i}: ${pe}`);
      return;
    }
    const k = peKey(pe);
    if (observed.has(k)) {
      if (!allowDuplicates) {
        errs.push(`${pathString(path)}: duplicate entries for key ${pathString([pe])}`);
        return;
      }
      observed.set(k, null);
    } else observed.set(k, child);
    pes.push(pe);
  });
  return { pes, observed };
}

function mergeListItems(t: ListType, lhs: Json[] | undefined, rhs: Json[] | undefined, path: Path, errs: string[]): V {
  const before = errs.length;
  const r = indexList(t, rhs, false, path, errs);
  const l = indexList(t, lhs, true, path, errs);
  if (errs.length !== before) return undefined;

  const shared: PathElement[] = r.pes.filter((pe) => l.observed.has(peKey(pe)));
  let next: PathElement | undefined = shared.shift();
  const mergedRhs = new Set<string>();
  const out: Json[] = [];
  const item = (pe: PathElement, lv: V, rv: V): void => {
    const m = mergeWalk(lv, rv, t.items, [...path, pe], errs);
    if (m !== undefined) out.push(m);
  };
  let li = 0;
  let ri = 0;
  while (li < l.pes.length || ri < r.pes.length) {
    if (li < l.pes.length && ri < r.pes.length) {
      const pe = l.pes[li]!;
      const k = peKey(pe);
      if (k === peKey(r.pes[ri]!)) {
        mergedRhs.add(k);
        item(pe, l.observed.get(k), r.observed.get(k));
        li++;
        ri++;
        next = shared.shift();
        continue;
      }
      if (r.observed.has(k) && next !== undefined && peKey(next) !== k) {
        li++;
        continue;
      }
    }
    if (li < l.pes.length) {
      const pe = l.pes[li]!;
      const k = peKey(pe);
      if (!r.observed.has(k)) {
        item(pe, lhs![li], undefined);
        li++;
        continue;
      } else if (mergedRhs.has(k)) {
        li++;
      }
    }
    if (ri < r.pes.length) {
      const pe = r.pes[ri]!;
      const k = peKey(pe);
      mergedRhs.add(k);
      item(pe, l.observed.get(k), r.observed.get(k));
      ri++;
      if (next !== undefined && peKey(next) === k) next = shared.shift();
    }
  }
  return out.length > 0 ? out : undefined;
}

// ---------------------------------------------------------------------------------------------
// removeItems

/** TypedValue.RemoveItems: `v` without the fields in `set` (a map or list emptied this way becomes null). */
export function removeItems(v: Json, set: FieldSet, t: TypeNode): Json {
  const a = atom(t, v);
  if (a.kind === 'scalar') return v;
  if (a.kind === 'list') {
    if (!Array.isArray(v) || v.length === 0 || a.t.listType === 'atomic') return null;
    const items: Json[] = [];
    for (const item of v) {
      const pe = listItemPathElement(a.t, item);
      if (typeof pe === 'string') {
        items.push(item);
        continue;
      }
      if (set.has([pe])) continue;
      const sub = set.withPrefix(pe);
      items.push(sub.empty() ? item : removeItems(item, sub, a.t.items));
    }
    return items.length > 0 ? items : null;
  }
  if (!isObject(v) || Object.keys(v).length === 0 || a.t.atomic) return null;
  const out: JsonObject = {};
  for (const [k, val] of Object.entries(v)) {
    const pe = { field: k };
    if (set.has([pe])) continue;
    const sub = set.withPrefix(pe);
    out[k] = sub.empty() ? val : removeItems(val, sub, fieldType(a.t, k));
  }
  return Object.keys(out).length > 0 ? out : null;
}

/** Set.EnsureNamedFieldsAreMembers: also own the named fields (struct fields) that have owned children. */
export function ensureNamedFieldsAreMembers(set: FieldSet, t: TypeNode): FieldSet {
  const out = new FieldSet();
  for (const pe of set.sortedMembers()) out.insert([pe]);
  for (const { pe, set: child } of set.sortedChildren()) {
    let ct: TypeNode = UNTYPED;
    if ('field' in pe) {
      if (t.kind === 'map' && isNamedField(t, pe.field)) out.insert([pe]);
      ct = fieldType(t, pe.field);
    } else if ('key' in pe && t.kind === 'list') {
      ct = t.items;
    }
    const sub = ensureNamedFieldsAreMembers(child, ct);
    for (const p of sub.paths()) out.insert([pe, ...p]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// validate

/**
 * Checks a value against its type as ObjectToTyped does; returns the errors, each prefixed by the
 * path ".spec.containers[name=\"c\"]: expected map, got ...".
 */
export function validate(v: Json, t: TypeNode, allowDuplicates: boolean): string[] {
  const errs: string[] = [];
  validateWalk(v, t, [], allowDuplicates, errs);
  return errs;
}

function describe(v: Json): string {
  return JSON.stringify(v);
}

function validateWalk(v: Json, t: TypeNode, path: Path, allowDuplicates: boolean, errs: string[]): void {
  if (v === null) return;
  // the path as text only for an error: spelling it out on every node was a good part of a write's cost
  const prefix = () => (path.length > 0 ? `${pathString(path)}: ` : '');
  if (t.kind === 'scalar') {
    if (typeof v === 'object') errs.push(`${prefix()}expected scalar, got ${Array.isArray(v) ? 'list' : 'map'}: ${describe(v)}`);
    return;
  }
  if (t.kind === 'untyped') return;
  if (t.kind === 'list') {
    if (!Array.isArray(v)) {
      errs.push(`${prefix()}expected list, got ${describe(v)}`);
      return;
    }
    if (t.listType === 'atomic') return;
    const seen = new Set<string>();
    v.forEach((item, i) => {
      const pe = listItemPathElement(t, item);
      if (typeof pe === 'string') {
        errs.push(`${prefix()}element ${i}: ${pe}`);
        return;
      }
      const k = peKey(pe);
      if (seen.has(k) && !allowDuplicates) errs.push(`${prefix()}duplicate entries for key ${pathString([pe])}`);
      seen.add(k);
      validateWalk(item, t.items, [...path, pe], allowDuplicates, errs);
    });
    return;
  }
  if (!isObject(v)) {
    errs.push(`${prefix()}expected map, got ${describe(v)}`);
    return;
  }
  if (t.atomic) return;
  for (const [k, val] of Object.entries(v)) {
    const p = [...path, { field: k }];
    if (t.closed && !isNamedField(t, k) && t.elementType === undefined) {
      errs.push(`${pathString(p)}: field not declared in schema`);
      continue;
    }
    validateWalk(val, fieldType(t, k), p, allowDuplicates, errs);
  }
}

// ---------------------------------------------------------------------------------------------
// zero values

/**
 * `v` with the fields of the Go zero value filled in where its type declares them (MapType.zero),
 * recursively, as a typed object always carries them. Untouched when the type declares none.
 */
export function withZeroFields(v: Json, t: TypeNode): Json {
  if (t.kind === 'list' && Array.isArray(v)) return v.map((item) => withZeroFields(item, t.items));
  if (t.kind !== 'map' || !isObject(v)) return v;
  const out: JsonObject = { ...v };
  for (const [k, z] of Object.entries(t.zero ?? {})) {
    if (!Object.prototype.hasOwnProperty.call(out, k)) out[k] = isObject(z) ? { ...z } : Array.isArray(z) ? [...z] : z;
  }
  for (const k of Object.keys(out)) {
    const ft = fieldType(t, k);
    if (ft.kind === 'map' || ft.kind === 'list') out[k] = withZeroFields(out[k]!, ft);
  }
  return out;
}
