import type { Logger } from 'pino';
import type { ReconcileResult } from '@copse/controller-runtime';
import { GrpcStatus } from '@copse/csi-grpc';
import type { LogicalVolume, NameSet } from '@copse/k8s-crd';
import type { LvmdClient, LogicalVolume as LvmdVolume } from '@copse/lvmd-api';
import { lvmdFailure, type LvmdFailure } from '../lvmd-errors';
import type { NodeMetrics } from '../metrics';
import type { LogicalVolumeApi } from './api';
import {
  createdStatus,
  decide,
  failedStatus,
  resizedStatus,
  sourceNeeded,
  type ResizeFailure,
  type SourceLookup,
  type Step,
} from './decide';

export interface LogicalVolumeReconcilerOptions {
  readonly nodeName: string;
  readonly names: NameSet;
  readonly lvmd: Pick<LvmdClient, 'createLogicalVolume' | 'createSnapshot' | 'resizeLogicalVolume' | 'deleteLogicalVolume' | 'getLogicalVolume'>;
  readonly api: LogicalVolumeApi;
  /** the informer's cache of this node's LogicalVolumes */
  readonly cached: (name: string) => LogicalVolume | undefined;
  readonly log: Logger;
  readonly metrics?: NodeMetrics;
}

/** A transient failure: the controller retries the key with backoff. */
export class RetryLater extends Error {
  override readonly name = 'RetryLater';
}

/** Steps in one reconcile before it yields (each is a write or an lvmd-http call; a normal create takes two). */
const MAX_STEPS = 8;
/** A snapshot waiting for its source is also woken by the source's own events; this is the safety net. */
const WAIT_RECHECK_MS = 30_000;

/**
 * The shell around decide(): reads the object from the informer's cache, looks up the
 * source when decide() needs it, performs each step (lvmd-http calls, API writes) and asks
 * again with the object the step wrote, until decide() says done or wait. Every step is
 * idempotent, so a crash between any two of them converges on the next reconcile: a create
 * is repeated with the same request (lvmd-http answers the volume it made, or finishes an
 * interrupted create), a delete of a missing LV counts as done.
 */
export class LogicalVolumeReconciler {
  private readonly resizeFailures = new Map<string, ResizeFailure>();

  constructor(private readonly o: LogicalVolumeReconcilerOptions) {}

  /** For Controller: reconcile the LogicalVolume named `key`. */
  readonly reconcile = async (key: string, signal: AbortSignal): Promise<ReconcileResult | void> => {
    let lv = this.o.cached(key);
    if (!lv) return; // deleted: nothing left to do (the finalizer made sure the LV went first)
    for (let i = 0; i < MAX_STEPS; i++) {
      signal.throwIfAborted();
      const uid = lv.metadata?.uid ?? '';
      const source = sourceNeeded(lv) ? await this.lookupSource(lv.spec.source as string) : undefined;
      const step = decide({ lv, nodeName: this.o.nodeName, names: this.o.names, source, resizeFailure: this.resizeFailures.get(uid) });
      const log = this.o.log.child({ logicalVolume: key, uid });
      if (step.kind === 'done' || step.kind === 'skip') {
        log.debug({ step: step.kind, reason: step.reason }, 'nothing to do');
        return;
      }
      if (step.kind === 'wait') {
        log.info({ reason: step.reason }, 'waiting');
        return { requeueAfterMs: WAIT_RECHECK_MS };
      }
      const next = await this.perform(lv, step, log, signal);
      if (!next) return; // the object is gone
      lv = next;
    }
    return { requeueAfterMs: 0 };
  };

  /** Forgets what is remembered of a deleted object. */
  forget(uid: string): void {
    this.resizeFailures.delete(uid);
  }

  private async lookupSource(name: string): Promise<SourceLookup> {
    // the source is on this node, so normally in the cache; the API answers for one the
    // cache has not seen yet (or one on another node, which decide() refuses)
    const lv = this.o.cached(name) ?? (await this.o.api.get(name));
    return lv ? { found: true, lv } : { found: false };
  }

  private async perform(lv: LogicalVolume, step: Exclude<Step, { kind: 'done' | 'skip' | 'wait' }>, log: Logger, signal: AbortSignal): Promise<LogicalVolume | undefined> {
    const { api, names } = this.o;
    const status = lv.status ?? {};
    switch (step.kind) {
      case 'add-finalizer': {
        const finalizers = lv.metadata?.finalizers;
        const op = finalizers
          ? { op: 'add' as const, path: '/metadata/finalizers/-', value: names.logicalVolumeFinalizer }
          : { op: 'add' as const, path: '/metadata/finalizers', value: [names.logicalVolumeFinalizer] };
        log.info('adding the finalizer');
        return api.patchMetadata(lv, [op]);
      }
      case 'write-status': {
        log.info({ code: status.code, reason: step.reason }, step.status.code ? `LogicalVolume failed: ${step.reason}` : 'writing status');
        if (step.status.code && !status.volumeID) {
          // a crash after lvcreate and before the status write leaves an LV that a create can
          // no longer reach (say its source went): that LV is this object's
          const adopted = await this.adoptExisting(lv, log, signal);
          if (adopted) return adopted;
        }
        return api.writeStatus(lv, step.status);
      }
      case 'create-volume':
      case 'create-snapshot':
        return this.create(lv, step, log, signal);
      case 'resize': {
        const uid = lv.metadata?.uid ?? '';
        const requestedAt = lv.metadata?.annotations?.[names.resizeRequestedAtAnnotation];
        const result = await this.call('resize', log, () => this.o.lvmd.resizeLogicalVolume(step.name, step.sizeBytes, step.deviceClass, { signal }));
        if (!result.ok) {
          this.resizeFailures.set(uid, { sizeBytes: step.sizeBytes, requestedAt });
          return api.writeStatus(lv, failedStatus(status, result.failure.code, result.failure.message));
        }
        this.resizeFailures.delete(uid);
        log.info({ sizeBytes: result.value.sizeBytes, requested: step.sizeBytes }, 'resized the LV');
        return api.writeStatus(lv, resizedStatus(status, result.value.sizeBytes));
      }
      case 'delete-volume': {
        const result = await this.call('delete', log, () => this.o.lvmd.deleteLogicalVolume(step.name, step.deviceClass, { signal }), ['not-found']);
        if (!result.ok) {
          // never remove the finalizer while the LV may still be there
          throw new RetryLater(`removing LV ${step.name} failed: ${result.failure.message}`);
        }
        log.info({ lv: step.name }, 'removed the LV (or it was gone); removing the finalizer');
        this.forget(lv.metadata?.uid ?? '');
        const finalizers = (lv.metadata?.finalizers ?? []).filter((f) => f !== names.logicalVolumeFinalizer);
        return api.patchMetadata(lv, [{ op: 'replace', path: '/metadata/finalizers', value: finalizers }]);
      }
    }
  }

  private async create(
    lv: LogicalVolume,
    step: Extract<Step, { kind: 'create-volume' | 'create-snapshot' }>,
    log: Logger,
    signal: AbortSignal,
  ): Promise<LogicalVolume | undefined> {
    const status = lv.status ?? {};
    const operation = step.kind === 'create-volume' ? 'create' : 'snapshot';
    const result = await this.call(operation, log, () =>
      step.kind === 'create-volume'
        ? this.o.lvmd.createLogicalVolume(
            step.name,
            {
              deviceClass: step.deviceClass,
              sizeBytes: step.sizeBytes,
              ...(step.lvcreateOptionClass ? { lvcreateOptionClass: step.lvcreateOptionClass } : {}),
            },
            { signal },
          )
        : this.o.lvmd.createSnapshot(
            step.source,
            { name: step.name, deviceClass: step.deviceClass, accessType: step.accessType, sizeBytes: step.sizeBytes },
            { signal },
          ),
    );
    if (!result.ok) {
      if (result.failure.problem === 'conflict') {
        // the LV exists with other parameters: after a crash, the spec may have moved on
        // (a larger size) before the status was written; the LV is still this object's
        const adopted = await this.adoptExisting(lv, log, signal);
        if (adopted) return adopted;
      }
      log.warn({ code: GrpcStatus[result.failure.code], message: result.failure.message }, `${operation} failed for good`);
      return this.o.api.writeStatus(lv, failedStatus(status, result.failure.code, result.failure.message));
    }
    const volume = result.value.value;
    log.info(
      { lv: volume.name, sizeBytes: volume.sizeBytes, created: result.value.created, source: step.kind === 'create-snapshot' ? step.source : undefined },
      result.value.created ? `${operation === 'create' ? 'created the LV' : 'created the thin snapshot'}` : 'the LV was already there (a repeated create)',
    );
    return this.o.api.writeStatus(lv, createdStatus(status, volume.name, volume.sizeBytes));
  }

  /** When an LV named by the object's UID exists and is complete, records it as this object's. */
  private async adoptExisting(lv: LogicalVolume, log: Logger, signal: AbortSignal): Promise<LogicalVolume | undefined> {
    const uid = lv.metadata?.uid ?? '';
    let existing: LvmdVolume;
    try {
      existing = await this.o.lvmd.getLogicalVolume(uid, lv.spec.deviceClass ?? '', { signal });
    } catch (err) {
      const f = lvmdFailure(err);
      if (f.problem === 'not-found') return undefined;
      if (f.kind === 'transient') throw new RetryLater(f.message, { cause: err });
      return undefined;
    }
    if ((existing as { state?: string }).state === 'incomplete') return undefined;
    log.info({ lv: existing.name, sizeBytes: existing.sizeBytes }, 'the LV already exists: recording it');
    return this.o.api.writeStatus(lv, createdStatus(lv.status ?? {}, existing.name, existing.sizeBytes));
  }

  /**
   * Runs one lvmd-http call, counted and timed. A transient failure throws RetryLater (the
   * controller retries with backoff); a final one is returned for the status. Problem codes
   * in `okProblems` count as success (a delete of what is not there).
   */
  private async call<T>(
    operation: string,
    log: Logger,
    fn: () => Promise<T>,
    okProblems: readonly string[] = [],
  ): Promise<{ ok: true; value: T } | { ok: false; failure: LvmdFailure }> {
    const started = performance.now();
    try {
      const value = await fn();
      this.o.metrics?.operations.inc({ operation, result: 'OK' });
      return { ok: true, value };
    } catch (err) {
      const failure = lvmdFailure(err);
      if (failure.problem && okProblems.includes(failure.problem)) {
        this.o.metrics?.operations.inc({ operation, result: 'OK' });
        return { ok: true, value: undefined as T };
      }
      this.o.metrics?.operations.inc({ operation, result: GrpcStatus[failure.code] ?? String(failure.code) });
      if (failure.kind === 'transient') {
        log.warn({ operation, code: GrpcStatus[failure.code], problem: failure.problem, message: failure.message }, `${operation}: lvmd-http failed; retrying with backoff`);
        throw new RetryLater(failure.message, { cause: err });
      }
      return { ok: false, failure };
    } finally {
      this.o.metrics?.operationSeconds.observe({ operation }, (performance.now() - started) / 1000);
    }
  }
}
