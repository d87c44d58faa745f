/**
 * apiextensions.k8s.io/v1 CustomResourceDefinition: the kind itself (defaults, validation of
 * names, versions and structural schemas) and the served resources a CRD makes.
 */
import { fieldErrors, type FieldError } from '../api/status';
import { deepEqual, getPath, isPlainObject, type KubeObject } from '../api/object';
import { dns1123LabelErrors } from '../api/names';
import { ALL_VERBS, type ResourceType, type TablePrinter, type PrinterColumn } from '../kinds/types';
import { age } from '../kinds/duration';
import { selectableFieldGetters } from '../rest/filter';
import { findAll, parseJsonPath } from './jsonpath';
import type { Schema } from './schema-types';

export const CRD_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema?: { openAPIV3Schema?: Schema };
  subresources?: { status?: object; scale?: object };
  additionalPrinterColumns?: { name: string; type: string; format?: string; description?: string; priority?: number; jsonPath: string }[];
  selectableFields?: { jsonPath: string }[];
}

interface CrdSpec {
  group: string;
  names: { plural: string; singular?: string; kind: string; listKind?: string; shortNames?: string[]; categories?: string[] };
  scope: string;
  versions: CrdVersion[];
  conversion?: { strategy?: string };
  preserveUnknownFields?: boolean;
}

export function crdSpec(o: KubeObject): CrdSpec {
  return o.spec as CrdSpec;
}

function defaults(o: KubeObject): void {
  const spec = (isPlainObject(o.spec) ? o.spec : (o.spec = {})) as Partial<CrdSpec>;
  if (isPlainObject(spec.names)) {
    const n = spec.names;
    if (!n.singular && n.kind) n.singular = n.kind.toLowerCase();
    if (!n.listKind && n.kind) n.listKind = `${n.kind}List`;
  }
  if (!isPlainObject(spec.conversion)) spec.conversion = { strategy: 'None' };
  else spec.conversion.strategy ??= 'None';
  for (const v of spec.versions ?? []) {
    if (!isPlainObject(v)) continue;
    for (const c of v.additionalPrinterColumns ?? []) if (isPlainObject(c)) c.priority ??= undefined;
  }
}

function structuralErrors(s: unknown, path: string, root: boolean, out: FieldError[]): void {
  if (!isPlainObject(s)) return;
  const schema = s as Schema;
  const hasType = typeof schema.type === 'string' && schema.type !== '';
  const intOrString = schema['x-kubernetes-int-or-string'] === true;
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  if (root && schema.type !== 'object') {
    if (!hasType) out.push(fieldErrors.required(`${path}.type`, 'must not be empty at the root'));
    else out.push(fieldErrors.invalid(`${path}.type`, schema.type, 'must be object at the root'));
  } else if (!root && !hasType && !intOrString && !preserve) {
    out.push(fieldErrors.required(`${path}.type`, 'must not be empty for specified object fields'));
  }
  if (hasType && !['object', 'array', 'string', 'integer', 'number', 'boolean'].includes(schema.type as string))
    out.push(fieldErrors.notSupported(`${path}.type`, schema.type, ['array', 'boolean', 'integer', 'number', 'object', 'string']));
  if (schema.type === 'array' && !isPlainObject(schema.items)) out.push(fieldErrors.required(`${path}.items`, 'must be specified'));
  if (schema.properties && schema.additionalProperties !== undefined && schema.additionalProperties !== false)
    out.push(fieldErrors.forbidden(`${path}.additionalProperties`, 'additionalProperties and properties are mutual exclusive'));
  for (const [k, p] of Object.entries(schema.properties ?? {})) {
    if (root && k === 'metadata') {
      const allowed = Object.keys((p as Schema).properties ?? {}).filter((x) => x !== 'name' && x !== 'generateName');
      if (allowed.length) out.push(fieldErrors.forbidden(`${path}.properties[metadata]`, 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
      continue;
    }
    structuralErrors(p, `${path}.properties[${k}]`, false, out);
  }
  if (isPlainObject(schema.additionalProperties)) structuralErrors(schema.additionalProperties, `${path}.additionalProperties`, false, out);
  if (isPlainObject(schema.items)) structuralErrors(schema.items, `${path}.items`, false, out);
}

function validate(o: KubeObject): FieldError[] {
  const out: FieldError[] = [];
  const spec = (isPlainObject(o.spec) ? o.spec : {}) as Partial<CrdSpec>;
  const names = (isPlainObject(spec.names) ? spec.names : {}) as Partial<CrdSpec['names']>;
  if (!spec.group) out.push(fieldErrors.required('spec.group', ''));
  else if (!spec.group.includes('.')) out.push(fieldErrors.invalid('spec.group', spec.group, 'should be a domain with at least one dot'));
  if (!names.plural) out.push(fieldErrors.required('spec.names.plural', ''));
  else for (const m of dns1123LabelErrors(names.plural)) out.push(fieldErrors.invalid('spec.names.plural', names.plural, m));
  if (names.singular) for (const m of dns1123LabelErrors(names.singular)) out.push(fieldErrors.invalid('spec.names.singular', names.singular, m));
  if (!names.kind) out.push(fieldErrors.required('spec.names.kind', ''));
  if (names.plural && spec.group && o.metadata.name !== `${names.plural}.${spec.group}`)
    out.push(fieldErrors.invalid('metadata.name', o.metadata.name ?? '', 'must be spec.names.plural+"."+spec.group'));
  if (spec.scope !== 'Cluster' && spec.scope !== 'Namespaced') out.push(fieldErrors.notSupported('spec.scope', spec.scope ?? '', ['Cluster', 'Namespaced']));
  const versions = Array.isArray(spec.versions) ? spec.versions : [];
  if (versions.length === 0) out.push(fieldErrors.invalid('spec.versions', null, 'must have exactly one version marked as storage version'));
  else if (versions.filter((v) => v.storage).length !== 1)
    out.push(fieldErrors.invalid('spec.versions', versions, 'must have exactly one version marked as storage version'));
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    const p = `spec.versions[${i}]`;
    if (!v.name) out.push(fieldErrors.required(`${p}.name`, ''));
    else if (seen.has(v.name)) out.push(fieldErrors.duplicate(`${p}.name`, v.name));
    seen.add(v.name);
    const schema = v.schema?.openAPIV3Schema;
    if (!isPlainObject(schema)) out.push(fieldErrors.required(`${p}.schema.openAPIV3Schema`, 'schemas are required'));
    else structuralErrors(schema, `${p}.schema.openAPIV3Schema`, true, out);
    for (const [j, c] of (v.additionalPrinterColumns ?? []).entries()) {
      const cp = `${p}.additionalPrinterColumns[${j}]`;
      if (!c.name) out.push(fieldErrors.required(`${cp}.name`, ''));
      if (!['integer', 'number', 'string', 'boolean', 'date'].includes(c.type))
        out.push(fieldErrors.notSupported(`${cp}.type`, c.type, ['boolean', 'date', 'integer', 'number', 'string']));
      try {
        parseJsonPath(c.jsonPath ?? '');
      } catch {
        out.push(fieldErrors.invalid(`${cp}.jsonPath`, c.jsonPath, 'must be a simple json path'));
      }
    }
  });
  if (!versions.some((v) => v.served)) out.push(fieldErrors.invalid('spec.versions', versions, 'must have at least one version marked as served'));
  if (spec.conversion?.strategy && spec.conversion.strategy !== 'None' && spec.conversion.strategy !== 'Webhook')
    out.push(fieldErrors.notSupported('spec.conversion.strategy', spec.conversion.strategy, ['None', 'Webhook']));
  return out;
}

function validateUpdate(o: KubeObject, old: KubeObject): FieldError[] {
  const out: FieldError[] = [];
  const a = crdSpec(o);
  const b = crdSpec(old);
  if (a?.group !== b?.group) out.push(fieldErrors.invalid('spec.group', a?.group, 'field is immutable'));
  if (a?.scope !== b?.scope) out.push(fieldErrors.invalid('spec.scope', a?.scope, 'field is immutable'));
  const stored = (getPath(old, ['status', 'storedVersions']) as string[] | undefined) ?? [];
  for (const v of stored)
    if (!(a?.versions ?? []).some((x) => x.name === v))
      out.push(fieldErrors.invalid('status.storedVersions[0]', v, 'must appear in spec.versions'));
  return out;
}

export const crdResourceType: ResourceType = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  kind: 'CustomResourceDefinition',
  listKind: 'CustomResourceDefinitionList',
  plural: 'customresourcedefinitions',
  singular: 'customresourcedefinition',
  namespaced: false,
  shortNames: ['crd', 'crds'],
  categories: ['api-extensions'],
  verbs: [...ALL_VERBS],
  statusSubresource: true,
  storage: { group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions', apiVersion: 'apiextensions.k8s.io/v1' },
  generation: true,
  returnDeletedObject: false,
  allowCreateOnUpdate: false,
  allowUnconditionalUpdate: false,
  nameValidation: 'subdomain',
  strategy: {
    defaults,
    prepareForCreate(o) {
      const storage = (crdSpec(o)?.versions ?? []).find((v) => v?.storage)?.name;
      o.status = { acceptedNames: { kind: '', plural: '' }, conditions: [], storedVersions: storage ? [storage] : [] };
    },
    validate,
    validateUpdate,
    warnings(o) {
      // CEL rules are not evaluated here: say so on every write that carries them
      return JSON.stringify(o.spec ?? {}).includes('"x-kubernetes-validations"')
        ? ['kube-test-apiserver does not evaluate x-kubernetes-validations (CEL) rules; a real kube-apiserver does']
        : [];
    },
    beginDelete(o, now) {
      const f = o.metadata.finalizers ?? [];
      if (!f.includes(CRD_CLEANUP_FINALIZER)) o.metadata.finalizers = [...f, CRD_CLEANUP_FINALIZER];
      setCondition(o, { type: 'Terminating', status: 'True', reason: 'InstanceDeletionPending', message: 'CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon' }, now);
    },
  },
  strategicMergePatch: true,
};

export interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastTransitionTime?: string;
}

export function setCondition(o: KubeObject, c: Condition, now: Date): boolean {
  const status = (isPlainObject(o.status) ? o.status : (o.status = {})) as { conditions?: Condition[] };
  const list = Array.isArray(status.conditions) ? status.conditions : (status.conditions = []);
  const i = list.findIndex((x) => x.type === c.type);
  const ts = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (i < 0) {
    list.push({ type: c.type, status: c.status, lastTransitionTime: ts, reason: c.reason, message: c.message });
    return true;
  }
  const cur = list[i] as Condition;
  if (cur.status === c.status && cur.reason === c.reason && cur.message === c.message) return false;
  list[i] = { type: c.type, status: c.status, lastTransitionTime: cur.status === c.status ? cur.lastTransitionTime : ts, reason: c.reason, message: c.message };
  return true;
}

function crdPrinter(columns: CrdVersion['additionalPrinterColumns']): TablePrinter {
  const cols = columns && columns.length ? columns : [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }];
  const paths = cols.map((c) => parseJsonPath(c.jsonPath));
  const defs: PrinterColumn[] = [
    { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names' },
    ...cols.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: c.description || `Custom resource definition column (in JSONPath format): ${c.jsonPath}`,
      priority: c.priority ?? 0,
    })),
  ];
  return {
    columns: defs,
    cells(o, now) {
      return [
        o.metadata.name,
        ...cols.map((c, i) => {
          const found = findAll(paths[i] as ReturnType<typeof parseJsonPath>, o);
          if (found.length === 0 || found[0] === undefined) return null;
          return cell(c.type, found[0], now);
        }),
      ];
    },
  };
}

function cell(type: string, v: unknown, now: Date): unknown {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'integer':
      return typeof v === 'number' ? Math.trunc(v) : null;
    case 'number':
      return typeof v === 'number' ? v : null;
    case 'boolean':
      return typeof v === 'boolean' ? v : null;
    case 'date':
      if (typeof v !== 'string') return null;
      return Number.isNaN(Date.parse(v)) ? '<invalid>' : age(v, now);
    default:
      return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
}

/** The served resources of a CRD: one per served version. */
export function servedTypes(crd: KubeObject): ResourceType[] {
  const spec = crdSpec(crd);
  const storageVersion = spec.versions.find((v) => v.storage)?.name as string;
  return spec.versions
    .filter((v) => v.served)
    .map((v) => ({
      group: spec.group,
      version: v.name,
      kind: spec.names.kind,
      listKind: spec.names.listKind ?? `${spec.names.kind}List`,
      plural: spec.names.plural,
      singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
      namespaced: spec.scope === 'Namespaced',
      shortNames: spec.names.shortNames ?? [],
      categories: spec.names.categories ?? [],
      verbs: [...ALL_VERBS],
      statusSubresource: isPlainObject(v.subresources?.status),
      storage: { group: spec.group, resource: spec.names.plural, apiVersion: `${spec.group}/${storageVersion}` },
      generation: true,
      returnDeletedObject: false,
      allowCreateOnUpdate: false,
      allowUnconditionalUpdate: false,
      nameValidation: 'subdomain' as const,
      schema: v.schema?.openAPIV3Schema,
      strategy: {
        fieldSelectors: selectableFieldGetters((v.selectableFields ?? []).map((f) => f.jsonPath)),
        warnings: v.deprecated ? () => [v.deprecationWarning ?? `${spec.group}/${v.name} ${spec.names.kind} is deprecated`] : undefined,
      },
      table: crdPrinter(v.additionalPrinterColumns),
      crdName: crd.metadata.name,
      strategicMergePatch: false,
    }));
}

export function namesEqual(a: unknown, b: unknown): boolean {
  return deepEqual(a, b);
}
