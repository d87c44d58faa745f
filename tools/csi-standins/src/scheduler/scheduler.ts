import type { V1Node, V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node';
import { apiCall, Controller, isConflict, isNotFound, ItemExponentialRateLimiter, updateWithRetry, WorkQueue } from '@copse/controller-runtime';
import type { Logger } from 'pino';
import type { KubeApi } from '../kube/api';
import { eventRecorder, type EventRecorder } from '../kube/events';
import type { SharedInformers } from '../kube/informers';
import { annotation, setAnnotation } from '../kube/meta';
import { matchesNodeSelectorTerms } from '../kube/selectors';
import { ANN_SELECTED_NODE } from '../provisioner/prepare';

export interface SchedulerOptions {
  readonly api: KubeApi;
  readonly informers: SharedInformers;
  readonly log: Logger;
  /** the nodes this process plays kubelet for: the only ones a pod can run on here */
  readonly nodes: readonly string[];
  readonly retryStartMs: number;
  readonly retryMaxMs: number;
}

/** Why a node cannot take a pod, as kube-scheduler's FailedScheduling message words it; undefined: it can. */
export type Misfit = string | undefined;

/**
 * TEST STAND-IN for kube-scheduler, as far as volumes and node constraints go, so that pods made
 * with kubectl (the seeds' pods pinned by node affinity) run on the sandbox's nodes:
 * - pods without spec.nodeName whose schedulerName is the default;
 * - a node fits when it is one this process plays kubelet for, matches spec.nodeSelector and the
 *   required node affinity, and every PersistentVolumeClaim volume fits (NodeVolumeLimits and
 *   VolumeBinding): a bound claim's PV node affinity matches the node, an unbound claim's class
 *   is WaitForFirstConsumer (an unbound Immediate claim makes the pod wait);
 * - of the fitting nodes the first by name (no scoring: no resources, no spreading);
 * - PreBind as the volume binder does it: each unbound WaitForFirstConsumer claim gets
 *   volume.kubernetes.io/selected-node, and the pod is bound only once they are all Bound;
 * - the bind through pods/binding, with the Scheduled event; a pod that fits nowhere gets a
 *   FailedScheduling event and is retried with backoff.
 * Not imitated: CSIStorageCapacity, resources, taints, inter-pod affinity, preemption.
 */
export class SchedulerStandIn {
  private readonly controller: Controller<string>;
  private readonly recorder: EventRecorder;

  constructor(private readonly o: SchedulerOptions) {
    this.recorder = eventRecorder(o.api.kubeConfig, 'default-scheduler', o.log);
    const queue = new WorkQueue<string>({ rateLimiter: new ItemExponentialRateLimiter({ baseDelayMs: o.retryStartMs, maxDelayMs: o.retryMaxMs }) });
    this.controller = new Controller({ name: 'scheduler', queue, logger: o.log, reconcile: (k) => this.schedule(k) });
    this.controller.watch(o.informers.pods(), (pod) => (pending(pod) ? keyOf(pod) : undefined));
    // a claim becoming Bound (or a node appearing) lets a waiting pod go on
    o.informers.pvcs().on('update', (pvc: V1PersistentVolumeClaim) => this.requeueUsersOf(pvc));
    o.informers.nodes().on('add', () => this.requeueAll());
  }

  start(): void {
    this.controller.start();
  }

  async stop(): Promise<void> {
    await this.controller.stop({ drain: false });
    await this.recorder.flush();
  }

  flushEvents(): Promise<void> {
    return this.recorder.flush();
  }

  private requeueUsersOf(pvc: V1PersistentVolumeClaim): void {
    for (const pod of this.o.informers.pods().list(pvc.metadata?.namespace)) {
      if (pending(pod) && claimsOf(pod).includes(pvc.metadata?.name ?? '')) this.controller.enqueue(keyOf(pod));
    }
  }

  private requeueAll(): void {
    for (const pod of this.o.informers.pods().list()) if (pending(pod)) this.controller.enqueue(keyOf(pod));
  }

  private async schedule(key: string): Promise<void> {
    const [namespace, name] = key.split('/') as [string, string];
    const pod = this.o.informers.pods().get(name, namespace);
    if (!pod || !pending(pod)) return;
    const nodes = this.o.nodes.map((n) => this.o.informers.nodes().get(n)).filter((n): n is V1Node => n !== undefined);
    const misfits = new Map<string, string>();
    const fitting = nodes
      .filter((node) => {
        const why = this.misfit(pod, node);
        if (why) misfits.set(node.metadata?.name as string, why);
        return why === undefined;
      })
      .sort((a, b) => (a.metadata?.name as string).localeCompare(b.metadata?.name as string));
    const node = fitting[0]?.metadata?.name;
    if (!node) {
      const reasons = [...new Set(misfits.values())].map((r) => `${[...misfits.values()].filter((x) => x === r).length} ${r}`);
      const message = `0/${nodes.length} nodes are available: ${reasons.join(', ') || 'no node has a kubelet here'}.`;
      this.recorder.event(pod, 'Warning', 'FailedScheduling', message);
      throw new Error(message);
    }
    if (!(await this.volumesBound(pod, node))) return; // requeued when a claim binds
    try {
      await apiCall(() =>
        this.o.api.core.createNamespacedPodBinding({
          name,
          namespace,
          body: { apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace, uid: pod.metadata?.uid }, target: { apiVersion: 'v1', kind: 'Node', name: node } },
        }),
      );
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return; // gone, or bound meanwhile
      throw err;
    }
    this.o.log.info({ pod: key, node }, 'scheduler stand-in bound the pod');
    this.recorder.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${node}`);
  }

  /** The first reason `node` cannot take `pod`, in kube-scheduler's words; undefined when it can. */
  misfit(pod: V1Pod, node: V1Node): Misfit {
    const labels = node.metadata?.labels ?? {};
    const selector = pod.spec?.nodeSelector ?? {};
    const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
    if (Object.entries(selector).some(([k, v]) => labels[k] !== v) || (terms && !matchesNodeSelectorTerms(terms, node)))
      return "node(s) didn't match Pod's node affinity/selector";
    for (const claimName of claimsOf(pod)) {
      const pvc = this.o.informers.pvcs().get(claimName, pod.metadata?.namespace);
      if (!pvc) return `persistentvolumeclaim "${claimName}" not found`;
      if (pvc.metadata?.deletionTimestamp) return `persistentvolumeclaim "${claimName}" is being deleted`;
      const pvName = pvc.spec?.volumeName;
      if (pvName) {
        const pvTerms = this.o.informers.pvs().get(pvName)?.spec?.nodeAffinity?.required?.nodeSelectorTerms;
        if (pvTerms && !matchesNodeSelectorTerms(pvTerms, node)) return "node(s) had volume node affinity conflict";
        continue;
      }
      const className = pvc.spec?.storageClassName ?? '';
      const sc = className ? this.o.informers.storageClasses().get(className) : undefined;
      if (sc?.volumeBindingMode !== 'WaitForFirstConsumer') return 'pod has unbound immediate PersistentVolumeClaims';
    }
    return undefined;
  }

  /**
   * The volume binder's PreBind: selected-node on each unbound WaitForFirstConsumer claim;
   * true once every claim of the pod is Bound.
   */
  private async volumesBound(pod: V1Pod, node: string): Promise<boolean> {
    const namespace = pod.metadata?.namespace as string;
    let all = true;
    for (const name of claimsOf(pod)) {
      const pvc = this.o.informers.pvcs().get(name, namespace);
      if (pvc?.status?.phase === 'Bound') continue;
      all = false;
      if (pvc && !pvc.spec?.volumeName && !annotation(pvc, ANN_SELECTED_NODE)) {
        await updateWithRetry<V1PersistentVolumeClaim>({
          read: () => apiCall(() => this.o.api.core.readNamespacedPersistentVolumeClaim({ namespace, name })),
          mutate: (cur) => (cur.spec?.volumeName || annotation(cur, ANN_SELECTED_NODE) ? undefined : setAnnotation(cur, ANN_SELECTED_NODE, node)),
          write: (next) => apiCall(() => this.o.api.core.replaceNamespacedPersistentVolumeClaim({ namespace, name, body: next })),
        });
        this.o.log.info({ claim: `${namespace}/${name}`, node }, 'scheduler stand-in selected a node for the claim');
      }
    }
    return all;
  }
}

function pending(pod: V1Pod): boolean {
  const scheduler = pod.spec?.schedulerName ?? 'default-scheduler';
  return !pod.spec?.nodeName && !pod.metadata?.deletionTimestamp && scheduler === 'default-scheduler' && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
}

function claimsOf(pod: V1Pod): string[] {
  return (pod.spec?.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim?.claimName ? [v.persistentVolumeClaim.claimName] : []));
}

function keyOf(pod: V1Pod): string {
  return `${pod.metadata?.namespace}/${pod.metadata?.name}`;
}
