/**
 * Strategic merge patch (application/strategic-merge-patch+json) for built-in kinds, as
 * k8s.io/apimachinery/pkg/util/strategicpatch applies it on the apiserver.
 */
import { internal } from './errors';
import type { JsonObject } from './json';
import type { TypeNode } from './schema';

/**
 * Applies a strategic merge patch body (the request's text) to `live` (left untouched), using
 * `type` (builtinType(...)) for patchStrategy and patchMergeKey.
 */
export function applyStrategicMergePatch(_live: JsonObject, _body: string, _type: TypeNode): JsonObject {
  throw internal('strategic merge patch: not implemented yet');
}
