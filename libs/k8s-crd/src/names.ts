import { DEFAULT_DEVICE_CLASS_ANNOTATION_NAME } from '@copse/lvm-model';
import { API_GROUPS, LOGICAL_VOLUME_NAMES, LOGICAL_VOLUME_VERSION } from './generated/crds';

/**
 * Every name that depends on the API group, in one value object.
 *
 * TopoLVM derives all of these from one "plugin name" (its constants.go: GetPluginName and
 * the functions built on it), first topolvm.cybozu.com, now topolvm.io with USE_LEGACY
 * switching back. Copse does the same with one setting; nothing outside this library spells
 * a group (an ESLint rule refuses the literals in apps/ and libs/).
 */

/** The API groups TopoLVM has used (from schema/logicalvolume.yaml). */
export type ApiGroup = (typeof API_GROUPS)[keyof typeof API_GROUPS];

/** The seeds' group and driver name, and TopoLVM's legacy one. */
export const LEGACY_API_GROUP: ApiGroup = API_GROUPS.legacy;
/** TopoLVM's current group and driver name. */
export const CURRENT_API_GROUP: ApiGroup = API_GROUPS.current;
/** Copse's default: the seeds' names, so their manifests work unchanged. */
export const DEFAULT_API_GROUP: ApiGroup = LEGACY_API_GROUP;

/** What a generic client needs to address LogicalVolumes (shaped like controller-runtime's ResourceRef). */
export interface LogicalVolumeResource {
  readonly group: ApiGroup;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: false;
}

export interface NameSet {
  /** The API group of the LogicalVolume kind, e.g. topolvm.cybozu.com. */
  readonly group: ApiGroup;
  /** apiVersion of LogicalVolume objects: "<group>/v1". */
  readonly apiVersion: string;
  /** metadata.name of the LogicalVolume CRD: "logicalvolumes.<group>". */
  readonly crdName: string;
  /** Where a generic client finds LogicalVolumes. */
  readonly logicalVolumes: LogicalVolumeResource;

  /** The CSI driver name (StorageClass provisioner, VolumeSnapshotClass driver, CSIDriver object). */
  readonly driverName: string;
  /** Topology key of a node's segment: "topology.<group>/node". */
  readonly topologyNodeKey: string;

  /** Prefix of the Node annotations holding free bytes per device class: "capacity.<group>/". */
  readonly capacityAnnotationPrefix: string;
  /** The Node annotation for the default device class: "capacity.<group>/00default". */
  readonly defaultCapacityAnnotation: string;
  /** Extended resource name TopoLVM's pod webhook requests capacity under: "<group>/capacity". */
  readonly capacityResource: string;

  /** StorageClass parameter naming the device class: "<group>/device-class". */
  readonly deviceClassParameter: string;
  /** StorageClass parameter naming the lvcreate option class: "<group>/lvcreate-option-class". */
  readonly lvcreateOptionClassParameter: string;

  /** Finalizer on LogicalVolumes, removed by the node once the LV is gone: "<group>/logicalvolume". */
  readonly logicalVolumeFinalizer: string;
  /** Finalizer on Nodes, removed once the node's LogicalVolumes are cleaned up: "<group>/node". */
  readonly nodeFinalizer: string;
  /** Finalizer TopoLVM once put on PVCs (deprecated there); kept so cleanup can remove it. */
  readonly pvcFinalizer: string;

  /** LogicalVolume annotation the controller bumps to make the node retry a resize. */
  readonly resizeRequestedAtAnnotation: string;
  /** LogicalVolume annotation marking a volume whose node is being cleaned up. */
  readonly pendingDeletionAnnotation: string;

  /**
   * Copse's addition: a label on each LogicalVolume carrying spec.nodeName, so that a node
   * can watch only its own volumes with a label selector ("<group>/node").
   */
  readonly nodeLabel: string;

  /**
   * Copse's additions, annotations the CSI controller writes on the LogicalVolumes it creates
   * (TopoLVM's objects lack them; nothing requires them):
   * the UID of the PersistentVolumeClaim a volume was provisioned for ("<group>/pvc-uid"),
   */
  readonly pvcUidAnnotation: string;
  /** ... its "<namespace>/<name>" when the provisioner sent them ("<group>/pvc"), */
  readonly pvcAnnotation: string;
  /** ... the PersistentVolume first seen for the volume, once one exists ("<group>/pv"), */
  readonly persistentVolumeAnnotation: string;
  /**
   * ... and the CSI content source of a snapshot, restore or clone ("<group>/content-source":
   * "volume:<id>" or "snapshot:<id>"), which outlives the source object.
   */
  readonly contentSourceAnnotation: string;
}

function build(group: ApiGroup): NameSet {
  const plural = LOGICAL_VOLUME_NAMES.plural;
  return Object.freeze({
    group,
    apiVersion: `${group}/${LOGICAL_VOLUME_VERSION}`,
    crdName: `${plural}.${group}`,
    logicalVolumes: Object.freeze({
      group,
      version: LOGICAL_VOLUME_VERSION,
      plural,
      kind: LOGICAL_VOLUME_NAMES.kind,
      namespaced: false as const,
    }),
    driverName: group,
    topologyNodeKey: `topology.${group}/node`,
    capacityAnnotationPrefix: `capacity.${group}/`,
    defaultCapacityAnnotation: `capacity.${group}/${DEFAULT_DEVICE_CLASS_ANNOTATION_NAME}`,
    capacityResource: `${group}/capacity`,
    deviceClassParameter: `${group}/device-class`,
    lvcreateOptionClassParameter: `${group}/lvcreate-option-class`,
    logicalVolumeFinalizer: `${group}/logicalvolume`,
    nodeFinalizer: `${group}/node`,
    pvcFinalizer: `${group}/pvc`,
    resizeRequestedAtAnnotation: `${group}/resize-requested-at`,
    pendingDeletionAnnotation: `${group}/pendingdeletion`,
    nodeLabel: `${group}/node`,
    pvcUidAnnotation: `${group}/pvc-uid`,
    pvcAnnotation: `${group}/pvc`,
    persistentVolumeAnnotation: `${group}/pv`,
    contentSourceAnnotation: `${group}/content-source`,
  });
}

const SETS: Readonly<Record<ApiGroup, NameSet>> = {
  [LEGACY_API_GROUP]: build(LEGACY_API_GROUP),
  [CURRENT_API_GROUP]: build(CURRENT_API_GROUP),
} as Record<ApiGroup, NameSet>;

/** The names for one API group; the default is the seeds' (topolvm.cybozu.com). */
export function nameSet(group: ApiGroup = DEFAULT_API_GROUP): NameSet {
  const set = SETS[group];
  if (!set) throw new RangeError(apiGroupProblem(String(group)));
  return set;
}

/** Every supported API group, legacy first. */
export function apiGroups(): readonly ApiGroup[] {
  return [LEGACY_API_GROUP, CURRENT_API_GROUP];
}

export function isApiGroup(value: unknown): value is ApiGroup {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(SETS, value);
}

function apiGroupProblem(value: string): string {
  return `unknown API group ${JSON.stringify(value)}: expected one of ${apiGroups().join(', ')}`;
}

/**
 * The one setting, as a flag or environment value: undefined or "" means the default;
 * anything else must be one of the two groups. Throws a RangeError naming both.
 */
export function parseApiGroup(value: string | undefined): ApiGroup {
  if (value === undefined || value === '') return DEFAULT_API_GROUP;
  if (!isApiGroup(value)) throw new RangeError(apiGroupProblem(value));
  return value;
}

/**
 * The Node annotation holding free bytes of a device class. TopoLVM writes the default class
 * ("" in a StorageClass) under "00default".
 */
export function capacityAnnotation(names: NameSet, deviceClass: string | undefined): string {
  return `${names.capacityAnnotationPrefix}${deviceClass ? deviceClass : DEFAULT_DEVICE_CLASS_ANNOTATION_NAME}`;
}
