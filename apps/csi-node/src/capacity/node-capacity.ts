import { CoreV1Api, type KubeConfig, type V1Node } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { apiCall, Controller, informerFor, isConflict, isNotFound, type Informer } from '@copse/controller-runtime';
import type { NameSet } from '@copse/k8s-crd';
import type { NodeMetrics } from '../metrics';
import { desiredCapacityAnnotations, nodeCapacityPatch } from './annotations';
import type { LvmdFollower } from './lvmd-follower';
import { type ApiCalls } from '@copse/controller-runtime';

/** The Kubernetes API calls this module makes (deploy/'s RBAC grants exactly the app's union; api-calls.spec.ts checks it against the calls). */
export const API_CALLS: ApiCalls = (_lvGroup) => [{ group: '', resource: 'nodes', verbs: ['list', 'watch', 'patch'] }];

export interface NodeCapacityOptions {
  readonly kubeConfig: KubeConfig;
  readonly names: NameSet;
  readonly nodeName: string;
  readonly follower: LvmdFollower;
  readonly log: Logger;
  readonly metrics?: NodeMetrics;
}

const NODES = { group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false } as const;

/**
 * Keeps this Node's capacity annotations equal to what lvmd-http's watch stream reports.
 * A controller with one key (the node's name): capacity events and changes of the Node
 * (watched alone, by a field selector on its name) enqueue it; reconcile compares and
 * writes only what differs, so a capacity event that changes no figure, or a kubelet
 * status update, costs no request. A failed write is retried with the queue's backoff.
 */
export class NodeCapacityPublisher {
  private readonly informer: Informer<V1Node>;
  private readonly controller: Controller<string>;
  private readonly core: CoreV1Api;
  private warnedMissing = false;
  private readonly onCapacity = () => this.controller.enqueue(this.o.nodeName);

  constructor(private readonly o: NodeCapacityOptions) {
    this.core = o.kubeConfig.makeApiClient(CoreV1Api);
    this.informer = informerFor<V1Node>(o.kubeConfig, NODES, {
      fieldSelector: `metadata.name=${o.nodeName}`,
      list: (options) => apiCall(() => this.core.listNode(options)),
      logger: o.log,
      name: 'node',
    });
    this.controller = new Controller<string>({ name: 'node-capacity', reconcile: () => this.reconcile(), logger: o.log });
    this.controller.watch(this.informer, () => o.nodeName);
  }

  async start(signal?: AbortSignal): Promise<void> {
    this.o.follower.on('capacity', this.onCapacity);
    this.informer.start();
    await this.informer.waitForSync(signal);
    this.controller.start();
    this.controller.enqueue(this.o.nodeName);
  }

  async stop(): Promise<void> {
    this.o.follower.off('capacity', this.onCapacity);
    await this.controller.stop({ drain: false });
    await this.informer.stop();
  }

  private async reconcile(): Promise<void> {
    const classes = this.o.follower.deviceClasses();
    if (!classes) return; // nothing heard from lvmd-http yet: write nothing rather than zeros
    const node = this.informer.get(this.o.nodeName);
    if (!node) {
      if (!this.warnedMissing) this.o.log.warn({ node: this.o.nodeName }, 'the Node object does not exist (yet): capacity annotations wait for it');
      this.warnedMissing = true;
      return;
    }
    this.warnedMissing = false;
    const desired = desiredCapacityAnnotations(this.o.names, classes);
    const patch = nodeCapacityPatch(this.o.names, node, desired);
    if (!patch) return;
    try {
      await apiCall(() => this.core.patchNode({ name: this.o.nodeName, body: patch }));
      this.o.metrics?.nodeUpdates.inc({ result: 'ok' });
      this.o.log.debug({ annotations: desired }, 'updated the capacity annotations');
    } catch (err) {
      if (isNotFound(err)) return; // deleted meanwhile: its delete event ends this
      this.o.metrics?.nodeUpdates.inc({ result: isConflict(err) ? 'conflict' : 'error' });
      throw err; // retried with backoff; a conflict after the informer has the newer Node
    }
  }
}
