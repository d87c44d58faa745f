// What becomes of a deleted Node's volumes (TopoLVM's node controller, internal/controller/
// node_controller.go): no node will ever act on its LogicalVolumes again, so they are deleted
// with their finalizers stripped, and the claims that held them are deleted so that their
// workloads can be provisioned elsewhere. The Node's finalizer (<group>/node) keeps the Node
// until that is done. Pure: the state in, the actions out.
import { CoreV1Api, StorageV1Api, type KubeConfig, type V1Node, type V1PersistentVolume, type V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { apiCall, Controller, isConflict, isNotFound, updateWithRetry, type EventRecorder, type Informer, type Logger } from '@copse/controller-runtime';
import type { LogicalVolume, NameSet } from '@copse/k8s-crd';
import type { LogicalVolumes } from '../k8s/logical-volumes';
import type { NodeMeta } from '../k8s/nodes';
import type { ControllerMetrics } from '../metrics';
import { type ApiCalls } from '@copse/controller-runtime';

/** The Kubernetes API calls this module makes (deploy/'s RBAC grants exactly the app's union; api-calls.spec.ts checks it against the calls). */
export const API_CALLS: ApiCalls = (_lvGroup) => [
  { group: '', resource: 'nodes', verbs: ['get', 'patch'] },
  { group: '', resource: 'persistentvolumes', verbs: ['list'] },
  { group: '', resource: 'persistentvolumeclaims', verbs: ['list', 'delete'] },
  { group: 'storage.k8s.io', resource: 'storageclasses', verbs: ['list'] },
];

/** The annotation the scheduler puts on a WaitForFirstConsumer claim. */
export const SELECTED_NODE_ANNOTATION = 'volume.kubernetes.io/selected-node';

export interface NodeState {
  readonly name: string;
  /** the Node as cached; undefined once it is gone */
  readonly node: NodeMeta | undefined;
  /** the informer saw the Node deleted (it had no finalizer holding it) */
  readonly observedDeletion: boolean;
  /** LogicalVolumes whose spec.nodeName is this node */
  readonly logicalVolumes: readonly LogicalVolume[];
  /** read only for a deleted node: claims, volumes and this driver's StorageClasses */
  readonly claims?: readonly V1PersistentVolumeClaim[];
  readonly persistentVolumes?: readonly V1PersistentVolume[];
  readonly storageClasses?: ReadonlySet<string>;
}

export interface NodePolicy {
  readonly names: NameSet;
  /** --node-cleanup: remove a deleted node's volumes and claims (default true) */
  readonly cleanup: boolean;
}

export type NodeAction =
  | { readonly type: 'add-finalizer' }
  | { readonly type: 'delete-claim'; readonly namespace: string; readonly name: string; readonly uid: string }
  | { readonly type: 'delete-logical-volume'; readonly name: string; readonly uid: string }
  | { readonly type: 'remove-finalizer' };

/** Whether the node is going: marked for deletion, or already gone. */
export function isNodeGoing(state: Pick<NodeState, 'node' | 'observedDeletion'>): boolean {
  return state.node ? Boolean(state.node.metadata?.deletionTimestamp) : state.observedDeletion;
}

/** Whether the node serves this driver: csi-node reports capacity there, or volumes live there. */
export function servesDriver(state: Pick<NodeState, 'node' | 'logicalVolumes'>, names: NameSet): boolean {
  const annotations = state.node?.metadata?.annotations ?? {};
  return state.logicalVolumes.length > 0 || Object.keys(annotations).some((k) => k.startsWith(names.capacityAnnotationPrefix));
}

/** Whether deciding needs the claims, volumes and classes read (only for a going node being cleaned up). */
export function needsClaims(state: Pick<NodeState, 'node' | 'observedDeletion'>, policy: NodePolicy): boolean {
  return policy.cleanup && isNodeGoing(state);
}

/**
 * The claims to release: this driver's claims the scheduler placed on the node (TopoLVM's rule,
 * the selected-node annotation), and those bound to a volume that lives there (an Immediate
 * claim has no selected node).
 */
export function claimsOnNode(state: NodeState, names: NameSet): V1PersistentVolumeClaim[] {
  const classes = state.storageClasses ?? new Set<string>();
  const volumeIds = new Set(state.logicalVolumes.map((lv) => lv.status?.volumeID).filter((id): id is string => Boolean(id)));
  const boundHere = new Set<string>();
  for (const pv of state.persistentVolumes ?? []) {
    const csi = pv.spec?.csi;
    if (csi?.driver !== names.driverName || !volumeIds.has(csi.volumeHandle)) continue;
    const ref = pv.spec?.claimRef;
    if (ref?.uid) boundHere.add(ref.uid);
  }
  return (state.claims ?? []).filter((pvc) => {
    const uid = pvc.metadata?.uid;
    if (!uid || pvc.metadata?.deletionTimestamp) return false;
    if (boundHere.has(uid)) return true;
    const selected = pvc.metadata?.annotations?.[SELECTED_NODE_ANNOTATION] === state.name;
    return selected && classes.has(pvc.spec?.storageClassName ?? '');
  });
}

export function decideNode(state: NodeState, policy: NodePolicy): NodeAction[] {
  const { names } = policy;
  const finalizers = state.node?.metadata?.finalizers ?? [];
  const hasFinalizer = finalizers.includes(names.nodeFinalizer);
  if (!isNodeGoing(state)) {
    // hold the Node until its volumes are cleaned up; TopoLVM's node adds the finalizer, and so
    // does this controller for nodes that serve the driver, so that cleanup never depends on it
    return policy.cleanup && state.node && !hasFinalizer && servesDriver(state, names) ? [{ type: 'add-finalizer' }] : [];
  }
  const actions: NodeAction[] = [];
  if (policy.cleanup) {
    for (const pvc of claimsOnNode(state, names)) {
      actions.push({ type: 'delete-claim', namespace: pvc.metadata?.namespace as string, name: pvc.metadata?.name as string, uid: pvc.metadata?.uid as string });
    }
    for (const lv of state.logicalVolumes) {
      actions.push({ type: 'delete-logical-volume', name: lv.metadata?.name as string, uid: lv.metadata?.uid as string });
    }
  }
  if (state.node && hasFinalizer) actions.push({ type: 'remove-finalizer' });
  return actions;
}

// --- the shell ----------------------------------------------------------------------------

export interface NodeControllerOptions {
  readonly kubeConfig: KubeConfig;
  readonly policy: NodePolicy;
  readonly nodes: Informer<V1Node>;
  readonly volumes: LogicalVolumes;
  readonly events: EventRecorder;
  readonly metrics: ControllerMetrics;
  readonly log: Logger;
}

/**
 * Reconciles Nodes by name: reads the state (caches; for a going node also live lists of
 * claims, volumes and StorageClasses, which happens once per deleted node), asks decideNode,
 * performs the actions in order. A failure retries the key with backoff.
 */
export class NodeController {
  private readonly core: CoreV1Api;
  private readonly storage: StorageV1Api;
  /** nodes the informer saw deleted, until their cleanup has run */
  private readonly deleted = new Set<string>();
  private readonly controller: Controller<string>;

  constructor(private readonly options: NodeControllerOptions) {
    this.core = options.kubeConfig.makeApiClient(CoreV1Api);
    this.storage = options.kubeConfig.makeApiClient(StorageV1Api);
    this.controller = new Controller<string>({
      name: 'node',
      concurrency: 2,
      logger: options.log,
      reconcile: (name, signal) => this.reconcile(name, signal),
    });
  }

  /** Starts reconciling every cached node and each change; stops (without draining) when `signal` aborts. */
  start(signal: AbortSignal): Promise<void> {
    const { nodes, volumes } = this.options;
    const enqueue = (n: V1Node) => {
      const name = n.metadata?.name;
      if (name) this.controller.enqueue(name);
    };
    const onAdd = (n: V1Node) => {
      this.deleted.delete(n.metadata?.name ?? '');
      enqueue(n);
    };
    const onDelete = (n: V1Node) => {
      if (n.metadata?.name) this.deleted.add(n.metadata.name);
      enqueue(n);
    };
    // a volume that appears for a going node is cleaned up too
    const onVolume = (lv: LogicalVolume) => {
      const node = lv.spec?.nodeName;
      if (node && (this.deleted.has(node) || nodes.get(node)?.metadata?.deletionTimestamp)) this.controller.enqueue(node);
    };
    nodes.on('add', onAdd);
    nodes.on('update', enqueue);
    nodes.on('delete', onDelete);
    volumes.informer.on('add', onVolume);
    volumes.informer.on('update', onVolume);
    for (const n of nodes.list()) enqueue(n);
    this.controller.start(signal);
    return new Promise((resolve) => {
      const stop = () => {
        nodes.off('add', onAdd);
        nodes.off('update', enqueue);
        nodes.off('delete', onDelete);
        volumes.informer.off('add', onVolume);
        volumes.informer.off('update', onVolume);
        void this.controller.stop({ drain: false }).then(resolve);
      };
      if (signal.aborted) stop();
      else signal.addEventListener('abort', stop, { once: true });
    });
  }

  /** One pass over one node. */
  private async reconcile(name: string, signal: AbortSignal): Promise<void> {
    const { policy, nodes, volumes, log } = this.options;
    const node = nodes.get(name);
    const base = {
      name,
      node,
      observedDeletion: !node && this.deleted.has(name),
      logicalVolumes: volumes.cached().filter((lv) => lv.spec?.nodeName === name),
    };
    const state: NodeState = needsClaims(base, policy) ? { ...base, ...(await this.readClaims()) } : base;
    const actions = decideNode(state, policy);
    if (actions.length === 0) {
      if (!node) this.deleted.delete(name);
      return;
    }
    const going = isNodeGoing(state);
    if (going) log.info({ node: name, actions: actions.map((a) => a.type) }, 'cleaning up after a deleted node');
    try {
      for (const action of actions) {
        signal.throwIfAborted();
        await this.perform(name, action);
      }
    } catch (err) {
      if (going) this.options.metrics.nodeCleanups.inc({ outcome: 'retry' });
      throw err;
    }
    if (going) {
      const removed = actions.filter((a) => a.type === 'delete-logical-volume').length;
      const released = actions.filter((a) => a.type === 'delete-claim').length;
      this.options.metrics.nodeCleanups.inc({ outcome: 'done' });
      log.info({ node: name, logicalVolumes: removed, claims: released }, 'cleaned up after a deleted node');
      if (node && (removed > 0 || released > 0)) {
        this.options.events.event(node, 'Normal', 'VolumesCleanedUp', `removed ${removed} LogicalVolume(s) and deleted ${released} claim(s) of the deleted node`);
      }
    }
    if (!node) this.deleted.delete(name);
  }

  private async readClaims(): Promise<Pick<NodeState, 'claims' | 'persistentVolumes' | 'storageClasses'>> {
    const [claims, persistentVolumes, classes] = await Promise.all([
      listAll((o) => this.core.listPersistentVolumeClaimForAllNamespaces(o)),
      listAll((o) => this.core.listPersistentVolume(o)),
      listAll((o) => this.storage.listStorageClass(o)),
    ]);
    const driver = this.options.policy.names.driverName;
    const storageClasses = new Set(classes.filter((sc) => sc.provisioner === driver).map((sc) => sc.metadata?.name ?? ''));
    return { claims, persistentVolumes, storageClasses };
  }

  private async perform(nodeName: string, action: NodeAction): Promise<void> {
    const { policy, volumes, metrics, events, log } = this.options;
    const names = policy.names;
    switch (action.type) {
      case 'add-finalizer':
      case 'remove-finalizer':
        await this.setFinalizer(nodeName, action.type === 'add-finalizer');
        log.info({ node: nodeName, finalizer: names.nodeFinalizer }, action.type === 'add-finalizer' ? 'added the node finalizer' : 'removed the node finalizer');
        return;
      case 'delete-claim': {
        try {
          await apiCall(() =>
            this.core.deleteNamespacedPersistentVolumeClaim({
              name: action.name,
              namespace: action.namespace,
              body: { preconditions: { uid: action.uid } },
            }),
          );
        } catch (err) {
          if (isNotFound(err) || isConflict(err)) return;
          throw err;
        }
        metrics.nodeCleanupObjects.inc({ kind: 'persistentvolumeclaim' });
        log.info({ node: nodeName, claim: `${action.namespace}/${action.name}` }, 'deleted the claim of a deleted node');
        events.event(
          { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { namespace: action.namespace, name: action.name, uid: action.uid } },
          'Warning',
          'NodeDeleted',
          `deleted: its volume was on node ${nodeName}, which was deleted`,
        );
        return;
      }
      case 'delete-logical-volume': {
        // no node will remove the LV and the finalizer: strip it, marked so that a node that
        // comes back does not put it back (TopoLVM's pending-deletion annotation)
        try {
          await volumes.update(action.name, (lv) => {
            if (lv.metadata?.uid !== action.uid) return undefined;
            const finalizers = lv.metadata?.finalizers ?? [];
            const marked = lv.metadata?.annotations?.[names.pendingDeletionAnnotation] === 'true';
            if (!finalizers.includes(names.logicalVolumeFinalizer) && marked) return undefined;
            lv.metadata = {
              ...lv.metadata,
              annotations: { ...lv.metadata?.annotations, [names.pendingDeletionAnnotation]: 'true' },
              finalizers: finalizers.filter((f) => f !== names.logicalVolumeFinalizer),
            };
            return lv;
          });
        } catch (err) {
          if (!isNotFound(err)) throw err;
          return;
        }
        await volumes.delete({ metadata: { name: action.name, uid: action.uid } } as LogicalVolume);
        metrics.nodeCleanupObjects.inc({ kind: 'logicalvolume' });
        log.info({ node: nodeName, logicalVolume: action.name }, 'removed the LogicalVolume of a deleted node');
        return;
      }
    }
  }

  /** Adds or removes <group>/node on the Node, with the resourceVersion read as precondition. */
  private async setFinalizer(name: string, present: boolean): Promise<void> {
    const finalizer = this.options.policy.names.nodeFinalizer;
    try {
      await updateWithRetry<V1Node>({
        read: () => this.core.readNode({ name }),
        mutate: (node) => {
          const has = (node.metadata?.finalizers ?? []).includes(finalizer);
          if (has === present) return undefined;
          if (present && node.metadata?.deletionTimestamp) return undefined; // no new finalizers on a deleting object
          return node;
        },
        write: (node) => {
          const current = node.metadata?.finalizers ?? [];
          const next = present ? [...current, finalizer] : current.filter((f) => f !== finalizer);
          // a JSON patch, so that nothing of the Node this client does not know is lost; the
          // resourceVersion makes it conditional (409 when the Node changed since the read)
          const body = [
            { op: 'replace', path: '/metadata/resourceVersion', value: node.metadata?.resourceVersion },
            { op: node.metadata?.finalizers ? 'replace' : 'add', path: '/metadata/finalizers', value: next },
          ];
          return this.core.patchNode({ name, body });
        },
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

/** Every item of a paginated core list. */
async function listAll<T>(list: (o: { limit: number; _continue?: string }) => Promise<{ items: T[]; metadata?: { _continue?: string } }>): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const page = await apiCall(() => list({ limit: 500, _continue: token }));
    items.push(...page.items);
    token = page.metadata?._continue || undefined;
  } while (token);
  return items;
}
