/** metadata.managedFields on every write, through the patch engine's field manager. */
import { updateManagedFields, resetFieldsFor } from '../patch';
import type { JsonObject } from '../patch/json';
import type { KubeObject } from '../api/object';
import type { ResourceType } from '../kinds/types';
import { apiVersionOfType } from '../kinds/types';
import { patchTypeOf } from './types-for-patch';

export function managedFieldsContext(t: ResourceType, subresource: string | undefined, now: Date) {
  return {
    type: patchTypeOf(t),
    apiVersion: apiVersionOfType(t),
    kind: t.kind,
    subresource,
    resetFields: resetFieldsFor({ kind: t.kind, builtin: !t.crdName, hasStatusSubresource: t.statusSubresource, subresource }),
    now,
  };
}

/** Records a non-apply write (operation Update) of `manager` in `object`'s managedFields. */
export function recordUpdate(
  t: ResourceType,
  live: KubeObject | undefined,
  object: KubeObject,
  manager: string,
  subresource: string | undefined,
  now: Date,
): KubeObject {
  return updateManagedFields({
    ...managedFieldsContext(t, subresource, now),
    live: live as unknown as JsonObject | undefined,
    object: object as unknown as JsonObject,
    manager,
  }) as unknown as KubeObject;
}
