/** ObjectMeta validation (k8s.io/apimachinery/pkg/api/validation), with its field paths and messages. */
import { fieldErrors, type FieldError } from './status';
import { isPlainObject, type KubeObject, type ObjectMeta } from './object';
import { labelValueErrors, nameErrors, qualifiedNameErrors, dns1123SubdomainErrors } from './names';

const TOTAL_ANNOTATION_SIZE = 256 * 1024;

export function validateObjectMeta(obj: KubeObject, nameKind: 'subdomain' | 'label' | 'path', namespaced: boolean): FieldError[] {
  const m = obj.metadata;
  const out: FieldError[] = [];
  if (!m.name && !m.generateName) out.push(fieldErrors.required('metadata.name', 'name or generateName is required'));
  if (m.name) for (const msg of nameErrors(nameKind, m.name)) out.push(fieldErrors.invalid('metadata.name', m.name, msg));
  if (m.generateName && !m.name) {
    const trimmed = m.generateName.replace(/-$/, 'a');
    for (const msg of nameErrors(nameKind, trimmed)) out.push(fieldErrors.invalid('metadata.generateName', m.generateName, msg));
  }
  if (namespaced && !m.namespace) out.push(fieldErrors.required('metadata.namespace', ''));
  if (!namespaced && m.namespace) out.push(fieldErrors.forbidden('metadata.namespace', 'not allowed on this type'));
  out.push(...validateLabels(m.labels, 'metadata.labels'));
  out.push(...validateAnnotations(m.annotations, 'metadata.annotations'));
  out.push(...validateOwnerReferences(m));
  out.push(...validateFinalizers(m.finalizers));
  return out;
}

export function validateLabels(labels: unknown, path: string): FieldError[] {
  if (labels === undefined || labels === null) return [];
  if (!isPlainObject(labels)) return [fieldErrors.typeInvalid(path, labels, 'must be a map of strings')];
  const out: FieldError[] = [];
  for (const [k, v] of Object.entries(labels)) {
    for (const msg of qualifiedNameErrors(k)) out.push(fieldErrors.invalid(path, k, msg));
    if (typeof v !== 'string') out.push(fieldErrors.typeInvalid(`${path}`, v, 'must be a string'));
    else for (const msg of labelValueErrors(v)) out.push(fieldErrors.invalid(path, v, msg));
  }
  return out;
}

function validateAnnotations(annotations: unknown, path: string): FieldError[] {
  if (annotations === undefined || annotations === null) return [];
  if (!isPlainObject(annotations)) return [fieldErrors.typeInvalid(path, annotations, 'must be a map of strings')];
  const out: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) {
    for (const msg of qualifiedNameErrors(k.toLowerCase())) out.push(fieldErrors.invalid(path, k, msg));
    size += k.length + (typeof v === 'string' ? v.length : 0);
  }
  if (size > TOTAL_ANNOTATION_SIZE) out.push({ type: 'FieldValueTooLong', field: path, detail: `Too long: must have at most ${TOTAL_ANNOTATION_SIZE} bytes` });
  return out;
}

function validateOwnerReferences(m: ObjectMeta): FieldError[] {
  const refs = m.ownerReferences;
  if (!refs) return [];
  const out: FieldError[] = [];
  let controllers = 0;
  refs.forEach((r, i) => {
    const p = `metadata.ownerReferences[${i}]`;
    if (!r.apiVersion) out.push(fieldErrors.invalid(`${p}.apiVersion`, r.apiVersion ?? '', 'version must not be empty'));
    if (!r.kind) out.push(fieldErrors.invalid(`${p}.kind`, r.kind ?? '', 'kind must not be empty'));
    if (!r.name) out.push(fieldErrors.invalid(`${p}.name`, r.name ?? '', 'name must not be empty'));
    if (!r.uid) out.push(fieldErrors.invalid(`${p}.uid`, r.uid ?? '', 'uid must not be empty'));
    if (r.controller) controllers++;
  });
  if (controllers > 1)
    out.push(fieldErrors.invalid('metadata.ownerReferences', refs, 'Only one reference can have Controller set to true. Found "true" in references for ' + refs.filter((r) => r.controller).map((r) => `${r.kind}/${r.name}`).join(' and ')));
  return out;
}

function validateFinalizers(finalizers: unknown): FieldError[] {
  if (finalizers === undefined) return [];
  if (!Array.isArray(finalizers)) return [fieldErrors.typeInvalid('metadata.finalizers', finalizers, 'must be a list of strings')];
  const out: FieldError[] = [];
  finalizers.forEach((f, i) => {
    if (typeof f !== 'string') out.push(fieldErrors.typeInvalid(`metadata.finalizers[${i}]`, f, 'must be a string'));
    else for (const msg of qualifiedNameErrors(f)) out.push(fieldErrors.invalid(`metadata.finalizers[${i}]`, f, msg));
  });
  return out;
}

/** Warnings the real server sends for finalizers without a domain (1.26+). */
export function finalizerWarnings(m: ObjectMeta): string[] {
  return (m.finalizers ?? [])
    .filter((f) => !f.includes('/') && !['kubernetes', 'orphan', 'foregroundDeletion'].includes(f))
    .map((f) => `metadata.finalizers: ${JSON.stringify(f)}: prefer a domain-qualified finalizer name including a path (/) to avoid accidental conflicts with other finalizer writers`);
}

/** Immutable metadata on update. */
export function validateObjectMetaUpdate(m: ObjectMeta, old: ObjectMeta): FieldError[] {
  const out: FieldError[] = [];
  const immutable = (field: string, a: unknown, b: unknown) => {
    if (a !== undefined && a !== b) out.push(fieldErrors.invalid(`metadata.${field}`, a, 'field is immutable'));
  };
  immutable('name', m.name, old.name);
  immutable('namespace', m.namespace || undefined, old.namespace || undefined);
  immutable('uid', m.uid, old.uid);
  if (old.deletionTimestamp) {
    const added = (m.finalizers ?? []).filter((f) => !(old.finalizers ?? []).includes(f));
    if (added.length)
      out.push(
        fieldErrors.forbidden(
          'metadata.finalizers',
          `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`,
        ),
      );
  }
  return out;
}

export function isDnsSubdomain(v: string): boolean {
  return dns1123SubdomainErrors(v).length === 0;
}
