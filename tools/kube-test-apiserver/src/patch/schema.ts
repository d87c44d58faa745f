/**
 * Type information the patch engine needs about an object: which values are maps with named
 * fields, which lists are sets or maps keyed by some fields, which are atomic, and the strategic
 * merge patch metadata (patchStrategy, patchMergeKey).
 *
 * It is the same model structured-merge-diff uses for server-side apply (a map has named fields
 * and/or an element type and may be atomic; a list is atomic, a set, or a map keyed by fields),
 * plus the strategic-merge-patch tags the Go structs carry. The server builds it from a CRD's
 * openAPIV3Schema (typeFromOpenAPIV3) or takes it from the table of built-in kinds
 * (builtin-types.ts).
 */
import type { Json } from './json';
import { isObject } from './json';

export type TypeNode = ScalarType | MapType | ListType | UntypedType;

export interface ScalarType {
  readonly kind: 'scalar';
}

/**
 * Anything whose shape is not known: a value under x-kubernetes-preserve-unknown-fields, or a
 * field missing from a table. Structured-merge-diff's "deduced" type: maps are granular with
 * untyped values, lists are atomic, everything else is a scalar.
 */
export interface UntypedType {
  readonly kind: 'untyped';
}

/**
 * What a named field looks like in the Go zero value of its struct, as encoding/json writes it:
 * {} for a non-pointer struct (itself filled with its own zero fields), null for a nil slice,
 * map or pointer without omitempty, "" / 0 / false for a scalar without omitempty.
 */
export type ZeroValue = Json;

export interface MapType {
  readonly kind: 'map';
  /** Named fields: a Go struct's fields, a schema's properties. */
  readonly fields?: Readonly<Record<string, TypeNode>>;
  /**
   * The type of every other key (a Go map, additionalProperties, or untyped under
   * x-kubernetes-preserve-unknown-fields). Absent: only the named fields are declared; the
   * patch engine still accepts other keys and treats them as untyped.
   */
  readonly elementType?: TypeNode;
  /** x-kubernetes-map-type: atomic (+structType=atomic, +mapType=atomic): owned and replaced whole. */
  readonly atomic?: boolean;
  /** Strategic merge patch: patchStrategy "replace" replaces the map instead of merging into it. */
  readonly patchStrategy?: 'replace';
  /**
   * For built-in kinds: the named fields present in the Go zero value of this struct. Typed
   * objects always carry them, so field ownership is computed with them filled in (on create
   * against the zero value of the kind), as the apiserver does.
   */
  readonly zero?: Readonly<Record<string, ZeroValue>>;
  /** Defaults of named fields (the OpenAPI `default`): used for list-map keys an item omits (ports' protocol). */
  readonly defaults?: Readonly<Record<string, Json>>;
  /**
   * Every field is declared (a CRD's structural schema without x-kubernetes-preserve-unknown-fields):
   * server-side apply rejects others with "field not declared in schema", as the apiserver does.
   * Tables of built-in kinds list only the fields whose semantics matter and leave this unset.
   */
  readonly closed?: boolean;
}

export interface ListType {
  readonly kind: 'list';
  readonly items: TypeNode;
  /** x-kubernetes-list-type; for built-in kinds derived as structured-merge-diff does. */
  readonly listType: 'atomic' | 'set' | 'map';
  /** x-kubernetes-list-map-keys (listType map). */
  readonly keys?: readonly string[];
  /** Strategic merge patch strategy of the field (x-kubernetes-patch-strategy): merge or replace (default). */
  readonly patchStrategy?: 'merge' | 'replace';
  /** Strategic merge patch merge key (x-kubernetes-patch-merge-key); none for a list of scalars. */
  readonly patchMergeKey?: string;
}

export const SCALAR: ScalarType = { kind: 'scalar' };
export const UNTYPED: UntypedType = { kind: 'untyped' };

/** The type of `key` inside a map typed `t`: a named field, the element type, or untyped. */
export function fieldType(t: TypeNode, key: string): TypeNode {
  if (t.kind === 'map') {
    const f = t.fields?.[key];
    if (f !== undefined) return f;
    return t.elementType ?? UNTYPED;
  }
  return UNTYPED;
}

/** Whether `key` is a named field (a struct field) of map type `t`. */
export function isNamedField(t: TypeNode, key: string): boolean {
  return t.kind === 'map' && t.fields !== undefined && Object.prototype.hasOwnProperty.call(t.fields, key);
}

/** The type of the items of a list typed `t`. */
export function itemType(t: TypeNode): TypeNode {
  return t.kind === 'list' ? t.items : UNTYPED;
}

/**
 * Resolves a value's type the way structured-merge-diff deduces an untyped value: a map stays
 * a granular map of untyped values, a list is atomic.
 */
export function effectiveType(t: TypeNode, v: Json | undefined): TypeNode {
  if (t.kind !== 'untyped') return t;
  if (isObject(v)) return DEDUCED_MAP;
  if (Array.isArray(v)) return DEDUCED_LIST;
  return SCALAR;
}

const DEDUCED_MAP: MapType = { kind: 'map', elementType: UNTYPED };
const DEDUCED_LIST: ListType = { kind: 'list', items: UNTYPED, listType: 'atomic' };

/** Shorthand constructors for tables. */
export const t = {
  scalar: SCALAR,
  untyped: UNTYPED,
  struct(
    fields: Record<string, TypeNode>,
    opts: { atomic?: boolean; zero?: Record<string, ZeroValue>; defaults?: Record<string, Json> } = {},
  ): MapType {
    return { kind: 'map', fields, ...opts };
  },
  map(elementType: TypeNode, opts: { atomic?: boolean } = {}): MapType {
    return { kind: 'map', elementType, ...opts };
  },
  atomicList(items: TypeNode = SCALAR): ListType {
    return { kind: 'list', items, listType: 'atomic' };
  },
  /** A list of scalars with patchStrategy merge (+listType=set): finalizers. */
  set(items: TypeNode = SCALAR, opts: { patchStrategy?: 'merge' } = {}): ListType {
    return { kind: 'list', items, listType: 'set', ...opts };
  },
  /**
   * A list of maps keyed by `keys` (+listType=map); patchMergeKey for strategic merge patch,
   * when the Go field carries patchStrategy:"merge".
   */
  keyedList(items: TypeNode, keys: readonly string[], smp?: { patchMergeKey: string }): ListType {
    return {
      kind: 'list',
      items,
      listType: 'map',
      keys,
      ...(smp ? { patchStrategy: 'merge' as const, patchMergeKey: smp.patchMergeKey } : {}),
    };
  },
};
