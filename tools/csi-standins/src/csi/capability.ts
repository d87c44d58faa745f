import type { V1PersistentVolume } from '@kubernetes/client-node';
import { toCsiAccessMode, type CsiAccessMode } from './access-modes';

/** A CSI VolumeCapability as the sidecars and kubelet send it (the proto's field names). */
export interface CsiVolumeCapability {
  block?: Record<string, never>;
  mount?: { fs_type: string; mount_flags: string[] };
  access_mode: { mode: CsiAccessMode };
}

function accessType(block: boolean, fsType: string, mountFlags: readonly string[] | undefined): Pick<CsiVolumeCapability, 'block' | 'mount'> {
  return block ? { block: {} } : { mount: { fs_type: fsType, mount_flags: [...(mountFlags ?? [])] } };
}

/**
 * external-provisioner's getVolumeCapabilities: one capability per access mode of the claim,
 * block when the claim asks for volumeMode Block, else mount with the fsType and the
 * StorageClass's mountOptions.
 */
export function claimVolumeCapabilities(
  claim: { accessModes?: readonly string[]; volumeMode?: string },
  fsType: string,
  mountOptions: readonly string[] | undefined,
  supportsSingleNodeMultiWriter: boolean,
): CsiVolumeCapability[] {
  const block = claim.volumeMode === 'Block';
  return (claim.accessModes ?? []).map((mode) => ({
    ...accessType(block, fsType, mountOptions),
    access_mode: { mode: toCsiAccessMode([mode], supportsSingleNodeMultiWriter) },
  }));
}

/**
 * external-resizer's GetVolumeCapabilities: one capability for the whole PV (all its access
 * modes combined), block or mount with the PV's fsType and mountOptions.
 */
export function persistentVolumeCapability(pv: V1PersistentVolume, supportsSingleNodeMultiWriter: boolean): CsiVolumeCapability {
  return {
    ...accessType(pv.spec?.volumeMode === 'Block', pv.spec?.csi?.fsType ?? '', pv.spec?.mountOptions),
    access_mode: { mode: toCsiAccessMode(pv.spec?.accessModes ?? [], supportsSingleNodeMultiWriter) },
  };
}

/**
 * kubelet's capability for NodePublishVolume, NodeExpandVolume: the PV's first access mode
 * (ReadWriteOnce when it has none), block or mount with the PV's fsType and mountOptions.
 */
export function kubeletVolumeCapability(pv: V1PersistentVolume, supportsSingleNodeMultiWriter: boolean): CsiVolumeCapability {
  const first = pv.spec?.accessModes?.[0] ?? 'ReadWriteOnce';
  return {
    ...accessType(pv.spec?.volumeMode === 'Block', pv.spec?.csi?.fsType ?? '', pv.spec?.mountOptions),
    access_mode: { mode: toCsiAccessMode([first], supportsSingleNodeMultiWriter) },
  };
}
