/** The patch engine's type of a served resource: the built-in table, or the CRD version's schema. */
import { builtinType, typeFromOpenAPIV3, type TypeNode } from '../patch';
import { UNTYPED } from '../patch/schema';
import type { Json } from '../patch/json';
import type { ResourceType } from '../kinds/types';
import { apiVersionOfType } from '../kinds/types';

const cache = new WeakMap<ResourceType, TypeNode>();

export function patchTypeOf(t: ResourceType): TypeNode {
  let node = cache.get(t);
  if (!node) {
    node = t.crdName ? typeFromOpenAPIV3(t.schema as Json | undefined) : (builtinType(apiVersionOfType(t), t.kind) ?? UNTYPED);
    cache.set(t, node);
  }
  return node;
}
