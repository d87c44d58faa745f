/**
 * Strategic merge patch (application/strategic-merge-patch+json) for built-in kinds, as
 * k8s.io/apimachinery/pkg/util/strategicpatch applies it on the apiserver (MergeParallelList
 * and IgnoreUnmatchedNulls on):
 *
 * - maps merge key by key; null deletes; a field with patchStrategy replace is replaced;
 * - lists with patchStrategy merge and a patchMergeKey merge item by item on that key; lists
 *   of scalars with patchStrategy merge are unions; other lists are replaced;
 * - directives: $patch: replace | delete (maps and list items), $patch: replace in a list,
 *   $retainKeys, $deleteFromPrimitiveList/<field>, $setElementOrder/<field>;
 * - the order of merged lists follows $setElementOrder, then the patch, then the live list.
 *
 * Errors carry the apiserver's codes: 400 for malformed directives, 422 for lists of lists and
 * retainKeys mismatches, 500 (reason '') for everything the Go code returns as a plain error.
 * Fields a table does not describe are merged as untyped (maps merge, lists are replaced),
 * where the apiserver would know their Go type; see builtin-types.ts.
 */
import { badRequest, internal, PatchError, unprocessable } from './errors';
import { clone, goValue, isObject, type Json, type JsonObject } from './json';
import { fieldType, UNTYPED, type TypeNode } from './schema';

const DIRECTIVE = '$patch';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder';

class SmpError extends Error {
  constructor(
    message: string,
    readonly kind: 'bad-request' | 'unprocessable' | 'internal',
  ) {
    super(message);
  }
}

const errBadPatchFormatForPrimitiveList = (): SmpError => new SmpError('invalid patch format of primitive list', 'bad-request');
const errBadPatchFormatForRetainKeys = (): SmpError => new SmpError('invalid patch format of retainKeys', 'bad-request');
const errBadPatchFormatForSetElementOrderList = (): SmpError => new SmpError('invalid patch format of setElementOrder list', 'bad-request');
const errNoListOfLists = (): SmpError => new SmpError('lists of lists are not supported', 'unprocessable');
const plain = (message: string): SmpError => new SmpError(message, 'internal');

/** The Go type name reflect.TypeOf gives a value decoded from JSON. */
function goType(v: Json | undefined): string {
  if (v === undefined || v === null) return '%!s(<nil>)';
  if (Array.isArray(v)) return '[]interface {}';
  if (isObject(v)) return 'map[string]interface {}';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  return typeof v === 'boolean' ? 'bool' : 'string';
}

const errBadArgType = (expected: 'map' | 'list', actual: Json | undefined): SmpError =>
  plain(`expected a ${expected === 'map' ? 'map[string]interface {}' : '[]interface {}'}, but received a ${goType(actual)}`);
const errNoMergeKey = (m: JsonObject, k: string): SmpError => plain(`map: ${goValue(m)} does not contain declared merge key: ${k}`);
const errBadPatchType = (t: Json | undefined, m: JsonObject): SmpError => plain(`unknown patch type: ${goValue(t)} in map: ${goValue(m)}`);

interface PatchMeta {
  strategy: string;
  mergeKey: string;
}

function patchMetaOf(t: TypeNode): PatchMeta {
  if (t.kind === 'list') return { strategy: t.patchStrategy ?? '', mergeKey: t.patchMergeKey ?? '' };
  if (t.kind === 'map') return { strategy: t.patchStrategy ?? '', mergeKey: '' };
  return { strategy: '', mergeKey: '' };
}

function itemsOf(t: TypeNode): TypeNode {
  return t.kind === 'list' ? t.items : UNTYPED;
}

function has(m: JsonObject, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(m, k);
}

/** Go's == on two interface{} values holding JSON scalars (maps and lists never compare equal here). */
function goEq(a: Json | undefined, b: Json | undefined): boolean {
  if (typeof a === 'object' && a !== null) return false;
  return a === b;
}

function extractKey(s: string, prefix: string): string {
  const slash = s.indexOf('/');
  if (slash < 0 || s.slice(0, slash) !== prefix) {
    if (prefix === DELETE_FROM_PRIMITIVE_LIST) throw errBadPatchFormatForPrimitiveList();
    if (prefix === SET_ELEMENT_ORDER) throw errBadPatchFormatForSetElementOrderList();
    throw plain(`fail to find unknown prefix ${JSON.stringify(prefix)} in ${s}\n`);
  }
  return s.slice(slash + 1);
}

function handleDirectiveInMergeMap(directive: Json | undefined, patch: JsonObject): JsonObject {
  if (directive === 'replace') {
    delete patch[DIRECTIVE];
    return patch;
  }
  if (directive === 'delete') return {};
  throw errBadPatchType(directive, patch);
}

function containsDirectiveMarker(item: Json | undefined): boolean {
  return isObject(item) && has(item, DIRECTIVE);
}

/** removeDirectives: [value, keep]; a map carrying $patch is dropped. */
function removeDirectives(obj: Json): [Json, boolean] {
  if (isObject(obj)) {
    if (has(obj, DIRECTIVE)) return [null, false];
    for (const k of Object.keys(obj)) {
      const [v, keep] = removeDirectives(obj[k]!);
      if (keep) obj[k] = v;
      else delete obj[k];
    }
    return [obj, true];
  }
  if (Array.isArray(obj)) {
    const res: Json[] = [];
    for (const v of obj) {
      const [nv, keep] = removeDirectives(v);
      if (keep) res.push(nv);
    }
    return [res, true];
  }
  return [obj, true];
}

function discardNullValuesFromPatch(v: Json): void {
  if (isObject(v)) {
    for (const k of Object.keys(v)) {
      const x = v[k]!;
      if (x === null) delete v[k];
      else discardNullValuesFromPatch(x);
    }
  } else if (Array.isArray(v)) {
    for (const x of v) discardNullValuesFromPatch(x);
  }
}

function applyRetainKeysDirective(original: JsonObject, patch: JsonObject): void {
  if (!has(patch, RETAIN_KEYS)) return;
  const retain = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(retain)) throw errBadPatchFormatForRetainKeys();
  const keep = (k: string): boolean => retain.some((r) => goEq(r, k));
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep(k)) throw errBadPatchFormatForRetainKeys();
  }
  for (const k of Object.keys(original)) if (!keep(k)) delete original[k];
}

type ElemKind = 'map' | 'scalar';

/** sliceElementType: all items of the lists are of one Go type, not lists. */
function sliceElementKind(...lists: (Json[] | undefined)[]): ElemKind {
  let prev: string | undefined;
  let prevVal: Json | undefined;
  for (const l of lists) {
    for (const v of l ?? []) {
      const cur = goType(v);
      if (prev === undefined) {
        // reflect.TypeOf(nil).Kind() panics in the apiserver
        if (v === null) throw plain('runtime error: invalid memory address or nil pointer dereference');
        prev = cur;
        prevVal = v;
        if (Array.isArray(v)) throw errNoListOfLists();
      } else if (prev !== cur && !(typeof v === 'number' && typeof prevVal === 'number')) {
        throw plain(`list element types are not identical: ${goValue(lists.map((x) => x ?? []))}`);
      }
    }
  }
  if (prev === undefined) throw plain('no elements in any of the given slices');
  return isObject(prevVal) ? 'map' : 'scalar';
}

function mergeKeyOf(item: Json | undefined, mergeKey: string, kind: ElemKind): Json | undefined {
  if (kind !== 'map') return item;
  return isObject(item) ? item[mergeKey] : undefined;
}

function index(l: readonly Json[], v: Json, mergeKey: string, kind: ElemKind): number {
  const want = mergeKeyOf(v, mergeKey, kind);
  return l.findIndex((x) => goEq(mergeKeyOf(x, mergeKey, kind), want));
}

function validateMergeKeyInLists(mergeKey: string, ...lists: Json[][]): void {
  for (const l of lists) {
    for (const item of l) {
      if (!isObject(item)) throw errBadArgType('map', item);
      if (!has(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
    }
  }
}

function normalizeSliceOrder(toSort: Json[], order: Json[], mergeKey: string, kind: ElemKind): Json[] {
  let items = toSort;
  let toDelete: Json[] = [];
  if (kind === 'map') {
    validateMergeKeyInLists(mergeKey, toSort, order);
    toDelete = toSort.filter((v) => isObject(v) && v[DIRECTIVE] === 'delete');
    items = toSort.filter((v) => !(isObject(v) && v[DIRECTIVE] === 'delete'));
  }
  return [...goSliceStable(items, (a, b) => {
    const ia = index(order, a, mergeKey, kind);
    if (ia >= 0) {
      const ib = index(order, b, mergeKey, kind);
      if (ib >= 0) return ia < ib;
    }
    return true;
  }), ...toDelete];
}

/**
 * sort.SliceStable with Go's algorithm for short lists (insertion sort), so that the
 * apiserver's comparator, which is not a strict order for items missing from the order list,
 * gives the same result. Longer lists fall back to a stable sort on the same comparator.
 */
function goSliceStable(items: Json[], less: (a: Json, b: Json) => boolean): Json[] {
  const data = [...items];
  if (data.length <= 20) {
    for (let i = 1; i < data.length; i++) {
      for (let j = i; j > 0 && less(data[j]!, data[j - 1]!); j--) {
        const x = data[j]!;
        data[j] = data[j - 1]!;
        data[j - 1] = x;
      }
    }
    return data;
  }
  return data
    .map((v, i) => ({ v, i }))
    .sort((a, b) => (less(a.v, b.v) && !less(b.v, a.v) ? -1 : less(b.v, a.v) && !less(a.v, b.v) ? 1 : a.i - b.i))
    .map((d) => d.v);
}

function mergeSortedSlice(left: Json[], right: Json[], serverOrder: Json[], mergeKey: string, kind: ElemKind): Json[] {
  const out: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]!);
    else if (j >= right.length) out.push(left[i++]!);
    else {
      const li = index(serverOrder, left[i]!, mergeKey, kind);
      const ri = index(serverOrder, right[j]!, mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]!);
      else out.push(right[j++]!);
    }
  }
  return out;
}

function normalizeElementOrder(patch: Json[], serverOnly: Json[], patchOrder: Json[], serverOrder: Json[], mergeKey: string, kind: ElemKind): Json[] {
  const p = normalizeSliceOrder(patch, patchOrder, mergeKey, kind);
  const s = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(s, p, serverOrder, mergeKey, kind);
}

function partitionPrimitives(original: Json[], by: Json[]): [Json[], Json[]] {
  const inPatch = (v: Json): boolean => by.some((b) => goEq(b, v));
  return [original.filter(inPatch), original.filter((v) => !inPatch(v))];
}

function findMapByKey(list: Json[], key: string, value: Json | undefined): number {
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (!isObject(item)) throw plain(`value for key ${i} is not a map`);
    if (has(item, key) && goEq(item[key], value)) return i;
  }
  return -1;
}

function partitionMaps(original: Json[], by: Json[], mergeKey: string): [Json[], Json[]] {
  const patch: Json[] = [];
  const serverOnly: Json[] = [];
  for (const v of original) {
    if (!isObject(v)) throw errBadArgType('map', v);
    if (!has(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
    if (findMapByKey(by, mergeKey, v[mergeKey]) >= 0) patch.push(v);
    else serverOnly.push(v);
  }
  return [patch, serverOnly];
}

function validatePatchWithSetOrderList(patchList: Json[], setOrderList: Json[], mergeKey: string): void {
  if (setOrderList.length === 0 || patchList.length === 0) return;
  let nonDelete = patchList;
  if (mergeKey !== '') {
    for (const v of patchList) if (!isObject(v)) throw errBadArgType('map', v);
    nonDelete = patchList.filter((v) => !(isObject(v) && v[DIRECTIVE] === 'delete'));
  }
  const keyEqual = (l: Json, r: Json): boolean => {
    if (mergeKey === '') return goEq(l, r);
    if (!isObject(l)) throw errBadArgType('map', l);
    if (!isObject(r)) throw errBadArgType('map', r);
    if (!has(l, mergeKey)) throw errNoMergeKey(l, mergeKey);
    if (!has(r, mergeKey)) throw errNoMergeKey(r, mergeKey);
    return goEq(l[mergeKey], r[mergeKey]);
  };
  let pi = 0;
  let si = 0;
  while (pi < nonDelete.length && si < setOrderList.length) {
    if (containsDirectiveMarker(nonDelete[pi])) {
      pi++;
      continue;
    }
    if (keyEqual(nonDelete[pi]!, setOrderList[si]!)) pi++;
    si++;
  }
  if (pi < nonDelete.length && si >= setOrderList.length) {
    throw plain(`The order in patch list:\n${goValue(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goValue(setOrderList)}\n`);
  }
}

/** Processes $setElementOrder/<field> directives together with their lists (mergePatchIntoOriginal). */
function mergePatchIntoOriginal(original: JsonObject, patch: JsonObject, schema: TypeNode): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const setOrder = patch[key];
    delete patch[key];
    if (!Array.isArray(setOrder)) throw errBadArgType('list', setOrder);
    const originalKey = extractKey(key, SET_ELEMENT_ORDER);
    const foundOriginal = has(original, originalKey);
    const foundPatch = has(patch, originalKey);
    const originalList = original[originalKey];
    const patchList = patch[originalKey];
    if (foundOriginal && !Array.isArray(originalList)) throw errBadArgType('list', originalList);
    if (foundPatch && !Array.isArray(patchList)) throw errBadArgType('list', patchList);
    const originalValue = foundOriginal ? (originalList as Json[]) : [];
    const patchValue = foundPatch ? (patchList as Json[]) : [];
    const ft = fieldType(schema, originalKey);
    const meta = patchMetaOf(ft);
    validatePatchWithSetOrderList(patchValue, setOrder, meta.mergeKey);

    let merged: Json[];
    if (foundOriginal && !foundPatch) merged = originalValue;
    else if (!foundOriginal && foundPatch) merged = removeDirectives(patchValue)[0] as Json[];
    else if (foundOriginal && foundPatch) merged = mergeSliceHandler(originalValue, patchValue, ft, meta, false);
    else continue;

    const [patchItems, serverOnly] =
      meta.mergeKey === '' ? partitionPrimitives(merged, setOrder) : partitionMaps(merged, setOrder, meta.mergeKey);
    const kind = sliceElementKind(originalValue, patchValue);
    original[originalKey] = normalizeElementOrder(patchItems, serverOnly, setOrder, originalValue, meta.mergeKey, kind);
    delete patch[originalKey];
  }
}

function mergeMap(originalIn: JsonObject | undefined, patch: JsonObject, schema: TypeNode): JsonObject {
  if (has(patch, DIRECTIVE)) return handleDirectiveInMergeMap(patch[DIRECTIVE], patch);
  const original = originalIn ?? {};
  applyRetainKeysDirective(original, patch);
  mergePatchIntoOriginal(original, patch, schema);

  for (const [rawKey, patchV] of Object.entries(patch)) {
    let k = rawKey;
    let isDeleteList = false;
    if (rawKey.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      k = extractKey(rawKey, DELETE_FROM_PRIMITIVE_LIST);
      isDeleteList = true;
    }
    if (patchV === null) {
      delete original[k];
      continue;
    }
    if (!has(original, k)) {
      if (!isDeleteList) {
        discardNullValuesFromPatch(patchV);
        const [v, keep] = removeDirectives(patchV);
        if (keep) original[k] = v;
        else delete original[k];
      }
      continue;
    }
    const cur = original[k]!;
    if (goType(cur) !== goType(patchV) && !(typeof cur === 'number' && typeof patchV === 'number')) {
      if (!isDeleteList) {
        discardNullValuesFromPatch(patchV);
        const [v, keep] = removeDirectives(patchV);
        if (keep) original[k] = v;
        else delete original[k];
      }
      continue;
    }
    const ft = fieldType(schema, k);
    if (isObject(cur) && isObject(patchV)) {
      const meta = patchMetaOf(ft);
      original[k] = meta.strategy !== 'replace' ? mergeMap(cur, patchV, ft) : patchV;
    } else if (Array.isArray(cur) && Array.isArray(patchV)) {
      original[k] = mergeSliceHandler(cur, patchV, ft, patchMetaOf(ft), isDeleteList);
    } else {
      const [v, keep] = removeDirectives(patchV);
      if (keep) original[k] = v;
      else delete original[k];
    }
  }
  return original;
}

function mergeSliceHandler(original: Json[], patch: Json[], t: TypeNode, meta: PatchMeta, isDeleteList: boolean): Json[] {
  if (meta.strategy === 'merge' || isDeleteList) return mergeSlice(original, patch, itemsOf(t), meta.mergeKey, isDeleteList);
  return patch;
}

function mergeSlice(originalIn: Json[], patchIn: Json[], items: TypeNode, mergeKey: string, isDeleteList: boolean): Json[] {
  let original = originalIn;
  let patch: Json[] = patchIn;
  if (original.length === 0 && patch.length === 0) return original;
  const kind = sliceElementKind(original, patch);
  let merged: Json[];
  if (kind !== 'map') {
    if (isDeleteList) return original.filter((v) => !patch.some((d) => goEq(d, v)));
    merged = [];
    for (const v of [...original, ...patch]) if (!merged.some((m) => goEq(m, v))) merged.push(v);
  } else {
    if (mergeKey === '') throw plain(`cannot merge lists without merge key for ${items.kind === 'map' ? 'map' : 'unknown'}`);
    [original, patch] = mergeSliceWithSpecialElements(original, patch, mergeKey);
    merged = mergeSliceWithoutSpecialElements(original, patch, mergeKey, items);
  }
  const [patchItems, serverOnly] = mergeKey === '' ? partitionPrimitives(merged, patch) : partitionMaps(merged, patch, mergeKey);
  return normalizeElementOrder(patchItems, serverOnly, patch, original, mergeKey, kind);
}

function mergeSliceWithSpecialElements(originalIn: Json[], patch: Json[], mergeKey: string): [Json[], Json[]] {
  let original = originalIn;
  const without: Json[] = [];
  let replace = false;
  for (const v of patch) {
    const m = v as JsonObject;
    if (!has(m, DIRECTIVE)) {
      without.push(v);
      continue;
    }
    const directive = m[DIRECTIVE];
    if (directive === 'delete') {
      if (!has(m, mergeKey)) throw errNoMergeKey(m, mergeKey);
      const value = m[mergeKey];
      for (let at = findMapByKey(original, mergeKey, value); at >= 0; at = findMapByKey(original, mergeKey, value)) {
        original = [...original.slice(0, at), ...original.slice(at + 1)];
      }
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw plain('merging lists cannot yet be specified in the patch');
    } else {
      throw errBadPatchType(directive, m);
    }
  }
  if (replace) return [without, []];
  return [original, without];
}

function mergeSliceWithoutSpecialElements(originalIn: Json[], patch: Json[], mergeKey: string, items: TypeNode): Json[] {
  const original = [...originalIn];
  for (const v of patch) {
    const m = v as JsonObject;
    if (!has(m, mergeKey)) throw errNoMergeKey(m, mergeKey);
    const at = findMapByKey(original, mergeKey, m[mergeKey]);
    if (at >= 0) original[at] = mergeMap(original[at] as JsonObject, m, items);
    else original.push(v);
  }
  return original;
}

function toPatchError(e: unknown): never {
  if (e instanceof SmpError) {
    if (e.kind === 'bad-request') throw badRequest(e.message);
    if (e.kind === 'unprocessable') throw unprocessable(e.message);
    throw internal(e.message);
  }
  throw e;
}

/**
 * Applies a strategic merge patch body (the request's text) to `live` (left untouched), using
 * `type` (builtinType(...)) for patchStrategy and patchMergeKey.
 */
export function applyStrategicMergePatch(live: JsonObject, body: string, type: TypeNode): JsonObject {
  let patch: Json;
  try {
    patch = JSON.parse(body) as Json;
  } catch (e) {
    throw badRequest((e as Error).message);
  }
  if (patch === null) return clone(live);
  if (!isObject(patch)) {
    const what = Array.isArray(patch) ? 'array' : typeof patch === 'boolean' ? 'bool' : typeof patch;
    throw badRequest(`json: cannot unmarshal ${what} into Go value of type map[string]interface {}`);
  }
  try {
    return mergeMap(clone(live), patch, type);
  } catch (e) {
    if (e instanceof PatchError) throw e;
    return toPatchError(e);
  }
}
