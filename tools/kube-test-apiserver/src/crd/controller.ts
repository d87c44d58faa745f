/**
 * What apiextensions-apiserver's controllers do for a CRD: serve its versions as soon as it is
 * stored, accept its names (NamesAccepted, Established), keep storedVersions, and on deletion
 * delete every custom resource (honouring their finalizers) before releasing the CRD.
 */
import type { Logger } from 'pino';
import { deepClone, deepEqual, type KubeObject } from '../api/object';
import { objectKey, storageKey, type StoreEvent } from '../store/object-store';
import type { ResourceRegistry } from '../kinds/registry';
import type { ApiObjects } from '../rest/objects';
import { internalContext } from '../rest/context';
import type { ControllerQueue } from '../controllers/queue';
import { CRD_CLEANUP_FINALIZER, crdResourceType, crdSpec, servedTypes, setCondition } from './crd-kind';

const CRD_STORAGE = storageKey('apiextensions.k8s.io', 'customresourcedefinitions');
const MANAGER = 'kube-apiserver';

export class CrdController {
  constructor(
    private readonly objects: ApiObjects,
    private readonly kinds: ResourceRegistry,
    private readonly queue: ControllerQueue,
    private readonly log: Logger,
  ) {
    objects.store.subscribe((e) => this.onEvent(e));
  }

  /** Serves the CRDs already stored (after loading a data file). */
  start(): void {
    for (const crd of this.objects.store.list(CRD_STORAGE)) {
      this.serve(crd);
      this.queue.add(`crd/${crd.metadata.name}`, () => this.reconcile(crd.metadata.name as string));
    }
  }

  private onEvent(e: StoreEvent): void {
    if (e.resource === CRD_STORAGE) {
      const name = e.object.metadata.name as string;
      if (e.type === 'DELETED') {
        this.kinds.replaceCrd(name, []);
        this.log.info({ crd: name }, 'kube-test-apiserver: CRD deleted; its kinds are no longer served');
        return;
      }
      const prevSpec = e.prev?.spec;
      if (e.type === 'ADDED' || !deepEqual(prevSpec, e.object.spec)) this.serve(e.object);
      this.queue.add(`crd/${name}`, () => this.reconcile(name));
      return;
    }
    // a custom resource went away: a terminating CRD may be done
    if (e.type === 'DELETED') {
      for (const crd of this.objects.store.list(CRD_STORAGE)) {
        const spec = crdSpec(crd);
        if (crd.metadata.deletionTimestamp && storageKey(spec.group, spec.names.plural) === e.resource)
          this.queue.add(`crd/${crd.metadata.name}`, () => this.reconcile(crd.metadata.name as string));
      }
    }
  }

  private serve(crd: KubeObject): void {
    try {
      this.kinds.replaceCrd(crd.metadata.name as string, servedTypes(crd));
      this.log.info({ crd: crd.metadata.name }, 'kube-test-apiserver: CRD served');
    } catch (err) {
      this.log.error({ crd: crd.metadata.name, err }, 'kube-test-apiserver: CRD could not be served');
    }
  }

  private reconcile(name: string): void {
    const stored = this.objects.store.get(CRD_STORAGE, objectKey('', name));
    if (!stored) return;
    const crd = this.objects.toExternal(crdResourceType, stored);
    if (crd.metadata.deletionTimestamp) {
      this.cleanup(crd);
      return;
    }
    const spec = crdSpec(crd);
    const next = deepClone(crd);
    const now = new Date();
    const status = (next.status ?? {}) as { acceptedNames?: unknown; storedVersions?: string[] };
    next.status = status;
    const accepted: Record<string, unknown> = { plural: spec.names.plural, singular: spec.names.singular, kind: spec.names.kind, listKind: spec.names.listKind };
    if (spec.names.shortNames?.length) accepted.shortNames = spec.names.shortNames;
    if (spec.names.categories?.length) accepted.categories = spec.names.categories;
    status.acceptedNames = accepted;
    const storage = spec.versions.find((v) => v.storage)?.name;
    if (storage && !(status.storedVersions ?? []).includes(storage)) status.storedVersions = [...(status.storedVersions ?? []), storage];
    setCondition(next, { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' }, now);
    setCondition(next, { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' }, now);
    if (!deepEqual(next.status, crd.status)) this.objects.update(crdResourceType, undefined, name, next, internalContext(MANAGER, now), { subresource: 'status', decoded: true });
  }

  private cleanup(crd: KubeObject): void {
    const spec = crdSpec(crd);
    const name = crd.metadata.name as string;
    const types = this.kinds.all().filter((t) => t.crdName === name);
    const t = types[0];
    const ctx = internalContext(MANAGER);
    const remaining = this.objects.store.list(storageKey(spec.group, spec.names.plural));
    if (t) {
      for (const o of remaining) {
        if (o.metadata.deletionTimestamp) continue;
        try {
          this.objects.delete(t, o.metadata.namespace, o.metadata.name as string, {}, ctx);
        } catch (err) {
          this.log.warn({ crd: name, object: o.metadata.name, err }, 'kube-test-apiserver: CRD cleanup could not delete an object');
        }
      }
    }
    const left = this.objects.store.count(storageKey(spec.group, spec.names.plural));
    const next = deepClone(crd);
    if (left > 0) {
      if (setCondition(next, { type: 'Terminating', status: 'True', reason: 'InstanceDeletionInProgress', message: 'CustomResource deletion is in progress' }, new Date()))
        this.objects.update(crdResourceType, undefined, name, next, ctx, { subresource: 'status', decoded: true });
      return;
    }
    next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f) => f !== CRD_CLEANUP_FINALIZER);
    this.objects.update(crdResourceType, undefined, name, next, ctx, { decoded: true });
  }
}
