/**
 * Server-side apply (application/apply-patch+yaml) as the apiserver's fieldmanager and
 * sigs.k8s.io/structured-merge-diff do it.
 */
import { internal } from './errors';
import type { JsonObject } from './json';
import type { FieldManagerContext } from './managed-fields';

export interface ServerSideApplyInput extends FieldManagerContext {
  /** The stored object; undefined when it does not exist (apply creates it). */
  readonly live: JsonObject | undefined;
  /** The request body: YAML (or JSON) text of the applied configuration. */
  readonly body: string;
  /** The fieldManager query parameter (required; validatePatchOptions checks it). */
  readonly manager: string;
  /** The force query parameter: take ownership of conflicting fields. */
  readonly force: boolean;
}

/**
 * Applies a configuration: merges it into `live` (or into an empty object of the kind), removes
 * the fields this manager applied before and no longer applies (unless another manager owns
 * them), records ownership in metadata.managedFields (operation Apply), and keeps kubectl's
 * last-applied-configuration annotation in step when manager is "kubectl". Returns the object
 * to store; when nothing changed it is `live` itself (unchanged, same managedFields times).
 *
 * Throws PatchError: 409 Conflict with one cause per conflicting field (unless force), 400 for a
 * body that is not YAML or has the wrong apiVersion/kind or sets managedFields, 500 (as the
 * apiserver) for a configuration that does not match the schema.
 */
export function serverSideApply(_input: ServerSideApplyInput): JsonObject {
  throw internal('server-side apply: not implemented yet');
}
