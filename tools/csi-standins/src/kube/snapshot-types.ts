import type { KubernetesObject, V1ObjectMeta, V1ObjectReference } from '@kubernetes/client-node';

/**
 * The snapshot.storage.k8s.io/v1 kinds as they travel on the wire (external-snapshotter's
 * client/apis/volumesnapshot/v1 types). client-node has no types for them: they are CRDs.
 */
export interface VolumeSnapshotError {
  message?: string;
  time?: string;
}

export interface VolumeSnapshot extends KubernetesObject {
  metadata: V1ObjectMeta;
  spec: {
    source: { persistentVolumeClaimName?: string; volumeSnapshotContentName?: string };
    volumeSnapshotClassName?: string;
  };
  status?: {
    boundVolumeSnapshotContentName?: string;
    /** RFC 3339 */
    creationTime?: string;
    readyToUse?: boolean;
    /** a quantity */
    restoreSize?: string | number;
    error?: VolumeSnapshotError;
  };
}

export type DeletionPolicy = 'Delete' | 'Retain';

export interface VolumeSnapshotContent extends KubernetesObject {
  metadata: V1ObjectMeta;
  spec: {
    volumeSnapshotRef: V1ObjectReference;
    deletionPolicy: DeletionPolicy;
    driver: string;
    source: { volumeHandle?: string; snapshotHandle?: string };
    volumeSnapshotClassName?: string;
    sourceVolumeMode?: string;
  };
  status?: {
    snapshotHandle?: string;
    /** nanoseconds since the epoch */
    creationTime?: number;
    /** bytes */
    restoreSize?: number;
    readyToUse?: boolean;
    error?: VolumeSnapshotError;
  };
}

export interface VolumeSnapshotClass extends KubernetesObject {
  metadata: V1ObjectMeta;
  driver: string;
  deletionPolicy: DeletionPolicy;
  parameters?: Record<string, string>;
}

/** external-snapshotter's finalizers and annotations (pkg/utils/util.go). */
export const SNAPSHOT_NAMES = {
  contentFinalizer: 'snapshot.storage.kubernetes.io/volumesnapshotcontent-bound-protection',
  boundFinalizer: 'snapshot.storage.kubernetes.io/volumesnapshot-bound-protection',
  asSourceFinalizer: 'snapshot.storage.kubernetes.io/volumesnapshot-as-source-protection',
  pvcFinalizer: 'snapshot.storage.kubernetes.io/pvc-as-source-protection',
  isDefaultClass: 'snapshot.storage.kubernetes.io/is-default-class',
  beingDeleted: 'snapshot.storage.kubernetes.io/volumesnapshot-being-deleted',
  beingCreated: 'snapshot.storage.kubernetes.io/volumesnapshot-being-created',
  deletionSecretName: 'snapshot.storage.kubernetes.io/deletion-secret-name',
  deletionSecretNamespace: 'snapshot.storage.kubernetes.io/deletion-secret-namespace',
} as const;
