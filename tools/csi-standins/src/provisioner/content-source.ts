import type { V1PersistentVolume, V1PersistentVolumeClaim, V1StorageClass } from '@kubernetes/client-node';
import { bytesOf, storageRequest } from '../kube/quantity';
import type { VolumeSnapshot, VolumeSnapshotContent } from '../kube/snapshot-types';

/**
 * The checks external-provisioner makes on a claim's data source before CreateVolume
 * (getSnapshotSource, getPVCSource), with its messages, as pure functions of the objects it
 * reads. Each returns CreateVolume's volume_content_source or throws; the shell reports the
 * error as "error getting handle for DataSource Type <kind> by Name <name>: <message>" and
 * retries.
 */
export type ContentSource = { snapshot: { snapshot_id: string } } | { volume: { volume_id: string } };

/** A restore: the snapshot must be bound to a content of this driver, ready, and not larger than the claim. */
export function snapshotSource(
  claim: V1PersistentVolumeClaim,
  sc: V1StorageClass,
  name: string,
  snapshot: VolumeSnapshot | undefined,
  content: VolumeSnapshotContent | undefined,
): ContentSource {
  if (!snapshot) throw new Error(`error getting snapshot ${name} from api server: volumesnapshots.snapshot.storage.k8s.io "${name}" not found`);
  if (snapshot.metadata.deletionTimestamp) throw new Error(`snapshot ${name} is currently being deleted`);
  const bound = snapshot.status?.boundVolumeSnapshotContentName;
  const notBound = `snapshot ${name} not bound`;
  if (!bound) throw new Error(notBound);
  if (!content) throw new Error(notBound);
  const ref = content.spec.volumeSnapshotRef;
  if (ref.uid !== snapshot.metadata.uid || ref.namespace !== snapshot.metadata.namespace || ref.name !== snapshot.metadata.name) throw new Error(notBound);
  if (content.spec.driver !== sc.provisioner) throw new Error(notBound);
  if (snapshot.status?.readyToUse !== true) throw new Error(`snapshot ${name} is not Ready`);
  const handle = content.status?.snapshotHandle;
  if (!handle) throw new Error(`snapshot handle ${name} is not available`);
  const restoreSize = snapshot.status?.restoreSize;
  if (restoreSize !== undefined && restoreSize !== null) {
    if (!claim.spec?.resources?.requests?.['storage']) {
      throw new Error(`error getting capacity for PVC ${claim.metadata?.name} when creating snapshot ${snapshot.metadata.name}`);
    }
    const requested = storageRequest(claim.spec.resources);
    const size = bytesOf(restoreSize) ?? 0;
    if (requested < size) throw new Error(`requested volume size ${requested} is less than the size ${size} for the source snapshot ${snapshot.metadata.name}`);
  }
  return { snapshot: { snapshot_id: handle } };
}

/**
 * A clone: the source claim (same namespace) must be Bound to a PV of this driver, not being
 * deleted, with a class, no larger than the new claim, and of the same volume mode.
 */
export function pvcSource(
  claim: V1PersistentVolumeClaim,
  sc: V1StorageClass,
  name: string,
  source: V1PersistentVolumeClaim | undefined,
  sourcePv: V1PersistentVolume | undefined,
): ContentSource {
  const namespace = claim.metadata?.namespace;
  if (!source) {
    throw new Error(
      `error getting PVC ${name} (namespace "${namespace}") from api server: persistentvolumeclaim "${name}" not found`,
    );
  }
  if (source.status?.phase !== 'Bound') // the real message prints the whole status struct; the phase is what it says
    throw new Error(`the PVC DataSource ${name} must have a status of Bound.  Got ${source.status?.phase ?? 'no phase'}`);
  if (source.metadata?.deletionTimestamp) throw new Error(`the PVC DataSource ${name} is currently being deleted`);
  if (!source.spec?.storageClassName) throw new Error(`the source PVC (${source.metadata?.name}) storageclass cannot be empty`);
  if (!claim.spec?.storageClassName) throw new Error(`the requested PVC (${claim.metadata?.name}) storageclass cannot be empty`);
  const requested = storageRequest(claim.spec.resources);
  const sourceSize = storageRequest(source.spec.resources);
  if (requested < sourceSize) {
    throw new Error(`error, new PVC request must be greater than or equal in size to the specified PVC data source, requested ${requested} but source is ${sourceSize}`);
  }
  if (!source.spec.volumeName) throw new Error(`volume name is empty in source PVC ${source.metadata?.name}`);
  const invalid = 'claim in dataSource not bound or invalid';
  if (!sourcePv?.spec?.csi) throw new Error(invalid);
  if (sourcePv.spec.csi.driver !== sc.provisioner) throw new Error(invalid);
  const ref = sourcePv.spec.claimRef;
  if (!ref) throw new Error(invalid);
  if (ref.uid !== source.metadata?.uid || ref.namespace !== source.metadata?.namespace || ref.name !== source.metadata?.name) throw new Error(invalid);
  if (sourcePv.status?.phase !== 'Bound') throw new Error(invalid);
  const wantBlock = claim.spec.volumeMode === 'Block';
  const sourceBlock = sourcePv.spec.volumeMode === 'Block';
  if (!wantBlock && sourcePv.spec.volumeMode !== undefined && sourcePv.spec.volumeMode !== 'Filesystem') {
    throw new Error('the source PVC and destination PVCs must have the same volume mode for cloning.  Source is Block, but new PVC requested Filesystem');
  }
  if (wantBlock && !sourceBlock) {
    throw new Error('the source PVC and destination PVCs must have the same volume mode for cloning.  Source is Filesystem, but new PVC requested Block');
  }
  return { volume: { volume_id: sourcePv.spec.csi.volumeHandle } };
}
