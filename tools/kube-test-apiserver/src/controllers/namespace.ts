/**
 * The namespace lifecycle controller: a terminating namespace has its content deleted (objects
 * with finalizers wait for them), then loses its "kubernetes" finalizer and goes away.
 */
import type { Logger } from 'pino';
import { deepClone, type KubeObject } from '../api/object';
import { objectKey, storageKey, type StoreEvent } from '../store/object-store';
import type { ResourceRegistry } from '../kinds/registry';
import type { ResourceType } from '../kinds/types';
import type { ApiObjects } from '../rest/objects';
import { internalContext } from '../rest/context';
import type { ControllerQueue } from './queue';
import { setCondition } from '../crd/crd-kind';

const NS_STORAGE = storageKey('', 'namespaces');
const MANAGER = 'kube-controller-manager';

export class NamespaceController {
  constructor(
    private readonly objects: ApiObjects,
    private readonly kinds: ResourceRegistry,
    private readonly queue: ControllerQueue,
    private readonly log: Logger,
  ) {
    objects.store.subscribe((e) => this.onEvent(e));
  }

  start(): void {
    for (const ns of this.objects.store.list(NS_STORAGE)) if (ns.metadata.deletionTimestamp) this.enqueue(ns.metadata.name as string);
  }

  private enqueue(name: string): void {
    this.queue.add(`namespace/${name}`, () => this.reconcile(name));
  }

  private onEvent(e: StoreEvent): void {
    if (e.resource === NS_STORAGE) {
      if (e.type !== 'DELETED' && e.object.metadata.deletionTimestamp) this.enqueue(e.object.metadata.name as string);
      return;
    }
    const ns = e.object.metadata.namespace;
    if (e.type === 'DELETED' && ns) {
      const nsObj = this.objects.store.get(NS_STORAGE, objectKey('', ns));
      if (nsObj?.metadata.deletionTimestamp) this.enqueue(ns);
    }
  }

  /** One endpoint per namespaced storage (events are served twice but stored once). */
  private namespacedTypes(): ResourceType[] {
    const seen = new Set<string>();
    const out: ResourceType[] = [];
    for (const t of this.kinds.all()) {
      if (!t.namespaced) continue;
      const k = this.objects.storageKeyOf(t);
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(t);
    }
    return out;
  }

  private reconcile(name: string): void {
    const stored = this.objects.store.get(NS_STORAGE, objectKey('', name));
    if (!stored?.metadata.deletionTimestamp) return;
    const nsType = this.kinds.lookup('', 'v1', 'namespaces') as ResourceType;
    const ctx = internalContext(MANAGER);
    let remaining = 0;
    const finalizersLeft = new Set<string>();
    for (const t of this.namespacedTypes()) {
      for (const o of this.objects.store.list(this.objects.storageKeyOf(t), name)) {
        remaining++;
        for (const f of o.metadata.finalizers ?? []) finalizersLeft.add(f);
        if (o.metadata.deletionTimestamp) continue;
        try {
          this.objects.delete(t, name, o.metadata.name as string, { propagationPolicy: 'Background' }, ctx);
        } catch (err) {
          this.log.warn({ namespace: name, object: o.metadata.name, err }, 'kube-test-apiserver: namespace cleanup could not delete an object');
        }
      }
    }
    const ns = this.objects.toExternal(nsType, stored);
    if (remaining > 0) {
      const next = deepClone(ns);
      const now = new Date();
      let changed = setCondition(next, { type: 'NamespaceContentRemaining', status: 'True', reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${remaining} objects` }, now);
      changed =
        setCondition(
          next,
          finalizersLeft.size
            ? { type: 'NamespaceFinalizersRemaining', status: 'True', reason: 'SomeFinalizersRemain', message: `Some content in the namespace has finalizers remaining: ${[...finalizersLeft].sort().join(', ')}` }
            : { type: 'NamespaceFinalizersRemaining', status: 'False', reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' },
          now,
        ) || changed;
      if (changed) this.objects.update(nsType, undefined, name, next, ctx, { subresource: 'status', decoded: true });
      return;
    }
    // the "kubernetes" finalizer goes through /finalize; then the namespace is removed
    const spec = (ns.spec ?? {}) as { finalizers?: string[] };
    if ((spec.finalizers ?? []).includes('kubernetes')) {
      const next: KubeObject = deepClone(ns);
      next.spec = { ...spec, finalizers: (spec.finalizers ?? []).filter((f) => f !== 'kubernetes') };
      this.objects.finalizeNamespace(nsType, next, ctx);
    }
  }
}
