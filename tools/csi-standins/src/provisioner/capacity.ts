import type { V1CSINode, V1CSIStorageCapacity, V1Node, V1StorageClass } from '@kubernetes/client-node';
import { apiCall, isNotFound } from '@copse/controller-runtime';
import type { GetCapacityRequest, GetCapacityResponse__Output } from '@copse/csi-spec';
import type { Logger } from 'pino';
import { unary, type CsiConnection } from '../csi/connection';
import { grpcErrorText } from '../csi/grpc-errors';
import type { KubeApi } from '../kube/api';
import type { SharedInformers } from '../kube/informers';
import { bytesOf, quantityOf } from '../kube/quantity';
import { segmentOf, topologyKeys, type Segment } from './topology';

/**
 * TEST STAND-IN for external-provisioner's storage capacity tracking (--enable-capacity,
 * pkg/capacity): one CSIStorageCapacity per (StorageClass of this driver, topology segment),
 * its capacity from GetCapacity, refreshed every --capacity-poll-interval and whenever a class,
 * a node or a CSINode changes or a volume is provisioned or deleted; objects no longer wanted
 * are deleted. Leaves out: owner references (the real one needs a Pod or Deployment to own the
 * objects: --capacity-ownerref-level), per-item work queues (one pass does every item), metrics.
 */
export const DRIVER_NAME_LABEL = 'csi.storage.k8s.io/drivername';
export const MANAGED_BY_LABEL = 'csi.storage.k8s.io/managed-by';

export interface CapacityItem {
  readonly storageClassName: string;
  readonly segment: Segment;
}

/**
 * The topology informer's segments (pkg/capacity/topology/nodes): for every CSINode that lists
 * the driver with topology keys, its Node's values for those keys; each distinct one once.
 */
export function topologySegments(driverName: string, nodes: readonly V1Node[], csiNodes: readonly V1CSINode[]): Segment[] {
  const out = new Map<string, Segment>();
  for (const csiNode of csiNodes) {
    const keys = topologyKeys(csiNode, driverName);
    if (!keys || keys.length === 0) continue;
    const node = nodes.find((n) => n.metadata?.name === csiNode.metadata?.name);
    const segment = node ? segmentOf(node, keys) : undefined;
    if (segment) out.set(segmentKey(segment), segment);
  }
  return [...out.values()];
}

/**
 * The work items: every class of this driver times every segment; classes with Immediate
 * binding only with --capacity-for-immediate-binding (a class without a binding mode counts as
 * late binding, as in the real code; the API server defaults it to Immediate).
 */
export function capacityItems(driverName: string, classes: readonly V1StorageClass[], segments: readonly Segment[], immediateBinding: boolean): CapacityItem[] {
  const items: CapacityItem[] = [];
  for (const sc of classes) {
    if (sc.provisioner !== driverName) continue;
    if (!immediateBinding && sc.volumeBindingMode === 'Immediate') continue;
    for (const segment of segments) items.push({ storageClassName: sc.metadata?.name as string, segment });
  }
  return items.sort((a, b) => itemKey(a).localeCompare(itemKey(b)));
}

/** GetCapacity as the capacity controller sends it: the class's parameters unchanged, an arbitrary capability. */
export function getCapacityRequest(sc: V1StorageClass, segment: Segment): GetCapacityRequest {
  return {
    parameters: { ...sc.parameters },
    // "the capacity is independent of the capabilities ... we pick something rather arbitrarily"
    volume_capabilities: [{ mount: {}, access_mode: { mode: 'UNKNOWN' } }],
    accessible_topology: { segments: { ...segment } },
  };
}

/** The segment as a CSIStorageCapacity's nodeTopology (Segment.GetLabelSelector: matchLabels). */
export function nodeTopology(segment: Segment): { matchLabels: Record<string, string> } {
  return { matchLabels: { ...segment } };
}

/** Whether an object is the one for an item (same class, same label selector). */
export function matchesItem(c: V1CSIStorageCapacity, item: CapacityItem): boolean {
  if (c.storageClassName !== item.storageClassName) return false;
  const selector = c.nodeTopology ?? {};
  if ((selector.matchExpressions ?? []).length > 0) return false;
  return segmentKey(selector.matchLabels ?? {}) === segmentKey(item.segment);
}

function segmentKey(s: Segment): string {
  return JSON.stringify(Object.entries(s).sort(([a], [b]) => a.localeCompare(b)));
}

function itemKey(i: CapacityItem): string {
  return `${i.storageClassName}/${segmentKey(i.segment)}`;
}

export interface CapacityOptions {
  readonly conn: CsiConnection;
  readonly api: KubeApi;
  readonly informers: SharedInformers;
  readonly log: Logger;
  /** the namespace the objects are made in (the real one: its own, from NAMESPACE) */
  readonly namespace: string;
  /** --capacity-poll-interval (1 min) */
  readonly pollMs: number;
  /** --capacity-for-immediate-binding (false) */
  readonly immediateBinding: boolean;
  /** the managed-by label value ("external-provisioner" for a central deployment) */
  readonly managedBy: string;
  /** --timeout */
  readonly timeoutMs: number;
}

export class CapacityStandIn {
  private timer?: NodeJS.Timeout;
  private debounce?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();
  private again = false;
  private busy = false;
  private stopped = false;
  private readonly onChange = () => this.refresh();

  constructor(private readonly o: CapacityOptions) {
    o.informers.storageClasses();
    o.informers.nodes();
    o.informers.csiNodes();
  }

  start(): void {
    for (const informer of [this.o.informers.storageClasses(), this.o.informers.nodes(), this.o.informers.csiNodes()]) {
      informer.on('add', this.onChange);
      informer.on('update', this.onChange);
      informer.on('delete', this.onChange);
    }
    this.timer = setInterval(() => this.refresh(), this.o.pollMs);
    this.timer.unref();
    this.refresh();
    this.o.log.info({ namespace: this.o.namespace, pollMs: this.o.pollMs }, 'test stand-in for external-provisioner capacity tracking started');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.debounce);
    for (const informer of [this.o.informers.storageClasses(), this.o.informers.nodes(), this.o.informers.csiNodes()]) {
      informer.off('add', this.onChange);
      informer.off('update', this.onChange);
      informer.off('delete', this.onChange);
    }
    await this.running;
  }

  /** Schedules a pass over every item (changes arriving together make one pass). */
  refresh(): void {
    if (this.stopped) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      if (this.busy) {
        this.again = true;
        return;
      }
      this.running = this.loop();
    }, 50);
  }

  /** Resolves once a pass that started after this call has finished (tests). */
  async settle(): Promise<void> {
    this.refresh();
    await new Promise((r) => setTimeout(r, 60));
    while (this.busy || this.again) await this.running;
    await this.running;
  }

  private async loop(): Promise<void> {
    this.busy = true;
    try {
      do {
        this.again = false;
        try {
          await this.pass();
        } catch (err) {
          this.o.log.warn({ err: (err as Error).message }, 'capacity pass failed; retried at the next change or poll');
        }
      } while (this.again && !this.stopped);
    } finally {
      this.busy = false;
    }
  }

  private async pass(): Promise<void> {
    const driver = this.o.conn.driverName;
    const { informers, api, namespace } = this.o;
    const segments = topologySegments(driver, informers.nodes().list(), informers.csiNodes().list());
    const classes = informers.storageClasses().list();
    const items = capacityItems(driver, classes, segments, this.o.immediateBinding);
    const listed = await apiCall(() =>
      api.storage.listNamespacedCSIStorageCapacity({ namespace, labelSelector: `${DRIVER_NAME_LABEL}=${driver},${MANAGED_BY_LABEL}=${this.o.managedBy}` }),
    );
    const unmatched = [...listed.items];
    for (const item of items) {
      if (this.stopped) return;
      const sc = classes.find((c) => c.metadata?.name === item.storageClassName) as V1StorageClass;
      let answer: GetCapacityResponse__Output;
      try {
        answer = await unary<GetCapacityResponse__Output>((opts, cb) => this.o.conn.controller.GetCapacity(getCapacityRequest(sc, item.segment), opts, cb), this.o.timeoutMs);
      } catch (err) {
        this.o.log.warn({ item, err: grpcErrorText(err) }, 'CSI GetCapacity failed');
        const i = unmatched.findIndex((c) => matchesItem(c, item));
        if (i >= 0) unmatched.splice(i, 1); // kept as it was, as the real one does
        continue;
      }
      const capacity = quantityOf(Number(answer.available_capacity));
      const maximum = answer.maximum_volume_size ? quantityOf(Number(answer.maximum_volume_size.value)) : undefined;
      const i = unmatched.findIndex((c) => matchesItem(c, item));
      const existing = i >= 0 ? unmatched.splice(i, 1)[0] : undefined;
      if (!existing) {
        await apiCall(() =>
          api.storage.createNamespacedCSIStorageCapacity({
            namespace,
            body: {
              apiVersion: 'storage.k8s.io/v1',
              kind: 'CSIStorageCapacity',
              metadata: { generateName: 'csisc-', labels: { [DRIVER_NAME_LABEL]: driver, [MANAGED_BY_LABEL]: this.o.managedBy } },
              storageClassName: item.storageClassName,
              nodeTopology: nodeTopology(item.segment),
              capacity,
              ...(maximum !== undefined ? { maximumVolumeSize: maximum } : {}),
            },
          }),
        );
        continue;
      }
      if (bytesOf(existing.capacity) === bytesOf(capacity) && bytesOf(existing.maximumVolumeSize) === bytesOf(maximum)) continue;
      const next: V1CSIStorageCapacity = { ...existing, capacity };
      if (maximum !== undefined) next.maximumVolumeSize = maximum;
      else delete next.maximumVolumeSize;
      await apiCall(() => api.storage.replaceNamespacedCSIStorageCapacity({ namespace, name: existing.metadata?.name as string, body: next }));
    }
    // obsolete (class or segment gone) and duplicate objects
    for (const c of unmatched) {
      try {
        await apiCall(() => api.storage.deleteNamespacedCSIStorageCapacity({ namespace, name: c.metadata?.name as string }));
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }
}
