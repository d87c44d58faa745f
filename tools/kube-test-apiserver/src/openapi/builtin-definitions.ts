/**
 * OpenAPI v2 definitions of the built-in kinds, made from the kinds' known fields
 * (kinds/known-fields.ts) and the patch engine's types (list merge keys and strategies), so that
 * kubectl 1.20's client-side validation flags exactly the fields the server would drop, and its
 * strategic merge patches merge lists by the same keys as the server. Fields whose contents the
 * server does not check are published without a type (any value), which kubectl accepts.
 */
import { KNOWN_FIELDS, type Known } from '../kinds/known-fields';
import { builtinType, type TypeNode } from '../patch';
import type { ResourceType } from '../kinds/types';
import { apiVersionOfType } from '../kinds/types';

export const OBJECT_META_REF = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

const str = { type: 'string' };
const stringMap = { type: 'object', additionalProperties: str };
const time = { type: 'string', format: 'date-time' };

export const OBJECT_META_DEFINITION = {
  description: 'ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.',
  type: 'object',
  properties: {
    annotations: stringMap,
    creationTimestamp: time,
    deletionGracePeriodSeconds: { type: 'integer', format: 'int64' },
    deletionTimestamp: time,
    finalizers: { type: 'array', items: str, 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge' },
    generateName: str,
    generation: { type: 'integer', format: 'int64' },
    labels: stringMap,
    managedFields: { type: 'array', items: { type: 'object' } },
    name: str,
    namespace: str,
    ownerReferences: {
      type: 'array',
      items: {
        type: 'object',
        required: ['apiVersion', 'kind', 'name', 'uid'],
        properties: { apiVersion: str, blockOwnerDeletion: { type: 'boolean' }, controller: { type: 'boolean' }, kind: str, name: str, uid: str },
        'x-kubernetes-map-type': 'atomic',
      },
      'x-kubernetes-list-map-keys': ['uid'],
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-patch-merge-key': 'uid',
      'x-kubernetes-patch-strategy': 'merge',
    },
    resourceVersion: str,
    selfLink: str,
    uid: str,
  },
};

const GROUP_PACKAGES: Record<string, string> = {
  '': 'io.k8s.api.core',
  'storage.k8s.io': 'io.k8s.api.storage',
  'coordination.k8s.io': 'io.k8s.api.coordination',
  'events.k8s.io': 'io.k8s.api.events',
  'apiextensions.k8s.io': 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions',
};

export function builtinDefinitionName(t: ResourceType): string {
  return `${GROUP_PACKAGES[t.group] ?? t.group.split('.').reverse().join('.')}.${t.version}.${t.kind}`;
}

function listExtensions(node: TypeNode | undefined): Record<string, unknown> {
  if (!node || node.kind !== 'list') return {};
  const ext: Record<string, unknown> = {};
  if (node.patchStrategy === 'merge') {
    ext['x-kubernetes-patch-strategy'] = 'merge';
    if (node.patchMergeKey) ext['x-kubernetes-patch-merge-key'] = node.patchMergeKey;
  }
  if (node.listType !== 'atomic') ext['x-kubernetes-list-type'] = node.listType;
  if (node.keys?.length) ext['x-kubernetes-list-map-keys'] = [...node.keys];
  return ext;
}

function child(node: TypeNode | undefined, key: string): TypeNode | undefined {
  return node?.kind === 'map' ? node.fields?.[key] : undefined;
}

function schemaOf(known: Known | true, node: TypeNode | undefined): Record<string, unknown> {
  if (known === true) {
    const ext = listExtensions(node);
    return Object.keys(ext).length ? { type: 'array', items: {}, ...ext } : {};
  }
  const properties: Record<string, unknown> = {};
  for (const [k, sub] of Object.entries(known)) properties[k] = schemaOf(sub, child(node, k));
  return { type: 'object', properties };
}

/**
 * Kinds not published: their tables leave structures unchecked that hold lists merged by key
 * (a pod's containers, a node's conditions); kubectl then computes its patches from its
 * compiled-in types, which know those keys, rather than from a schema that hides them.
 */
const UNPUBLISHED = new Set(['v1/Pod', 'v1/Node']);

/** The definition of a built-in kind, or undefined when the table does not describe it. */
export function builtinDefinition(t: ResourceType): Record<string, unknown> | undefined {
  const id = `${apiVersionOfType(t)}/${t.kind}`;
  const known = KNOWN_FIELDS[id];
  if (!known || UNPUBLISHED.has(id)) return undefined;
  const body = schemaOf(known, builtinType(apiVersionOfType(t), t.kind)) as { properties: Record<string, unknown> };
  return {
    description: `${t.kind} (kube-test-apiserver: fields as the test server checks them)`,
    type: 'object',
    properties: {
      apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
      kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
      metadata: { $ref: `#/definitions/${OBJECT_META_REF}` },
      ...body.properties,
    },
    'x-kubernetes-group-version-kind': [{ group: t.group, kind: t.kind, version: t.version }],
  };
}
