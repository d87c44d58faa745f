/**
 * The snapshot.storage.k8s.io/v1 CRDs (VolumeSnapshot, VolumeSnapshotContent,
 * VolumeSnapshotClass). On a real cluster the external-snapshotter installs them as CRDs; the
 * test server preloads its own, written here from the v1 API definitions, so that suites find
 * them as they would there (and can still delete or replace them like any CRD).
 */
import type { KubeObject } from '../api/object';
import type { Schema } from './schema-types';

const GROUP = 'snapshot.storage.k8s.io';
const APPROVAL = { 'api-approved.kubernetes.io': 'https://github.com/kubernetes-csi/external-snapshotter', 'kube-test-apiserver/preloaded': 'true' };

const str = (description: string, extra: Partial<Schema> = {}): Schema => ({ type: 'string', description, ...extra });
const QUANTITY: Schema = {
  anyOf: [{ type: 'integer' }, { type: 'string' }],
  pattern: '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$',
  'x-kubernetes-int-or-string': true,
};
const SNAPSHOT_ERROR: Schema = {
  type: 'object',
  description: 'error is the last observed error during snapshot creation, if any.',
  properties: {
    message: str('message is a string detailing the encountered error during snapshot creation if specified.'),
    time: str('time is the timestamp when the error was encountered.', { format: 'date-time' }),
  },
};

function crd(plural: string, kind: string, scope: 'Namespaced' | 'Cluster', shortNames: string[], schema: Schema, status: boolean, columns: object[]): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${GROUP}`, annotations: { ...APPROVAL } },
    spec: {
      group: GROUP,
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase(), shortNames },
      scope,
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: schema },
          ...(status ? { subresources: { status: {} } } : {}),
          additionalPrinterColumns: columns,
        },
      ],
    },
  };
}

const TYPE_META = {
  apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
  kind: str('Kind is a string value representing the REST resource this object represents.'),
  metadata: { type: 'object' } as Schema,
};

const volumeSnapshot = crd(
  'volumesnapshots',
  'VolumeSnapshot',
  'Namespaced',
  ['vs'],
  {
    type: 'object',
    description: 'VolumeSnapshot is a user\'s request for either creating a point-in-time snapshot of a persistent volume, or binding to a pre-existing snapshot.',
    required: ['spec'],
    properties: {
      ...TYPE_META,
      spec: {
        type: 'object',
        description: 'spec defines the desired characteristics of a snapshot requested by a user.',
        required: ['source'],
        properties: {
          source: {
            type: 'object',
            description: 'source specifies where a snapshot will be created from. This field is immutable after creation. Required.',
            properties: {
              persistentVolumeClaimName: str('persistentVolumeClaimName specifies the name of the PersistentVolumeClaim object representing the volume from which a snapshot should be created.'),
              volumeSnapshotContentName: str('volumeSnapshotContentName specifies the name of a pre-existing VolumeSnapshotContent object representing an existing volume snapshot.'),
            },
            oneOf: [{ required: ['persistentVolumeClaimName'] }, { required: ['volumeSnapshotContentName'] }],
          },
          volumeSnapshotClassName: str('VolumeSnapshotClassName is the name of the VolumeSnapshotClass requested by the VolumeSnapshot.'),
        },
      },
      status: {
        type: 'object',
        description: 'status represents the current information of a snapshot.',
        properties: {
          boundVolumeSnapshotContentName: str('boundVolumeSnapshotContentName is the name of the VolumeSnapshotContent object to which this VolumeSnapshot object intends to bind to.'),
          creationTime: str('creationTime is the timestamp when the point-in-time snapshot is taken by the underlying storage system.', { format: 'date-time' }),
          error: SNAPSHOT_ERROR,
          readyToUse: { type: 'boolean', description: 'readyToUse indicates if the snapshot is ready to be used to restore a volume.' },
          restoreSize: { ...QUANTITY, description: 'restoreSize represents the minimum size of volume required to create a volume from this snapshot.' },
          volumeGroupSnapshotName: str('VolumeGroupSnapshotName is the name of the VolumeGroupSnapshot of which this VolumeSnapshot is a part of.'),
        },
      },
    },
  },
  true,
  [
    { name: 'ReadyToUse', type: 'boolean', description: 'Indicates if the snapshot is ready to be used to restore a volume.', jsonPath: '.status.readyToUse' },
    { name: 'SourcePVC', type: 'string', description: 'If a new snapshot needs to be created, this contains the name of the source PVC from which this snapshot was (or will be) created.', jsonPath: '.spec.source.persistentVolumeClaimName' },
    { name: 'SourceSnapshotContent', type: 'string', description: 'If a snapshot already exists, this contains the name of the existing VolumeSnapshotContent object representing the existing snapshot.', jsonPath: '.spec.source.volumeSnapshotContentName' },
    { name: 'RestoreSize', type: 'string', description: 'Represents the minimum size of volume required to rehydrate from this snapshot.', jsonPath: '.status.restoreSize' },
    { name: 'SnapshotClass', type: 'string', description: 'The name of the VolumeSnapshotClass requested by the VolumeSnapshot.', jsonPath: '.spec.volumeSnapshotClassName' },
    { name: 'SnapshotContent', type: 'string', description: 'Name of the VolumeSnapshotContent object to which the VolumeSnapshot object intends to bind to. Please note that verification of binding actually requires checking both VolumeSnapshot and VolumeSnapshotContent to ensure both are pointing at each other. Binding MUST be verified prior to usage of this object.', jsonPath: '.status.boundVolumeSnapshotContentName' },
    { name: 'CreationTime', type: 'date', description: 'Timestamp when the point-in-time snapshot was taken by the underlying storage system.', jsonPath: '.status.creationTime' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
);

const volumeSnapshotContent = crd(
  'volumesnapshotcontents',
  'VolumeSnapshotContent',
  'Cluster',
  ['vsc', 'vscs'],
  {
    type: 'object',
    description: 'VolumeSnapshotContent represents the actual "on-disk" snapshot object in the underlying storage system',
    required: ['spec'],
    properties: {
      ...TYPE_META,
      spec: {
        type: 'object',
        description: 'spec defines properties of a VolumeSnapshotContent created by the underlying storage system.',
        required: ['deletionPolicy', 'driver', 'source', 'volumeSnapshotRef'],
        properties: {
          deletionPolicy: { type: 'string', enum: ['Delete', 'Retain'], description: 'deletionPolicy determines whether this VolumeSnapshotContent and its physical snapshot on the underlying storage system should be deleted when its bound VolumeSnapshot is deleted.' },
          driver: str('driver is the name of the CSI driver used to create the physical snapshot on the underlying storage system.'),
          source: {
            type: 'object',
            description: 'source specifies whether the snapshot is (or should be) dynamically provisioned or already exists, and just requires a Kubernetes object representation.',
            properties: {
              snapshotHandle: str('snapshotHandle specifies the CSI "snapshot_id" of a pre-existing snapshot on the underlying storage system for which a Kubernetes object representation was (or should be) created.'),
              volumeHandle: str('volumeHandle specifies the CSI "volume_id" of the volume from which a snapshot should be dynamically taken from.'),
            },
            oneOf: [{ required: ['snapshotHandle'] }, { required: ['volumeHandle'] }],
          },
          sourceVolumeMode: { type: 'string', description: 'SourceVolumeMode is the mode of the volume whose snapshot is taken.' },
          volumeSnapshotClassName: str('name of the VolumeSnapshotClass from which this snapshot was (or will be) created.'),
          volumeSnapshotRef: {
            type: 'object',
            description: 'volumeSnapshotRef specifies the VolumeSnapshot object to which this VolumeSnapshotContent object is bound.',
            properties: {
              apiVersion: str('API version of the referent.'),
              fieldPath: str('If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.'),
              kind: str('Kind of the referent.'),
              name: str('Name of the referent.'),
              namespace: str('Namespace of the referent.'),
              resourceVersion: str('Specific resourceVersion to which this reference is made, if any.'),
              uid: str('UID of the referent.'),
            },
            'x-kubernetes-map-type': 'atomic',
          },
        },
      },
      status: {
        type: 'object',
        description: 'status represents the current information of a snapshot.',
        properties: {
          creationTime: { type: 'integer', format: 'int64', description: 'creationTime is the timestamp when the point-in-time snapshot is taken by the underlying storage system, in nanoseconds since the Unix epoch.' },
          error: SNAPSHOT_ERROR,
          readyToUse: { type: 'boolean', description: 'readyToUse indicates if a snapshot is ready to be used to restore a volume.' },
          restoreSize: { type: 'integer', format: 'int64', minimum: 0, description: 'restoreSize represents the complete size of the snapshot in bytes.' },
          snapshotHandle: str('snapshotHandle is the CSI "snapshot_id" of a snapshot on the underlying storage system.'),
          volumeGroupSnapshotHandle: str('VolumeGroupSnapshotHandle is the CSI "group_snapshot_id" of a group snapshot on the underlying storage system.'),
        },
      },
    },
  },
  true,
  [
    { name: 'ReadyToUse', type: 'boolean', description: 'Indicates if a snapshot is ready to be used to restore a volume.', jsonPath: '.status.readyToUse' },
    { name: 'RestoreSize', type: 'integer', description: 'Represents the complete size of the snapshot in bytes', jsonPath: '.status.restoreSize' },
    { name: 'DeletionPolicy', type: 'string', description: 'Determines whether this VolumeSnapshotContent and its physical snapshot on the underlying storage system should be deleted when its bound VolumeSnapshot is deleted.', jsonPath: '.spec.deletionPolicy' },
    { name: 'Driver', type: 'string', description: 'Name of the CSI driver used to create the physical snapshot on the underlying storage system.', jsonPath: '.spec.driver' },
    { name: 'VolumeSnapshotClass', type: 'string', description: 'Name of the VolumeSnapshotClass to which this snapshot belongs.', jsonPath: '.spec.volumeSnapshotClassName' },
    { name: 'VolumeSnapshot', type: 'string', description: 'Name of the VolumeSnapshot object to which this VolumeSnapshotContent object is bound.', jsonPath: '.spec.volumeSnapshotRef.name' },
    { name: 'VolumeSnapshotNamespace', type: 'string', description: 'Namespace of the VolumeSnapshot object to which this VolumeSnapshotContent object is bound.', jsonPath: '.spec.volumeSnapshotRef.namespace' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
);

const volumeSnapshotClass = crd(
  'volumesnapshotclasses',
  'VolumeSnapshotClass',
  'Cluster',
  ['vsclass', 'vsclasses'],
  {
    type: 'object',
    description: 'VolumeSnapshotClass specifies parameters that a underlying storage system uses when creating a volume snapshot.',
    required: ['deletionPolicy', 'driver'],
    properties: {
      ...TYPE_META,
      deletionPolicy: { type: 'string', enum: ['Delete', 'Retain'], description: 'deletionPolicy determines whether a VolumeSnapshotContent created through the VolumeSnapshotClass should be deleted when its bound VolumeSnapshot is deleted.' },
      driver: str('driver is the name of the storage driver that handles this VolumeSnapshotClass.'),
      parameters: { type: 'object', additionalProperties: { type: 'string' }, description: 'parameters is a key-value map with storage driver specific parameters for creating snapshots.' },
    },
  },
  false,
  [
    { name: 'Driver', type: 'string', jsonPath: '.driver' },
    { name: 'DeletionPolicy', type: 'string', description: 'Determines whether a VolumeSnapshotContent created through the VolumeSnapshotClass should be deleted when its bound VolumeSnapshot is deleted.', jsonPath: '.deletionPolicy' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
);

export function snapshotCrds(): KubeObject[] {
  return structuredClone([volumeSnapshotClass, volumeSnapshotContent, volumeSnapshot]);
}
