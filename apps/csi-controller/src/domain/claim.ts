// Which PersistentVolumeClaim a CreateVolume call provisions for. external-provisioner names
// volumes "<prefix>-<PVC UID>" (prefix "pvc" by default, --volume-name-prefix) and, with
// --extra-create-metadata, also sends the claim's name and namespace as parameters. The
// controller records what it learns on the LogicalVolume so that a volume whose claim was
// deleted before a PersistentVolume was made for it can be found and removed (TopoLVM #1104).

/** Parameters external-provisioner adds with --extra-create-metadata. */
export const PVC_NAME_PARAMETER = 'csi.storage.k8s.io/pvc/name';
export const PVC_NAMESPACE_PARAMETER = 'csi.storage.k8s.io/pvc/namespace';
export const PV_NAME_PARAMETER = 'csi.storage.k8s.io/pv/name';

const UID_SUFFIX = /-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export interface ClaimRef {
  /** the claim's UID, from the volume name */
  readonly uid: string;
  /** namespace and name, when the provisioner sent them */
  readonly namespace?: string;
  readonly name?: string;
}

/**
 * The claim a volume name and parameters point at, or undefined when the name does not carry
 * a full UID (another CO, csi-sanity, or a provisioner with --volume-name-uuid-length): such
 * volumes are never collected as orphans.
 */
export function claimOf(csiName: string, parameters: Readonly<Record<string, string>>): ClaimRef | undefined {
  const m = UID_SUFFIX.exec(csiName);
  if (!m) return undefined;
  const namespace = parameters[PVC_NAMESPACE_PARAMETER];
  const name = parameters[PVC_NAME_PARAMETER];
  return namespace && name ? { uid: m[1]!, namespace, name } : { uid: m[1]! };
}
