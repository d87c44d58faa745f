import { GrpcStatus } from '@copse/csi-grpc';
import {
  currentSizeBytes,
  formatQuantity,
  quantityToBytes,
  withReadyCondition,
  type LogicalVolume,
  type LogicalVolumeStatus,
  type NameSet,
} from '@copse/k8s-crd';

/**
 * The LogicalVolume reconciler's pure core: given a LogicalVolume of this node (and,
 * for a snapshot, restore or clone, its source), the one next step. The shell
 * (reconciler.ts) performs it, then asks again with the object the step wrote, until
 * the answer is `done` or `wait`.
 *
 * TopoLVM's semantics (internal/controller/logicalvolume_controller.go), written anew:
 * the LV on disk is named by the object's UID, which is also status.volumeID; the
 * finalizer goes on before the LV exists and comes off after it is gone; a create that
 * failed for good leaves its gRPC code in status.code and is not tried again (the
 * controller deletes the object); spec.size growing past status.currentSize resizes.
 * Where Copse differs, the step says why.
 */

export type Step =
  /** nothing to do for this object, for now or for good */
  | { readonly kind: 'done'; readonly reason: string }
  /** not this node's to reconcile */
  | { readonly kind: 'skip'; readonly reason: string }
  /** a precondition outside this object (its source is not ready): look again when it changes */
  | { readonly kind: 'wait'; readonly reason: string }
  | { readonly kind: 'add-finalizer' }
  | {
      readonly kind: 'create-volume';
      readonly name: string;
      readonly deviceClass: string;
      readonly sizeBytes: number;
      readonly lvcreateOptionClass?: string;
    }
  | {
      readonly kind: 'create-snapshot';
      readonly name: string;
      /** the source's LV (its status.volumeID) */
      readonly source: string;
      readonly deviceClass: string;
      readonly accessType: 'ro' | 'rw';
      readonly sizeBytes: number;
    }
  | { readonly kind: 'resize'; readonly name: string; readonly deviceClass: string; readonly sizeBytes: number }
  /** remove the LV (missing counts as done), then the finalizer */
  | { readonly kind: 'delete-volume'; readonly name: string; readonly deviceClass: string }
  /** write this status (a failure found without asking lvmd-http, or the Ready condition brought in line) */
  | { readonly kind: 'write-status'; readonly status: LogicalVolumeStatus; readonly reason: string };

/** What the shell found of spec.source. */
export type SourceLookup = { readonly found: true; readonly lv: LogicalVolume } | { readonly found: false };

/** A resize that failed for good, remembered so that it is not repeated until asked again. */
export interface ResizeFailure {
  readonly sizeBytes: number;
  /** the resize-requested-at annotation when it failed */
  readonly requestedAt: string | undefined;
}

export interface DecideInput {
  readonly lv: LogicalVolume;
  readonly nodeName: string;
  readonly names: NameSet;
  /** spec.source's object, looked up when the step may need it (sourceNeeded()) */
  readonly source?: SourceLookup;
  readonly resizeFailure?: ResizeFailure;
}

/** Whether decide() wants spec.source looked up: only to create a snapshot, restore or clone. */
export function sourceNeeded(lv: LogicalVolume): boolean {
  return Boolean(lv.spec.source) && !lv.status?.volumeID && !lv.metadata?.deletionTimestamp && !lv.status?.code;
}

export function decide(input: DecideInput): Step {
  const { lv, nodeName, names } = input;
  const meta = lv.metadata ?? {};
  const uid = meta.uid ?? '';
  const deviceClass = lv.spec.deviceClass ?? '';
  if (lv.spec.nodeName !== nodeName) return { kind: 'skip', reason: `spec.nodeName is ${lv.spec.nodeName}, not this node` };
  if (meta.annotations?.[names.pendingDeletionAnnotation] !== undefined) {
    // the controller is cleaning up a deleted Node's volumes and removes the finalizer itself
    return { kind: 'skip', reason: 'pending deletion by the controller' };
  }
  const hasFinalizer = (meta.finalizers ?? []).includes(names.logicalVolumeFinalizer);

  if (meta.deletionTimestamp) {
    if (!hasFinalizer) return { kind: 'done', reason: 'deleting, and the finalizer is already gone' };
    // by UID whether or not status.volumeID was written: a crash between lvcreate and the
    // status write leaves an LV that only its UID names
    return { kind: 'delete-volume', name: uid, deviceClass };
  }
  if (!hasFinalizer) return { kind: 'add-finalizer' };

  const status = lv.status ?? {};
  if (!status.volumeID) {
    if (status.code) return { kind: 'done', reason: `creating failed for good (${codeName(status.code)}: ${status.message ?? ''}); the controller deletes it` };
    return decideCreate(input, uid, deviceClass);
  }

  // the LV exists: grow it when spec.size passed status.currentSize
  let wanted: number;
  try {
    wanted = quantityToBytes(lv.spec.size);
  } catch (e) {
    return fail(status, GrpcStatus.INVALID_ARGUMENT, `spec.size: ${(e as Error).message}`);
  }
  const current = safeCurrentSize(lv);
  if (current === undefined || wanted > current) {
    const failed = input.resizeFailure;
    const requestedAt = meta.annotations?.[names.resizeRequestedAtAnnotation];
    if (failed && status.code && failed.sizeBytes === wanted && failed.requestedAt === requestedAt) {
      return { kind: 'done', reason: `resizing to ${wanted} bytes failed for good; waiting for a larger spec.size or a new ${names.resizeRequestedAtAnnotation}` };
    }
    return { kind: 'resize', name: status.volumeID, deviceClass, sizeBytes: wanted };
  }
  // nothing to change on disk: an error code left by an earlier resize no longer holds,
  // and a status written by TopoLVM gets its Ready condition
  const clean: LogicalVolumeStatus = { ...status };
  delete clean.code;
  delete clean.message;
  const desired = withReadyCondition(clean);
  if (!sameStatus(desired, status)) return { kind: 'write-status', status: desired, reason: status.code ? 'clear a resize error that no longer holds' : 'bring the Ready condition in line' };
  return { kind: 'done', reason: 'up to date' };
}

function decideCreate(input: DecideInput, uid: string, deviceClass: string): Step {
  const { lv } = input;
  const status = lv.status ?? {};
  let sizeBytes: number;
  try {
    sizeBytes = quantityToBytes(lv.spec.size);
  } catch (e) {
    return fail(status, GrpcStatus.INVALID_ARGUMENT, `spec.size: ${(e as Error).message}`);
  }
  if (sizeBytes === 0) return fail(status, GrpcStatus.INVALID_ARGUMENT, 'spec.size: must be greater than zero');
  const sourceName = lv.spec.source;
  if (!sourceName) {
    if (lv.spec.accessType) return fail(status, GrpcStatus.INVALID_ARGUMENT, 'spec.accessType is set without spec.source');
    const step: Step = { kind: 'create-volume', name: uid, deviceClass, sizeBytes };
    return lv.spec.lvcreateOptionClass ? { ...step, lvcreateOptionClass: lv.spec.lvcreateOptionClass } : step;
  }
  const accessType = lv.spec.accessType;
  if (accessType !== 'ro' && accessType !== 'rw') {
    return fail(status, GrpcStatus.INVALID_ARGUMENT, `spec.accessType must be "ro" (snapshot) or "rw" (restore, clone) with spec.source, not ${JSON.stringify(accessType ?? '')}`);
  }
  const source = input.source;
  if (!source) throw new Error('decide: spec.source was not looked up (see sourceNeeded)');
  if (!source.found) return fail(status, GrpcStatus.NOT_FOUND, `source LogicalVolume ${sourceName} not found`);
  const src = source.lv;
  if (src.spec.nodeName !== input.nodeName) {
    // TopoLVM #957: a thin snapshot lives in its source's pool; another node would need a block copy
    return fail(status, GrpcStatus.INVALID_ARGUMENT, `source LogicalVolume ${sourceName} is on node ${src.spec.nodeName}, not ${input.nodeName}: snapshots, restores and clones are made on their source's node`);
  }
  if (!src.status?.volumeID) {
    if (src.status?.code) {
      return fail(status, GrpcStatus.FAILED_PRECONDITION, `source LogicalVolume ${sourceName} failed: ${codeName(src.status.code)}: ${src.status.message ?? ''}`);
    }
    return { kind: 'wait', reason: `source LogicalVolume ${sourceName} has no volume yet` };
  }
  // compare with what the source is on disk, not with what it asked for (TopoLVM #1039:
  // extent rounding makes the LV larger than a byte-precise request)
  const sourceSize = safeCurrentSize(src);
  if (sourceSize !== undefined && sizeBytes < sourceSize) {
    return fail(
      status,
      GrpcStatus.OUT_OF_RANGE,
      `spec.size ${sizeBytes} bytes is smaller than source LogicalVolume ${sourceName}'s current size ${sourceSize} bytes (${formatQuantity(sourceSize)})`,
    );
  }
  return { kind: 'create-snapshot', name: uid, source: src.status.volumeID, deviceClass, accessType, sizeBytes };
}

function fail(status: LogicalVolumeStatus, code: GrpcStatus, message: string): Step {
  return { kind: 'write-status', status: failedStatus(status, code, message), reason: message };
}

/** status with a failure recorded (volumeID and currentSize kept), Ready condition included. */
export function failedStatus(status: LogicalVolumeStatus, code: GrpcStatus, message: string): LogicalVolumeStatus {
  return withReadyCondition({ ...status, code, message });
}

/** status once the LV exists at `sizeBytes`: volumeID set, currentSize from lvmd-http, no error. */
export function createdStatus(status: LogicalVolumeStatus, volumeID: string, sizeBytes: number): LogicalVolumeStatus {
  const next: LogicalVolumeStatus = { ...status, volumeID, currentSize: formatQuantity(sizeBytes) };
  delete next.code;
  delete next.message;
  return withReadyCondition(next);
}

/** status after a resize: currentSize from lvmd-http's answer (whole extents), no error. */
export function resizedStatus(status: LogicalVolumeStatus, sizeBytes: number): LogicalVolumeStatus {
  const next: LogicalVolumeStatus = { ...status, currentSize: formatQuantity(sizeBytes) };
  delete next.code;
  delete next.message;
  return withReadyCondition(next);
}

function safeCurrentSize(lv: LogicalVolume): number | undefined {
  try {
    return currentSizeBytes(lv);
  } catch {
    return undefined; // unreadable: treated as unknown, as TopoLVM treats a missing one
  }
}

/** Equal as the API would store them (conditions compared without key order). */
export function sameStatus(a: LogicalVolumeStatus, b: LogicalVolumeStatus): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([x], [y]) => x.localeCompare(y)))
      : v,
  );
}

function codeName(code: number): string {
  return GrpcStatus[code] ?? `code ${code}`;
}
