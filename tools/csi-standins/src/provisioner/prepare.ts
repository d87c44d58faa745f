import type { V1PersistentVolumeClaim, V1SecretReference, V1StorageClass } from '@kubernetes/client-node';
import { AccessModeError } from '../csi/access-modes';
import { claimVolumeCapabilities, type CsiVolumeCapability } from '../csi/capability';
import type { ProvisioningState } from '../csi/grpc-errors';
import { storageRequest } from '../kube/quantity';
import { SNAPSHOT_GROUP } from '../kube/resources';
import { CSI_PARAMETER_PREFIX, removePrefixedParameters, SECRET_PARAMS, secretReference } from '../csi/secret-params';

/**
 * external-provisioner's prepareProvision, as pure functions of the claim and its StorageClass:
 * which checks refuse a claim, and the CreateVolumeRequest it sends. The parts that read other
 * objects (the data source, topology, secrets' contents) are resolved by the shell in between.
 */

/** A failure with the state sig-storage-lib-external-provisioner gives it. */
export class ProvisionError extends Error {
  constructor(
    message: string,
    readonly state: ProvisioningState,
  ) {
    super(message);
  }
}

/** "Not mine": the provisioner stops without an event (sig-storage-lib's IgnoredError). */
export class IgnoredError extends Error {}

export interface ProvisionSettings {
  readonly driverName: string;
  /** --volume-name-prefix (default pvc) */
  readonly volumeNamePrefix: string;
  /** --volume-name-uuid-length (default -1: the whole uid, dashes kept) */
  readonly volumeNameUuidLength: number;
  /** --default-fstype (default none) */
  readonly defaultFsType: string;
  /** --extra-create-metadata */
  readonly extraCreateMetadata: boolean;
  readonly pluginCapabilities: ReadonlySet<string>;
  readonly controllerCapabilities: ReadonlySet<string>;
}

export interface DataSourceRef {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  /** "" for the core group */
  readonly apiGroup: string;
}

export interface PreparedVolume {
  readonly pvName: string;
  readonly fsType: string;
  readonly dataSource?: DataSourceRef;
  readonly requiredBytes: number;
  readonly volumeCapabilities: CsiVolumeCapability[];
}

export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
export const ANN_MIGRATED_TO = 'pv.kubernetes.io/migrated-to';
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';

/** The provisioner a claim is annotated for (set by the PV controller). */
export function claimProvisioner(claim: V1PersistentVolumeClaim): string | undefined {
  const a = claim.metadata?.annotations ?? {};
  return a[ANN_STORAGE_PROVISIONER] ?? a[ANN_BETA_STORAGE_PROVISIONER];
}

/** makeVolumeName: <prefix>-<uid>, or with a uuid length, the uid without dashes cut to that length. */
export function volumeName(prefix: string, uid: string, uuidLength: number): string {
  if (prefix === '') throw new Error('volume name prefix cannot be of length 0');
  if (uid === '') throw new Error('corrupted PVC object, it is missing UID');
  return uuidLength === -1 ? `${prefix}-${uid}` : `${prefix}-${uid.replaceAll('-', '').slice(0, uuidLength)}`;
}

/** dataSource, else dataSourceRef, in the claim's namespace (cross-namespace sources are refused). */
export function dataSourceOf(claim: V1PersistentVolumeClaim): DataSourceRef | undefined {
  const spec = claim.spec ?? {};
  const namespace = claim.metadata?.namespace ?? '';
  if (spec.dataSource) return { kind: spec.dataSource.kind, name: spec.dataSource.name, namespace, apiGroup: spec.dataSource.apiGroup ?? '' };
  if (spec.dataSourceRef) {
    if (spec.dataSourceRef.namespace) {
      throw new ProvisionError('dataSourceRef namespace specified but the CrossNamespaceVolumeDataSource feature is disabled', 'Finished');
    }
    return { kind: spec.dataSourceRef.kind, name: spec.dataSourceRef.name, namespace, apiGroup: spec.dataSourceRef.apiGroup ?? '' };
  }
  return undefined;
}

function checkCapabilities(s: ProvisionSettings, snapshot: boolean, clone: boolean): void {
  if (!s.pluginCapabilities.has('CONTROLLER_SERVICE')) {
    throw new ProvisionError('CSI driver does not support dynamic provisioning: plugin CONTROLLER_SERVICE capability is not reported', 'Finished');
  }
  if (!s.controllerCapabilities.has('CREATE_DELETE_VOLUME')) {
    throw new ProvisionError('CSI driver does not support dynamic provisioning: controller CREATE_DELETE_VOLUME capability is not reported', 'Finished');
  }
  if (snapshot && !s.controllerCapabilities.has('CREATE_DELETE_SNAPSHOT')) {
    throw new ProvisionError('CSI driver does not support snapshot restore: controller CREATE_DELETE_SNAPSHOT capability is not reported', 'Finished');
  }
  if (clone && !s.controllerCapabilities.has('CLONE_VOLUME')) {
    throw new ProvisionError('CSI driver does not support clone operations: controller CLONE_VOLUME capability is not reported', 'Finished');
  }
}

/** The claim-only half of prepareProvision: everything up to the volume capabilities. */
export function prepareVolume(claim: V1PersistentVolumeClaim, sc: V1StorageClass, s: ProvisionSettings): PreparedVolume {
  const dataSource = dataSourceOf(claim);
  let snapshot = false;
  let clone = false;
  if (dataSource) {
    if (dataSource.name === '') throw new ProvisionError(`the PVC source not found for PVC ${claim.metadata?.name}`, 'Finished');
    if (dataSource.kind === 'VolumeSnapshot') {
      if (dataSource.apiGroup !== SNAPSHOT_GROUP) {
        throw new ProvisionError(`the PVC source does not belong to the right APIGroup. Expected ${SNAPSHOT_GROUP}, Got ${dataSource.apiGroup}`, 'Finished');
      }
      snapshot = true;
    } else if (dataSource.kind === 'PersistentVolumeClaim') {
      clone = true;
    } else {
      throw new IgnoredError(`data source (${dataSource.kind}) is not handled by the provisioner, assuming an external populator will provision it`);
    }
  }
  checkCapabilities(s, snapshot, clone);
  if (claim.spec?.selector) throw new ProvisionError('claim Selector is not supported', 'Finished');
  let pvName: string;
  try {
    pvName = volumeName(s.volumeNamePrefix, claim.metadata?.uid ?? '', s.volumeNameUuidLength);
  } catch (err) {
    throw new ProvisionError((err as Error).message, 'Finished');
  }

  let fsType = '';
  let found = 0;
  for (const [k, v] of Object.entries(sc.parameters ?? {})) {
    if (k.toLowerCase() === 'fstype' || k === `${CSI_PARAMETER_PREFIX}fstype`) {
      fsType = v;
      found++;
    }
  }
  if (found > 1) throw new ProvisionError(`fstype specified in parameters with both "fstype" and "${CSI_PARAMETER_PREFIX}fstype" keys`, 'Finished');
  if (fsType === '') fsType = s.defaultFsType;

  let volumeCapabilities: CsiVolumeCapability[];
  try {
    volumeCapabilities = claimVolumeCapabilities(claim.spec ?? {}, fsType, sc.mountOptions, s.controllerCapabilities.has('SINGLE_NODE_MULTI_WRITER'));
  } catch (err) {
    if (err instanceof AccessModeError) throw new ProvisionError(err.message, 'Finished');
    throw err;
  }
  return { pvName, fsType, dataSource, requiredBytes: storageRequest(claim.spec?.resources), volumeCapabilities };
}

/** The secrets a StorageClass names for the PV's later calls (they go into the PV's csi source). */
export interface VolumeSecretRefs {
  readonly provisioner?: V1SecretReference;
  readonly controllerPublish?: V1SecretReference;
  readonly nodeStage?: V1SecretReference;
  readonly nodePublish?: V1SecretReference;
  readonly controllerExpand?: V1SecretReference;
  readonly nodeExpand?: V1SecretReference;
}

/** The rest of prepareProvision: secret references and CreateVolume's parameters. */
export function finishRequest(
  claim: V1PersistentVolumeClaim,
  sc: V1StorageClass,
  prepared: PreparedVolume,
  s: ProvisionSettings,
): { parameters: Record<string, string>; secrets: VolumeSecretRefs } {
  const params = sc.parameters ?? {};
  const ref = (kind: keyof typeof SECRET_PARAMS) => {
    try {
      return secretReference(SECRET_PARAMS[kind], params, prepared.pvName, claim);
    } catch (err) {
      throw new ProvisionError((err as Error).message, 'NoChange');
    }
  };
  const secrets: VolumeSecretRefs = {
    provisioner: ref('provisioner'),
    controllerPublish: ref('controllerPublish'),
    nodeStage: ref('nodeStage'),
    nodePublish: ref('nodePublish'),
    controllerExpand: ref('controllerExpand'),
    nodeExpand: ref('nodeExpand'),
  };
  let parameters: Record<string, string>;
  try {
    parameters = removePrefixedParameters(params);
  } catch (err) {
    throw new ProvisionError(`failed to strip CSI Parameters of prefixed keys: ${(err as Error).message}`, 'Finished');
  }
  if (s.extraCreateMetadata) {
    parameters[`${CSI_PARAMETER_PREFIX}pvc/name`] = claim.metadata?.name ?? '';
    parameters[`${CSI_PARAMETER_PREFIX}pvc/namespace`] = claim.metadata?.namespace ?? '';
    parameters[`${CSI_PARAMETER_PREFIX}pv/name`] = prepared.pvName;
  }
  return { parameters, secrets };
}
