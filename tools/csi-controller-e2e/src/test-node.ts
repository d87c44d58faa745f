/**
 * TEST STAND-IN for csi-node's LogicalVolume reconciler: what a node does with the objects the
 * controller writes, minus lvm. It watches only its own node's LogicalVolumes (the node label),
 * and, as TopoLVM's node does, creates the "LV" (status.volumeID = the object's UID,
 * status.currentSize rounded up to whole 4 MiB extents, a snapshot at least its source's size),
 * grows it when spec.size grows, reports a failure in status.code/message (and does not retry
 * a failed create), and on deletion drops its finalizer. Status goes through k8s-crd's
 * withReadyCondition with the object's generation, as the contract asks of csi-node.
 *
 * Tests steer it with hooks: hold an operation until released, or make it fail with a code.
 */
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { Controller, informerFor, isNotFound, updateWithRetry, type Informer } from '@copse/controller-runtime';
import { currentSizeBytes, quantityToBytes, withReadyCondition, type LogicalVolume, type LogicalVolumeStatus, type NameSet } from '@copse/k8s-crd';

export const EXTENT_BYTES = 4 * 1024 ** 2;

export type Outcome = void | { readonly code: number; readonly message: string };
export type Operation = 'create' | 'resize' | 'remove';

export interface TestNodeOptions {
  readonly kubeConfig: KubeConfig;
  readonly names: NameSet;
  readonly nodeName: string;
  /** device classes the node has; others fail with NOT_FOUND as lvmd's would. Default: any. */
  readonly deviceClasses?: readonly string[];
}

/** A held operation given up because the node stopped. */
const ABANDONED = Symbol('abandoned');

interface Hold {
  readonly matches: (lv: LogicalVolume) => boolean;
  readonly reached: () => void;
  readonly released: Promise<Outcome | typeof ABANDONED>;
  readonly abandon: () => void;
}

export class TestNode {
  readonly informer: Informer<LogicalVolume>;
  /** what the node did, in order: "create <name>", "resize <name>", "remove <name>", "fail <name> <code>" */
  readonly journal: string[] = [];
  private readonly api: CustomObjectsApi;
  private readonly controller: Controller<string>;
  private readonly holds = new Map<Operation, Hold[]>();
  /** holds matched and waiting for release */
  private readonly holding: Hold[] = [];
  private stopped = false;
  private readonly failures = new Map<Operation, Array<{ matches: (lv: LogicalVolume) => boolean; outcome: Outcome }>>();

  constructor(private readonly o: TestNodeOptions) {
    this.api = o.kubeConfig.makeApiClient(CustomObjectsApi);
    this.informer = informerFor<LogicalVolume>(o.kubeConfig, o.names.logicalVolumes, {
      labelSelector: `${o.names.nodeLabel}=${o.nodeName}`,
      name: `test-node ${o.nodeName}`,
    });
    this.controller = new Controller<string>({ name: `test-node ${o.nodeName}`, concurrency: 4, reconcile: (key) => this.reconcile(key) });
    this.controller.watch(this.informer);
  }

  get nodeName(): string {
    return this.o.nodeName;
  }

  async start(): Promise<void> {
    this.informer.start();
    await this.informer.waitForSync(AbortSignal.timeout(30_000));
    this.controller.start();
  }

  /** Stops; operations it holds are abandoned (not performed). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const list of this.holds.values()) for (const h of list.splice(0)) h.abandon();
    for (const h of this.holding.splice(0)) h.abandon();
    await this.controller.stop({ drain: false });
    await this.informer.stop();
  }

  /**
   * Holds the next `operation` on a LogicalVolume that `matches` until release() (with an
   * optional failure to report). `reached` resolves once the node is holding it.
   */
  hold(operation: Operation, matches: (lv: LogicalVolume) => boolean): { reached: Promise<void>; release: (outcome?: Outcome) => void } {
    let reached!: () => void;
    let release!: (o: Outcome | typeof ABANDONED) => void;
    const reachedP = new Promise<void>((r) => (reached = r));
    const released = new Promise<Outcome | typeof ABANDONED>((r) => (release = r));
    const list = this.holds.get(operation) ?? [];
    list.push({ matches, reached, released, abandon: () => release(ABANDONED) });
    this.holds.set(operation, list);
    return { reached: reachedP, release: (outcome?: Outcome) => release(outcome) };
  }

  /** Makes every `operation` on a LogicalVolume that `matches` fail with this code and message. */
  fail(operation: Operation, matches: (lv: LogicalVolume) => boolean, code: number, message: string): void {
    const list = this.failures.get(operation) ?? [];
    list.push({ matches, outcome: { code, message } });
    this.failures.set(operation, list);
  }

  private async steer(operation: Operation, lv: LogicalVolume): Promise<Outcome | typeof ABANDONED> {
    const holds = this.holds.get(operation) ?? [];
    const i = holds.findIndex((h) => h.matches(lv));
    if (i >= 0) {
      const hold = holds.splice(i, 1)[0]!;
      this.holding.push(hold);
      hold.reached();
      const outcome = await hold.released;
      this.holding.splice(this.holding.indexOf(hold), 1);
      if (outcome === ABANDONED || this.stopped) return ABANDONED;
      if (outcome) return outcome;
    }
    return this.failures.get(operation)?.find((f) => f.matches(lv))?.outcome;
  }

  private ref() {
    const { group, version, plural } = this.o.names.logicalVolumes;
    return { group, version, plural };
  }

  private async writeStatus(name: string, uid: string | undefined, change: (status: LogicalVolumeStatus) => LogicalVolumeStatus): Promise<void> {
    try {
      await updateWithRetry<LogicalVolume>({
        read: async () => (await this.api.getClusterCustomObject({ ...this.ref(), name })) as LogicalVolume,
        mutate: (lv) => {
          if (lv.metadata?.uid !== uid) return undefined;
          lv.status = withReadyCondition(change({ ...lv.status }), { generation: lv.metadata?.generation });
          return lv;
        },
        write: async (lv) => (await this.api.replaceClusterCustomObjectStatus({ ...this.ref(), name, body: lv })) as LogicalVolume,
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private async reconcile(name: string): Promise<void> {
    const lv = this.informer.get(name);
    if (!lv) return;
    const names = this.o.names;
    const uid = lv.metadata?.uid;
    if (lv.metadata?.annotations?.[names.pendingDeletionAnnotation]) return;
    if (lv.metadata?.deletionTimestamp) {
      if (!lv.metadata.finalizers?.includes(names.logicalVolumeFinalizer)) return;
      const outcome = await this.steer('remove', lv);
      if (outcome === ABANDONED) return;
      if (outcome) throw new Error(`test node: remove of ${name} held back (${outcome.message})`);
      try {
        await updateWithRetry<LogicalVolume>({
          read: async () => (await this.api.getClusterCustomObject({ ...this.ref(), name })) as LogicalVolume,
          mutate: (o) => {
            if (o.metadata?.uid !== uid || !o.metadata?.finalizers?.includes(names.logicalVolumeFinalizer)) return undefined;
            o.metadata.finalizers = o.metadata.finalizers.filter((f) => f !== names.logicalVolumeFinalizer);
            return o;
          },
          write: async (o) => (await this.api.replaceClusterCustomObject({ ...this.ref(), name, body: o })) as LogicalVolume,
        });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      this.journal.push(`remove ${name}`);
      return;
    }
    const size = quantityToBytes(lv.spec.size);
    const rounded = Math.ceil(size / EXTENT_BYTES) * EXTENT_BYTES;
    if (!lv.status?.volumeID) {
      if (lv.status?.code) return; // a failed create is not retried; the controller deletes the object
      const problem = this.createProblem(lv, size);
      const outcome = problem ?? (await this.steer('create', lv));
      if (outcome === ABANDONED) return;
      if (outcome) {
        this.journal.push(`fail ${name} ${outcome.code}`);
        await this.writeStatus(name, uid, (s) => ({ ...s, code: outcome.code, message: outcome.message }));
        return;
      }
      await this.writeStatus(name, uid, (s) => ({ ...s, volumeID: uid, currentSize: String(rounded), code: 0, message: '' }));
      this.journal.push(`create ${name}`);
      return;
    }
    const current = currentSizeBytes(lv) ?? 0;
    if (size > current) {
      const outcome = await this.steer('resize', lv);
      if (outcome === ABANDONED) return;
      if (outcome) {
        this.journal.push(`fail ${name} ${outcome.code}`);
        await this.writeStatus(name, uid, (s) => ({ ...s, code: outcome.code, message: outcome.message }));
        return;
      }
      await this.writeStatus(name, uid, (s) => ({ ...s, currentSize: String(rounded), code: 0, message: '' }));
      this.journal.push(`resize ${name}`);
    }
  }

  /** What lvmd would refuse: an unknown device class, a source that is not there or larger. */
  private createProblem(lv: LogicalVolume, size: number): Outcome {
    const dc = lv.spec.deviceClass ?? '';
    if (this.o.deviceClasses && !this.o.deviceClasses.includes(dc)) return { code: 5, message: `device class ${JSON.stringify(dc)} not found` };
    if (!lv.spec.source) return undefined;
    const source = this.informer.get(lv.spec.source);
    if (!source?.status?.volumeID) return { code: 5, message: `source ${lv.spec.source} not found` };
    const sourceSize = currentSizeBytes(source) ?? 0;
    if (size < sourceSize) return { code: 11, message: `requested size ${size} is smaller than the source's ${sourceSize}` };
    return undefined;
  }
}
