/**
 * managedFields bookkeeping for every write (the apiserver's fieldmanager package).
 */
import { internal } from './errors';
import type { Json, JsonObject } from './json';
import type { TypeNode } from './schema';

/** metav1.ManagedFieldsEntry as it appears in metadata.managedFields. */
export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  /** RFC 3339, seconds, UTC: "2026-11-22T03:04:05Z". */
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: { [key: string]: Json };
  subresource?: string;
}

/** What every managed-fields computation needs to know about the request. */
export interface FieldManagerContext {
  /** The root type of the kind: builtinType(apiVersion, kind) or typeFromOpenAPIV3(crd schema). */
  readonly type: TypeNode;
  /** The group/version the request is served at, recorded in each entry: "v1", "storage.k8s.io/v1". */
  readonly apiVersion: string;
  readonly kind: string;
  /** "status" for writes through /status; absent for the main resource. */
  readonly subresource?: string;
  /** Paths the resource's strategy resets (resetFieldsFor): never owned by this write. */
  readonly resetFields?: readonly (readonly string[])[];
  /** The time recorded in entries this write touches. */
  readonly now: Date;
}

export interface UpdateManagedFieldsInput extends FieldManagerContext {
  /** The stored object before the write; undefined for a create. */
  readonly live: JsonObject | undefined;
  /**
   * The object about to be stored (after patching, or the request body of a create/update).
   * Its metadata.managedFields, when the client sent some, are honoured as the apiserver does:
   * [] (or [{}]) resets them, a valid list replaces them, absent or invalid keeps live's.
   */
  readonly object: JsonObject;
  /** fieldManagerFor(query fieldManager, User-Agent); "" is recorded as "unknown". */
  readonly manager: string;
}

/**
 * Returns `object` with metadata.managedFields updated for a non-apply write (operation
 * Update): the manager takes ownership of every field it added or changed (taking it from
 * other managers), loses fields it removed, and its entry's time is `now` when it changed
 * anything. Objects whose managedFields are empty on update stay untracked, as on the
 * apiserver; creates are always tracked. At most 10 Update entries are kept; older ones are
 * merged into one "ancient-changes" entry.
 */
export function updateManagedFields(_input: UpdateManagedFieldsInput): JsonObject {
  throw internal('managed fields: not implemented yet');
}
