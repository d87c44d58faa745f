/**
 * The generic registry: create, update, delete and get of any served resource, with the
 * real server's order of steps (decode, admission, defaulting, strategy, validation, storage)
 * and its rules for system metadata, resourceVersion conflicts, generation, the status
 * subresource split, finalizers and deletion. Handlers (HTTP) and controllers both use it.
 */
import { randomUUID } from 'node:crypto';
import {
  alreadyExists,
  badRequest,
  conflict,
  failure,
  fieldErrors,
  forbidden,
  invalid,
  notFound,
  staleUpdate,
  successStatus,
  type FieldError,
  type Status,
} from '../api/status';
import { deepClone, deepEqual, isPlainObject, OBJECT_META_FIELDS, splitApiVersion, timestamp, type KubeObject } from '../api/object';
import { finalizerWarnings, validateObjectMeta, validateObjectMetaUpdate } from '../api/meta-validation';
import { generateName } from '../api/names';
import { applyDefaults, prune, validate as validateSchema } from '../crd/schema';
import type { ObjectStore } from '../store/object-store';
import { objectKey, storageKey } from '../store/object-store';
import { apiVersionOfType, grOf, type ResourceType } from '../kinds/types';
import type { ResourceRegistry } from '../kinds/registry';
import type { DeleteOptions, WriteContext } from './context';
import { pruneBuiltin } from './prune-builtin';

export type ManagedFieldsRecorder = (
  t: ResourceType,
  live: KubeObject | undefined,
  object: KubeObject,
  manager: string,
  subresource: string | undefined,
  now: Date,
) => KubeObject;

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public'];

export interface DeleteResult {
  /** The body to answer with: the object (pending or deleted) or a Success Status. */
  readonly body: KubeObject | Status;
  /** True when the object is gone; false when finalizers keep it. */
  readonly deleted: boolean;
}

export class ApiObjects {
  constructor(
    readonly store: ObjectStore,
    readonly kinds: ResourceRegistry,
    private readonly recordManagedFields: ManagedFieldsRecorder,
  ) {}

  storageKeyOf(t: ResourceType): string {
    return storageKey(t.storage.group, t.storage.resource);
  }

  keyOf(t: ResourceType, namespace: string | undefined, name: string): string {
    return objectKey(t.namespaced ? namespace : '', name);
  }

  /** Read-time conversions, per stored object version and endpoint (stored objects are never mutated). */
  private readonly externalCache = new WeakMap<KubeObject, Map<ResourceType, KubeObject>>();

  /**
   * A stored object in this endpoint's form: converted, and for custom resources pruned and
   * defaulted with the endpoint's current schema, as the real server decodes what it reads.
   */
  toExternal(t: ResourceType, stored: KubeObject): KubeObject {
    let perType = this.externalCache.get(stored);
    const hit = perType?.get(t);
    if (hit) return hit;
    let o: KubeObject;
    if (t.convert) o = t.convert.fromStorage(stored);
    else {
      o = { ...stored, apiVersion: apiVersionOfType(t), kind: t.kind };
      if (t.schema) {
        o = deepClone(o);
        prune(t.schema, o);
        applyDefaults(t.schema, o);
      }
    }
    // key order as the real server writes it: apiVersion, kind, metadata, then the rest
    const { apiVersion, kind, metadata, ...rest } = o;
    const out = { apiVersion, kind, metadata, ...rest } as KubeObject;
    if (!perType) this.externalCache.set(stored, (perType = new Map()));
    perType.set(t, out);
    return out;
  }

  private toStorage(t: ResourceType, o: KubeObject): KubeObject {
    if (t.convert) return t.convert.toStorage(o);
    return { ...o, apiVersion: t.storage.apiVersion, kind: t.kind };
  }

  getStored(t: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.store.get(this.storageKeyOf(t), this.keyOf(t, namespace, name));
  }

  get(t: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const stored = this.getStored(t, namespace, name);
    if (!stored) throw notFound(grOf(t), name);
    return this.toExternal(t, stored);
  }

  /**
   * Decodes a request body for this endpoint: checks apiVersion and kind, drops unknown fields
   * (reporting them as fieldValidation asks), fills in apiVersion and kind.
   */
  decode(t: ResourceType, raw: unknown, ctx: WriteContext): KubeObject {
    if (!isPlainObject(raw)) throw badRequest(`the object provided is unrecognized (must be of type ${t.kind}): couldn't get version/kind; json parse error: expected an object`);
    const o = deepClone(raw) as KubeObject;
    const expected = apiVersionOfType(t);
    if (t.crdName) {
      if (typeof o.kind !== 'string' || !o.kind) throw badRequest(`Object 'Kind' is missing in '${JSON.stringify(raw)}'`);
    }
    if (o.apiVersion !== undefined && o.apiVersion !== '' && o.apiVersion !== expected) {
      const { group, version } = splitApiVersion(String(o.apiVersion));
      if (t.crdName || group !== t.group || version !== t.version)
        throw badRequest(`the API version in the data (${String(o.apiVersion)}) does not match the expected API version (${expected})`);
    }
    if (t.crdName && (o.apiVersion === undefined || o.apiVersion === ''))
      throw badRequest(`the API version in the data () does not match the expected API version (${expected})`);
    if (o.kind !== undefined && o.kind !== '' && o.kind !== t.kind) {
      if (t.crdName) throw invalid(t.group, t.kind, String((o.metadata as { name?: string } | undefined)?.name ?? ''), [fieldErrors.invalid('kind', o.kind, `must be ${t.kind}`)]);
      throw badRequest(`${String(o.kind)} in version "${t.version}" cannot be handled as a ${t.kind}: the kind in the data (${String(o.kind)}) does not match the expected kind (${t.kind})`);
    }
    if (o.metadata === undefined || o.metadata === null) o.metadata = {};
    if (!isPlainObject(o.metadata)) throw badRequest(`${t.kind} in version "${t.version}" cannot be handled as a ${t.kind}: json: cannot unmarshal ${typeof o.metadata} into Go struct field ${t.kind}.metadata of type v1.ObjectMeta`);
    o.apiVersion = expected;
    o.kind = t.kind;
    const unknown = t.schema ? prune(t.schema, o) : pruneBuiltin(t, o);
    if (unknown.length > 0) {
      if (ctx.fieldValidation === 'Strict') throw badRequest(`strict decoding error: ${unknown.map((p) => `unknown field ${JSON.stringify(p)}`).join(', ')}`);
      if (ctx.fieldValidation === 'Warn') for (const p of unknown) ctx.warnings.push(`unknown field ${JSON.stringify(p)}`);
    }
    return o;
  }

  private defaults(t: ResourceType, o: KubeObject): void {
    if (t.schema) {
      applyDefaults(t.schema, o);
      prune(t.schema, o);
    }
    t.strategy.defaults?.(o);
  }

  private validate(t: ResourceType, o: KubeObject, old?: KubeObject): void {
    const errs: FieldError[] = [...validateObjectMeta(o, t.nameValidation, t.namespaced)];
    if (old) errs.push(...validateObjectMetaUpdate(o.metadata, old.metadata));
    if (t.schema) {
      const { apiVersion: _a, kind: _k, metadata: _m, ...body } = o;
      const { metadata: _ms, ...schemaBody } = t.schema.properties ?? {};
      errs.push(...validateSchema({ ...t.schema, properties: schemaBody }, body, ''));
    }
    errs.push(...(t.strategy.validate?.(o) ?? []));
    if (old) errs.push(...(t.strategy.validateUpdate?.(o, old) ?? []));
    if (errs.length) throw invalid(t.group, t.kind, o.metadata.name ?? '', errs);
  }

  /** NamespaceLifecycle admission: the namespace must exist and not be terminating. */
  private admitNamespace(t: ResourceType, namespace: string | undefined, name: string): void {
    if (!t.namespaced || !namespace) return;
    const ns = this.store.get('/namespaces', objectKey('', namespace));
    if (!ns) throw notFound({ group: '', resource: 'namespaces' }, namespace);
    if (ns.metadata.deletionTimestamp || (ns.status as { phase?: string } | undefined)?.phase === 'Terminating') {
      throw forbidden(grOf(t), name, `unable to create new content in namespace ${namespace} because it is being terminated`, [
        { reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' },
      ]);
    }
  }

  private matchNamespace(t: ResourceType, namespace: string | undefined, o: KubeObject): void {
    const expected = t.namespaced ? (namespace ?? '') : '';
    const got = o.metadata.namespace ?? '';
    if (got === expected) return;
    if (got === '') {
      if (expected) o.metadata.namespace = expected;
      return;
    }
    if (expected === '') {
      delete o.metadata.namespace;
      return;
    }
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }

  /** POST: create. Returns the stored object in this endpoint's form. */
  create(t: ResourceType, namespace: string | undefined, raw: unknown, ctx: WriteContext, decoded = false, managedFieldsDone = false): KubeObject {
    if (t.crdName) this.checkCrdNotTerminating(t);
    const o = decoded ? (deepClone(raw) as KubeObject) : this.decode(t, raw, ctx);
    this.matchNamespace(t, namespace, o);
    const m = o.metadata;
    if (m.resourceVersion) throw failure(500, 'InternalError', 'resourceVersion should not be set on objects to be created');
    this.admitNamespace(t, m.namespace, m.name ?? '');
    this.defaults(t, o);
    if (t.statusSubresource && t.crdName) delete o.status;
    t.strategy.prepareForCreate?.(o);
    if (m.generateName && !m.name) m.name = generateName(m.generateName);
    m.uid = randomUUID();
    m.creationTimestamp = timestamp(ctx.now);
    delete m.deletionTimestamp;
    delete m.deletionGracePeriodSeconds;
    delete m.selfLink;
    if (t.generation) m.generation = 1;
    else delete m.generation;
    this.validate(t, o);
    ctx.warnings.push(...finalizerWarnings(m));
    ctx.warnings.push(...(t.strategy.warnings?.(o) ?? []));
    const withFields = managedFieldsDone ? o : this.recordManagedFields(t, undefined, o, ctx.fieldManager, undefined, ctx.now);
    const name = withFields.metadata.name as string;
    const sk = this.storageKeyOf(t);
    const key = this.keyOf(t, m.namespace, name);
    if (this.store.get(sk, key)) throw alreadyExists(grOf(t), name);
    const normalized = normalizeMetadata(withFields);
    if (ctx.dryRun) return this.toExternal(t, this.toStorage(t, normalized));
    const stored = this.store.create(sk, key, this.toStorage(t, normalized));
    return this.toExternal(t, stored);
  }

  private checkCrdNotTerminating(t: ResourceType): void {
    const crd = this.store.get('apiextensions.k8s.io/customresourcedefinitions', objectKey('', t.crdName as string));
    if (crd?.metadata.deletionTimestamp) throw failure(405, 'MethodNotAllowed', `create not allowed while custom resource definition is terminating`);
  }

  /**
   * PUT (and the second half of every PATCH): replaces the object. `subresource` "status"
   * keeps everything but status; the main resource keeps status when the kind has a status
   * subresource. Returns the object and whether it was created.
   */
  update(
    t: ResourceType,
    namespace: string | undefined,
    name: string,
    raw: unknown,
    ctx: WriteContext,
    opts: { subresource?: string; decoded?: boolean; managedFieldsDone?: boolean } = {},
  ): { object: KubeObject; created: boolean } {
    const o = opts.decoded ? (deepClone(raw) as KubeObject) : this.decode(t, raw, ctx);
    this.matchNamespace(t, namespace, o);
    if (o.metadata.name && o.metadata.name !== name) throw badRequest(`the name of the object (${o.metadata.name}) does not match the name on the URL (${name})`);
    o.metadata.name = name;
    const stored = this.getStored(t, namespace, name);
    if (!stored) {
      if (!t.allowCreateOnUpdate || opts.subresource) throw notFound(grOf(t), name);
      return { object: this.create(t, namespace, o, ctx, true), created: true };
    }
    const old = this.toExternal(t, stored);
    const rv = o.metadata.resourceVersion;
    if ((rv === undefined || rv === '') && t.allowUnconditionalUpdate === false && !opts.decoded)
      throw invalid(t.group, t.plural, name, [{ type: 'FieldValueInvalid', field: 'metadata.resourceVersion', detail: 'Invalid value: 0x0: must be specified for an update' }]);
    if (rv !== undefined && rv !== '' && rv !== old.metadata.resourceVersion) throw staleUpdate(grOf(t), name);
    if (!old.metadata.deletionTimestamp && o.metadata.deletionTimestamp)
      throw invalid(t.group, t.kind, name, [fieldErrors.invalid('metadata.deletionTimestamp', o.metadata.deletionTimestamp, 'field is immutable')]);
    let next = this.prepareUpdate(t, o, old, opts.subresource);
    this.validate(t, next, old);
    ctx.warnings.push(...finalizerWarnings(next.metadata).filter((w) => !finalizerWarnings(old.metadata).includes(w)));
    ctx.warnings.push(...(t.strategy.warnings?.(next) ?? []));
    if (!opts.managedFieldsDone) next = this.recordManagedFields(t, old, next, ctx.fieldManager, opts.subresource, ctx.now);
    next = normalizeMetadata(next);
    return { object: this.commitUpdate(t, next, old, ctx), created: false };
  }

  /** The strategy's PrepareForUpdate and the system metadata rules of rest.BeforeUpdate. */
  prepareUpdate(t: ResourceType, input: KubeObject, old: KubeObject, subresource?: string): KubeObject {
    let o = input;
    const m = o.metadata;
    const om = old.metadata;
    if (!m.uid) m.uid = om.uid;
    m.creationTimestamp = om.creationTimestamp;
    if (om.deletionTimestamp) m.deletionTimestamp = om.deletionTimestamp;
    else delete m.deletionTimestamp;
    if (om.deletionGracePeriodSeconds !== undefined) m.deletionGracePeriodSeconds = om.deletionGracePeriodSeconds;
    else delete m.deletionGracePeriodSeconds;
    m.resourceVersion = om.resourceVersion;
    if (om.generation !== undefined) m.generation = om.generation;
    else delete m.generation;
    this.defaults(t, o);
    if (subresource === 'status') {
      if (t.crdName) {
        // custom resources: /status changes status only (metadata too stays as it was)
        const managed = o.metadata.managedFields;
        const status = o.status;
        o = deepClone(old);
        if (managed !== undefined) o.metadata.managedFields = managed;
        else delete o.metadata.managedFields;
        if (status !== undefined) o.status = status;
        else delete o.status;
      } else {
        // built-ins: everything but status and metadata comes from the stored object
        const next: KubeObject = { apiVersion: o.apiVersion, kind: o.kind, metadata: o.metadata };
        for (const [k, v] of Object.entries(old)) if (k !== 'metadata' && k !== 'status' && k !== 'apiVersion' && k !== 'kind') next[k] = deepClone(v);
        if (o.status !== undefined) next.status = o.status;
        o = next;
        if (t.kind === 'Pod') {
          if (om.ownerReferences) o.metadata.ownerReferences = om.ownerReferences;
          else delete o.metadata.ownerReferences;
        }
      }
    } else if (t.statusSubresource) {
      if (old.status !== undefined) o.status = deepClone(old.status);
      else delete o.status;
    }
    if (t.kind === 'Namespace' && !t.group) {
      // spec.finalizers change only through /finalize
      if (subresource === 'finalize') o.status = deepClone(old.status);
      else o.spec = deepClone(old.spec ?? {});
    }
    if (t.generation && specChanged(t, o, old)) o.metadata.generation = (om.generation ?? 0) + 1;
    return o;
  }

  /** Stores an update (or not: a no-op update writes nothing; emptied finalizers on a deleting object delete it). */
  commitUpdate(t: ResourceType, next: KubeObject, old: KubeObject, ctx: WriteContext): KubeObject {
    const sk = this.storageKeyOf(t);
    const key = this.keyOf(t, next.metadata.namespace, next.metadata.name as string);
    if (deepEqual(stripVolatile(next), stripVolatile(old))) return old;
    if (next.metadata.deletionTimestamp && pendingFinalizers(t, next) === 0) {
      if (!ctx.dryRun) this.store.delete(sk, key);
      return next;
    }
    if (ctx.dryRun) return next;
    return this.toExternal(t, this.store.update(sk, key, this.toStorage(t, next)));
  }

  /** DELETE of one object, with preconditions, propagation policy and finalizers. */
  delete(t: ResourceType, namespace: string | undefined, name: string, options: DeleteOptions, ctx: WriteContext): DeleteResult {
    const stored = this.getStored(t, namespace, name);
    if (!stored) throw notFound(grOf(t), name);
    const old = this.toExternal(t, stored);
    const pre = options.preconditions ?? {};
    if (pre.uid !== undefined && pre.uid !== old.metadata.uid)
      throw conflict(grOf(t), name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid ?? ''}`);
    if (pre.resourceVersion !== undefined && pre.resourceVersion !== old.metadata.resourceVersion)
      throw conflict(grOf(t), name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion ?? ''}`);
    if (t.kind === 'Namespace' && !t.group) return this.deleteNamespace(t, old, ctx);

    let current = old;
    if (t.strategy.beginDelete && !old.metadata.deletionTimestamp) {
      current = deepClone(old);
      t.strategy.beginDelete(current, ctx.now);
    }
    const policy = options.propagationPolicy ?? (options.orphanDependents === true ? 'Orphan' : options.orphanDependents === false ? 'Background' : undefined);
    let finalizers = [...(current.metadata.finalizers ?? [])];
    if (!old.metadata.deletionTimestamp || policy) {
      if (policy === 'Orphan') finalizers = [...finalizers.filter((f) => f !== 'foregroundDeletion'), ...(finalizers.includes('orphan') ? [] : ['orphan'])];
      else if (policy === 'Foreground') finalizers = [...finalizers.filter((f) => f !== 'orphan'), ...(finalizers.includes('foregroundDeletion') ? [] : ['foregroundDeletion'])];
      else if (policy === 'Background') finalizers = finalizers.filter((f) => f !== 'orphan' && f !== 'foregroundDeletion');
      // objects without dependents need no GC finalizer: the real GC removes it at once
      if ((policy === 'Orphan' || policy === 'Foreground') && !this.hasDependents(old.metadata.uid as string))
        finalizers = finalizers.filter((f) => f !== 'orphan' && f !== 'foregroundDeletion');
    }
    if (finalizers.length > 0) {
      const next = deepClone(current);
      next.metadata.finalizers = finalizers;
      if (!next.metadata.deletionTimestamp) {
        if (t.generation && (next.metadata.generation ?? 0) > 0) next.metadata.generation = (next.metadata.generation ?? 0) + 1;
        next.metadata.deletionTimestamp = timestamp(ctx.now);
      }
      next.metadata.deletionGracePeriodSeconds = 0;
      const out = this.commitUpdate(t, normalizeMetadata(next), old, ctx);
      return { body: out, deleted: false };
    }
    if (!ctx.dryRun) this.store.delete(this.storageKeyOf(t), this.keyOf(t, namespace, name));
    if (t.returnDeletedObject) return { body: old, deleted: true };
    const details: Record<string, string> = { name };
    if (t.group) details.group = t.group;
    details.kind = t.plural;
    details.uid = old.metadata.uid as string;
    return { body: successStatus(details), deleted: true };
  }

  private deleteNamespace(t: ResourceType, old: KubeObject, ctx: WriteContext): DeleteResult {
    const name = old.metadata.name as string;
    if (SYSTEM_NAMESPACES.includes(name)) throw forbidden(grOf(t), name, 'this namespace may not be deleted');
    if (old.metadata.deletionTimestamp) return { body: old, deleted: false };
    const next = deepClone(old);
    next.metadata.deletionTimestamp = timestamp(ctx.now);
    next.metadata.deletionGracePeriodSeconds = 0;
    next.status = { ...((next.status as object) ?? {}), phase: 'Terminating' };
    const spec = (next.spec as { finalizers?: string[] }) ?? {};
    if ((spec.finalizers ?? []).length === 0 && (next.metadata.finalizers ?? []).length === 0) {
      if (!ctx.dryRun) this.store.delete(this.storageKeyOf(t), this.keyOf(t, undefined, name));
      return { body: old, deleted: true };
    }
    return { body: this.commitUpdate(t, normalizeMetadata(next), old, ctx), deleted: false };
  }

  /** PUT /api/v1/namespaces/{name}/finalize: sets spec.finalizers; a terminating namespace without any is deleted. */
  finalizeNamespace(t: ResourceType, input: KubeObject, ctx: WriteContext): KubeObject {
    const name = input.metadata.name as string;
    const stored = this.getStored(t, undefined, name);
    if (!stored) throw notFound(grOf(t), name);
    const old = this.toExternal(t, stored);
    const next = deepClone(old);
    next.spec = { ...((old.spec as object) ?? {}), finalizers: ((input.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []) };
    const sk = this.storageKeyOf(t);
    const key = this.keyOf(t, undefined, name);
    if (old.metadata.deletionTimestamp && ((next.spec as { finalizers: string[] }).finalizers.length === 0) && (old.metadata.finalizers ?? []).length === 0) {
      if (!ctx.dryRun) this.store.delete(sk, key);
      return next;
    }
    return this.commitUpdate(t, next, old, ctx);
  }

  /**
   * POST pods/{name}/binding (the scheduler's call; pkg/registry/core/pod/storage's
   * BindingREST): sets spec.nodeName and the PodScheduled condition in one write, with the
   * binding's annotations. Refused when the pod is already on a node or is being deleted.
   */
  bindPod(t: ResourceType, namespace: string | undefined, name: string, raw: unknown, ctx: WriteContext): Status {
    if (!isPlainObject(raw)) throw badRequest('the body of the request was in an unknown format: a Binding object is expected');
    const binding = raw as { kind?: unknown; metadata?: { name?: unknown; annotations?: Record<string, string> }; target?: { kind?: unknown; name?: unknown } };
    if (binding.kind !== undefined && binding.kind !== 'Binding') throw badRequest(`kind ${JSON.stringify(binding.kind)} is not a Binding`);
    const boundName = binding.metadata?.name;
    if (boundName !== undefined && boundName !== name) throw badRequest(`the name of the object (${String(boundName)}) does not match the name on the URL (${name})`);
    const target = binding.target;
    const node = typeof target?.name === 'string' ? target.name : '';
    if (node === '') throw invalid('', 'Binding', name, [fieldErrors.required('target.name', '')]);
    if (target?.kind !== undefined && target.kind !== '' && target.kind !== 'Node')
      throw invalid('', 'Binding', name, [fieldErrors.notSupported('target.kind', target.kind, ['Node', '<empty>'])]);
    const stored = this.getStored(t, namespace, name);
    if (!stored) throw notFound(grOf(t), name);
    const old = this.toExternal(t, stored);
    // kube-apiserver names the subresource in these: 'Operation cannot be fulfilled on pods/binding "x": ...'
    const bindings = { group: '', resource: 'pods/binding' };
    if (old.metadata.deletionTimestamp) throw conflict(bindings, name, `pod ${name} is being deleted, cannot be assigned to a host`);
    const spec = (old.spec ?? {}) as { nodeName?: string };
    if (spec.nodeName) throw conflict(bindings, name, `pod ${name} is already assigned to node "${spec.nodeName}"`);
    const next = deepClone(old);
    (next.spec as { nodeName?: string }).nodeName = node;
    const annotations = binding.metadata?.annotations ?? {};
    if (Object.keys(annotations).length > 0) next.metadata.annotations = { ...(next.metadata.annotations ?? {}), ...annotations };
    const status = ((next.status ?? {}) as { conditions?: { type: string }[] });
    const scheduled = { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: timestamp(ctx.now) };
    status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== 'PodScheduled'), scheduled];
    next.status = status;
    this.commitUpdate(t, normalizeMetadata(next), old, ctx);
    return successStatus({});
  }

  /** Whether any stored object names `uid` among its owners. */
  hasDependents(uid: string): boolean {
    for (const r of this.store.resources()) {
      for (const o of this.store.list(r)) if (o.metadata.ownerReferences?.some((ref) => ref.uid === uid)) return true;
    }
    return false;
  }
}

/** Finalizers that keep a deleting object: metadata.finalizers, and a namespace's spec.finalizers. */
function pendingFinalizers(t: ResourceType, o: KubeObject): number {
  const ns = t.kind === 'Namespace' && !t.group ? ((o.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []).length : 0;
  return (o.metadata.finalizers ?? []).length + ns;
}

/** What a no-op check ignores: resourceVersion and the times in managedFields. */
function stripVolatile(o: KubeObject): unknown {
  const m = { ...o.metadata };
  delete m.resourceVersion;
  if (m.managedFields) m.managedFields = m.managedFields.map((e) => ({ ...e, time: undefined }));
  return { ...o, metadata: m };
}

/** Whether an update changes more than metadata (and status, when status is a subresource). */
function specChanged(t: ResourceType, o: KubeObject, old: KubeObject): boolean {
  const strip = (x: KubeObject) => {
    const { metadata: _m, status, ...rest } = x;
    return t.statusSubresource ? rest : { ...rest, status };
  };
  return !deepEqual(strip(o), strip(old));
}



/** Metadata in the real server's field order, without empty collections (omitempty). */
export function normalizeMetadata(o: KubeObject): KubeObject {
  const m = o.metadata;
  const out: Record<string, unknown> = {};
  for (const k of OBJECT_META_FIELDS) {
    const v = m[k];
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (isPlainObject(v) && Object.keys(v).length === 0) continue;
    out[k] = v;
  }
  return { ...o, metadata: out };
}
