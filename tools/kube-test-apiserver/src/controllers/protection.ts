/**
 * The pvc-protection and pv-protection controllers: a deleting PVC keeps its
 * kubernetes.io/pvc-protection finalizer while a pod that has not finished uses it; a deleting
 * PV keeps kubernetes.io/pv-protection while it is Bound.
 */
import type { Logger } from 'pino';
import { deepClone, getPath, type KubeObject } from '../api/object';
import { objectKey, storageKey, type StoreEvent } from '../store/object-store';
import type { ResourceRegistry } from '../kinds/registry';
import type { ResourceType } from '../kinds/types';
import type { ApiObjects } from '../rest/objects';
import { internalContext } from '../rest/context';
import { PROTECTION_FINALIZERS } from '../kinds/builtin';
import type { ControllerQueue } from './queue';

const PVC = storageKey('', 'persistentvolumeclaims');
const PV = storageKey('', 'persistentvolumes');
const PODS = storageKey('', 'pods');

export class ProtectionController {
  constructor(
    private readonly objects: ApiObjects,
    private readonly kinds: ResourceRegistry,
    private readonly queue: ControllerQueue,
    private readonly log: Logger,
  ) {
    objects.store.subscribe((e) => this.onEvent(e));
  }

  start(): void {
    for (const o of this.objects.store.list(PVC)) if (o.metadata.deletionTimestamp) this.enqueue(PVC, o);
    for (const o of this.objects.store.list(PV)) if (o.metadata.deletionTimestamp) this.enqueue(PV, o);
  }

  private enqueue(resource: string, o: KubeObject): void {
    const key = objectKey(o.metadata.namespace, o.metadata.name as string);
    this.queue.add(`protection/${resource}/${key}`, () => this.reconcile(resource, key));
  }

  private onEvent(e: StoreEvent): void {
    if ((e.resource === PVC || e.resource === PV) && e.type !== 'DELETED' && e.object.metadata.deletionTimestamp) this.enqueue(e.resource, e.object);
    if (e.resource === PODS) {
      // a pod that finished or went away may release its claims
      for (const claim of claimsOf(e.prev ?? e.object)) {
        const pvc = this.objects.store.get(PVC, objectKey(e.object.metadata.namespace, claim));
        if (pvc?.metadata.deletionTimestamp) this.enqueue(PVC, pvc);
      }
    }
  }

  private reconcile(resource: string, key: string): void {
    const o = this.objects.store.get(resource, key);
    if (!o?.metadata.deletionTimestamp) return;
    const finalizer = resource === PVC ? PROTECTION_FINALIZERS.pvc : PROTECTION_FINALIZERS.pv;
    if (!(o.metadata.finalizers ?? []).includes(finalizer)) return;
    if (resource === PVC && this.podsUsing(o.metadata.namespace as string, o.metadata.name as string)) return;
    if (resource === PV && getPath(o, ['status', 'phase']) === 'Bound') return;
    const t = this.kinds.lookup('', 'v1', resource === PVC ? 'persistentvolumeclaims' : 'persistentvolumes') as ResourceType;
    const next = deepClone(this.objects.toExternal(t, o));
    next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    try {
      this.objects.update(t, o.metadata.namespace, o.metadata.name as string, next, internalContext('kube-controller-manager'), { decoded: true });
    } catch (err) {
      this.log.warn({ resource, key, err }, 'kube-test-apiserver: protection controller failed');
    }
  }

  private podsUsing(namespace: string, claim: string): boolean {
    return this.objects.store.list(PODS, namespace).some((p) => {
      const phase = getPath(p, ['status', 'phase']);
      return phase !== 'Succeeded' && phase !== 'Failed' && claimsOf(p).includes(claim);
    });
  }
}

function claimsOf(pod: KubeObject): string[] {
  const volumes = (getPath(pod, ['spec', 'volumes']) as { persistentVolumeClaim?: { claimName?: string } }[] | undefined) ?? [];
  return volumes.map((v) => v.persistentVolumeClaim?.claimName).filter((c): c is string => typeof c === 'string');
}
