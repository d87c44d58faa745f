/**
 * Unknown fields of built-in kinds: the real server decodes into Go structs, which drops what
 * the type does not declare. The patch engine's table of built-in types says what is declared;
 * kinds it does not describe keep everything but unknown ObjectMeta fields.
 */
import { isPlainObject, type KubeObject } from '../api/object';
import type { ResourceType } from '../kinds/types';
import type { TypeNode } from '../patch';
import { patchTypeOf } from './types-for-patch';

const OBJECT_META = new Set([
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields',
]);

export function pruneBuiltin(t: ResourceType, o: KubeObject): string[] {
  const out: string[] = [];
  for (const k of Object.keys(o.metadata)) {
    if (!OBJECT_META.has(k)) {
      out.push(`metadata.${k}`);
      delete o.metadata[k];
    }
  }
  const type = patchTypeOf(t);
  if (type.kind !== 'map' || !type.fields) return out;
  for (const k of Object.keys(o)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'metadata') continue;
    walk(type, o, k, k, out);
  }
  return out;
}

function walk(parent: TypeNode, container: Record<string, unknown>, key: string, path: string, out: string[]): void {
  if (parent.kind !== 'map') return;
  const declared = parent.fields?.[key] ?? parent.elementType;
  if (!declared) {
    if (parent.fields) {
      out.push(path);
      delete container[key];
    }
    return;
  }
  const v = container[key];
  if (declared.kind === 'map' && isPlainObject(v)) {
    for (const k of Object.keys(v)) walk(declared, v, k, `${path}.${k}`, out);
  } else if (declared.kind === 'list' && Array.isArray(v) && declared.items.kind === 'map') {
    v.forEach((item, i) => {
      if (isPlainObject(item)) for (const k of Object.keys(item)) walk(declared.items, item, k, `${path}[${i}].${k}`, out);
    });
  }
}
