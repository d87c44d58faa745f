/**
 * PATCH: the four patch types through the patch engine (src/patch), then the same update path
 * as PUT (status split, validation, conflicts); apply creates a missing object.
 */
import { badRequest, notFound } from '../api/status';
import type { KubeObject } from '../api/object';
import {
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  fieldManagerFor,
  patchTypeFromContentType,
  serverSideApply,
  validatePatchOptions,
} from '../patch';
import type { JsonObject } from '../patch/json';
import { grOf, type ResourceType } from '../kinds/types';
import type { WriteContext } from './context';
import type { ApiObjects } from './objects';
import { managedFieldsContext } from './managed-fields';
import { patchTypeOf } from './types-for-patch';

export interface PatchRequest {
  readonly contentType: string | undefined;
  readonly body: string;
  readonly fieldManagerParam?: string;
  readonly force?: string;
  readonly userAgent?: string;
  readonly subresource?: string;
  readonly ctx: WriteContext;
}

export function patch(objects: ApiObjects, t: ResourceType, namespace: string | undefined, name: string, p: PatchRequest): { object: KubeObject; created: boolean } {
  const patchType = patchTypeFromContentType(p.contentType, { strategic: !t.crdName });
  validatePatchOptions({ patchType, fieldManager: p.fieldManagerParam, force: p.force });
  if (p.body.trim() === '') throw badRequest('the body of the request was empty');
  const stored = objects.getStored(t, namespace, name);
  const live = stored ? objects.toExternal(t, stored) : undefined;
  const manager = patchType === 'apply' ? (p.fieldManagerParam as string) : fieldManagerFor(p.fieldManagerParam, p.userAgent);
  const ctx: WriteContext = { ...p.ctx, fieldManager: manager };

  if (patchType === 'apply') {
    const applied = serverSideApply({
      ...managedFieldsContext(t, p.subresource, ctx.now),
      live: live as unknown as JsonObject | undefined,
      body: p.body,
      manager,
      force: p.force === 'true',
    }) as unknown as KubeObject;
    if (!live) {
      if (p.subresource) throw notFound(grOf(t), name);
      const decoded = objects.decode(t, applied, ctx);
      if (decoded.metadata.name && decoded.metadata.name !== name)
        throw badRequest(`the name of the object (${decoded.metadata.name}) does not match the name on the URL (${name})`);
      decoded.metadata.name = name;
      return { object: objects.create(t, namespace, decoded, { ...ctx, fieldManager: manager }, true, true), created: true };
    }
    if (applied === (live as unknown)) return { object: live, created: false };
    const decoded = objects.decode(t, applied, ctx);
    return objects.update(t, namespace, name, decoded, ctx, { subresource: p.subresource, decoded: true, managedFieldsDone: true });
  }

  if (!live) throw notFound(grOf(t), name);
  const base = live as unknown as JsonObject;
  let patched: JsonObject;
  if (patchType === 'json') patched = applyJsonPatch(base, p.body);
  else if (patchType === 'merge') patched = applyMergePatch(base, p.body);
  else patched = applyStrategicMergePatch(base, p.body, patchTypeOf(t));
  const decoded = objects.decode(t, patched, ctx);
  // a patch that sends no resourceVersion applies to the current object unconditionally
  return objects.update(t, namespace, name, decoded, ctx, { subresource: p.subresource, decoded: true });
}
