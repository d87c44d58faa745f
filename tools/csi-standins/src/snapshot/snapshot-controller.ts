import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { apiCall, Controller, isAlreadyExists, isNotFound, ItemExponentialRateLimiter, WorkQueue } from '@copse/controller-runtime';
import type { Logger } from 'pino';
import type { JsonPatchOp, KubeApi } from '../kube/api';
import { eventRecorder, type EventRecorder } from '../kube/events';
import type { SharedInformers } from '../kube/informers';
import { copy, hasAnnotation, hasFinalizer, isDeleting, removeFinalizer, nowTime } from '../kube/meta';
import { SNAPSHOT_API_VERSION, SNAPSHOT_GROUP } from '../kube/resources';
import { SNAPSHOT_NAMES, type VolumeSnapshot, type VolumeSnapshotClass, type VolumeSnapshotContent } from '../kube/snapshot-types';
import { quietConflicts } from '../kube/written';
import { isVolumeBoundToClaim } from '../pv-controller/binding';
import { resolveSecretReference } from '../csi/secret-params';
import {
  contentNameFor,
  contentPointsAt,
  goQuote,
  isBound,
  isDeletionCandidate,
  isSnapshotReady,
  needsSnapshotStatusUpdate,
  snapshotStatusFrom,
} from './rules';

export interface SnapshotControllerOptions {
  readonly api: KubeApi;
  readonly informers: SharedInformers;
  readonly log: Logger;
  /** --resync-period (snapshot-controller: 15 min): every snapshot and content is synced again this often */
  readonly resyncMs: number;
  /** --retry-interval-start, --retry-interval-max */
  readonly retryStartMs: number;
  readonly retryMaxMs: number;
}

/** Messages the snapshot-controller prefixes to failed API writes (controllerUpdateError). */
class ControllerUpdateError extends Error {
  constructor(name: string, message: string) {
    super(`snapshot controller failed to update ${name} on API server: ${message}`);
  }
}

const SNAPSHOTTER_SECRET = {
  name: 'Snapshotter',
  nameKey: 'csi.storage.k8s.io/snapshotter-secret-name',
  namespaceKey: 'csi.storage.k8s.io/snapshotter-secret-namespace',
};

/**
 * TEST STAND-IN for external-snapshotter's snapshot-controller (6.x, the "common" controller):
 * binds VolumeSnapshots to VolumeSnapshotContents (creating snapcontent-<uid> for dynamic
 * snapshots from the claim's PV and the class), copies the content's status to the snapshot,
 * sets the default class, and runs the deletion protocol with the real finalizers and annotations.
 * The CSI calls are the csi-snapshotter sidecar's (snapshotter.ts).
 */
export class SnapshotControllerStandIn {
  private readonly snapshots: Controller<string>;
  private readonly contents: Controller<string>;
  private readonly recorder: EventRecorder;
  private resync?: NodeJS.Timeout;
  /** the last snapshot seen per key, for the "snapshot deleted" path (its content is synced once more) */
  private readonly lastSnapshots = new Map<string, VolumeSnapshot>();

  constructor(private readonly o: SnapshotControllerOptions) {
    this.recorder = eventRecorder(o.api.kubeConfig, 'snapshot-controller', o.log);
    const queue = () => new WorkQueue<string>({ rateLimiter: new ItemExponentialRateLimiter({ baseDelayMs: o.retryStartMs, maxDelayMs: o.retryMaxMs }) });
    this.snapshots = new Controller({ name: 'snapshot-controller-snapshots', queue: queue(), concurrency: 10, logger: o.log, reconcile: quietConflicts(o.log, (k) => this.syncSnapshotByKey(k)) });
    this.contents = new Controller({ name: 'snapshot-controller-contents', queue: queue(), concurrency: 10, logger: o.log, reconcile: quietConflicts(o.log, (k) => this.syncContentByKey(k)) });
    this.snapshots.watch(o.informers.snapshots());
    this.contents.watch(o.informers.contents());
    o.informers.snapshots().on('add', (s) => this.lastSnapshots.set(key(s), s));
    o.informers.snapshots().on('update', (s) => this.lastSnapshots.set(key(s), s));
    // a deleted content: its snapshot is synced again (deleteContent)
    o.informers.contents().on('delete', (c) => {
      const ref = c.spec.volumeSnapshotRef;
      if (ref.name && ref.namespace) this.snapshots.enqueue(`${ref.namespace}/${ref.name}`);
    });
    o.informers.snapshotClasses();
    o.informers.pvcs();
  }

  start(): void {
    this.snapshots.start();
    this.contents.start();
    this.resync = setInterval(() => {
      for (const s of this.o.informers.snapshots().list()) this.snapshots.enqueue(key(s));
      for (const c of this.o.informers.contents().list()) this.contents.enqueue(c.metadata.name as string);
    }, this.o.resyncMs);
    this.resync.unref();
    this.o.log.info('test stand-in for the snapshot-controller started');
  }

  async stop(): Promise<void> {
    clearInterval(this.resync);
    await Promise.all([this.snapshots.stop({ drain: false }), this.contents.stop({ drain: false })]);
    await this.recorder.flush();
  }

  flushEvents(): Promise<void> {
    return this.recorder.flush();
  }

  // --- snapshots ----------------------------------------------------------------------------

  private async syncSnapshotByKey(k: string): Promise<void> {
    const [namespace = '', name = ''] = k.split('/');
    const snapshot = this.o.informers.snapshots().get(name, namespace);
    if (!snapshot) {
      // deleteSnapshot: the content is synced once more
      const last = this.lastSnapshots.get(k);
      this.lastSnapshots.delete(k);
      const contentName = last?.status?.boundVolumeSnapshotContentName;
      if (contentName) this.contents.enqueue(contentName);
      return;
    }
    let current = snapshot;
    try {
      current = await this.checkAndUpdateSnapshotClass(snapshot);
    } catch (err) {
      // a snapshot being deleted whose class is gone is still processed
      if (!(snapshot.metadata.deletionTimestamp && isNotFound(err))) throw err;
    }
    await this.syncSnapshot(current);
  }

  /** checkAndUpdateSnapshotClass: the named class must exist; a dynamic snapshot without one gets the default class. */
  private async checkAndUpdateSnapshotClass(s: VolumeSnapshot): Promise<VolumeSnapshot> {
    const className = s.spec.volumeSnapshotClassName;
    if (className) {
      if (!this.o.informers.snapshotClasses().get(className)) {
        const err = Object.assign(new Error(`volumesnapshotclass.snapshot.storage.k8s.io "${className}" not found`), { code: 404, reason: 'NotFound' });
        await this.errorStatus(s, false, 'GetSnapshotClassFailed', `Failed to get snapshot class with error ${err.message}`);
        throw err;
      }
      return s;
    }
    if (s.spec.source.volumeSnapshotContentName) return s; // pre-provisioned: no class needed
    try {
      return await this.setDefaultSnapshotClass(s);
    } catch (err) {
      await this.errorStatus(s, false, 'SetDefaultSnapshotClassFailed', `Failed to set default snapshot class with error ${(err as Error).message}`);
      throw err;
    }
  }

  private async setDefaultSnapshotClass(s: VolumeSnapshot): Promise<VolumeSnapshot> {
    const pv = await this.volumeOf(s);
    if (!pv.spec?.csi) throw new Error(`snapshotting non-CSI volumes is not supported, snapshot:${s.metadata.namespace}/${s.metadata.name}`);
    const driver = pv.spec.csi.driver;
    const defaults = this.o.informers
      .snapshotClasses()
      .list()
      .filter((c) => c.metadata.annotations?.[SNAPSHOT_NAMES.isDefaultClass] === 'true' && c.driver === driver);
    if (defaults.length === 0) throw new Error('cannot find default snapshot class');
    if (defaults.length > 1) throw new Error(`${defaults.length} default snapshot classes were found`);
    const next = copy(s);
    next.spec.volumeSnapshotClassName = (defaults[0] as VolumeSnapshotClass).metadata.name;
    return this.o.api.replaceSnapshot(next);
  }

  private async syncSnapshot(s: VolumeSnapshot): Promise<void> {
    try {
      await this.checkAndRemovePvcFinalizer(s, false);
    } catch (err) {
      this.o.log.error({ snapshot: key(s), err: (err as Error).message }, 'error check and remove PVC finalizer');
      this.recorder.event(s, 'Warning', 'ErrorPVCFinalizer', 'Error check and remove PVC Finalizer for VolumeSnapshot');
    }
    if (s.metadata.deletionTimestamp) {
      await this.processSnapshotWithDeletionTimestamp(s);
      return;
    }
    const src = s.spec.source;
    if (Boolean(src.persistentVolumeClaimName) === Boolean(src.volumeSnapshotContentName)) {
      const message = 'Exactly one of PersistentVolumeClaimName and VolumeSnapshotContentName should be specified';
      await this.errorStatus(s, true, 'SnapshotValidationError', message);
      throw new Error(message);
    }
    try {
      await this.checkAndAddSnapshotFinalizers(s);
    } catch (err) {
      this.recorder.event(s, 'Warning', 'SnapshotFinalizerError', `Failed to check and update snapshot: ${(err as Error).message}`);
      throw err;
    }
    if (!isSnapshotReady(s) || !isBound(s)) await this.syncUnreadySnapshot(s);
    else await this.syncReadySnapshot(s);
  }

  private async checkAndAddSnapshotFinalizers(s: VolumeSnapshot): Promise<void> {
    const content = s.spec.source.volumeSnapshotContentName ? this.preprovisionedContent(s, false) : this.dynamicContent(s, false);
    const addSource = !isDeleting(s) && !hasFinalizer(s, SNAPSHOT_NAMES.asSourceFinalizer);
    const addBound = content !== undefined && !isDeleting(s) && !hasFinalizer(s, SNAPSHOT_NAMES.boundFinalizer) && isBound(s) && content.spec.deletionPolicy === 'Delete';
    if (!addSource && !addBound) return;
    const finalizers = [...(addSource ? [SNAPSHOT_NAMES.asSourceFinalizer] : []), ...(addBound ? [SNAPSHOT_NAMES.boundFinalizer] : [])];
    try {
      if ((s.metadata.finalizers ?? []).length === 0) {
        const next = copy(s);
        next.metadata.finalizers = finalizers;
        await this.o.api.replaceSnapshot(next);
      } else {
        await this.o.api.patchSnapshot(
          s.metadata.namespace as string,
          s.metadata.name as string,
          finalizers.map((f) => ({ op: 'add', path: '/metadata/finalizers/-', value: f })),
        );
      }
    } catch (err) {
      throw new ControllerUpdateError(key(s), (err as Error).message);
    }
  }

  private async syncReadySnapshot(s: VolumeSnapshot): Promise<void> {
    const content = this.o.informers.contents().get(s.status?.boundVolumeSnapshotContentName as string);
    if (!content) {
      await this.errorStatus(s, true, 'SnapshotContentMissing', 'VolumeSnapshotContent is missing');
      return;
    }
    if (!contentPointsAt(s, content)) {
      await this.errorStatus(s, true, 'SnapshotMisbound', 'VolumeSnapshotContent is not bound to the VolumeSnapshot correctly');
    }
  }

  private async syncUnreadySnapshot(s: VolumeSnapshot): Promise<void> {
    const name = key(s);
    if (s.spec.source.volumeSnapshotContentName) {
      const content = this.preprovisionedContent(s, true);
      if (!content) {
        await this.errorStatus(s, true, 'SnapshotContentMissing', 'VolumeSnapshotContent is missing');
        throw new Error(`snapshot ${name} requests an non-existing content ${s.spec.source.volumeSnapshotContentName}`);
      }
      let bound: VolumeSnapshotContent;
      try {
        bound = await this.checkAndBindSnapshotContent(s, content);
      } catch (err) {
        await this.errorStatus(s, true, 'SnapshotBindFailed', `Snapshot failed to bind VolumeSnapshotContent, ${(err as Error).message}`);
        throw new Error(`snapshot ${name} is bound, but VolumeSnapshotContent ${content.metadata.name} is not bound to the VolumeSnapshot correctly, ${(err as Error).message}`);
      }
      await this.updateStatusOrReport(s, bound);
      return;
    }
    const existing = this.dynamicContent(s, true);
    if (existing) {
      if (existing.spec.source.snapshotHandle) {
        await this.errorStatus(s, true, 'SnapshotHandleSet', `Snapshot handle should not be set in content ${name} for dynamic provisioning`);
        throw new Error(`snapshotHandle should not be set in the content for dynamic provisioning for snapshot ${name}`);
      }
      await this.updateStatusOrReport(s, existing);
      return;
    }
    if (!s.spec.source.persistentVolumeClaimName) {
      await this.errorStatus(s, true, 'SnapshotPVCSourceMissing', `PVC source for snapshot ${name} is missing`);
      throw new Error(`expected PVC source for snapshot ${name} but got nil`);
    }
    let content: VolumeSnapshotContent;
    try {
      content = await this.createSnapshotContent(s);
    } catch (err) {
      await this.errorStatus(s, true, 'SnapshotContentCreationFailed', `Failed to create snapshot content with error ${(err as Error).message}`);
      throw err;
    }
    await this.updateStatusOrReport(s, content);
  }

  private async updateStatusOrReport(s: VolumeSnapshot, content: VolumeSnapshotContent): Promise<void> {
    try {
      await this.updateSnapshotStatus(s, content);
    } catch (err) {
      await this.errorStatus(s, false, 'SnapshotStatusUpdateFailed', `Snapshot status update failed, ${(err as Error).message}`);
      throw err;
    }
  }

  /** getPreprovisionedContentFromStore (with its error statuses when `report`) */
  private preprovisionedContent(s: VolumeSnapshot, report: boolean): VolumeSnapshotContent | undefined {
    const name = s.spec.source.volumeSnapshotContentName as string;
    const content = this.o.informers.contents().get(name);
    if (!content) return undefined;
    if (!content.spec.source.snapshotHandle) {
      if (report) void this.errorStatus(s, true, 'SnapshotContentMismatch', 'VolumeSnapshotContent is dynamically provisioned while expecting a pre-provisioned one');
      throw new Error(`snapshot ${key(s)} expects a pre-provisioned VolumeSnapshotContent ${name} but gets a dynamically provisioned one`);
    }
    const ref = content.spec.volumeSnapshotRef;
    if (ref.name !== s.metadata.name || ref.namespace !== s.metadata.namespace || (ref.uid && ref.uid !== s.metadata.uid)) {
      const message = `VolumeSnapshotContent [${name}] is bound to a different snapshot`;
      if (report) void this.errorStatus(s, true, 'SnapshotContentMisbound', message);
      throw new Error(message);
    }
    return content;
  }

  /** getDynamicallyProvisionedContentFromStore */
  private dynamicContent(s: VolumeSnapshot, report: boolean): VolumeSnapshotContent | undefined {
    const name = contentNameFor(s);
    const content = this.o.informers.contents().get(name);
    if (!content) return undefined;
    if (!content.spec.source.volumeHandle) {
      if (report) void this.errorStatus(s, true, 'SnapshotContentMismatch', `VolumeSnapshotContent ${name} is pre-provisioned while expecting a dynamically provisioned one`);
      throw new Error(`snapshot ${key(s)} expects a dynamically provisioned VolumeSnapshotContent ${name} but gets a pre-provisioned one`);
    }
    if (!contentPointsAt(s, content)) {
      const message = `VolumeSnapshotContent [${name}] is bound to a different snapshot`;
      if (report) void this.errorStatus(s, true, 'SnapshotContentMisbound', message);
      throw new Error(message);
    }
    return content;
  }

  /** checkandBindSnapshotContent: a pre-provisioned content gets the snapshot's uid (and class). */
  private async checkAndBindSnapshotContent(s: VolumeSnapshot, c: VolumeSnapshotContent): Promise<VolumeSnapshotContent> {
    const ref = c.spec.volumeSnapshotRef;
    if (ref.name !== s.metadata.name || (ref.uid && ref.uid !== s.metadata.uid)) {
      throw new Error(`Could not bind snapshot ${s.metadata.name} and content ${c.metadata.name}, the VolumeSnapshotRef does not match`);
    }
    if (ref.uid && c.spec.volumeSnapshotClassName) return c;
    const patch: JsonPatchOp[] = [{ op: 'replace', path: '/spec/volumeSnapshotRef/uid', value: s.metadata.uid }];
    if (s.spec.volumeSnapshotClassName) patch.push({ op: 'replace', path: '/spec/volumeSnapshotClassName', value: s.spec.volumeSnapshotClassName });
    return this.o.api.patchContent(c.metadata.name as string, patch);
  }

  /** createSnapshotContent: snapcontent-<uid> for a dynamic snapshot, from the claim's bound PV and the class. */
  private async createSnapshotContent(s: VolumeSnapshot): Promise<VolumeSnapshotContent> {
    await this.ensurePvcFinalizer(s);
    let className: string;
    let pv: V1PersistentVolume;
    let contentName: string;
    let secretRef: { name?: string; namespace?: string } | undefined;
    try {
      className = s.spec.volumeSnapshotClassName ?? '';
      if (!className) throw new Error(`failed to take snapshot ${s.metadata.name} without a snapshot class`);
      const cls = this.o.informers.snapshotClasses().get(className);
      if (!cls) throw new Error(`volumesnapshotclass.snapshot.storage.k8s.io "${className}" not found`);
      pv = await this.volumeOf(s);
      contentName = contentNameFor(s);
      // GetSecretReference(SnapshotterSecretParams): ${volumesnapshotcontent.name}, ${volumesnapshot.namespace}, ${volumesnapshot.name}
      const namespaceTokens = { 'volumesnapshotcontent.name': contentName, 'volumesnapshot.namespace': s.metadata.namespace as string };
      secretRef = resolveSecretReference(SNAPSHOTTER_SECRET, cls.parameters ?? {}, namespaceTokens, { ...namespaceTokens, 'volumesnapshot.name': s.metadata.name as string });
      if (!pv.spec?.csi) throw new Error(`cannot find CSI PersistentVolumeSource for volume ${pv.metadata?.name}`);
      const content: VolumeSnapshotContent = {
        apiVersion: SNAPSHOT_API_VERSION,
        kind: 'VolumeSnapshotContent',
        metadata: {
          name: contentName,
          ...(secretRef
            ? { annotations: { [SNAPSHOT_NAMES.deletionSecretName]: secretRef.name as string, [SNAPSHOT_NAMES.deletionSecretNamespace]: secretRef.namespace as string } }
            : {}),
        },
        spec: {
          volumeSnapshotRef: {
            kind: 'VolumeSnapshot',
            namespace: s.metadata.namespace,
            name: s.metadata.name,
            uid: s.metadata.uid,
            apiVersion: SNAPSHOT_API_VERSION,
            resourceVersion: s.metadata.resourceVersion,
          },
          source: { volumeHandle: pv.spec.csi.volumeHandle },
          volumeSnapshotClassName: className,
          deletionPolicy: cls.deletionPolicy,
          driver: cls.driver,
        },
      };
      let created: VolumeSnapshotContent;
      try {
        created = await this.o.api.createContent(content);
      } catch (err) {
        if (!isAlreadyExists(err)) {
          const message = `Error creating volume snapshot content object for snapshot ${key(s)}: ${(err as Error).message}.`;
          this.recorder.event(s, 'Warning', 'CreateSnapshotContentFailed', message);
          throw new ControllerUpdateError(key(s), (err as Error).message);
        }
        created = content;
      }
      this.recorder.event(s, 'Normal', 'CreatingSnapshot', `Waiting for a snapshot ${key(s)} to be created by the CSI driver.`);
      return created;
    } catch (err) {
      if (err instanceof ControllerUpdateError) throw err;
      throw new Error(`failed to get input parameters to create snapshot ${s.metadata.name}: ${goQuote((err as Error).message)}`);
    }
  }

  /** getVolumeFromVolumeSnapshot: the claim must be Bound, its PV bound to it. */
  private async volumeOf(s: VolumeSnapshot): Promise<V1PersistentVolume> {
    const pvc = this.claimOf(s);
    if (pvc.status?.phase !== 'Bound') throw new Error(`the PVC ${pvc.metadata?.name} is not yet bound to a PV, will not attempt to take a snapshot`);
    const pvName = pvc.spec?.volumeName as string;
    let pv: V1PersistentVolume;
    try {
      pv = await apiCall(() => this.o.api.core.readPersistentVolume({ name: pvName }));
    } catch (err) {
      throw new Error(`failed to retrieve PV ${pvName} from the API server: ${goQuote((err as Error).message)}`);
    }
    if (!isVolumeBoundToClaim(pv, pvc)) throw new Error('claim in dataSource not bound or invalid');
    return pv;
  }

  /** getClaimFromVolumeSnapshot */
  private claimOf(s: VolumeSnapshot): V1PersistentVolumeClaim {
    const name = s.spec.source.persistentVolumeClaimName;
    if (name === undefined) throw new Error('the snapshot source PVC name is not specified');
    if (name === '') throw new Error(`the PVC name is not specified in snapshot ${key(s)}`);
    const pvc = this.o.informers.pvcs().get(name, s.metadata.namespace);
    if (!pvc) throw new Error(`failed to retrieve PVC ${name} from the lister: "persistentvolumeclaim \\"${name}\\" not found"`);
    return pvc;
  }

  /** ensurePVCFinalizer: the source claim is protected while its snapshot is cut. */
  private async ensurePvcFinalizer(s: VolumeSnapshot): Promise<void> {
    if (!s.spec.source.persistentVolumeClaimName) return;
    let pvc: V1PersistentVolumeClaim;
    try {
      pvc = this.claimOf(s);
    } catch {
      throw new ControllerUpdateError(s.metadata.name as string, 'cannot get claim from snapshot');
    }
    if (hasFinalizer(pvc, SNAPSHOT_NAMES.pvcFinalizer)) return;
    if (isDeleting(pvc)) throw new ControllerUpdateError(pvc.metadata?.name as string, 'cannot add finalizer on claim because it is being deleted');
    const next = copy(pvc);
    next.metadata = { ...next.metadata, finalizers: [...(next.metadata?.finalizers ?? []), SNAPSHOT_NAMES.pvcFinalizer] };
    try {
      await apiCall(() => this.o.api.core.replaceNamespacedPersistentVolumeClaim({ name: pvc.metadata?.name as string, namespace: pvc.metadata?.namespace as string, body: next }));
    } catch (err) {
      throw new ControllerUpdateError(pvc.metadata?.name as string, (err as Error).message);
    }
  }

  /** checkandRemovePVCFinalizer: once no unready snapshot of the claim is being cut, the claim is free. */
  private async checkAndRemovePvcFinalizer(s: VolumeSnapshot, skipCurrent: boolean): Promise<void> {
    const name = s.spec.source.persistentVolumeClaimName;
    if (!name) return;
    const pvc = this.o.informers.pvcs().get(name, s.metadata.namespace);
    if (!pvc || !hasFinalizer(pvc, SNAPSHOT_NAMES.pvcFinalizer)) return;
    const inUse = this.o.informers
      .snapshots()
      .list(s.metadata.namespace)
      .some((other) => !(skipCurrent && other.metadata.name === s.metadata.name) && other.spec.source.persistentVolumeClaimName === name && !isSnapshotReady(other));
    if (inUse) return;
    try {
      await apiCall(() =>
        this.o.api.core.replaceNamespacedPersistentVolumeClaim({ name, namespace: s.metadata.namespace as string, body: removeFinalizer(copy(pvc), SNAPSHOT_NAMES.pvcFinalizer) }),
      );
    } catch (err) {
      throw new ControllerUpdateError(name, (err as Error).message);
    }
  }

  /** updateSnapshotStatus: read the snapshot, write the status the content implies (and its events). */
  private async updateSnapshotStatus(s: VolumeSnapshot, c: VolumeSnapshotContent): Promise<VolumeSnapshot> {
    const current = await this.o.api.getSnapshot(s.metadata.namespace as string, s.metadata.name as string);
    const status = snapshotStatusFrom(current, c);
    if (!status) return current;
    const wasCreated = Boolean(current.status?.creationTime);
    const wasReady = isSnapshotReady(current);
    const next = { ...current, status };
    if (!wasCreated && status.creationTime) this.recorder.event(s, 'Normal', 'SnapshotCreated', `Snapshot ${key(s)} was successfully created by the CSI driver.`);
    if (!wasReady && status.readyToUse === true) this.recorder.event(s, 'Normal', 'SnapshotReady', `Snapshot ${key(s)} is ready to use.`);
    try {
      return await this.o.api.replaceSnapshotStatus(next);
    } catch (err) {
      throw new ControllerUpdateError(key(s), (err as Error).message);
    }
  }

  /** updateSnapshotErrorStatusWithEvent: a new error message goes into status.error, with an event. */
  private async errorStatus(s: VolumeSnapshot, setReadyFalse: boolean, reason: string, message: string): Promise<void> {
    if (s.status?.error?.message === message) return;
    const next = copy(s);
    next.status = { ...next.status, error: { time: nowTime(), message } };
    if (setReadyFalse) next.status.readyToUse = false;
    this.recorder.event(s, 'Warning', reason, message);
    try {
      await this.o.api.replaceSnapshotStatus(next);
    } catch (err) {
      this.o.log.info({ snapshot: key(s), err: (err as Error).message }, 'updating the snapshot error status failed');
    }
  }

  /** processSnapshotWithDeletionTimestamp and checkandRemoveSnapshotFinalizersAndCheckandDeleteContent. */
  private async processSnapshotWithDeletionTimestamp(s: VolumeSnapshot): Promise<void> {
    let contentName = s.status?.boundVolumeSnapshotContentName ?? '';
    if (!contentName && s.spec.source.persistentVolumeClaimName) contentName = contentNameFor(s);
    let content = contentName ? this.o.informers.contents().get(contentName) : undefined;
    let deleteContent = false;
    if (content && contentPointsAt(s, content)) deleteContent = content.spec.deletionPolicy === 'Delete';
    else content = undefined;
    if (!isDeletionCandidate(s)) return;
    if (content && this.isVolumeBeingCreatedFromSnapshot(s)) {
      this.recorder.event(s, 'Warning', 'SnapshotDeletePending', 'Snapshot is being used to restore a PVC');
      return;
    }
    if (content && !hasAnnotation(content, SNAPSHOT_NAMES.beingDeleted)) {
      content = await this.setBeingDeleted(content);
    }
    if (content && deleteContent) {
      try {
        await this.o.api.deleteContent(content.metadata.name as string);
      } catch (err) {
        if (!isNotFound(err)) {
          this.recorder.event(s, 'Warning', 'SnapshotContentObjectDeleteError', 'Failed to delete snapshot content API object');
          throw new Error(`failed to delete VolumeSnapshotContent ${content.metadata.name} from API server: ${goQuote((err as Error).message)}`);
        }
      }
    }
    // the bound finalizer stays until the content is gone, when the deletion cascades to it
    const removeBound = !(content && deleteContent);
    await this.removeSnapshotFinalizers(s, true, removeBound);
  }

  /** isVolumeBeingCreatedFromSnapshot: a Pending claim restores from it. */
  private isVolumeBeingCreatedFromSnapshot(s: VolumeSnapshot): boolean {
    return this.o.informers
      .pvcs()
      .list(s.metadata.namespace)
      .some(
        (pvc) =>
          pvc.spec?.dataSource?.name === s.metadata.name &&
          pvc.spec?.dataSource?.kind === 'VolumeSnapshot' &&
          pvc.spec?.dataSource?.apiGroup === SNAPSHOT_GROUP &&
          pvc.status?.phase === 'Pending',
      );
  }

  private async removeSnapshotFinalizers(s: VolumeSnapshot, removeSource: boolean, removeBound: boolean): Promise<void> {
    if (!removeSource && !removeBound) return;
    try {
      await this.checkAndRemovePvcFinalizer(s, true);
    } catch (err) {
      this.recorder.event(s, 'Warning', 'ErrorPVCFinalizer', 'Error check and remove PVC Finalizer for VolumeSnapshot');
      throw new ControllerUpdateError(s.metadata.name as string, (err as Error).message);
    }
    let next = copy(s);
    if (removeSource) next = removeFinalizer(next, SNAPSHOT_NAMES.asSourceFinalizer);
    if (removeBound) next = removeFinalizer(next, SNAPSHOT_NAMES.boundFinalizer);
    if ((next.metadata.finalizers ?? []).length === (s.metadata.finalizers ?? []).length) return;
    try {
      await this.o.api.replaceSnapshot(next);
    } catch (err) {
      if (!isNotFound(err)) throw new ControllerUpdateError(s.metadata.name as string, (err as Error).message);
    }
  }

  private async setBeingDeleted(c: VolumeSnapshotContent): Promise<VolumeSnapshotContent> {
    const annotations = { ...c.metadata.annotations, [SNAPSHOT_NAMES.beingDeleted]: 'yes' };
    try {
      return await this.o.api.patchContent(c.metadata.name as string, [{ op: 'replace', path: '/metadata/annotations', value: annotations }]);
    } catch (err) {
      // "replace" of an absent /metadata/annotations fails: add it instead
      if (!c.metadata.annotations) return this.o.api.patchContent(c.metadata.name as string, [{ op: 'add', path: '/metadata/annotations', value: annotations }]);
      throw new ControllerUpdateError(c.metadata.name as string, (err as Error).message);
    }
  }

  // --- contents -----------------------------------------------------------------------------

  private async syncContentByKey(name: string): Promise<void> {
    const content = this.o.informers.contents().get(name);
    if (!content) return;
    const src = content.spec.source;
    if (Boolean(src.volumeHandle) === Boolean(src.snapshotHandle)) {
      const message = 'Exactly one of VolumeHandle and SnapshotHandle should be specified';
      this.recorder.event(content, 'Warning', 'ContentValidationError', message);
      throw new Error(message);
    }
    const ref = content.spec.volumeSnapshotRef;
    if (!ref.uid) return; // pre-bound: the snapshot's sync binds it
    if (!isDeleting(content) && !hasFinalizer(content, SNAPSHOT_NAMES.contentFinalizer)) {
      const op: JsonPatchOp = (content.metadata.finalizers ?? []).length > 0
        ? { op: 'add', path: '/metadata/finalizers/-', value: SNAPSHOT_NAMES.contentFinalizer }
        : { op: 'add', path: '/metadata/finalizers', value: [SNAPSHOT_NAMES.contentFinalizer] };
      try {
        await this.o.api.patchContent(name, [op]);
      } catch (err) {
        throw new ControllerUpdateError(name, (err as Error).message);
      }
      return;
    }
    let snapshot = this.o.informers.snapshots().get(ref.name ?? '', ref.namespace);
    if (snapshot && snapshot.metadata.uid !== ref.uid) snapshot = undefined;
    else if (snapshot && needsSnapshotStatusUpdate(snapshot, content)) this.snapshots.enqueue(key(snapshot));
    // the physical snapshot is never deleted because a snapshot object is missing: only when it is being deleted
    if (snapshot && isDeletionCandidate(snapshot) && !hasAnnotation(content, SNAPSHOT_NAMES.beingDeleted)) await this.setBeingDeleted(content);
  }
}

function key(s: VolumeSnapshot): string {
  return `${s.metadata.namespace}/${s.metadata.name}`;
}
