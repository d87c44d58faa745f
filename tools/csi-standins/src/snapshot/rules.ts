import { quantityOf, bytesOf } from '../kube/quantity';
import { SNAPSHOT_NAMES, type VolumeSnapshot, type VolumeSnapshotContent } from '../kube/snapshot-types';

/**
 * external-snapshotter's rules as pure functions (pkg/utils, and the status arithmetic of the
 * snapshot-controller and the csi-snapshotter sidecar).
 */

/** GetDynamicSnapshotContentNameForSnapshot */
export function contentNameFor(snapshot: VolumeSnapshot): string {
  return `snapcontent-${snapshot.metadata.uid}`;
}

/** makeSnapshotName: <prefix>-<uid> by default; with a uuid length, the uid without dashes cut to it. */
export function snapshotName(prefix: string, uid: string, uuidLength: number): string {
  if (uid === '') throw new Error('Corrupted snapshot object, it is missing UID');
  return uuidLength === -1 ? `${prefix}-${uid}` : `${prefix}-${uid.replaceAll('-', '').slice(0, uuidLength)}`;
}

export function isSnapshotReady(s: VolumeSnapshot): boolean {
  return s.status?.readyToUse === true;
}

export function isBound(s: VolumeSnapshot): boolean {
  return Boolean(s.status?.boundVolumeSnapshotContentName);
}

/** IsVolumeSnapshotRefSet: the content points back at this snapshot (name, namespace, uid). */
export function contentPointsAt(s: VolumeSnapshot, c: VolumeSnapshotContent): boolean {
  const ref = c.spec.volumeSnapshotRef;
  return ref.name === s.metadata.name && ref.namespace === s.metadata.namespace && ref.uid === s.metadata.uid;
}

export function isDeletionCandidate(s: VolumeSnapshot): boolean {
  const f = s.metadata.finalizers ?? [];
  return Boolean(s.metadata.deletionTimestamp) && (f.includes(SNAPSHOT_NAMES.asSourceFinalizer) || f.includes(SNAPSHOT_NAMES.boundFinalizer));
}

/** needsUpdateSnapshotStatus: the content knows something the snapshot's status does not show yet. */
export function needsSnapshotStatusUpdate(s: VolumeSnapshot, c: VolumeSnapshotContent): boolean {
  const ss = s.status;
  const cs = c.status;
  if (!ss && cs) return true;
  if (!cs || !ss) return false;
  if (!ss.boundVolumeSnapshotContentName) return true;
  if (ss.creationTime === undefined && cs.creationTime !== undefined) return true;
  if (ss.readyToUse === undefined && cs.readyToUse !== undefined) return true;
  if (ss.readyToUse !== undefined && cs.readyToUse !== undefined && ss.readyToUse !== cs.readyToUse) return true;
  if (ss.restoreSize === undefined && cs.restoreSize !== undefined) return true;
  if (ss.restoreSize !== undefined && bytesOf(ss.restoreSize) === 0 && (cs.restoreSize ?? 0) > 0) return true;
  return false;
}

/** RFC 3339 (whole seconds, as metav1.Time serializes) of a content's creationTime in nanoseconds. */
export function timeOfNanos(ns: number): string {
  return new Date(Math.floor(ns / 1e6)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * updateSnapshotStatus: the snapshot's new status from its content's, or undefined when
 * nothing changes. Fields once set are kept (creationTime, restoreSize unless 0); readyToUse
 * follows the content, and clears the error once true.
 */
export function snapshotStatusFrom(s: VolumeSnapshot, c: VolumeSnapshotContent): VolumeSnapshot['status'] | undefined {
  const cs = c.status;
  const createdAt = cs?.creationTime !== undefined ? timeOfNanos(cs.creationTime) : undefined;
  const size = cs?.restoreSize;
  const ready = cs?.readyToUse ?? false;
  const error = cs?.error ? { ...cs.error } : undefined;
  if (!s.status) {
    return {
      boundVolumeSnapshotContentName: c.metadata.name,
      readyToUse: ready,
      ...(createdAt ? { creationTime: createdAt } : {}),
      ...(size !== undefined ? { restoreSize: quantityOf(size) } : {}),
      ...(error ? { error } : {}),
    };
  }
  const next = { ...s.status };
  let updated = false;
  if (!next.boundVolumeSnapshotContentName) {
    next.boundVolumeSnapshotContentName = c.metadata.name;
    updated = true;
  }
  if (next.creationTime === undefined && createdAt) {
    next.creationTime = createdAt;
    updated = true;
  }
  if (next.readyToUse !== ready) {
    next.readyToUse = ready;
    updated = true;
    if (ready && next.error) delete next.error;
  }
  if (size !== undefined && (next.restoreSize === undefined || (bytesOf(next.restoreSize) === 0 && size > 0))) {
    next.restoreSize = quantityOf(size);
    updated = true;
  }
  if ((!next.error && error) || (next.error && error && next.error.time !== error.time) || (next.error && !error)) {
    if (error) next.error = error;
    else delete next.error;
    updated = true;
  }
  return updated ? next : undefined;
}

/**
 * updateSnapshotContentStatus (the sidecar): a new status is the snapshot's handle, readiness,
 * creation time and size; an existing one only gains what it lacks, and follows readiness.
 */
export function contentStatusFrom(
  c: VolumeSnapshotContent,
  handle: string,
  readyToUse: boolean,
  createdAtNanos: number,
  size: number,
): VolumeSnapshotContent['status'] | undefined {
  if (!c.status) return { snapshotHandle: handle, readyToUse, creationTime: createdAtNanos, restoreSize: size };
  const next = { ...c.status };
  let updated = false;
  if (next.snapshotHandle === undefined) {
    next.snapshotHandle = handle;
    updated = true;
  }
  if (next.readyToUse !== readyToUse) {
    next.readyToUse = readyToUse;
    updated = true;
    if (readyToUse && next.error) delete next.error;
  }
  if (next.creationTime === undefined) {
    next.creationTime = createdAtNanos;
    updated = true;
  }
  if (next.restoreSize === undefined) {
    next.restoreSize = size;
    updated = true;
  }
  return updated ? next : undefined;
}

/** RemovePrefixedParameters of a VolumeSnapshotClass: only the snapshotter secret keys are known. */
export const KNOWN_SNAPSHOT_PREFIXED_PARAMETERS: ReadonlySet<string> = new Set([
  'csi.storage.k8s.io/snapshotter-secret-name',
  'csi.storage.k8s.io/snapshotter-secret-namespace',
  'csi.storage.k8s.io/snapshotter-list-secret-name',
  'csi.storage.k8s.io/snapshotter-list-secret-namespace',
]);

/** Go's %q of an error's text (strconv.Quote), as the snapshotter formats nested errors. */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}
