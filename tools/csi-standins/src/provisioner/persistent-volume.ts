import type { V1PersistentVolume, V1PersistentVolumeClaim, V1StorageClass, V1VolumeNodeAffinity } from '@kubernetes/client-node';
import type { CreateVolumeResponse__Output, Topology__Output } from '@copse/csi-spec';
import { quantityOf } from '../kube/quantity';
import type { PreparedVolume, VolumeSecretRefs } from './prepare';

/**
 * What external-provisioner does with a CreateVolume answer (Provision, after the call) and the
 * PersistentVolume it makes of it, as a pure function. An answer it refuses names the volume to
 * delete again (cleanupVolume) and the error to report.
 */
export const ANN_PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
export const PV_FINALIZER = 'external-provisioner.volume.kubernetes.io/finalizer';
export const PROVISIONER_IDENTITY_KEY = 'storage.kubernetes.io/csiProvisionerIdentity';
export const ANN_DELETION_SECRET_NAME = 'volume.kubernetes.io/provisioner-deletion-secret-name';
export const ANN_DELETION_SECRET_NAMESPACE = 'volume.kubernetes.io/provisioner-deletion-secret-namespace';

export type AnswerOutcome = { ok: true; pv: V1PersistentVolume } | { ok: false; deleteVolumeId: string; error: string };

export interface PersistentVolumeInput {
  readonly claim: V1PersistentVolumeClaim;
  readonly storageClass: V1StorageClass;
  readonly prepared: PreparedVolume;
  readonly secrets: VolumeSecretRefs;
  readonly response: CreateVolumeResponse__Output;
  readonly driverName: string;
  /** the provisioner's identity (volumeAttributes' storage.kubernetes.io/csiProvisionerIdentity) */
  readonly identity: string;
  readonly supportsTopology: boolean;
  /** HonorPVReclaimPolicy: the PV carries external-provisioner's finalizer */
  readonly addFinalizer: boolean;
}

export function persistentVolumeFor(input: PersistentVolumeInput): AnswerOutcome {
  const { claim, storageClass: sc, prepared, response } = input;
  const volume = response.volume;
  const volumeId = volume?.volume_id ?? '';
  const requested = prepared.requiredBytes;
  let capacity = Number(volume?.capacity_bytes ?? 0);
  // CSI allows 0 (unknown, e.g. NFS): the claim's size is recorded
  if (capacity === 0) capacity = requested;
  else if (capacity < requested) {
    return { ok: false, deleteVolumeId: volumeId, error: `created volume capacity ${capacity} less than requested capacity ${requested}` };
  }
  if (prepared.dataSource && !volume?.content_source) {
    return { ok: false, deleteVolumeId: volumeId, error: 'volume content source missing' };
  }
  const block = claim.spec?.volumeMode === 'Block';
  const s = input.secrets;
  const csi: NonNullable<NonNullable<V1PersistentVolume['spec']>['csi']> = {
    driver: input.driverName,
    volumeHandle: volumeId,
    volumeAttributes: { [PROVISIONER_IDENTITY_KEY]: input.identity, ...(volume?.volume_context ?? {}) },
    ...(block || prepared.fsType === '' ? {} : { fsType: prepared.fsType }),
    ...(s.controllerPublish ? { controllerPublishSecretRef: s.controllerPublish } : {}),
    ...(s.nodeStage ? { nodeStageSecretRef: s.nodeStage } : {}),
    ...(s.nodePublish ? { nodePublishSecretRef: s.nodePublish } : {}),
    ...(s.controllerExpand ? { controllerExpandSecretRef: s.controllerExpand } : {}),
    ...(s.nodeExpand ? { nodeExpandSecretRef: s.nodeExpand } : {}),
  };
  const nodeAffinity = input.supportsTopology ? volumeNodeAffinity(volume?.accessible_topology ?? []) : undefined;
  const pv: V1PersistentVolume = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name: prepared.pvName,
      annotations: {
        [ANN_DELETION_SECRET_NAME]: s.provisioner?.name ?? '',
        [ANN_DELETION_SECRET_NAMESPACE]: s.provisioner?.namespace ?? '',
        [ANN_PROVISIONED_BY]: sc.provisioner,
      },
      ...(input.addFinalizer ? { finalizers: [PV_FINALIZER] } : {}),
    },
    spec: {
      accessModes: claim.spec?.accessModes,
      ...(sc.mountOptions ? { mountOptions: sc.mountOptions } : {}),
      capacity: { storage: quantityOf(capacity) },
      csi,
      ...(sc.reclaimPolicy ? { persistentVolumeReclaimPolicy: sc.reclaimPolicy } : {}),
      ...(nodeAffinity ? { nodeAffinity } : {}),
      ...(claim.spec?.volumeMode ? { volumeMode: claim.spec.volumeMode } : {}),
      // set by sig-storage-lib-external-provisioner's provisionClaimOperation
      claimRef: {
        kind: 'PersistentVolumeClaim',
        namespace: claim.metadata?.namespace,
        name: claim.metadata?.name,
        uid: claim.metadata?.uid,
        apiVersion: 'v1',
        resourceVersion: claim.metadata?.resourceVersion,
      },
      storageClassName: claim.spec?.storageClassName ?? '',
    },
  };
  return { ok: true, pv };
}

/**
 * GenerateVolumeNodeAffinity: one node selector term per accessible topology, matching each of
 * its segments (key In [value]); nothing when the answer names no topology.
 */
export function volumeNodeAffinity(topologies: readonly Topology__Output[]): V1VolumeNodeAffinity | undefined {
  const terms = topologies
    .filter((t) => Object.keys(t.segments ?? {}).length > 0)
    .map((t) => ({
      matchExpressions: Object.keys(t.segments)
        .sort()
        .map((key) => ({ key, operator: 'In', values: [t.segments[key] as string] })),
    }));
  return terms.length === 0 ? undefined : { required: { nodeSelectorTerms: terms } };
}
