/**
 * The OpenAPI documents kubectl reads:
 *
 * - /openapi/v2 (protobuf for kubectl 1.20's client-side validation and both versions' lookups):
 *   definitions for the custom resources (their CRD schemas, converted to what v2 can say), and
 *   a PATCH operation per resource that names the fieldValidation parameter;
 * - /openapi/v3 and /openapi/v3/<api|apis/group>/<version>: per group-version documents whose
 *   PATCH operations carry x-kubernetes-group-version-kind and fieldValidation, so kubectl 1.32
 *   leaves validation to the server (fieldValidation=Strict), plus the CRD schemas.
 *
 * Built-in kinds publish in v2 the fields the server checks (builtin-definitions.ts), with list
 * merge keys; v3 carries only operations for them, so kubectl 1.32 computes client-side apply
 * patches from v2 or its compiled-in types.
 */
import { isPlainObject } from '../api/object';
import type { ResourceRegistry } from '../kinds/registry';
import type { ResourceType } from '../kinds/types';

import type { Schema } from '../crd/schema-types';
import { OBJECT_META_DEFINITION, OBJECT_META_REF, builtinDefinition, builtinDefinitionName } from './builtin-definitions';

export function definitionName(t: ResourceType): string {
  if (!t.crdName) return builtinDefinitionName(t);
  return `${t.group.split('.').reverse().join('.')}.${t.version}.${t.kind}`;
}

function gvk(t: ResourceType): Record<string, string> {
  return { group: t.group, kind: t.kind, version: t.version };
}

function basePath(t: ResourceType): string {
  return t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
}

function itemPath(t: ResourceType): string {
  return t.namespaced ? `${basePath(t)}/namespaces/{namespace}/${t.plural}/{name}` : `${basePath(t)}/${t.plural}/{name}`;
}

const QUERY_PARAMS = ['dryRun', 'fieldManager', 'fieldValidation', 'force'];

function operationId(verb: string, t: ResourceType): string {
  return `${verb}${t.namespaced ? 'Namespaced' : ''}${t.kind}`;
}

/** A v3 schema as OpenAPI v2 can carry it (no nullable, anyOf, oneOf, not; int-or-string untyped). */
export function toV2Schema(s: Schema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  for (const [k, v] of Object.entries(s)) {
    if (['nullable', 'anyOf', 'oneOf', 'not', 'allOf', 'x-kubernetes-validations'].includes(k)) continue;
    if (k === 'properties' && isPlainObject(v)) {
      if (preserve) continue;
      out.properties = Object.fromEntries(Object.entries(v).map(([pk, ps]) => [pk, toV2Schema(ps as Schema)]));
    } else if (k === 'items' && isPlainObject(v)) out.items = toV2Schema(v as Schema);
    else if (k === 'additionalProperties' && isPlainObject(v)) out.additionalProperties = toV2Schema(v as Schema);
    else out[k] = v;
  }
  if (s['x-kubernetes-int-or-string'] || s.nullable || preserve) delete out.type;
  if (preserve) delete out.required;
  return out;
}

function crdDefinition(t: ResourceType, v2: boolean): Record<string, unknown> {
  const schema = (t.schema ?? { type: 'object' }) as Schema;
  const props: Record<string, unknown> = {
    apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
    kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
    metadata: { type: 'object', description: "Standard object's metadata." },
  };
  for (const [k, ps] of Object.entries(schema.properties ?? {})) {
    if (k === 'apiVersion' || k === 'kind' || k === 'metadata') continue;
    props[k] = v2 ? toV2Schema(ps) : ps;
  }
  const def: Record<string, unknown> = { description: schema.description ?? '', type: 'object', properties: props };
  if (schema.required?.length) def.required = schema.required.filter((r) => r !== 'metadata');
  if (schema['x-kubernetes-preserve-unknown-fields']) {
    if (v2) delete def.properties;
    def['x-kubernetes-preserve-unknown-fields'] = true;
  }
  def['x-kubernetes-group-version-kind'] = [gvk(t)];
  return def;
}

function patchOperation(t: ResourceType, v3: boolean): Record<string, unknown> {
  const parameters = QUERY_PARAMS.map((name) =>
    v3 ? { name, in: 'query', description: name, schema: { type: name === 'force' ? 'boolean' : 'string', uniqueItems: true } } : { name, in: 'query', description: name, type: name === 'force' ? 'boolean' : 'string', uniqueItems: true },
  );
  const op: Record<string, unknown> = {
    description: `partially update the specified ${t.kind}`,
    operationId: operationId('patch', t),
    parameters,
    responses: { '200': { description: 'OK' }, '201': { description: 'Created' }, '401': { description: 'Unauthorized' } },
    'x-kubernetes-action': 'patch',
    'x-kubernetes-group-version-kind': gvk(t),
  };
  if (!v3) op.consumes = ['application/json-patch+json', 'application/merge-patch+json', ...(t.strategicMergePatch ? ['application/strategic-merge-patch+json'] : []), 'application/apply-patch+yaml'];
  else
    op.requestBody = {
      content: Object.fromEntries(
        ['application/json-patch+json', 'application/merge-patch+json', ...(t.strategicMergePatch ? ['application/strategic-merge-patch+json'] : []), 'application/apply-patch+yaml'].map((ct) => [ct, { schema: { type: 'object' } }]),
      ),
      required: true,
    };
  return op;
}

export function openApiV2(kinds: ResourceRegistry, version: string): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  const definitions: Record<string, unknown> = { [OBJECT_META_REF]: OBJECT_META_DEFINITION };
  for (const t of kinds.all()) {
    paths[itemPath(t)] = { patch: patchOperation(t, false) };
    if (t.crdName) definitions[definitionName(t)] = crdDefinition(t, true);
    else {
      const def = builtinDefinition(t);
      if (def) definitions[definitionName(t)] = def;
    }
  }
  return { swagger: '2.0', info: { title: 'Kubernetes', version }, paths, definitions };
}

/** The keys of /openapi/v3: "api/v1", "apis/<group>/<version>". */
export function v3GroupVersions(kinds: ResourceRegistry): { key: string; group: string; version: string }[] {
  return kinds.groups().flatMap((g) => g.versions.map((v) => ({ key: g.name ? `apis/${g.name}/${v}` : `api/${v}`, group: g.name, version: v })));
}

export function openApiV3(kinds: ResourceRegistry, group: string, version: string, serverVersion: string): Record<string, unknown> | undefined {
  const types = kinds.resources(group, version);
  if (types.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const t of types) {
    paths[itemPath(t)] = { patch: patchOperation(t, true) };
    if (t.crdName) schemas[definitionName(t)] = crdDefinition(t, false);
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: serverVersion },
    paths,
    components: { schemas },
  };
}

