/**
 * JSON merge patch (RFC 7386, application/merge-patch+json) as kube-apiserver applies it with
 * evanphx/json-patch v4's MergePatch. A dozen lines, so written here rather than taken from
 * json-merge-patch, whose null handling inside lists differs:
 *
 * - null deletes a key; objects merge recursively; anything else (lists included) replaces;
 * - a value that lands where nothing (or null) was has its null members pruned, recursively,
 *   also inside objects within lists (null list items themselves stay);
 * - a patch that is null, not JSON, or a scalar is a 400 "Invalid JSON Patch"; a list replaces
 *   the whole document, which then is not an object: a 422 naming the patch.
 */
import { badRequest, invalid } from './errors';
import { clone, isObject, type Json, type JsonObject } from './json';

function pruneNulls(v: Json): Json {
  if (isObject(v)) {
    for (const k of Object.keys(v)) {
      const x = v[k]!;
      if (x === null) delete v[k];
      else pruneNulls(x);
    }
  } else if (Array.isArray(v)) {
    for (const x of v) if (x !== null) pruneNulls(x);
  }
  return v;
}

function merge(cur: Json, patch: Json): Json {
  if (!isObject(cur)) return pruneNulls(patch);
  if (!isObject(patch)) return patch;
  mergeDocs(cur, patch);
  return cur;
}

function mergeDocs(doc: JsonObject, patch: JsonObject): void {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      delete doc[k];
      continue;
    }
    const cur = doc[k];
    doc[k] = cur === undefined || cur === null ? pruneNulls(v) : merge(cur, v);
  }
}

/** Applies a merge patch body (the request's text) to `live`, which is left untouched. */
export function applyMergePatch(live: JsonObject, body: string): JsonObject {
  let patch: Json;
  try {
    patch = JSON.parse(body) as Json;
  } catch {
    throw badRequest('Invalid JSON Patch');
  }
  if (Array.isArray(patch)) {
    const replaced = pruneNulls(clone(patch));
    throw invalid('', '', '', [
      {
        field: 'patch',
        type: 'FieldValueInvalid',
        text: `Invalid value: ${JSON.stringify(JSON.stringify(replaced))}: json: cannot unmarshal array into Go value of type map[string]interface {}`,
      },
    ]);
  }
  if (!isObject(patch)) throw badRequest('Invalid JSON Patch');
  const doc = clone(live);
  mergeDocs(doc, patch);
  return doc;
}
