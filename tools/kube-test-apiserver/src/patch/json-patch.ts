/**
 * JSON patch (RFC 6902, application/json-patch+json) as kube-apiserver applies it: with
 * gopkg.in/evanphx/json-patch.v4, whose behaviour differs from the RFC and from every npm
 * library (fast-json-patch included) in ways clients can see:
 *
 * - "replace" of a missing key in an existing object adds it (only a missing parent fails);
 * - "copy" from a missing key in an existing object copies null;
 * - "test" of a missing or null value with value null (or no value) passes;
 * - negative array indexes count from the end (-1 is the last item);
 * - "add" without a value adds null; an unknown or missing "op" fails.
 *
 * Any failure is a 422 Invalid whose message is only "the server rejected our request due to
 * an error in our request" (the apiserver drops the library's message); the library's message
 * is kept in PatchError.detail. A body that is not a list of operations is a 400 BadRequest;
 * more than 10000 operations a 413.
 */
import { badRequest, PatchError, unprocessable, invalid } from './errors';
import { clone, deepEqual, isObject, type Json, type JsonObject } from './json';

const MAX_OPERATIONS = 10000;

type Container = JsonObject | Json[];

class OpFailed extends Error {}

function decodeKey(k: string): string {
  return k.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** Go's strconv.Atoi for an array index (no '+', optional '-'). */
function atoi(key: string): number | string {
  if (!/^[+-]?\d+$/.test(key)) return `strconv.Atoi: parsing ${JSON.stringify(key)}: invalid syntax`;
  return Number.parseInt(key, 10);
}

function invalidIndex(idx: number): OpFailed {
  return new OpFailed(`Unable to access invalid index: ${idx}: invalid index referenced`);
}

/** findObject: the container holding the last token of `path`, or undefined. */
function findObject(doc: Container, path: string): { con: Container; key: string } | undefined {
  const split = path.split('/');
  if (split.length < 2) return undefined;
  let cur: Container = doc;
  for (const part of split.slice(1, -1)) {
    let next: Json | undefined;
    try {
      next = get(cur, decodeKey(part));
    } catch {
      return undefined;
    }
    if (next === undefined || next === null || (typeof next !== 'object')) return undefined;
    cur = next;
  }
  return { con: cur, key: decodeKey(split[split.length - 1]!) };
}

function get(con: Container, key: string): Json | undefined {
  if (!Array.isArray(con)) return Object.prototype.hasOwnProperty.call(con, key) ? con[key] : undefined;
  const idx = atoi(key);
  if (typeof idx === 'string') throw new OpFailed(idx);
  let i = idx;
  if (i < 0) {
    if (i < -con.length) throw invalidIndex(i);
    i += con.length;
  }
  if (i >= con.length) throw invalidIndex(i);
  return con[i];
}

function add(con: Container, key: string, val: Json): void {
  if (!Array.isArray(con)) {
    con[key] = val;
    return;
  }
  if (key === '-') {
    con.push(val);
    return;
  }
  const idx = atoi(key);
  if (typeof idx === 'string') throw new OpFailed(`value was not a proper array index: '${key}': ${idx}`);
  let i = idx;
  const size = con.length + 1;
  if (i >= size) throw invalidIndex(i);
  if (i < 0) {
    if (i < -size) throw invalidIndex(i);
    i += size;
  }
  con.splice(i, 0, val);
}

function remove(con: Container, key: string): void {
  if (!Array.isArray(con)) {
    if (!Object.prototype.hasOwnProperty.call(con, key)) {
      throw new OpFailed(`Unable to remove nonexistent key: ${key}: missing value`);
    }
    delete con[key];
    return;
  }
  const idx = atoi(key);
  if (typeof idx === 'string') throw new OpFailed(idx);
  let i = idx;
  if (i >= con.length) throw invalidIndex(i);
  if (i < 0) {
    if (i < -con.length) throw invalidIndex(i);
    i += con.length;
  }
  con.splice(i, 1);
}

function set(con: Container, key: string, val: Json): void {
  if (!Array.isArray(con)) {
    con[key] = val;
    return;
  }
  let i = atoi(key) as number;
  if (i < 0) i += con.length;
  con[i] = val;
}

interface Operation {
  op?: Json;
  path?: Json;
  from?: Json;
  value?: Json;
}

function opString(op: Operation, field: 'path' | 'from'): string | undefined {
  const v = op[field];
  return typeof v === 'string' ? v : undefined;
}

function applyOne(doc: { root: Container }, op: Operation): void {
  const kind = typeof op.op === 'string' ? op.op : 'unknown';
  const path = opString(op, 'path');
  // A missing "value" member is Go's nil *RawMessage; null is the same.
  const value: Json = op.value === undefined ? null : op.value;
  switch (kind) {
    case 'add': {
      if (path === undefined) throw new OpFailed('add operation failed to decode path: missing value');
      const found = findObject(doc.root, path);
      if (!found) throw new OpFailed(`add operation does not apply: doc is missing path: "${path}": missing value`);
      try {
        add(found.con, found.key, clone(value));
      } catch (e) {
        throw new OpFailed(`error in add for path: '${path}': ${(e as Error).message}`);
      }
      return;
    }
    case 'remove': {
      if (path === undefined) throw new OpFailed('remove operation failed to decode path: missing value');
      const found = findObject(doc.root, path);
      if (!found) throw new OpFailed(`remove operation does not apply: doc is missing path: "${path}": missing value`);
      try {
        remove(found.con, found.key);
      } catch (e) {
        throw new OpFailed(`error in remove for path: '${path}': ${(e as Error).message}`);
      }
      return;
    }
    case 'replace': {
      if (path === undefined) throw new OpFailed('replace operation failed to decode path: operation missing path field: missing value');
      if (path === '') {
        if (!isObject(value) && !Array.isArray(value)) throw new OpFailed('replace operation value must be object or array');
        doc.root = clone(value);
        return;
      }
      const found = findObject(doc.root, path);
      if (!found) throw new OpFailed(`replace operation does not apply: doc is missing path: ${path}: missing value`);
      try {
        get(found.con, found.key);
      } catch {
        throw new OpFailed(`replace operation does not apply: doc is missing key: ${path}: missing value`);
      }
      set(found.con, found.key, clone(value));
      return;
    }
    case 'move': {
      const from = opString(op, 'from');
      if (from === undefined) throw new OpFailed('move operation failed to decode from: operation, missing from field: missing value');
      const src = findObject(doc.root, from);
      if (!src) throw new OpFailed(`move operation does not apply: doc is missing from path: ${from}: missing value`);
      let val: Json | undefined;
      try {
        val = get(src.con, src.key);
        remove(src.con, src.key);
      } catch (e) {
        throw new OpFailed(`error in move for path: '${src.key}': ${(e as Error).message}`);
      }
      if (path === undefined) throw new OpFailed('move operation failed to decode path: operation missing path field: missing value');
      const dst = findObject(doc.root, path);
      if (!dst) throw new OpFailed(`move operation does not apply: doc is missing destination path: ${path}: missing value`);
      try {
        add(dst.con, dst.key, val === undefined ? null : val);
      } catch (e) {
        throw new OpFailed(`error in move for path: '${path}': ${(e as Error).message}`);
      }
      return;
    }
    case 'copy': {
      const from = opString(op, 'from');
      if (from === undefined) throw new OpFailed('copy operation failed to decode from: operation, missing from field: missing value');
      const src = findObject(doc.root, from);
      if (!src) throw new OpFailed(`copy operation does not apply: doc is missing from path: ${from}: missing value`);
      let val: Json | undefined;
      try {
        val = get(src.con, src.key);
      } catch (e) {
        throw new OpFailed(`error in copy for from: '${from}': ${(e as Error).message}`);
      }
      if (path === undefined) throw new OpFailed('copy operation failed to decode path: missing value');
      const dst = findObject(doc.root, path);
      if (!dst) throw new OpFailed(`copy operation does not apply: doc is missing destination path: ${path}: missing value`);
      try {
        add(dst.con, dst.key, val === undefined ? null : clone(val));
      } catch (e) {
        throw new OpFailed(`error while adding value during copy: ${(e as Error).message}`);
      }
      return;
    }
    case 'test': {
      if (path === undefined) throw new OpFailed('test operation failed to decode path: operation missing path field: missing value');
      if (path === '') {
        if (op.value !== undefined && deepEqual(doc.root, op.value)) return;
        throw new OpFailed(`testing value ${path} failed: test failed`);
      }
      const found = findObject(doc.root, path);
      if (!found) throw new OpFailed(`test operation does not apply: is missing path: ${path}: missing value`);
      let val: Json | undefined;
      try {
        val = get(found.con, found.key);
      } catch (e) {
        throw new OpFailed(`error in test for path: '${path}': ${(e as Error).message}`);
      }
      if (val === undefined || val === null) {
        if (op.value === undefined || op.value === null) return;
        throw new OpFailed(`testing value ${path} failed: test failed`);
      }
      if (op.value === undefined || op.value === null || !deepEqual(val, op.value)) {
        throw new OpFailed(`testing value ${path} failed: test failed`);
      }
      return;
    }
    default:
      throw new OpFailed(`Unexpected kind: ${kind}`);
  }
}

/** How Go's encoding/json names a JSON value's type in its errors. */
export function goJsonType(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

/**
 * Applies a JSON patch body (the request's text) to `live`, which is left untouched. Returns the
 * patched object. The result must still be a JSON object (the apiserver decodes it into the
 * kind); anything else is a 422 naming the patch.
 */
export function applyJsonPatch(live: JsonObject, body: string): JsonObject {
  let ops: Json;
  try {
    ops = JSON.parse(body) as Json;
  } catch (e) {
    throw badRequest((e as Error).message);
  }
  if (ops === null) ops = [];
  if (!Array.isArray(ops)) throw badRequest(`json: cannot unmarshal ${goJsonType(ops)} into Go value of type jsonpatch.Patch`);
  for (const op of ops) {
    if (op !== null && !isObject(op)) {
      throw badRequest(`json: cannot unmarshal ${goJsonType(op)} into Go value of type jsonpatch.Operation`);
    }
  }
  if (ops.length > MAX_OPERATIONS) {
    throw new PatchError({
      code: 413,
      reason: 'RequestEntityTooLarge',
      message: `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_OPERATIONS}, got ${ops.length}`,
    });
  }
  const doc: { root: Container } = { root: clone(live) };
  for (const op of ops) {
    try {
      applyOne(doc, (op ?? {}) as Operation);
    } catch (e) {
      if (e instanceof OpFailed) throw unprocessable(e.message);
      throw e;
    }
  }
  if (!isObject(doc.root)) {
    throw invalid('', '', '', [
      {
        field: 'patch',
        type: 'FieldValueInvalid',
        text: `Invalid value: ${JSON.stringify(JSON.stringify(doc.root))}: json: cannot unmarshal array into Go value of type map[string]interface {}`,
      },
    ]);
  }
  return doc.root;
}
