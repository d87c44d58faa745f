/**
 * Field paths and sets of them, as structured-merge-diff's fieldpath package defines them, and
 * their FieldsV1 encoding in metadata.managedFields:
 *
 *   {"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"c\"}":{".":{},"f:image":{}}}}}
 *
 * f:<name> a field, k:<json> a list item by its keys, v:<json> a set item by value, i:<n> a
 * list item by index; "." marks that the path itself is in the set besides its children.
 */
import { isObject, type Json } from './json';

export type PathElement =
  | { readonly field: string }
  | { readonly key: readonly (readonly [string, Json])[] }
  | { readonly value: Json }
  | { readonly index: number };

export type Path = readonly PathElement[];

/** Go's encoding/json (HTML-escaping, sorted map keys) for a value inside a path element. */
export function canonicalJson(v: Json): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isObject(v)) {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${escapeJsonString(k)}:${canonicalJson(v[k]!)}`).join(',')}}`;
  }
  if (typeof v === 'string') return escapeJsonString(v);
  return JSON.stringify(v);
}

function escapeJsonString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The FieldsV1 spelling of a path element ("f:name", "k:{...}", "v:...", "i:0"). */
export function serializePathElement(pe: PathElement): string {
  if ('field' in pe) return `f:${pe.field}`;
  if ('key' in pe) return `k:{${pe.key.map(([n, v]) => `${escapeJsonString(n)}:${canonicalJson(v)}`).join(',')}}`;
  if ('value' in pe) return `v:${canonicalJson(pe.value)}`;
  return `i:${pe.index}`;
}

export function deserializePathElement(s: string): PathElement {
  if (s.length < 2 || s[1] !== ':') throw new Error(`invalid path element ${JSON.stringify(s)}`);
  const rest = s.slice(2);
  switch (s[0]) {
    case 'f':
      return { field: rest };
    case 'v':
      return { value: JSON.parse(rest) as Json };
    case 'k': {
      const obj = JSON.parse(rest) as Json;
      if (!isObject(obj)) throw new Error(`invalid key path element ${JSON.stringify(s)}`);
      return keyElement(obj);
    }
    case 'i': {
      if (!/^-?\d+$/.test(rest)) throw new Error(`invalid index path element ${JSON.stringify(s)}`);
      return { index: Number.parseInt(rest, 10) };
    }
    default:
      throw new Error('unknown path element type');
  }
}

/** A key path element from the key fields of a list item (sorted by name). */
export function keyElement(fields: Readonly<Record<string, Json>>): PathElement {
  const key = Object.keys(fields)
    .sort()
    .map((n) => [n, fields[n]!] as const);
  return { key };
}

/** The order structured-merge-diff gives values: numbers, strings, bools, lists, maps, null. */
export function compareValues(a: Json, b: Json): number {
  const rank = (v: Json): number =>
    typeof v === 'number' ? 0 : typeof v === 'string' ? 1 : typeof v === 'boolean' ? 2 : Array.isArray(v) ? 3 : isObject(v) ? 4 : 5;
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compareValues(a[i]!, b[i]!);
      if (c !== 0) return c;
    }
    return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
  }
  if (isObject(a) && isObject(b)) return canonicalJson(a) < canonicalJson(b) ? -1 : canonicalJson(a) > canonicalJson(b) ? 1 : 0;
  return 0;
}

/** PathElement.Compare: fields < keys < values < indexes, each in its own order. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  const rank = (p: PathElement): number => ('field' in p ? 0 : 'key' in p ? 1 : 'value' in p ? 2 : 3);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  if ('field' in a && 'field' in b) return a.field < b.field ? -1 : a.field > b.field ? 1 : 0;
  if ('key' in a && 'key' in b) {
    for (let i = 0; ; i++) {
      if (i >= a.key.length && i >= b.key.length) return 0;
      if (i >= a.key.length) return -1;
      if (i >= b.key.length) return 1;
      const [an, av] = a.key[i]!;
      const [bn, bv] = b.key[i]!;
      if (an !== bn) return an < bn ? -1 : 1;
      const c = compareValues(av, bv);
      if (c !== 0) return c;
    }
  }
  if ('value' in a && 'value' in b) return compareValues(a.value, b.value);
  if ('index' in a && 'index' in b) return a.index < b.index ? -1 : a.index > b.index ? 1 : 0;
  return 0;
}

/** Go's %q for a string inside a path's text form. */
function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** value.ToString */
function valueToString(v: Json): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return goQuote(v);
  if (Array.isArray(v)) return `[${v.map(valueToString).join(',')}]`;
  if (isObject(v)) return Object.keys(v).map((k) => `${k}=${valueToString(v[k]!)}`).join('');
  return String(v);
}

/** PathElement.String: ".name", "[name=\"c\"]", "[=\"v\"]", "[0]". */
export function pathElementString(pe: PathElement): string {
  if ('field' in pe) return `.${pe.field}`;
  if ('key' in pe) return `[${pe.key.map(([n, v]) => `${n}=${valueToString(v)}`).join(',')}]`;
  if ('value' in pe) return `[=${valueToString(pe.value)}]`;
  return `[${pe.index}]`;
}

/** Path.String: ".spec.containers[name=\"c\"].image". */
export function pathString(p: Path): string {
  return p.map(pathElementString).join('');
}

interface Child {
  readonly pe: PathElement;
  readonly set: FieldSet;
}

/** fieldpath.Set: a set of paths stored as a tree; members are paths that end at this level. */
export class FieldSet {
  private readonly members = new Map<string, PathElement>();
  private readonly children = new Map<string, Child>();

  static of(...paths: Path[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  insert(p: Path): void {
    if (p.length === 0) return;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    let s: FieldSet = this;
    for (let i = 0; i < p.length - 1; i++) s = s.descend(p[i]!);
    const last = p[p.length - 1]!;
    s.members.set(serializePathElement(last), last);
  }

  private descend(pe: PathElement): FieldSet {
    const k = serializePathElement(pe);
    let c = this.children.get(k);
    if (!c) {
      c = { pe, set: new FieldSet() };
      this.children.set(k, c);
    }
    return c.set;
  }

  has(p: Path): boolean {
    if (p.length === 0) return false;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    let s: FieldSet | undefined = this;
    for (let i = 0; i < p.length - 1; i++) {
      s = s.children.get(serializePathElement(p[i]!))?.set;
      if (!s) return false;
    }
    return s.members.has(serializePathElement(p[p.length - 1]!));
  }

  hasMember(pe: PathElement): boolean {
    return this.members.has(serializePathElement(pe));
  }

  /** The paths under `pe`, without the prefix (Set.WithPrefix). */
  withPrefix(pe: PathElement): FieldSet {
    return this.children.get(serializePathElement(pe))?.set ?? new FieldSet();
  }

  empty(): boolean {
    if (this.members.size > 0) return false;
    for (const c of this.children.values()) if (!c.set.empty()) return false;
    return true;
  }

  size(): number {
    let n = this.members.size;
    for (const c of this.children.values()) n += c.set.size();
    return n;
  }

  copy(): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) out.members.set(k, pe);
    for (const [k, c] of this.children) out.children.set(k, { pe: c.pe, set: c.set.copy() });
    return out;
  }

  union(other: FieldSet): FieldSet {
    const out = this.copy();
    for (const [k, pe] of other.members) out.members.set(k, pe);
    for (const [k, c] of other.children) {
      const mine = out.children.get(k);
      out.children.set(k, { pe: c.pe, set: mine ? mine.set.union(c.set) : c.set.copy() });
    }
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (other.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const theirs = other.children.get(k);
      if (!theirs) continue;
      const res = c.set.intersection(theirs.set);
      if (!res.empty()) out.children.set(k, { pe: c.pe, set: res });
    }
    return out;
  }

  /** Paths in this set and not in `other`; a parent in `other` does not remove its children. */
  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!other.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const theirs = other.children.get(k);
      if (!theirs) {
        out.children.set(k, { pe: c.pe, set: c.set.copy() });
        continue;
      }
      const diff = c.set.difference(theirs.set);
      if (!diff.empty()) out.children.set(k, { pe: c.pe, set: diff });
    }
    return out;
  }

  /** Paths in this set not in `other`, removing everything under a path of `other` too. */
  recursiveDifference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!other.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      if (other.members.has(k)) continue;
      const theirs = other.children.get(k);
      if (!theirs) {
        out.children.set(k, { pe: c.pe, set: c.set.copy() });
        continue;
      }
      const diff = c.set.recursiveDifference(theirs.set);
      if (!diff.empty()) out.children.set(k, { pe: c.pe, set: diff });
    }
    return out;
  }

  equals(other: FieldSet): boolean {
    return this.difference(other).empty() && other.difference(this).empty();
  }

  sortedMembers(): PathElement[] {
    return [...this.members.values()].sort(comparePathElements);
  }

  sortedChildren(): { pe: PathElement; set: FieldSet }[] {
    return [...this.children.values()].sort((a, b) => comparePathElements(a.pe, b.pe));
  }

  /** Every path, in Set.Iterate's order: this level's members, then each child's paths. */
  paths(prefix: Path = []): Path[] {
    const out: Path[] = this.sortedMembers().map((pe) => [...prefix, pe]);
    for (const c of this.sortedChildren()) out.push(...c.set.paths([...prefix, c.pe]));
    return out;
  }

  /** The FieldsV1 object (keys in the order the apiserver writes them). */
  toFieldsV1(): Record<string, Json> {
    return this.emit(false);
  }

  private emit(includeSelf: boolean): Record<string, Json> {
    const out: Record<string, Json> = {};
    if (includeSelf && !(this.members.size === 0 && this.children.size === 0)) out['.'] = {};
    const members = this.sortedMembers();
    const children = this.sortedChildren();
    let mi = 0;
    let ci = 0;
    while (mi < members.length || ci < children.length) {
      const m = members[mi];
      const c = children[ci];
      const cmp = m === undefined ? 1 : c === undefined ? -1 : comparePathElements(m, c.pe);
      if (cmp < 0) {
        out[serializePathElement(m!)] = {};
        mi++;
      } else if (cmp > 0) {
        out[serializePathElement(c!.pe)] = c!.set.emit(false);
        ci++;
      } else {
        out[serializePathElement(c!.pe)] = c!.set.emit(true);
        mi++;
        ci++;
      }
    }
    return out;
  }

  /** Decodes a FieldsV1 object; throws on a malformed one. */
  static fromFieldsV1(v: Json | undefined): FieldSet {
    const s = new FieldSet();
    if (v === undefined || v === null) return s;
    if (!isObject(v)) throw new Error('FieldsV1 must be an object');
    s.readContents(v);
    return s;
  }

  private readContents(v: Record<string, Json>): void {
    for (const [k, sub] of Object.entries(v)) {
      if (k === '.') continue;
      const pe = deserializePathElement(k);
      if (!isObject(sub)) throw new Error(`FieldsV1: the value of ${JSON.stringify(k)} must be an object`);
      const keys = Object.keys(sub).filter((x) => x !== '.');
      if (keys.length === 0 || Object.prototype.hasOwnProperty.call(sub, '.')) this.members.set(serializePathElement(pe), pe);
      if (keys.length > 0) this.descend(pe).readContents(sub);
    }
  }
}
