/**
 * The type of a custom resource, from its CRD version's openAPIV3Schema, as the apiserver's
 * type converter builds it for server-side apply (kube-openapi's schemaconv).
 */
import { isObject, type Json } from './json';
import { builtinObjectMeta } from './builtin-types';
import { SCALAR, UNTYPED, type ListType, type MapType, type TypeNode } from './schema';

function bool(v: Json | undefined): boolean {
  return v === true;
}

function convert(schema: Json | undefined): TypeNode {
  if (!isObject(schema)) return UNTYPED;
  const preserve = bool(schema['x-kubernetes-preserve-unknown-fields']);
  if (bool(schema['x-kubernetes-int-or-string'])) return SCALAR;
  const type = schema.type;
  if (type === 'array') {
    const listType = schema['x-kubernetes-list-type'];
    const keys = schema['x-kubernetes-list-map-keys'];
    const items = convert(schema.items);
    const list: ListType =
      listType === 'map' && Array.isArray(keys)
        ? { kind: 'list', items, listType: 'map', keys: keys.filter((k): k is string => typeof k === 'string') }
        : listType === 'set'
          ? { kind: 'list', items, listType: 'set' }
          : { kind: 'list', items, listType: 'atomic' };
    return list;
  }
  if (type === 'object' || isObject(schema.properties) || schema.additionalProperties !== undefined) {
    const fields: Record<string, TypeNode> = {};
    const defaults: Record<string, Json> = {};
    if (isObject(schema.properties)) {
      for (const [name, sub] of Object.entries(schema.properties)) {
        fields[name] = convert(sub);
        if (isObject(sub) && sub.default !== undefined) defaults[name] = sub.default;
      }
    }
    let elementType: TypeNode | undefined;
    if (isObject(schema.additionalProperties)) elementType = convert(schema.additionalProperties);
    else if (schema.additionalProperties === true || preserve) elementType = UNTYPED;
    if (bool(schema['x-kubernetes-embedded-resource'])) {
      fields.apiVersion ??= SCALAR;
      fields.kind ??= SCALAR;
      fields.metadata = builtinObjectMeta();
    }
    const map: MapType = {
      kind: 'map',
      fields,
      ...(elementType !== undefined ? { elementType } : { closed: true }),
      ...(schema['x-kubernetes-map-type'] === 'atomic' ? { atomic: true } : {}),
      ...(Object.keys(defaults).length > 0 ? { defaults } : {}),
    };
    return map;
  }
  if (type === undefined && preserve) return UNTYPED;
  if (type === undefined) return UNTYPED;
  return SCALAR;
}

/**
 * Builds the TypeNode of a custom resource from the structural schema of one CRD version:
 * properties become named fields, additionalProperties the element type,
 * x-kubernetes-preserve-unknown-fields untyped values, x-kubernetes-list-type /
 * x-kubernetes-list-map-keys / x-kubernetes-map-type the list and map semantics (lists default
 * to atomic). apiVersion, kind and metadata (ObjectMeta) are added as the apiserver does. A
 * CRD without a schema gives an untyped object.
 */
export function typeFromOpenAPIV3(schema: Json | undefined): TypeNode {
  const root = convert(schema);
  if (root.kind !== 'map') {
    return { kind: 'map', fields: { apiVersion: SCALAR, kind: SCALAR, metadata: builtinObjectMeta() }, elementType: UNTYPED };
  }
  return { ...root, fields: { ...root.fields, apiVersion: SCALAR, kind: SCALAR, metadata: builtinObjectMeta() } };
}
