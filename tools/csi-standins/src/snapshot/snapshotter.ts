import { apiCall, backoffDelay, Controller, isNotFound, ItemExponentialRateLimiter, WorkQueue, type ReconcileResult } from '@copse/controller-runtime';
import type { CreateSnapshotRequest, CreateSnapshotResponse__Output } from '@copse/csi-spec';
import type { Logger } from 'pino';
import { unary, type CsiConnection } from '../csi/connection';
import { grpcErrorText, isFinalSnapshotError } from '../csi/grpc-errors';
import { removePrefixedParameters } from '../csi/secret-params';
import type { KubeApi } from '../kube/api';
import { eventRecorder, type EventRecorder } from '../kube/events';
import type { SharedInformers } from '../kube/informers';
import { copy, hasAnnotation, hasFinalizer, nowTime, removeAnnotation, removeFinalizer } from '../kube/meta';
import { SNAPSHOT_NAMES, type VolumeSnapshotContent } from '../kube/snapshot-types';
import { quietConflicts } from '../kube/written';
import { contentStatusFrom, goQuote, KNOWN_SNAPSHOT_PREFIXED_PARAMETERS, snapshotName } from './rules';

export interface SnapshotterOptions {
  readonly conn: CsiConnection;
  readonly api: KubeApi;
  readonly informers: SharedInformers;
  readonly log: Logger;
  /** --timeout (csi-snapshotter: 1 min) */
  readonly timeoutMs: number;
  /** --extra-create-metadata */
  readonly extraCreateMetadata: boolean;
  /** --snapshot-name-prefix (snapshot), --snapshot-name-uuid-length (-1: the whole uid, dashes kept) */
  readonly snapshotNamePrefix: string;
  readonly snapshotNameUuidLength: number;
  /** --retry-interval-start, --retry-interval-max */
  readonly retryStartMs: number;
  readonly retryMaxMs: number;
}

/**
 * TEST STAND-IN for external-snapshotter's csi-snapshotter sidecar: for each
 * VolumeSnapshotContent of this driver, CreateSnapshot (and again, with the same name, while the
 * answer says ready_to_use false), the content's status from the answer, DeleteSnapshot when a
 * content of policy Delete is deleted, and the content's finalizer removed after.
 */
export class SnapshotterStandIn {
  private readonly contents: Controller<string>;
  private readonly recorder: EventRecorder;
  /** not-ready polls per content, for their backoff */
  private readonly polls = new Map<string, number>();

  constructor(private readonly o: SnapshotterOptions) {
    this.recorder = eventRecorder(o.api.kubeConfig, `csi-snapshotter ${o.conn.driverName}`, o.log);
    const queue = new WorkQueue<string>({ rateLimiter: new ItemExponentialRateLimiter({ baseDelayMs: o.retryStartMs, maxDelayMs: o.retryMaxMs }) });
    this.contents = new Controller({ name: 'csi-snapshotter', queue, concurrency: 10, logger: o.log, reconcile: quietConflicts(o.log, (k, s) => this.syncContentByKey(k, s)) });
    this.contents.watch(o.informers.contents());
    o.informers.contents().on('delete', (c) => this.polls.delete(c.metadata.name as string));
    o.informers.snapshotClasses();
  }

  /** Checks the plugin as csi-snapshotter does at start. */
  static async create(o: SnapshotterOptions): Promise<SnapshotterStandIn> {
    const caps = await o.conn.controllerCapabilities(o.timeoutMs);
    if (!caps.has('CREATE_DELETE_SNAPSHOT')) throw new Error(`CSI driver ${o.conn.driverName} does not support snapshot operations: controller CREATE_DELETE_SNAPSHOT capability is not reported`);
    return new SnapshotterStandIn(o);
  }

  start(): void {
    this.contents.start();
    this.o.log.info({ driver: this.o.conn.driverName }, 'test stand-in for the csi-snapshotter sidecar started');
  }

  async stop(): Promise<void> {
    await this.contents.stop({ drain: false });
    await this.recorder.flush();
  }

  flushEvents(): Promise<void> {
    return this.recorder.flush();
  }

  private isDriverMatch(c: VolumeSnapshotContent): boolean {
    if (!c.spec.source.volumeHandle && !c.spec.source.snapshotHandle) return false;
    if (c.spec.driver !== this.o.conn.driverName) return false;
    const className = c.spec.volumeSnapshotClassName;
    const cls = className ? this.o.informers.snapshotClasses().get(className) : undefined;
    return !cls || cls.driver === this.o.conn.driverName;
  }

  private async syncContentByKey(name: string, signal: AbortSignal): Promise<ReconcileResult | void> {
    const content = this.o.informers.contents().get(name);
    if (!content || !this.isDriverMatch(content)) return;
    if (this.shouldDelete(content)) {
      let current = content;
      if (content.spec.deletionPolicy === 'Delete' && content.status?.snapshotHandle) current = await this.deleteCsiSnapshot(content, signal);
      await this.removeContentFinalizer(current);
      return;
    }
    if (content.spec.source.volumeHandle && !content.status) {
      await this.createSnapshot(content, 'SnapshotCreationFailed', 'Failed to create snapshot', signal);
      return;
    }
    if (content.status?.readyToUse === true) {
      this.polls.delete(name);
      if (hasAnnotation(content, SNAPSHOT_NAMES.beingCreated)) await this.removeBeingCreated(content);
      return;
    }
    // not ready: CreateSnapshot again with the same name (a pre-provisioned content would be
    // checked with ListSnapshots, which this stand-in leaves out)
    const updated = await this.createSnapshot(content, 'SnapshotContentCheckandUpdateFailed', 'Failed to check and update snapshot content', signal);
    if (updated?.status?.readyToUse !== true) {
      const n = (this.polls.get(name) ?? 0) + 1;
      this.polls.set(name, n);
      return { requeueAfterMs: backoffDelay({ initialMs: this.o.retryStartMs, maxMs: this.o.retryMaxMs }, n) };
    }
    this.polls.delete(name);
  }

  /** shouldDelete: deleted, and either an unbound pre-provisioned content or one the snapshot-controller marked being-deleted (never while being created). */
  private shouldDelete(c: VolumeSnapshotContent): boolean {
    if (!c.metadata.deletionTimestamp) return false;
    if (c.spec.source.snapshotHandle && !c.spec.volumeSnapshotRef.uid) return true;
    if (hasAnnotation(c, SNAPSHOT_NAMES.beingCreated)) return false;
    return hasAnnotation(c, SNAPSHOT_NAMES.beingDeleted);
  }

  /** createSnapshot / checkandUpdateContentStatus: the wrapper, and on failure the error status with its event. */
  private async createSnapshot(c: VolumeSnapshotContent, reason: string, prefix: string, signal: AbortSignal): Promise<VolumeSnapshotContent | undefined> {
    try {
      return await this.createSnapshotWrapper(c, signal);
    } catch (err) {
      const message = `${prefix}: ${(err as Error).message}`;
      this.o.log.error({ content: c.metadata.name, err: message }, 'creating the snapshot failed');
      await this.errorStatus(c, reason, message);
      throw err;
    }
  }

  private async createSnapshotWrapper(c: VolumeSnapshotContent, signal: AbortSignal): Promise<VolumeSnapshotContent> {
    const className = c.spec.volumeSnapshotClassName;
    const cls = className ? this.o.informers.snapshotClasses().get(className) : undefined;
    if (!cls) {
      const why = className ? `volumesnapshotclass.snapshot.storage.k8s.io "${className}" not found` : `failed to take snapshot ${c.metadata.name} without a snapshot class`;
      throw new Error(`failed to get input parameters to create snapshot for content ${c.metadata.name}: ${goQuote(why)}`);
    }
    const secrets = await this.credentialsFromAnnotation(c);
    let content = await this.setBeingCreated(c);
    let parameters: Record<string, string>;
    try {
      parameters = removePrefixedParameters(cls.parameters ?? {}, KNOWN_SNAPSHOT_PREFIXED_PARAMETERS);
    } catch (err) {
      throw new Error(`failed to remove CSI Parameters of prefixed keys: ${(err as Error).message}`);
    }
    if (this.o.extraCreateMetadata) {
      parameters['csi.storage.k8s.io/volumesnapshot/name'] = content.spec.volumeSnapshotRef.name ?? '';
      parameters['csi.storage.k8s.io/volumesnapshot/namespace'] = content.spec.volumeSnapshotRef.namespace ?? '';
      parameters['csi.storage.k8s.io/volumesnapshotcontent/name'] = content.metadata.name ?? '';
    }
    const volumeHandle = content.spec.source.volumeHandle as string;
    let answer: { id: string; createdAtNanos: number; size: number; ready: boolean };
    try {
      if (!content.spec.volumeSnapshotRef.uid) throw new Error(`cannot create snapshot. Snapshot content ${content.metadata.name} not bound to a snapshot`);
      const request: CreateSnapshotRequest = {
        source_volume_id: volumeHandle,
        name: snapshotName(this.o.snapshotNamePrefix, content.spec.volumeSnapshotRef.uid, this.o.snapshotNameUuidLength),
        parameters,
        ...(secrets ? { secrets } : {}),
      };
      signal.throwIfAborted();
      const res = await unary<CreateSnapshotResponse__Output>((o, cb) => this.o.conn.controller.CreateSnapshot(request, o, cb), this.o.timeoutMs);
      const snap = res.snapshot;
      // ptypes.Timestamp(nil) fails: an answer without creation_time is an error
      if (!snap?.creation_time) throw new Error('timestamp: nil Timestamp');
      const createdAtNanos = Number(snap.creation_time.seconds) * 1e9 + snap.creation_time.nanos;
      answer = { id: snap.snapshot_id, createdAtNanos: createdAtNanos === 0 ? Date.now() * 1e6 : createdAtNanos, size: Number(snap.size_bytes), ready: snap.ready_to_use };
    } catch (err) {
      if (isFinalSnapshotError(err)) {
        try {
          content = await this.removeBeingCreated(content);
        } catch (removeErr) {
          throw new Error(`failed to remove VolumeSnapshotBeingCreated annotation from the content ${content.metadata.name}: ${(removeErr as Error).message}`);
        }
      }
      throw new Error(`failed to take snapshot of the volume ${volumeHandle}: ${goQuote(grpcErrorText(err))}`);
    }
    let updated: VolumeSnapshotContent;
    try {
      updated = await this.updateContentStatus(content, answer.id, answer.ready, answer.createdAtNanos, answer.size);
    } catch (err) {
      throw new Error(`error updating status for volume snapshot content ${content.metadata.name}: ${(err as Error).message}`);
    }
    try {
      return await this.removeBeingCreated(updated);
    } catch (err) {
      throw new Error(`failed to remove VolumeSnapshotBeingCreated annotation on the content ${content.metadata.name}: ${goQuote((err as Error).message)}`);
    }
  }

  /** updateSnapshotContentStatus: read the content, add what its status lacks. */
  private async updateContentStatus(c: VolumeSnapshotContent, handle: string, ready: boolean, createdAtNanos: number, size: number): Promise<VolumeSnapshotContent> {
    const current = await this.o.api.getContent(c.metadata.name as string);
    const status = contentStatusFrom(current, handle, ready, createdAtNanos, size);
    if (!status) return current;
    return this.o.api.replaceContentStatus({ ...current, status });
  }

  private async deleteCsiSnapshot(c: VolumeSnapshotContent, signal: AbortSignal): Promise<VolumeSnapshotContent> {
    let secrets: Record<string, string> | undefined;
    try {
      secrets = await this.credentialsFromAnnotation(c);
    } catch (err) {
      this.recorder.event(c, 'Warning', 'SnapshotDeleteError', 'Failed to get snapshot credentials');
      throw new Error(`failed to get input parameters to delete snapshot for content ${c.metadata.name}: ${goQuote((err as Error).message)}`);
    }
    try {
      signal.throwIfAborted();
      const snapshotId = c.status?.snapshotHandle ?? c.spec.source.snapshotHandle;
      await unary((o, cb) => this.o.conn.controller.DeleteSnapshot({ snapshot_id: snapshotId, ...(secrets ? { secrets } : {}) }, o, cb), this.o.timeoutMs);
    } catch (err) {
      this.recorder.event(c, 'Warning', 'SnapshotDeleteError', 'Failed to delete snapshot');
      throw new Error(`failed to delete snapshot ${goQuote(c.metadata.name as string)}, err: failed to delete snapshot content ${c.metadata.name}: ${goQuote(grpcErrorText(err))}`);
    }
    // clearVolumeContentStatus: the snapshot is gone from the storage
    try {
      const current = await this.o.api.getContent(c.metadata.name as string);
      if (current.status) {
        const { snapshotHandle: _h, readyToUse: _r, creationTime: _c, restoreSize: _s, ...rest } = current.status;
        current.status = rest;
      }
      return await this.o.api.replaceContentStatus(current);
    } catch (err) {
      this.recorder.event(c, 'Warning', 'SnapshotDeleteError', 'Failed to clear content status');
      throw err;
    }
  }

  private async removeContentFinalizer(c: VolumeSnapshotContent): Promise<void> {
    if (!hasFinalizer(c, SNAPSHOT_NAMES.contentFinalizer)) return;
    try {
      await this.o.api.replaceContent(removeFinalizer(copy(c), SNAPSHOT_NAMES.contentFinalizer));
    } catch (err) {
      if (isNotFound(err)) return;
      throw new Error(`snapshot controller failed to update ${c.metadata.name} on API server: ${(err as Error).message}`);
    }
  }

  private async setBeingCreated(c: VolumeSnapshotContent): Promise<VolumeSnapshotContent> {
    if (hasAnnotation(c, SNAPSHOT_NAMES.beingCreated)) return c;
    const annotations = { ...c.metadata.annotations, [SNAPSHOT_NAMES.beingCreated]: 'yes' };
    try {
      return await this.o.api.patchContent(c.metadata.name as string, [{ op: c.metadata.annotations ? 'replace' : 'add', path: '/metadata/annotations', value: annotations }]);
    } catch (err) {
      throw new Error(`failed to add VolumeSnapshotBeingCreated annotation on the content ${c.metadata.name}: ${goQuote((err as Error).message)}`);
    }
  }

  private async removeBeingCreated(c: VolumeSnapshotContent): Promise<VolumeSnapshotContent> {
    if (!hasAnnotation(c, SNAPSHOT_NAMES.beingCreated)) return c;
    return this.o.api.replaceContent(removeAnnotation(copy(c), SNAPSHOT_NAMES.beingCreated));
  }

  /** updateContentErrorStatusWithEvent: a new message goes into status.error (readyToUse false), with an event. */
  private async errorStatus(c: VolumeSnapshotContent, reason: string, message: string): Promise<void> {
    let current: VolumeSnapshotContent;
    try {
      current = await this.o.api.getContent(c.metadata.name as string);
    } catch {
      current = c;
    }
    if (current.status?.error?.message === message) return;
    this.recorder.event(current, 'Warning', reason, message);
    try {
      await this.o.api.replaceContentStatus({ ...current, status: { ...current.status, readyToUse: false, error: { time: nowTime(), message } } });
    } catch (err) {
      this.o.log.info({ content: c.metadata.name, err: (err as Error).message }, 'updating the content error status failed');
    }
  }

  /** GetCredentialsFromAnnotation: the deletion-secret annotations name the snapshotter's secret. */
  private async credentialsFromAnnotation(c: VolumeSnapshotContent): Promise<Record<string, string> | undefined> {
    const a = c.metadata.annotations ?? {};
    if (!(SNAPSHOT_NAMES.deletionSecretName in a && SNAPSHOT_NAMES.deletionSecretNamespace in a)) return undefined;
    const name = a[SNAPSHOT_NAMES.deletionSecretName];
    const namespace = a[SNAPSHOT_NAMES.deletionSecretNamespace];
    if (!name || !namespace) throw new Error(`cannot retrieve secrets for snapshot content "${c.metadata.name}", err: secret name or namespace not specified`);
    try {
      const secret = await apiCall(() => this.o.api.core.readNamespacedSecret({ name, namespace }));
      return Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
    } catch {
      throw new Error(`cannot get credentials for snapshot content "${c.metadata.name}"`);
    }
  }
}
