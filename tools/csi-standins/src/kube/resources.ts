import type { ResourceRef } from '@copse/controller-runtime';

/** Where each kind the stand-ins touch lives in the API. */
export const PVCS: ResourceRef = { group: '', version: 'v1', plural: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim', namespaced: true };
export const PVS: ResourceRef = { group: '', version: 'v1', plural: 'persistentvolumes', kind: 'PersistentVolume', namespaced: false };
export const NODES: ResourceRef = { group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false };
export const PODS: ResourceRef = { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true };
export const STORAGE_CLASSES: ResourceRef = { group: 'storage.k8s.io', version: 'v1', plural: 'storageclasses', kind: 'StorageClass', namespaced: false };
export const CSI_NODES: ResourceRef = { group: 'storage.k8s.io', version: 'v1', plural: 'csinodes', kind: 'CSINode', namespaced: false };
export const CSI_DRIVERS: ResourceRef = { group: 'storage.k8s.io', version: 'v1', plural: 'csidrivers', kind: 'CSIDriver', namespaced: false };
export const CSI_STORAGE_CAPACITIES: ResourceRef = {
  group: 'storage.k8s.io',
  version: 'v1',
  plural: 'csistoragecapacities',
  kind: 'CSIStorageCapacity',
  namespaced: true,
};

export const SNAPSHOT_GROUP = 'snapshot.storage.k8s.io';
export const SNAPSHOT_API_VERSION = `${SNAPSHOT_GROUP}/v1`;
export const VOLUME_SNAPSHOTS: ResourceRef = { group: SNAPSHOT_GROUP, version: 'v1', plural: 'volumesnapshots', kind: 'VolumeSnapshot', namespaced: true };
export const VOLUME_SNAPSHOT_CONTENTS: ResourceRef = {
  group: SNAPSHOT_GROUP,
  version: 'v1',
  plural: 'volumesnapshotcontents',
  kind: 'VolumeSnapshotContent',
  namespaced: false,
};
export const VOLUME_SNAPSHOT_CLASSES: ResourceRef = {
  group: SNAPSHOT_GROUP,
  version: 'v1',
  plural: 'volumesnapshotclasses',
  kind: 'VolumeSnapshotClass',
  namespaced: false,
};
