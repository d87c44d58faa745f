/**
 * Server-side apply (application/apply-patch+yaml) as the apiserver's fieldmanager and
 * sigs.k8s.io/structured-merge-diff do it:
 *
 * 1. the configuration must be of the request's kind and version and carry no managedFields,
 *    and fit the kind's type (else 500 "failed to create typed patch object", as the apiserver);
 * 2. it is merged into the object (lists by their keys, atomic values replaced);
 * 3. the applier now owns exactly the configuration's fields; fields it owned before and no
 *    longer applies are removed unless another manager owns them;
 * 4. fields another manager owns and this apply changes are conflicts: a 409 listing them, or
 *    with force the applier takes them over;
 * 5. for manager "kubectl", conflicts with fields still matching the last-applied-configuration
 *    annotation (client-side apply's record) are allowed, and that annotation is kept in step.
 */
import { parse as parseYaml } from 'yaml';
import { badRequest, internal, PatchError } from './errors';
import { canonicalJson, FieldSet, pathString, type Path } from './fieldpath';
import { deepEqual, isObject, type Json, type JsonObject } from './json';
import {
  compareObjects,
  decodeManagedFields,
  emptyObject,
  formatTime,
  managerIdentity,
  printManager,
  resetFieldSet,
  stripMeta,
  takeOwnership,
  withManagedFields,
  withoutManagedFields,
  type FieldManagerContext,
  type Managed,
} from './managed-fields';
import { compare, ensureNamedFieldsAreMembers, merge, removeItems, toFieldSet, validate, withZeroFields } from './typed';
import type { TypeNode } from './schema';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

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

interface Conflict {
  readonly manager: string;
  readonly path: Path;
}

class Conflicts extends Error {
  constructor(readonly conflicts: Conflict[]) {
    super('conflicts');
  }
}

function gvkString(apiVersion: Json | undefined, kind: Json | undefined): string {
  const av = typeof apiVersion === 'string' ? apiVersion : '';
  const k = typeof kind === 'string' ? kind : '';
  const parts = av.split('/');
  if (parts.length > 2) return '/, Kind=';
  const [group, version] = parts.length === 2 ? [parts[0]!, parts[1]!] : ['', parts[0]!];
  return `${group}/${version}, Kind=${k}`;
}

function objectGVKNN(obj: JsonObject): string {
  const md = isObject(obj.metadata) ? obj.metadata : {};
  const ns = typeof md.namespace === 'string' ? md.namespace : '';
  const name = typeof md.name === 'string' ? md.name : '';
  return `${ns}/${name}; ${gvkString(obj.apiVersion, obj.kind)}`;
}

/** sigs.k8s.io/yaml.Unmarshal into map[string]interface{}: YAML 1.1, last duplicate key wins. */
function decodeConfig(body: string): JsonObject {
  let doc: unknown;
  try {
    doc = parseYaml(body, { version: '1.1', uniqueKeys: false, merge: true, intAsBigInt: false });
  } catch (e) {
    throw badRequest(`error decoding YAML: ${(e as Error).message}`);
  }
  if (doc === undefined || doc === null) return {};
  if (!isObject(doc)) {
    const what = Array.isArray(doc) ? 'array' : typeof doc === 'boolean' ? 'bool' : typeof doc;
    throw badRequest(`error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${what} into Go value of type map[string]interface {}`);
  }
  return JSON.parse(JSON.stringify(doc)) as JsonObject;
}

function conflictError(conflicts: Conflict[]): PatchError {
  const causes = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${printManager(c.manager)}`,
    field: pathString(c.path),
  }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0]!.manager)}: ${pathString(conflicts[0]!.path)}`;
  } else {
    const byManager = new Map<string, Path[]>();
    for (const c of conflicts) byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), c.path]);
    const lines: string[] = [];
    for (const m of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${printManager(m)}:`);
      for (const p of byManager.get(m)!) lines.push(`- ${pathString(p)}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new PatchError({ code: 409, reason: 'Conflict', message, details: { causes } });
}

function copyManaged(managed: Managed): Managed {
  const out: Managed = new Map();
  for (const [id, m] of managed) out.set(id, { ...m });
  return out;
}

function unionOfAll(managed: Managed): FieldSet {
  let all = new FieldSet();
  for (const m of managed.values()) all = all.union(m.set);
  return all;
}

/** Updater.prune with addBackOwnedItems and addBackDanglingItems. */
function prune(merged: Json, managed: Managed, lastSet: FieldSet | undefined, type: TypeNode): Json {
  if (lastSet === undefined || lastSet.empty()) return merged;
  const ensure = (s: FieldSet): FieldSet => ensureNamedFieldsAreMembers(s, type);
  const last = ensure(lastSet);
  let pruned = removeItems(merged, last, type);
  const mergedSet = ensure(toFieldSet(merged, type));
  pruned = removeItems(merged, mergedSet.difference(ensure(toFieldSet(pruned, type)).union(ensure(unionOfAll(managed)))), type);
  return removeItems(merged, mergedSet.difference(ensure(toFieldSet(pruned, type))).intersection(last), type);
}

interface ApplyResult {
  /** undefined: nothing changed. */
  object: Json | undefined;
  managed: Managed;
}

/** Updater.Apply on typed (zero-filled) values. Throws Conflicts. */
function updaterApply(
  live: JsonObject,
  config: JsonObject,
  managedIn: Managed,
  id: string,
  entry: { manager: string; subresource?: string },
  ctx: FieldManagerContext,
  force: boolean,
): ApplyResult {
  const managed = copyManaged(managedIn);
  let merged: Json | undefined;
  try {
    merged = merge(live, config, ctx.type);
  } catch (e) {
    throw internal(`failed to merge config: ${(e as Error).message}`);
  }
  const lastSet = managed.get(id)?.set;
  const set = toFieldSet(config, ctx.type).recursiveDifference(resetFieldSet(ctx.resetFields));
  managed.set(id, { manager: entry.manager, operation: 'Apply', subresource: entry.subresource, apiVersion: ctx.apiVersion, set, time: managed.get(id)?.time });
  const next = prune(merged ?? {}, managed, lastSet, ctx.type);
  const nextObject = isObject(next) ? next : {};
  const conflicts = takeOwnership(managed, compareObjects(live, nextObject, ctx), id, force);
  if (conflicts !== undefined) {
    const list: Conflict[] = [];
    for (const m of [...conflicts.keys()].sort()) for (const p of conflicts.get(m)!.paths()) list.push({ manager: m, path: p });
    throw new Conflicts(list);
  }
  return { object: deepEqual(live, nextObject) ? undefined : nextObject, managed };
}

/** lastAppliedManager.allowedConflictsFromLastApplied: fields whose live value still is the last-applied one. */
function allowedConflictsFromLastApplied(live: JsonObject, ctx: FieldManagerContext): FieldSet | undefined {
  const annotations = isObject(live.metadata) && isObject(live.metadata.annotations) ? live.metadata.annotations : undefined;
  const lastApplied = annotations?.[LAST_APPLIED_ANNOTATION];
  if (typeof lastApplied !== 'string' || lastApplied === '') return undefined;
  let obj: Json;
  try {
    obj = JSON.parse(lastApplied) as Json;
  } catch {
    return undefined;
  }
  if (!isObject(obj) || obj.apiVersion !== ctx.apiVersion) return undefined;
  if (validate(obj, ctx.type, false).length > 0) return undefined;
  const typedLast = withZeroFields(obj, ctx.type);
  const set = toFieldSet(typedLast, ctx.type);
  const c = compare(typedLast, withZeroFields(live, ctx.type), ctx.type);
  return set.difference(c.modified).difference(c.added).difference(c.removed);
}

function hasLastApplied(obj: JsonObject): boolean {
  const a = isObject(obj.metadata) && isObject(obj.metadata.annotations) ? obj.metadata.annotations[LAST_APPLIED_ANNOTATION] : undefined;
  return typeof a === 'string' && a.length > 0;
}

/** buildLastApplied: the applied configuration without the annotation, as JSON with a newline. */
function buildLastApplied(config: JsonObject): string {
  const copy = JSON.parse(JSON.stringify(config)) as JsonObject;
  if (isObject(copy.metadata) && isObject(copy.metadata.annotations)) {
    delete copy.metadata.annotations[LAST_APPLIED_ANNOTATION];
  }
  return `${canonicalJson(copy)}\n`;
}

function setLastApplied(obj: JsonObject, value: string): JsonObject {
  const metadata = isObject(obj.metadata) ? { ...obj.metadata } : {};
  const annotations = isObject(metadata.annotations) ? { ...metadata.annotations } : {};
  annotations[LAST_APPLIED_ANNOTATION] = value;
  metadata.annotations = annotations;
  return { ...obj, metadata };
}

/**
 * Applies a configuration: merges it into `live` (or into an empty object of the kind), removes
 * the fields this manager applied before and no longer applies (unless another manager owns
 * them), records ownership in metadata.managedFields (operation Apply), and keeps kubectl's
 * last-applied-configuration annotation in step when manager is "kubectl". Returns the object
 * to store; when nothing changed it is `live` with the same managedFields times.
 *
 * Throws PatchError: 409 Conflict with one cause per conflicting field (unless force), 400 for a
 * body that is not YAML or has the wrong apiVersion/kind or sets managedFields, 500 (as the
 * apiserver) for a configuration that does not match the schema.
 */
export function serverSideApply(input: ServerSideApplyInput): JsonObject {
  const config = decodeConfig(input.body);
  let managed: Managed;
  try {
    managed = decodeManagedFields(input.live !== undefined && isObject(input.live.metadata) ? input.live.metadata.managedFields : undefined);
  } catch (e) {
    throw internal(`failed to decode managed fields: ${(e as Error).message}`);
  }
  if (config.apiVersion !== input.apiVersion || config.kind !== input.kind) {
    throw badRequest(`invalid object type: ${gvkString(config.apiVersion, config.kind)}`);
  }
  if (isObject(config.metadata) && config.metadata.managedFields !== undefined && config.metadata.managedFields !== null) {
    throw badRequest('metadata.managedFields must be nil');
  }
  const configErrors = validate(config, input.type, false);
  if (configErrors.length > 0) {
    throw internal(`failed to create typed patch object (${objectGVKNN(config)}): ${configErrors.join('\n')}`);
  }
  const liveRaw = input.live === undefined ? emptyObject(input) : withoutManagedFields(input.live);
  const live = withZeroFields(liveRaw, input.type) as JsonObject;
  const liveErrors = validate(live, input.type, true);
  if (liveErrors.length > 0) {
    throw internal(`failed to create typed live object (${objectGVKNN(live)}): ${liveErrors.join('\n')}`);
  }
  const subresource = input.subresource !== undefined && input.subresource !== '' ? input.subresource : undefined;
  const id = managerIdentity(input.manager, 'Apply', input.apiVersion, subresource);
  const entry = { manager: input.manager, subresource };

  let result: ApplyResult;
  try {
    result = updaterApply(live, config, managed, id, entry, input, input.force);
  } catch (e) {
    if (!(e instanceof Conflicts)) throw e;
    if (input.manager !== 'kubectl') throw conflictError(e.conflicts);
    const allowed = input.live === undefined ? undefined : allowedConflictsFromLastApplied(withoutManagedFields(input.live), input);
    if (allowed === undefined) throw conflictError(e.conflicts);
    const remaining = e.conflicts.filter((c) => !allowed.has(c.path));
    if (remaining.length > 0) throw conflictError(remaining);
    result = updaterApply(live, config, managed, id, entry, input, true);
  }

  const own = result.managed.get(id);
  if (own !== undefined) {
    own.set = stripMeta(own.set);
    if (own.set.empty()) result.managed.delete(id);
  }
  let object: JsonObject;
  if (result.object === undefined) {
    object = input.live === undefined ? liveRaw : withoutManagedFields(input.live);
  } else {
    object = result.object as JsonObject;
    const mine = result.managed.get(id);
    if (mine !== undefined) mine.time = formatTime(input.now);
  }
  if (input.manager === 'kubectl' && hasLastApplied(object)) {
    object = setLastApplied(object, buildLastApplied(config));
  }
  return withManagedFields(object, result.managed);
}
