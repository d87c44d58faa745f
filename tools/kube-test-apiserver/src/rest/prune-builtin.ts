/**
 * Unknown fields of built-in kinds: the real server decodes into Go structs, which drops what
 * the type does not declare (and fieldValidation=Strict refuses it). The kinds table says which
 * fields each kind declares (known-fields.ts); ObjectMeta's fields are checked for every kind.
 */
import { isPlainObject, OBJECT_META_FIELDS, type KubeObject } from '../api/object';
import { apiVersionOfType, type ResourceType } from '../kinds/types';
import { KNOWN_FIELDS, type Known } from '../kinds/known-fields';

const OBJECT_META = new Set(OBJECT_META_FIELDS);

export function pruneBuiltin(t: ResourceType, o: KubeObject): string[] {
  const out: string[] = [];
  for (const k of Object.keys(o.metadata)) {
    if (!OBJECT_META.has(k)) {
      out.push(`metadata.${k}`);
      delete o.metadata[k];
    }
  }
  const known = KNOWN_FIELDS[`${apiVersionOfType(t)}/${t.kind}`];
  if (!known) return out;
  walk(known, o, '', true, out);
  return out;
}

function walk(known: Known, v: Record<string, unknown>, path: string, root: boolean, out: string[]): void {
  for (const k of Object.keys(v)) {
    if (root && (k === 'apiVersion' || k === 'kind' || k === 'metadata')) continue;
    const p = path ? `${path}.${k}` : k;
    const sub = known[k];
    if (sub === undefined) {
      out.push(p);
      delete v[k];
    } else if (sub !== true && isPlainObject(v[k])) walk(sub, v[k] as Record<string, unknown>, p, false, out);
  }
}
