/**
 * The fields each built-in kind declares, as far as the server checks them: a typed decode on
 * a real server drops (and with fieldValidation=Strict refuses) any other field. `true` marks a
 * field whose contents are not checked further (maps of user keys, deep structures).
 * Written from the k8s.io/api v1 types.
 */
export type Known = { readonly [field: string]: Known | true };

const T = true as const;
const OBJECT_REFERENCE: Known = { apiVersion: T, fieldPath: T, kind: T, name: T, namespace: T, resourceVersion: T, uid: T };
const TYPED_LOCAL_REF: Known = { apiGroup: T, kind: T, name: T };

const PVC_SPEC: Known = {
  accessModes: T,
  selector: T,
  resources: { limits: T, requests: T },
  volumeName: T,
  storageClassName: T,
  volumeMode: T,
  dataSource: TYPED_LOCAL_REF,
  dataSourceRef: { ...TYPED_LOCAL_REF, namespace: T },
  volumeAttributesClassName: T,
};
const PVC_STATUS: Known = {
  phase: T,
  accessModes: T,
  capacity: T,
  conditions: T,
  allocatedResources: T,
  allocatedResourceStatuses: T,
  currentVolumeAttributesClassName: T,
  modifyVolumeStatus: T,
};
const PV_SOURCES = [
  'awsElasticBlockStore', 'azureDisk', 'azureFile', 'cephfs', 'cinder', 'csi', 'fc', 'flexVolume', 'flocker', 'gcePersistentDisk',
  'glusterfs', 'hostPath', 'iscsi', 'local', 'nfs', 'photonPersistentDisk', 'portworxVolume', 'quobyte', 'rbd', 'scaleIO', 'storageos', 'vsphereVolume',
];
const PV_SPEC: Known = {
  capacity: T,
  accessModes: T,
  claimRef: OBJECT_REFERENCE,
  persistentVolumeReclaimPolicy: T,
  storageClassName: T,
  mountOptions: T,
  volumeMode: T,
  nodeAffinity: T,
  volumeAttributesClassName: T,
  ...Object.fromEntries(PV_SOURCES.map((s) => [s, T])),
  csi: {
    driver: T,
    volumeHandle: T,
    readOnly: T,
    fsType: T,
    volumeAttributes: T,
    controllerPublishSecretRef: T,
    nodeStageSecretRef: T,
    nodePublishSecretRef: T,
    controllerExpandSecretRef: T,
    nodeExpandSecretRef: T,
  },
};

export const KNOWN_FIELDS: Readonly<Record<string, Known>> = {
  'v1/ConfigMap': { data: T, binaryData: T, immutable: T },
  'v1/Secret': { data: T, stringData: T, type: T, immutable: T },
  'v1/Namespace': { spec: { finalizers: T }, status: { phase: T, conditions: T } },
  'v1/Node': {
    spec: { podCIDR: T, podCIDRs: T, providerID: T, unschedulable: T, taints: T, configSource: T, externalID: T },
    status: T,
  },
  'v1/Pod': { spec: T, status: T },
  'v1/PersistentVolumeClaim': { spec: PVC_SPEC, status: PVC_STATUS },
  'v1/PersistentVolume': { spec: PV_SPEC, status: { phase: T, message: T, reason: T, lastPhaseTransitionTime: T } },
  'v1/Event': {
    involvedObject: OBJECT_REFERENCE, reason: T, message: T, source: { component: T, host: T }, firstTimestamp: T, lastTimestamp: T, count: T,
    type: T, eventTime: T, series: { count: T, lastObservedTime: T }, action: T, related: OBJECT_REFERENCE, reportingComponent: T, reportingInstance: T,
  },
  'events.k8s.io/v1/Event': {
    eventTime: T, series: { count: T, lastObservedTime: T }, reportingController: T, reportingInstance: T, action: T, reason: T, regarding: OBJECT_REFERENCE,
    related: OBJECT_REFERENCE, note: T, type: T, deprecatedSource: { component: T, host: T }, deprecatedFirstTimestamp: T, deprecatedLastTimestamp: T, deprecatedCount: T,
  },
  'coordination.k8s.io/v1/Lease': {
    spec: { holderIdentity: T, leaseDurationSeconds: T, acquireTime: T, renewTime: T, leaseTransitions: T, strategy: T, preferredHolder: T },
  },
  'storage.k8s.io/v1/StorageClass': { provisioner: T, parameters: T, reclaimPolicy: T, mountOptions: T, allowVolumeExpansion: T, volumeBindingMode: T, allowedTopologies: T },
  'storage.k8s.io/v1/CSIDriver': {
    spec: {
      attachRequired: T, podInfoOnMount: T, volumeLifecycleModes: T, storageCapacity: T, fsGroupPolicy: T, tokenRequests: T, requiresRepublish: T,
      seLinuxMount: T, nodeAllocatableUpdatePeriodSeconds: T,
    },
  },
  'storage.k8s.io/v1/CSINode': { spec: { drivers: T } },
  'storage.k8s.io/v1/CSIStorageCapacity': { nodeTopology: T, storageClassName: T, capacity: T, maximumVolumeSize: T },
  'apiextensions.k8s.io/v1/CustomResourceDefinition': { spec: T, status: T },
};
