/**
 * The patch and apply engine of the Kubernetes API test server: pure functions over plain JSON
 * objects (no HTTP, no storage) that behave as kube-apiserver does for
 *
 * - PATCH with application/json-patch+json       -> applyJsonPatch
 * - PATCH with application/merge-patch+json      -> applyMergePatch
 * - PATCH with application/strategic-merge-patch+json (built-in kinds only) -> applyStrategicMergePatch
 * - PATCH with application/apply-patch+yaml      -> serverSideApply (creates when absent)
 * - every other write (create, update, the three patches above) -> updateManagedFields
 *
 * How the server wires a PATCH (the apiserver's order):
 *
 *   const patchType = patchTypeFromContentType(req.headers['content-type'], { strategic: isBuiltin });
 *   validatePatchOptions({ patchType, fieldManager: q.fieldManager, force: q.force });
 *   const ctx = { type, apiVersion, kind, subresource, resetFields, now: new Date() };
 *   if (patchType === 'apply') {
 *     const object = serverSideApply({ ...ctx, live, body, manager: q.fieldManager, force: q.force === 'true' });
 *     // live === undefined: create `object` (after checking its name/namespace against the URL)
 *   } else {
 *     if (live === undefined) -> 404
 *     let patched = patchType === 'json' ? applyJsonPatch(live, body)
 *       : patchType === 'merge' ? applyMergePatch(live, body)
 *       : applyStrategicMergePatch(live, body, type);
 *     // (the server's own status/spec split and defaulting here)
 *     patched = updateManagedFields({ ...ctx, live, object: patched,
 *                 manager: fieldManagerFor(q.fieldManager, req.headers['user-agent']) });
 *   }
 *
 * Create and update (POST, PUT) call updateManagedFields too, with live undefined for a create.
 * Every function throws PatchError, which carries the HTTP code, reason, message and causes of
 * the Status object the apiserver would answer with (err.toStatus()).
 *
 * What is not supported throws a PatchError with a clear message, never a silent wrong merge;
 * README.md beside this file lists it.
 */
export type { Json, JsonObject } from './json';
export { PatchError, isPatchError, type Status, type StatusCause, type StatusDetails, type StatusReason } from './errors';

export type { TypeNode, MapType, ListType, ScalarType, UntypedType, ZeroValue } from './schema';
export { typeFromOpenAPIV3 } from './openapi';
export { builtinType, builtinKinds } from './builtin-types';

export { applyJsonPatch } from './json-patch';
export { applyMergePatch } from './merge-patch';
export { applyStrategicMergePatch } from './strategic-merge-patch';

export {
  type PatchType,
  PATCH_CONTENT_TYPES,
  patchTypeFromContentType,
  validatePatchOptions,
  validateFieldManager,
  fieldManagerFor,
  managerFromUserAgent,
  resetFieldsFor,
} from './options';

export { type ManagedFieldsEntry, type FieldManagerContext, updateManagedFields, type UpdateManagedFieldsInput } from './managed-fields';
export { serverSideApply, type ServerSideApplyInput } from './apply';
