import type { V1PersistentVolume, V1PersistentVolumeClaim, V1PersistentVolumeClaimCondition } from '@kubernetes/client-node';
import { apiCall, Controller, ItemExponentialRateLimiter, WorkQueue } from '@copse/controller-runtime';
import type { ControllerExpandVolumeResponse__Output } from '@copse/csi-spec';
import type { Logger } from 'pino';
import { persistentVolumeCapability } from '../csi/capability';
import { unary, type CsiConnection } from '../csi/connection';
import { grpcErrorText } from '../csi/grpc-errors';
import type { KubeApi } from '../kube/api';
import { eventRecorder, type EventRecorder } from '../kube/events';
import type { SharedInformers } from '../kube/informers';
import { copy } from '../kube/meta';
import { bytesOf, quantityOf, storageRequest } from '../kube/quantity';
import { quietConflicts } from '../kube/written';
import { claimClass } from '../provisioner/provisioner';

export interface ResizerOptions {
  readonly conn: CsiConnection;
  readonly api: KubeApi;
  readonly informers: SharedInformers;
  readonly log: Logger;
  /** --timeout (external-resizer: 10 s) */
  readonly timeoutMs: number;
  /** --retry-interval-start, --retry-interval-max */
  readonly retryStartMs: number;
  readonly retryMaxMs: number;
}

/** The PVC condition types the resizer and kubelet own (knownResizeConditions). */
const RESIZE_CONDITIONS = new Set(['Resizing', 'FileSystemResizePending']);

/**
 * MergeResizeConditionsOfPVC: resize conditions replaced by the new ones (those not named
 * dropped), other conditions kept.
 */
export function mergeResizeConditions(
  old: readonly V1PersistentVolumeClaimCondition[] | undefined,
  next: readonly V1PersistentVolumeClaimCondition[],
): V1PersistentVolumeClaimCondition[] {
  const kept = (old ?? []).filter((c) => !RESIZE_CONDITIONS.has(c.type));
  const byType = new Map(next.map((c) => [c.type, c]));
  const out: V1PersistentVolumeClaimCondition[] = [];
  for (const c of old ?? []) {
    if (!RESIZE_CONDITIONS.has(c.type)) continue;
    const n = byType.get(c.type);
    if (n) {
      out.push(n);
      byType.delete(c.type);
    }
  }
  return [...kept, ...out, ...byType.values()];
}

export function hasFileSystemResizePending(pvc: V1PersistentVolumeClaim): boolean {
  return (pvc.status?.conditions ?? []).some((c) => c.type === 'FileSystemResizePending' && c.status === 'True');
}

/**
 * TEST STAND-IN for kubernetes-csi/external-resizer (1.7): a Bound claim whose request exceeds
 * its capacity gets ControllerExpandVolume, the PV the new capacity, and either the new
 * capacity in its status or, when the plugin needs node expansion, FileSystemResizePending for
 * kubelet to finish (kubelet.ts). A plugin without EXPAND_VOLUME is resized on the node only, as
 * the real resizer's trivial resizer does.
 *
 * kube-apiserver refuses the claim update itself when the StorageClass lacks
 * allowVolumeExpansion (the PersistentVolumeClaimResize admission plugin); the API test server
 * has no admission plugins, so the stand-in refuses such a claim instead, with that message.
 */
export class ResizerStandIn {
  private readonly claims: Controller<string>;
  private readonly recorder: EventRecorder;

  private constructor(
    private readonly o: ResizerOptions,
    private readonly controllerResize: boolean,
    private readonly singleNodeMultiWriter: boolean,
  ) {
    this.recorder = eventRecorder(o.api.kubeConfig, `external-resizer ${o.conn.driverName}`, o.log);
    const queue = new WorkQueue<string>({ rateLimiter: new ItemExponentialRateLimiter({ baseDelayMs: o.retryStartMs, maxDelayMs: o.retryMaxMs }) });
    this.claims = new Controller({ name: 'external-resizer', queue, concurrency: 10, logger: o.log, reconcile: quietConflicts(o.log, (k) => this.syncPvc(k)) });
    this.claims.watch(o.informers.pvcs());
    o.informers.pvs();
    o.informers.storageClasses();
  }

  static async create(o: ResizerOptions): Promise<ResizerStandIn> {
    if (!o.conn.pluginCapabilities.has('CONTROLLER_SERVICE')) throw new Error('CSI driver does not support controller service');
    const caps = await o.conn.controllerCapabilities(o.timeoutMs);
    const controllerResize = caps.has('EXPAND_VOLUME');
    if (!controllerResize) {
      const nodeCaps = await o.conn.nodeCapabilities(o.timeoutMs).catch(() => new Set<string>());
      if (!nodeCaps.has('EXPAND_VOLUME')) throw new Error('CSI driver neither supports controller resize nor node resize');
      o.log.info('The CSI driver supports node resize only, using trivial resizer to handle resize requests');
    }
    return new ResizerStandIn(o, controllerResize, caps.has('SINGLE_NODE_MULTI_WRITER'));
  }

  start(): void {
    this.claims.start();
    this.o.log.info({ driver: this.o.conn.driverName }, 'test stand-in for external-resizer started');
  }

  async stop(): Promise<void> {
    await this.claims.stop({ drain: false });
    await this.recorder.flush();
  }

  flushEvents(): Promise<void> {
    return this.recorder.flush();
  }

  private async syncPvc(key: string): Promise<void> {
    const [namespace = '', name = ''] = key.split('/');
    const pvc = this.o.informers.pvcs().get(name, namespace);
    if (!pvc?.spec?.volumeName) return;
    const pv = this.o.informers.pvs().get(pvc.spec.volumeName);
    if (!pv) return;
    if (!this.pvcNeedsResize(pvc) || !this.pvNeedsResize(pvc, pv)) return;
    const sc = this.o.informers.storageClasses().get(claimClass(pvc));
    if (sc?.allowVolumeExpansion !== true) {
      // what kube-apiserver's admission would have refused
      this.recorder.event(
        pvc,
        'Warning',
        'VolumeResizeFailed',
        'only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize',
      );
      return;
    }
    await this.resizePvc(pvc, pv);
  }

  /** pvcNeedResize: Bound, and the request exceeds the capacity. */
  private pvcNeedsResize(pvc: V1PersistentVolumeClaim): boolean {
    if (pvc.status?.phase !== 'Bound' || !pvc.spec?.volumeName) return false;
    return storageRequest(pvc.spec.resources) > (bytesOf(pvc.status.capacity?.['storage']) ?? 0);
  }

  /** pvNeedResize: our CSI volume, bound to this claim, smaller than asked (or resized but not yet known to need the node). */
  private pvNeedsResize(pvc: V1PersistentVolumeClaim, pv: V1PersistentVolume): boolean {
    if (pv.spec?.csi?.driver !== this.o.conn.driverName) return false;
    const ref = pv.spec.claimRef;
    if (!ref || ref.namespace !== pvc.metadata?.namespace || ref.uid !== pvc.metadata?.uid) return false;
    const pvSize = bytesOf(pv.spec.capacity?.['storage']) ?? 0;
    if (pvSize >= storageRequest(pvc.spec?.resources)) return !hasFileSystemResizePending(pvc);
    return true;
  }

  private async resizePvc(pvc: V1PersistentVolumeClaim, pv: V1PersistentVolume): Promise<void> {
    let current = await this.patchClaimStatus(pvc, (status) => ({
      ...status,
      conditions: mergeResizeConditions(status.conditions, [{ type: 'Resizing', status: 'True', lastTransitionTime: new Date() }]),
    }));
    this.recorder.event(current, 'Normal', 'Resizing', `External resizer is resizing volume ${pv.metadata?.name}`);
    try {
      const request = storageRequest(current.spec?.resources);
      const { capacity, nodeExpansionRequired } = await this.resizeVolume(pv, request);
      await this.updatePvCapacity(pv, capacity);
      if (nodeExpansionRequired) {
        current = await this.patchClaimStatus(current, (status) => ({
          ...status,
          conditions: mergeResizeConditions(status.conditions, [
            {
              type: 'FileSystemResizePending',
              status: 'True',
              lastTransitionTime: new Date(),
              message: 'Waiting for user to (re-)start a pod to finish file system resize of volume on node.',
            },
          ]),
        }));
        this.recorder.event(current, 'Normal', 'FileSystemResizeRequired', 'Require file system resize of volume on node');
      } else {
        current = await this.patchClaimStatus(current, (status) => ({
          ...status,
          capacity: { ...status.capacity, storage: quantityOf(capacity) },
          conditions: mergeResizeConditions(status.conditions, []),
        }));
        this.recorder.event(current, 'Normal', 'VolumeResizeSuccessful', 'Resize volume succeeded');
      }
    } catch (err) {
      this.recorder.event(current, 'Warning', 'VolumeResizeFailed', (err as Error).message);
      throw err;
    }
  }

  /** csiResizer.Resize: ControllerExpandVolume, or the trivial resizer's answer when the plugin has no controller expansion. */
  private async resizeVolume(pv: V1PersistentVolume, requestBytes: number): Promise<{ capacity: number; nodeExpansionRequired: boolean }> {
    if (!this.controllerResize) return { capacity: requestBytes, nodeExpansionRequired: true };
    const volumeId = pv.spec?.csi?.volumeHandle ?? '';
    const fail = (why: string) => new Error(`resize volume "${pv.metadata?.name}" by resizer "${this.o.conn.driverName}" failed: ${why}`);
    if (volumeId === '') throw fail('empty volume handle');
    const secrets = await this.secrets(pv);
    try {
      const res = await unary<ControllerExpandVolumeResponse__Output>(
        (o, cb) =>
          this.o.conn.controller.ControllerExpandVolume(
            {
              volume_id: volumeId,
              capacity_range: { required_bytes: requestBytes },
              volume_capability: persistentVolumeCapability(pv, this.singleNodeMultiWriter),
              ...(secrets ? { secrets } : {}),
            },
            o,
            cb,
          ),
        this.o.timeoutMs,
      );
      return { capacity: Number(res.capacity_bytes), nodeExpansionRequired: res.node_expansion_required };
    } catch (err) {
      throw fail(grpcErrorText(err));
    }
  }

  private async secrets(pv: V1PersistentVolume): Promise<Record<string, string> | undefined> {
    const ref = pv.spec?.csi?.controllerExpandSecretRef;
    if (!ref?.name) return undefined;
    const secret = await apiCall(() => this.o.api.core.readNamespacedSecret({ name: ref.name as string, namespace: ref.namespace ?? 'default' }));
    return Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  }

  private async updatePvCapacity(pv: V1PersistentVolume, capacity: number): Promise<void> {
    const next = copy(pv);
    next.spec = { ...next.spec, capacity: { ...next.spec?.capacity, storage: quantityOf(capacity) } };
    try {
      await apiCall(() => this.o.api.core.replacePersistentVolume({ name: pv.metadata?.name as string, body: next }));
    } catch (err) {
      throw new Error(`updating capacity of PV "${pv.metadata?.name}" to ${quantityOf(capacity)} failed: ${(err as Error).message}`);
    }
  }

  /** patchClaim on the status subresource, with the resourceVersion check the real one adds. */
  private async patchClaimStatus(
    pvc: V1PersistentVolumeClaim,
    change: (status: NonNullable<V1PersistentVolumeClaim['status']>) => NonNullable<V1PersistentVolumeClaim['status']>,
  ): Promise<V1PersistentVolumeClaim> {
    const next = copy(pvc);
    next.status = change(next.status ?? {});
    try {
      return await apiCall(() =>
        this.o.api.core.replaceNamespacedPersistentVolumeClaimStatus({ name: pvc.metadata?.name as string, namespace: pvc.metadata?.namespace as string, body: next }),
      );
    } catch (err) {
      throw new Error(`can't patch status of  PVC ${pvc.metadata?.namespace}/${pvc.metadata?.name} with ${(err as Error).message}`);
    }
  }
}
