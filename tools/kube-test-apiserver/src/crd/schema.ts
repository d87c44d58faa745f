/**
 * Structural schema semantics of apiextensions-apiserver: validation (with kube-openapi's
 * messages), pruning of unknown fields, and defaulting.
 *
 * Written here rather than with ajv because Kubernetes' rules are not JSON Schema's: int-or-string,
 * nullable, x-kubernetes-preserve-unknown-fields and embedded resources change what is valid and
 * what is kept, pruning needs the walk anyway, and clients compare the error texts, which name
 * fields as `spec.items[0].name` in kube-openapi's words.
 */
import { fieldErrors, type FieldError } from '../api/status';
import { deepEqual, isPlainObject, OBJECT_META_FIELDS as OBJECT_META_ORDER } from '../api/object';
import type { Schema } from './schema-types';

const OBJECT_META_FIELDS = new Set(OBJECT_META_ORDER);

function child(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(type: string, v: unknown): boolean {
  switch (type) {
    case 'object':
      return isPlainObject(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    default:
      return true;
  }
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const FORMATS: Record<string, (s: string) => boolean> = {
  'date-time': (s) => DATE_TIME.test(s) && !Number.isNaN(Date.parse(s)),
  date: (s) => /^\d{4}-\d{2}-\d{2}$/.test(s),
  uuid: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(s),
  byte: (s) => /^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0,
  ipv4: (s) => /^(\d{1,3})(\.\d{1,3}){3}$/.test(s) && s.split('.').every((p) => Number(p) <= 255),
};

/** Validates `value` against `schema`; `path` names the value (e.g. "spec"). */
export function validate(schema: Schema, value: unknown, path: string): FieldError[] {
  const out: FieldError[] = [];
  walkValidate(schema, value, path, out);
  return out;
}

function walkValidate(s: Schema, v: unknown, path: string, out: FieldError[]): void {
  const p = path || '<root>';
  if (v === null) {
    if (s.nullable) return;
    if (s.type || s['x-kubernetes-int-or-string']) {
      out.push(fieldErrors.typeInvalid(p, 'null', `${p} in body must be of type ${s.type ?? 'integer,string'}: "null"`));
    }
    return;
  }
  if (s['x-kubernetes-int-or-string']) {
    if (!(typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v)))) {
      out.push(fieldErrors.typeInvalid(p, typeName(v), `${p} in body must be of type integer,string: "${typeName(v)}"`));
      return;
    }
  } else if (s.type && !typeMatches(s.type, v)) {
    out.push(fieldErrors.typeInvalid(p, typeName(v), `${p} in body must be of type ${s.type}: "${typeName(v)}"`));
    return;
  }
  if (s.enum && !s.enum.some((e) => deepEqual(e, v))) {
    out.push(fieldErrors.notSupported(p, v, s.enum.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)))));
  }
  if (typeof v === 'string') {
    if (s.maxLength !== undefined && [...v].length > s.maxLength)
      out.push({ type: 'FieldValueTooLong', field: p, detail: `Too long: may not be more than ${s.maxLength} bytes` });
    if (s.minLength !== undefined && [...v].length < s.minLength)
      out.push(fieldErrors.invalid(p, v, `${p} in body should be at least ${s.minLength} chars long`));
    if (s.pattern !== undefined && !safeRegExp(s.pattern).test(v)) out.push(fieldErrors.invalid(p, v, `${p} in body should match '${s.pattern}'`));
    if (s.format && FORMATS[s.format] && !(FORMATS[s.format] as (x: string) => boolean)(v))
      out.push(fieldErrors.invalid(p, v, `${p} in body must be of type ${s.format}: ${JSON.stringify(v)}`));
  }
  if (typeof v === 'number') {
    if (s.maximum !== undefined) {
      if (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum)
        out.push(fieldErrors.invalid(p, v, `${p} in body should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${s.maximum}`));
    }
    if (s.minimum !== undefined) {
      if (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum)
        out.push(fieldErrors.invalid(p, v, `${p} in body should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${s.minimum}`));
    }
    if (s.multipleOf !== undefined && s.multipleOf > 0 && Math.abs(v / s.multipleOf - Math.round(v / s.multipleOf)) > 1e-9)
      out.push(fieldErrors.invalid(p, v, `${p} in body should be a multiple of ${s.multipleOf}`));
  }
  if (Array.isArray(v)) {
    if (s.maxItems !== undefined && v.length > s.maxItems) out.push(fieldErrors.tooMany(p, v.length, s.maxItems));
    if (s.minItems !== undefined && v.length < s.minItems) out.push(fieldErrors.invalid(p, v.length, `${p} in body should have at least ${s.minItems} items`));
    const listType = s['x-kubernetes-list-type'];
    if (s.uniqueItems || listType === 'set') {
      v.forEach((x, i) => {
        if (v.findIndex((y) => deepEqual(x, y)) < i) out.push(fieldErrors.duplicate(`${p}[${i}]`, x));
      });
    }
    if (listType === 'map' && s['x-kubernetes-list-map-keys']) {
      const keys = s['x-kubernetes-list-map-keys'];
      const seen: unknown[][] = [];
      v.forEach((x, i) => {
        if (!isPlainObject(x)) return;
        const k = keys.map((key) => x[key]);
        if (seen.some((o) => deepEqual(o, k))) out.push(fieldErrors.duplicate(`${p}[${i}]`, Object.fromEntries(keys.map((key, j) => [key, k[j]]))));
        seen.push(k);
      });
    }
    if (s.items) v.forEach((x, i) => walkValidate(s.items as Schema, x, `${path}[${i}]`, out));
  }
  if (isPlainObject(v)) {
    const n = Object.keys(v).length;
    if (s.maxProperties !== undefined && n > s.maxProperties) out.push(fieldErrors.tooMany(p, n, s.maxProperties));
    if (s.minProperties !== undefined && n < s.minProperties) out.push(fieldErrors.invalid(p, n, `${p} in body should have at least ${s.minProperties} properties`));
    for (const r of s.required ?? []) if (!(r in v) || v[r] === undefined) out.push(fieldErrors.required(child(path, r), ''));
    // kube-openapi walks properties in name order
    for (const k of Object.keys(v).sort()) {
      const x = v[k];
      if (x === undefined) continue;
      const ps = s.properties?.[k];
      if (ps) walkValidate(ps, x, child(path, k), out);
      else if (isPlainObject(s.additionalProperties)) walkValidate(s.additionalProperties, x, child(path, k), out);
    }
  }
  // value validations (structural schemas allow these only without types/structure of their own)
  for (const sub of s.allOf ?? []) walkValidate(sub, v, path, out);
  if (s.anyOf && !s.anyOf.some((sub) => validate(sub, v, path).length === 0)) {
    const firstErrors = s.anyOf.map((sub) => validate(sub, v, path)).find((e) => e.length > 0) ?? [];
    if (firstErrors.length === 1) out.push(firstErrors[0] as FieldError);
    else out.push(fieldErrors.invalid(p, v, `${p} in body must validate at least one schema (anyOf)`));
  }
  if (s.oneOf) {
    const ok = s.oneOf.filter((sub) => validate(sub, v, path).length === 0).length;
    if (ok !== 1) out.push(fieldErrors.invalid(p, v, `${p} in body must validate one and only one schema (oneOf)`));
  }
  if (s.not && validate(s.not, v, path).length === 0) out.push(fieldErrors.invalid(p, v, `${p} in body must not validate the schema (not)`));
}

const regexCache = new Map<string, RegExp>();
function safeRegExp(pattern: string): RegExp {
  let r = regexCache.get(pattern);
  if (!r) {
    try {
      r = new RegExp(pattern, 'u');
    } catch {
      r = new RegExp(pattern);
    }
    regexCache.set(pattern, r);
  }
  return r;
}

/**
 * Drops fields the schema does not declare (unless x-kubernetes-preserve-unknown-fields),
 * in place, and returns their paths ("spec.foo", "spec.items[0].bar") for fieldValidation.
 * `root` keeps apiVersion, kind and the ObjectMeta fields of metadata, as the real server does.
 */
export function prune(schema: Schema, value: unknown, root = true): string[] {
  const out: string[] = [];
  walkPrune(schema, value, '', root, out);
  return out;
}

function walkPrune(s: Schema, v: unknown, path: string, isResource: boolean, out: string[]): void {
  if (isPlainObject(v)) {
    const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
    for (const k of Object.keys(v)) {
      const x = v[k];
      if (isResource && (k === 'apiVersion' || k === 'kind')) continue;
      if (isResource && k === 'metadata') {
        if (isPlainObject(x)) pruneMetadata(x, child(path, k), out);
        continue;
      }
      const ps = s.properties?.[k] ?? (isPlainObject(s.additionalProperties) ? s.additionalProperties : undefined);
      if (ps) {
        walkPrune(ps, x, child(path, k), ps['x-kubernetes-embedded-resource'] === true, out);
        continue;
      }
      if (s.additionalProperties === true || preserve) continue;
      out.push(child(path, k));
      delete v[k];
    }
    return;
  }
  if (Array.isArray(v) && s.items) {
    const items = s.items;
    v.forEach((x, i) => walkPrune(items, x, `${path}[${i}]`, items['x-kubernetes-embedded-resource'] === true, out));
  }
}

function pruneMetadata(meta: Record<string, unknown>, path: string, out: string[]): void {
  for (const k of Object.keys(meta)) {
    if (!OBJECT_META_FIELDS.has(k)) {
      out.push(child(path, k));
      delete meta[k];
    }
  }
}

/** Applies `default`s of the schema in place (absent fields; null for non-nullable fields). */
export function applyDefaults(schema: Schema, value: unknown): void {
  if (isPlainObject(value)) {
    for (const [k, ps] of Object.entries(schema.properties ?? {})) {
      if (ps.default !== undefined && (!(k in value) || value[k] === undefined || (value[k] === null && !ps.nullable))) {
        value[k] = structuredClone(ps.default);
      }
    }
    for (const [k, x] of Object.entries(value)) {
      const ps = schema.properties?.[k] ?? (isPlainObject(schema.additionalProperties) ? schema.additionalProperties : undefined);
      if (ps) applyDefaults(ps, x);
    }
  } else if (Array.isArray(value) && schema.items) {
    for (const x of value) applyDefaults(schema.items, x);
  }
}

/** The schema of a field path such as ["spec", "nodeName"], following properties and additionalProperties. */
export function schemaAt(schema: Schema | undefined, path: readonly string[]): Schema | undefined {
  let s = schema;
  for (const p of path) {
    if (!s) return undefined;
    s = s.properties?.[p] ?? (isPlainObject(s.additionalProperties) ? s.additionalProperties : undefined);
  }
  return s;
}
