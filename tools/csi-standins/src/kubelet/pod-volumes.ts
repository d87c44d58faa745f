import type { V1Pod, V1PodStatus, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { apiCall, Controller, isNotFound, ItemExponentialRateLimiter, updateWithRetry, WorkQueue } from '@copse/controller-runtime';
import type { Logger } from 'pino';
import type { KubeApi } from '../kube/api';
import type { SharedInformers } from '../kube/informers';
import { hasFileSystemResizePending } from '../resizer/resizer';
import type { Publication, TestKubelet } from './kubelet';

/** The label of the pod objects TestKubelet.publish() makes itself: not a user's pod. */
export const TEST_POD_LABEL = 'csi-standins.copse.io/test-pod';

export interface PodVolumesOptions {
  readonly kubelet: TestKubelet;
  readonly api: KubeApi;
  readonly informers: SharedInformers;
  readonly log: Logger;
  /** kubelet retries a failed mount with backoff: --retry-interval-start / -max of the stand-ins */
  readonly retryStartMs: number;
  readonly retryMaxMs: number;
  /** publications (each may wait for a claim to bind) at once */
  readonly workers: number;
}

/**
 * TEST STAND-IN for kubelet's volume manager, so that pods made with kubectl get their volumes:
 * a pod whose spec.nodeName is this node has each of its PersistentVolumeClaim volumes published
 * (TestKubelet.publish: the scheduler's selected-node for a WaitForFirstConsumer claim, the wait
 * for binding, NodeStageVolume/NodePublishVolume), then its status Running and Ready (no
 * container runs); a mount failure is an event (FailedMount) and retried with backoff, the pod
 * Pending meanwhile. A pod deleted (or being deleted) has its volumes unpublished, and a
 * graceful delete is finished. A published claim that shows FileSystemResizePending gets
 * NodeExpandVolume. Pods without a node wait for the scheduler stand-in (--schedule-pods), or
 * for ever without it.
 */
export class PodVolumes {
  private readonly pods: Controller<string>;
  private readonly resizes: Controller<string>;

  constructor(private readonly o: PodVolumesOptions) {
    const queue = () => new WorkQueue<string>({ rateLimiter: new ItemExponentialRateLimiter({ baseDelayMs: o.retryStartMs, maxDelayMs: o.retryMaxMs }) });
    this.pods = new Controller({ name: `kubelet-pods-${o.kubelet.nodeName}`, queue: queue(), concurrency: o.workers, logger: o.log, reconcile: (k) => this.syncPod(k) });
    this.resizes = new Controller({ name: `kubelet-resize-${o.kubelet.nodeName}`, queue: queue(), logger: o.log, reconcile: (k) => this.syncResize(k) });
    this.pods.watch(o.informers.pods(), (pod) => (this.mine(pod) ? `${pod.metadata?.namespace}/${pod.metadata?.name}` : undefined));
    this.resizes.watch(o.informers.pvcs(), (pvc: V1PersistentVolumeClaim) => (hasFileSystemResizePending(pvc) ? `${pvc.metadata?.namespace}/${pvc.metadata?.name}` : undefined));
  }

  start(): void {
    this.pods.start();
    this.resizes.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.pods.stop({ drain: false }), this.resizes.stop({ drain: false })]);
  }

  private mine(pod: V1Pod): boolean {
    return pod.spec?.nodeName === this.o.kubelet.nodeName && pod.metadata?.labels?.[TEST_POD_LABEL] === undefined;
  }

  private publicationsOf(namespace: string, name: string, uid?: string): Publication[] {
    return this.o.kubelet.published().filter((p) => !p.ownPod && p.pod.namespace === namespace && p.pod.name === name && (uid === undefined || p.pod.uid === uid));
  }

  private async syncPod(key: string): Promise<void> {
    const [namespace, name] = key.split('/') as [string, string];
    const pod = this.o.informers.pods().get(name, namespace);
    if (!pod || pod.metadata?.deletionTimestamp || !this.mine(pod)) {
      // gone, going, or another pod of that name: what was published for an older one goes
      const stale = this.publicationsOf(namespace, name).filter((p) => !pod || pod.metadata?.deletionTimestamp || p.pod.uid !== pod.metadata?.uid);
      for (const p of stale) await this.o.kubelet.unpublish(p);
      if (pod?.metadata?.deletionTimestamp && this.mine(pod)) {
        // the containers are gone: kubelet finishes the graceful delete
        try {
          await apiCall(() => this.o.api.core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 }));
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
      return;
    }
    const uid = pod.metadata?.uid as string;
    const done = new Set(this.publicationsOf(namespace, name, uid).map((p) => p.claim.name));
    for (const volume of pod.spec?.volumes ?? []) {
      const claimName = volume.persistentVolumeClaim?.claimName;
      if (!claimName || done.has(claimName)) continue;
      await this.o.kubelet.publish({ namespace, name: claimName }, { pod: { namespace, name, uid }, readOnly: volume.persistentVolumeClaim?.readOnly === true });
      done.add(claimName);
    }
    if (pod.status?.phase !== 'Running') await this.markRunning(pod);
  }

  /** What kubelet's status manager reports once the volumes are up and the containers "run". */
  private async markRunning(pod: V1Pod): Promise<void> {
    const now = new Date();
    const namespace = pod.metadata?.namespace as string;
    const name = pod.metadata?.name as string;
    await updateWithRetry<V1Pod>({
      read: () => apiCall(() => this.o.api.core.readNamespacedPod({ namespace, name })),
      mutate: (cur) => {
        if (cur.metadata?.uid !== pod.metadata?.uid || cur.status?.phase === 'Running') return undefined;
        const condition = (type: string) => ({ type, status: 'True', lastTransitionTime: now });
        const status: V1PodStatus = {
          ...cur.status,
          phase: 'Running',
          hostIP: '127.0.0.1',
          startTime: cur.status?.startTime ?? now,
          conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map(condition),
          containerStatuses: (cur.spec?.containers ?? []).map((c) => ({
            name: c.name,
            image: c.image ?? '',
            imageID: '',
            ready: true,
            started: true,
            restartCount: 0,
            state: { running: { startedAt: now } },
          })),
        };
        return { ...cur, status };
      },
      write: (next) => apiCall(() => this.o.api.core.replaceNamespacedPodStatus({ namespace, name, body: next })),
    });
  }

  private async syncResize(key: string): Promise<void> {
    const [namespace, name] = key.split('/') as [string, string];
    const pvc = this.o.informers.pvcs().get(name, namespace);
    if (!pvc || !hasFileSystemResizePending(pvc)) return;
    const p = this.o.kubelet.published().find((x) => x.claim.namespace === namespace && x.claim.name === name);
    // an unpublished volume is expanded at its next publication
    if (p) await this.o.kubelet.expand(p);
  }
}
