import type { V1PersistentVolume, V1PersistentVolumeClaim, V1PersistentVolumeClaimStatus } from '@kubernetes/client-node';
import { copy, hasAnnotation, nowTime, setAnnotation } from '../kube/meta';
import { bytesOf, storageRequest } from '../kube/quantity';
import { matchesLabelSelector } from '../kube/selectors';

/**
 * The binding rules of kube-controller-manager's PV controller
 * (pkg/controller/volume/persistentvolume), as pure functions: which PV a claim gets, and the
 * exact changes `bind` makes to each side.
 */
export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
export const ANN_PRE_RESIZE_CAPACITY = 'volume.alpha.kubernetes.io/pre-resize-capacity';

/** IsVolumeBoundToClaim: the PV's claimRef names the claim (and its uid, once set). */
export function isVolumeBoundToClaim(pv: V1PersistentVolume, claim: V1PersistentVolumeClaim): boolean {
  const ref = pv.spec?.claimRef;
  if (!ref) return false;
  if (ref.name !== claim.metadata?.name || ref.namespace !== claim.metadata?.namespace) return false;
  return !ref.uid || ref.uid === claim.metadata?.uid;
}

/** GetPersistentVolumeClass: the beta annotation, else spec.storageClassName. */
export function volumeClass(pv: V1PersistentVolume): string {
  return pv.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? pv.spec?.storageClassName ?? '';
}

/**
 * findBestMatchForClaim (FindMatchingVolume without a node): a PV pre-bound to the claim, else,
 * unless binding waits for the first consumer (the scheduler binds those), the smallest Available
 * PV of the claim's class, access modes (a superset), volume mode and selector that is large
 * enough.
 */
export function findMatchForClaim(
  claim: V1PersistentVolumeClaim,
  claimClass: string,
  volumes: readonly V1PersistentVolume[],
  delayBinding: boolean,
): V1PersistentVolume | undefined {
  const requested = storageRequest(claim.spec?.resources);
  const wantModes = claim.spec?.accessModes ?? [];
  const wantBlock = claim.spec?.volumeMode === 'Block';
  let smallest: V1PersistentVolume | undefined;
  let smallestSize = Infinity;
  for (const pv of volumes) {
    const modes = pv.spec?.accessModes ?? [];
    if (!wantModes.every((m) => modes.includes(m))) continue;
    const size = bytesOf(pv.spec?.capacity?.['storage']) ?? 0;
    if (size < requested) continue;
    if ((pv.spec?.volumeMode === 'Block') !== wantBlock) continue;
    if (pv.metadata?.deletionTimestamp) continue;
    if (isVolumeBoundToClaim(pv, claim)) return pv;
    if (delayBinding) continue;
    if (pv.status?.phase !== 'Available' || pv.spec?.claimRef) continue;
    if (claim.spec?.selector && !matchesLabelSelector(claim.spec.selector, pv.metadata?.labels)) continue;
    if (volumeClass(pv) !== claimClass) continue;
    if (size < smallestSize) {
      smallest = pv;
      smallestSize = size;
    }
  }
  return smallest;
}

/** GetBindVolumeToClaim: the PV pointing at the claim (and bound-by-controller if this sets it); undefined when unchanged. */
export function bindVolumeToClaim(pv: V1PersistentVolume, claim: V1PersistentVolumeClaim): V1PersistentVolume | undefined {
  const setByController = !isVolumeBoundToClaim(pv, claim);
  const next = copy(pv);
  let dirty = false;
  const ref = pv.spec?.claimRef;
  if (!ref || ref.name !== claim.metadata?.name || ref.namespace !== claim.metadata?.namespace || ref.uid !== claim.metadata?.uid) {
    next.spec = {
      ...next.spec,
      claimRef: {
        kind: 'PersistentVolumeClaim',
        namespace: claim.metadata?.namespace,
        name: claim.metadata?.name,
        uid: claim.metadata?.uid,
        apiVersion: 'v1',
        resourceVersion: claim.metadata?.resourceVersion,
      },
    };
    dirty = true;
  }
  if (setByController && !hasAnnotation(pv, ANN_BOUND_BY_CONTROLLER)) {
    setAnnotation(next, ANN_BOUND_BY_CONTROLLER, 'yes');
    dirty = true;
  }
  return dirty ? next : undefined;
}

/** bindClaimToVolume: volumeName, bound-by-controller (when this sets it) and bind-completed; undefined when unchanged. */
export function bindClaimToVolume(claim: V1PersistentVolumeClaim, pv: V1PersistentVolume): V1PersistentVolumeClaim | undefined {
  const next = copy(claim);
  let dirty = false;
  const name = pv.metadata?.name as string;
  if (claim.spec?.volumeName !== name) {
    next.spec = { ...next.spec, volumeName: name };
    if (!hasAnnotation(claim, ANN_BOUND_BY_CONTROLLER)) setAnnotation(next, ANN_BOUND_BY_CONTROLLER, 'yes');
    dirty = true;
  }
  if (!hasAnnotation(claim, ANN_BIND_COMPLETED)) {
    setAnnotation(next, ANN_BIND_COMPLETED, 'yes');
    dirty = true;
  }
  return dirty ? next : undefined;
}

/**
 * updateClaimStatus: the phase, the PV's access modes, and its capacity when the claim becomes
 * Bound (not later: a difference then means a filesystem resize is pending; a PV carrying
 * pre-resize-capacity gives that instead). Undefined when unchanged.
 */
export function claimStatusFor(
  claim: V1PersistentVolumeClaim,
  phase: 'Pending' | 'Bound' | 'Lost',
  pv: V1PersistentVolume | undefined,
): V1PersistentVolumeClaimStatus | undefined {
  const status: V1PersistentVolumeClaimStatus = copy(claim.status ?? {});
  let dirty = false;
  if (claim.status?.phase !== phase) {
    status.phase = phase;
    dirty = true;
  }
  if (!pv) {
    if (status.accessModes) {
      delete status.accessModes;
      dirty = true;
    }
    if (status.capacity) {
      delete status.capacity;
      dirty = true;
    }
  } else {
    if (JSON.stringify(status.accessModes ?? null) !== JSON.stringify(pv.spec?.accessModes ?? null)) {
      status.accessModes = pv.spec?.accessModes;
      dirty = true;
    }
    if (claim.status?.phase !== phase) {
      const capacity = { ...(pv.spec?.capacity ?? {}) };
      const pre = pv.metadata?.annotations?.[ANN_PRE_RESIZE_CAPACITY];
      if (pre !== undefined) capacity['storage'] = pre;
      if (bytesOf(capacity['storage']) !== bytesOf(claim.status?.capacity?.['storage'])) {
        status.capacity = capacity;
        dirty = true;
      }
    }
  }
  return dirty ? status : undefined;
}

/** updateVolumePhase: the phase (with lastPhaseTransitionTime when it changes) and message; undefined when unchanged. */
export function volumeStatusFor(pv: V1PersistentVolume, phase: string, message = ''): V1PersistentVolume['status'] | undefined {
  if (pv.status?.phase === phase && (pv.status?.message ?? '') === message) return undefined;
  const status = { ...copy(pv.status ?? {}), phase };
  if (message) status.message = message;
  else delete status.message;
  if (pv.status?.phase !== phase) (status as Record<string, unknown>)['lastPhaseTransitionTime'] = nowTime();
  return status;
}
