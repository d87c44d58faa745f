// LogicalVolumes whose claim was deleted while they were being made (TopoLVM #1104).
//
// external-provisioner retries CreateVolume with the same name until it gets an answer, and
// calls DeleteVolume only for volumes it has a PersistentVolume for. When the claim is deleted
// while a create is pending (the call timed out, the provisioner restarted, the node was
// slow), nobody ever asks for the volume again and nobody deletes it: the LV stays on its node
// forever. The controller records on each volume the claim it was made for (its UID from the
// volume name "pvc-<uid>", its namespace/name when the provisioner sends them) and, once a
// PersistentVolume for it exists, that PersistentVolume. A volume whose claim is gone and that
// never reached a PersistentVolume is an orphan and is deleted; a volume that had one is never
// touched (a Retain volume whose PersistentVolume an administrator deleted stays, as in TopoLVM).
// Before deleting, every fact is read again from the API, not from a cache.
import {
  CoreV1Api,
  type KubeConfig,
  type V1PersistentVolume,
  type V1PersistentVolumeClaim,
} from '@kubernetes/client-node';
import { apiCall, Controller, isNotFound, type EventRecorder, type Informer, type Logger } from '@copse/controller-runtime';
import type { LogicalVolume, NameSet } from '@copse/k8s-crd';
import { isDeleting, kindOf } from '../domain/logical-volume-view';
import { isObjectName } from '../domain/object-names';
import type { LogicalVolumes } from '../k8s/logical-volumes';
import type { ControllerMetrics } from '../metrics';
import { type ApiCalls } from '@copse/controller-runtime';

/** The Kubernetes API calls this module makes (deploy/'s RBAC grants exactly the app's union; api-calls.spec.ts checks it against the calls). */
export const API_CALLS: ApiCalls = (_lvGroup) => [
  { group: '', resource: 'persistentvolumes', verbs: ['get'] },
  { group: '', resource: 'persistentvolumeclaims', verbs: ['get', 'list'] },
];

export interface LogicalVolumeState {
  readonly lv: LogicalVolume | undefined;
  /** a PersistentVolume of this driver whose volumeHandle is the volume's ID, as cached */
  readonly persistentVolume: string | undefined;
  /** whether the claim recorded on the volume exists, as cached (undefined: none recorded) */
  readonly claimExists: boolean | undefined;
}

export type LogicalVolumeAction =
  | { readonly type: 'record-persistent-volume'; readonly persistentVolume: string }
  | { readonly type: 'collect-orphan'; readonly claimUid: string };

/** The claim recorded on a volume. */
export function recordedClaim(lv: LogicalVolume, names: NameSet): { uid: string; namespace?: string; name?: string } | undefined {
  const annotations = lv.metadata?.annotations ?? {};
  const uid = annotations[names.pvcUidAnnotation];
  if (!uid) return undefined;
  const ref = annotations[names.pvcAnnotation];
  const slash = ref ? ref.indexOf('/') : -1;
  return ref && slash > 0 ? { uid, namespace: ref.slice(0, slash), name: ref.slice(slash + 1) } : { uid };
}

export function decideLogicalVolume(state: LogicalVolumeState, names: NameSet): LogicalVolumeAction[] {
  const { lv } = state;
  if (!lv || isDeleting(lv) || kindOf(lv) !== 'volume') return [];
  const recordedPv = lv.metadata?.annotations?.[names.persistentVolumeAnnotation];
  if (state.persistentVolume) return recordedPv ? [] : [{ type: 'record-persistent-volume', persistentVolume: state.persistentVolume }];
  if (recordedPv) return []; // it reached a PersistentVolume once: never an orphan
  const claim = recordedClaim(lv, names);
  if (!claim || state.claimExists !== false) return [];
  return [{ type: 'collect-orphan', claimUid: claim.uid }];
}

// --- the shell ----------------------------------------------------------------------------

export interface LogicalVolumeControllerOptions {
  readonly kubeConfig: KubeConfig;
  readonly names: NameSet;
  readonly volumes: LogicalVolumes;
  readonly persistentVolumes: Informer<V1PersistentVolume>;
  readonly claims: Informer<V1PersistentVolumeClaim>;
  readonly events: EventRecorder;
  readonly metrics: ControllerMetrics;
  readonly log: Logger;
}

/** Keeps of a PersistentVolume only what the collector reads. */
export function persistentVolumeEssentials(pv: V1PersistentVolume): V1PersistentVolume {
  return { apiVersion: pv.apiVersion, kind: pv.kind, metadata: pv.metadata, spec: { csi: pv.spec?.csi, claimRef: pv.spec?.claimRef } as V1PersistentVolume['spec'] };
}

/** Keeps of a claim only its metadata. */
export function claimMetadataOnly(pvc: V1PersistentVolumeClaim): V1PersistentVolumeClaim {
  return { apiVersion: pvc.apiVersion, kind: pvc.kind, metadata: pvc.metadata };
}

export class LogicalVolumeController {
  private readonly core: CoreV1Api;
  private readonly controller: Controller<string>;
  /** volumeHandle -> PersistentVolume name, for this driver's PersistentVolumes */
  private readonly pvByHandle = new Map<string, string>();
  /** claim UIDs that exist */
  private readonly claimUids = new Set<string>();
  /** claim UID -> names of the LogicalVolumes recording it */
  private readonly byClaim = new Map<string, Set<string>>();

  constructor(private readonly options: LogicalVolumeControllerOptions) {
    this.core = options.kubeConfig.makeApiClient(CoreV1Api);
    this.controller = new Controller<string>({
      name: 'logical-volume',
      concurrency: 2,
      logger: options.log,
      reconcile: (name, signal) => this.reconcile(name, signal),
    });
  }

  /**
   * Starts the PersistentVolume and claim informers, and once they are filled, reconciles every
   * volume and each change. Stops (informers too) when `signal` aborts.
   */
  async start(signal: AbortSignal): Promise<void> {
    const { persistentVolumes, claims, volumes, names } = this.options;
    const enqueueLv = (lv: LogicalVolume) => {
      this.indexClaim(lv);
      if (lv.metadata?.name) this.controller.enqueue(lv.metadata.name);
    };
    const onLvDelete = (lv: LogicalVolume) => this.unindexClaim(lv);
    const onPv = (pv: V1PersistentVolume) => {
      const csi = pv.spec?.csi;
      if (csi?.driver !== names.driverName || !pv.metadata?.name) return;
      this.pvByHandle.set(csi.volumeHandle, pv.metadata.name);
      const lv = volumes.cachedById(csi.volumeHandle);
      if (lv?.metadata?.name) this.controller.enqueue(lv.metadata.name);
    };
    const onPvDelete = (pv: V1PersistentVolume) => {
      const handle = pv.spec?.csi?.volumeHandle;
      if (handle && this.pvByHandle.get(handle) === pv.metadata?.name) this.pvByHandle.delete(handle);
    };
    const onClaim = (pvc: V1PersistentVolumeClaim) => {
      if (pvc.metadata?.uid) this.claimUids.add(pvc.metadata.uid);
    };
    const onClaimDelete = (pvc: V1PersistentVolumeClaim) => {
      const uid = pvc.metadata?.uid;
      if (!uid) return;
      this.claimUids.delete(uid);
      for (const name of this.byClaim.get(uid) ?? []) this.controller.enqueue(name);
    };
    persistentVolumes.on('add', onPv);
    persistentVolumes.on('update', onPv);
    persistentVolumes.on('delete', onPvDelete);
    claims.on('add', onClaim);
    claims.on('update', onClaim);
    claims.on('delete', onClaimDelete);
    persistentVolumes.start();
    claims.start();
    const stopped = new Promise<void>((resolve) => {
      const stop = () => {
        volumes.informer.off('add', enqueueLv);
        volumes.informer.off('update', enqueueLv);
        volumes.informer.off('delete', onLvDelete);
        void Promise.all([this.controller.stop({ drain: false }), persistentVolumes.stop(), claims.stop()]).then(() => resolve());
      };
      if (signal.aborted) stop();
      else signal.addEventListener('abort', stop, { once: true });
    });
    try {
      await Promise.all([persistentVolumes.waitForSync(signal), claims.waitForSync(signal)]);
    } catch {
      return stopped; // stopped before the caches were filled
    }
    volumes.informer.on('add', enqueueLv);
    volumes.informer.on('update', enqueueLv);
    volumes.informer.on('delete', onLvDelete);
    for (const lv of volumes.cached()) enqueueLv(lv);
    this.controller.start(signal);
    return stopped;
  }

  private indexClaim(lv: LogicalVolume): void {
    const claim = recordedClaim(lv, this.options.names);
    const name = lv.metadata?.name;
    if (!claim || !name) return;
    let set = this.byClaim.get(claim.uid);
    if (!set) this.byClaim.set(claim.uid, (set = new Set()));
    set.add(name);
  }

  private unindexClaim(lv: LogicalVolume): void {
    const claim = recordedClaim(lv, this.options.names);
    const set = claim && this.byClaim.get(claim.uid);
    if (!set) return;
    set.delete(lv.metadata?.name ?? '');
    if (set.size === 0) this.byClaim.delete(claim.uid);
  }

  private stateOf(lv: LogicalVolume | undefined): LogicalVolumeState {
    const id = lv?.status?.volumeID;
    const claim = lv && recordedClaim(lv, this.options.names);
    return {
      lv,
      persistentVolume: id ? this.pvByHandle.get(id) : undefined,
      claimExists: claim ? this.claimUids.has(claim.uid) : undefined,
    };
  }

  private async reconcile(name: string, signal: AbortSignal): Promise<void> {
    const { volumes, names } = this.options;
    for (const action of decideLogicalVolume(this.stateOf(volumes.cachedByName(name)), names)) {
      signal.throwIfAborted();
      if (action.type === 'record-persistent-volume') await this.recordPersistentVolume(name, action.persistentVolume);
      else await this.collect(name, signal);
    }
  }

  private async recordPersistentVolume(name: string, pvName: string): Promise<void> {
    const key = this.options.names.persistentVolumeAnnotation;
    try {
      await this.options.volumes.update(name, (lv) => {
        if (lv.metadata?.annotations?.[key]) return undefined;
        lv.metadata = { ...lv.metadata, annotations: { ...lv.metadata?.annotations, [key]: pvName } };
        return lv;
      });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    this.options.metrics.volumesBound.inc();
    this.options.log.debug({ logicalVolume: name, persistentVolume: pvName }, 'recorded the PersistentVolume of a volume');
  }

  /** Reads everything again from the API; deletes the volume only if it is still an orphan. */
  private async collect(name: string, signal: AbortSignal): Promise<void> {
    const { volumes, names, log } = this.options;
    const lv = await volumes.get(name);
    if (!lv || isDeleting(lv) || lv.metadata?.annotations?.[names.persistentVolumeAnnotation]) return;
    const claim = recordedClaim(lv, names);
    if (!claim) return;
    const pv = await this.livePersistentVolume(lv);
    if (pv) {
      await this.recordPersistentVolume(name, pv);
      return;
    }
    signal.throwIfAborted();
    if (await this.claimExists(claim)) return;
    signal.throwIfAborted();
    await volumes.delete(lv);
    this.options.metrics.orphansRemoved.inc();
    const what = claim.namespace ? `${claim.namespace}/${claim.name} (UID ${claim.uid})` : `UID ${claim.uid}`;
    log.warn({ logicalVolume: name, node: lv.spec.nodeName, claim: what }, 'deleted an orphaned LogicalVolume: its claim was deleted before a PersistentVolume was made for it');
    this.options.events.event(lv, 'Warning', 'OrphanRemoved', `deleted: its claim ${what} was deleted before a PersistentVolume was made for it`);
  }

  /** A PersistentVolume of this driver for the volume, read live (the provisioner names it after the volume). */
  private async livePersistentVolume(lv: LogicalVolume): Promise<string | undefined> {
    const id = lv.status?.volumeID;
    if (!id) return undefined; // not created: no PersistentVolume can name it yet
    const cached = this.pvByHandle.get(id);
    if (cached) return cached;
    const candidate = lv.spec.name;
    if (!isObjectName(candidate)) return undefined;
    try {
      const pv = await apiCall(() => this.core.readPersistentVolume({ name: candidate }));
      const csi = pv.spec?.csi;
      return csi?.driver === this.options.names.driverName && csi.volumeHandle === id ? candidate : undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Whether the claim exists, asked of the API: by name when known, else by a list of all claims. */
  private async claimExists(claim: { uid: string; namespace?: string; name?: string }): Promise<boolean> {
    if (claim.namespace && claim.name) {
      try {
        const pvc = await apiCall(() => this.core.readNamespacedPersistentVolumeClaim({ namespace: claim.namespace as string, name: claim.name as string }));
        return pvc.metadata?.uid === claim.uid;
      } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
      }
    }
    let token: string | undefined;
    do {
      const page = await apiCall(() => this.core.listPersistentVolumeClaimForAllNamespaces({ limit: 500, _continue: token }));
      if (page.items.some((pvc) => pvc.metadata?.uid === claim.uid)) return true;
      token = page.metadata?._continue || undefined;
    } while (token);
    return false;
  }
}
