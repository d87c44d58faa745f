/**
 * Kubernetes access modes to CSI access modes: csi-lib-utils' accessmodes.ToCSIAccessMode, which
 * external-provisioner, external-resizer and kubelet all use. The mapping depends on whether the
 * plugin reports the SINGLE_NODE_MULTI_WRITER controller capability.
 *
 * | Kubernetes       | CSI                                                     |
 * | ---------------- | ------------------------------------------------------- |
 * | ReadWriteMany    | MULTI_NODE_MULTI_WRITER (wins over anything else)       |
 * | ReadOnlyMany     | MULTI_NODE_READER_ONLY (not with ReadWriteOnce)         |
 * | ReadWriteOnce    | SINGLE_NODE_WRITER, or SINGLE_NODE_MULTI_WRITER         |
 * | ReadWriteOncePod | SINGLE_NODE_WRITER, or SINGLE_NODE_SINGLE_WRITER (alone)|
 */
export type CsiAccessMode =
  | 'SINGLE_NODE_WRITER'
  | 'SINGLE_NODE_READER_ONLY'
  | 'MULTI_NODE_READER_ONLY'
  | 'MULTI_NODE_SINGLE_WRITER'
  | 'MULTI_NODE_MULTI_WRITER'
  | 'SINGLE_NODE_SINGLE_WRITER'
  | 'SINGLE_NODE_MULTI_WRITER';

export class AccessModeError extends Error {}

export function toCsiAccessMode(modes: readonly string[], supportsSingleNodeMultiWriter: boolean): CsiAccessMode {
  const m = new Set(modes);
  if (m.has('ReadWriteOncePod')) {
    if (m.size > 1) throw new AccessModeError('Kubernetes does not support use of ReadWriteOncePod with other access modes on the same PersistentVolume');
    return supportsSingleNodeMultiWriter ? 'SINGLE_NODE_SINGLE_WRITER' : 'SINGLE_NODE_WRITER';
  }
  if (m.has('ReadWriteMany')) return 'MULTI_NODE_MULTI_WRITER';
  if (m.has('ReadOnlyMany') && m.has('ReadWriteOnce')) throw new AccessModeError('CSI does not support ReadOnlyMany and ReadWriteOnce on the same PersistentVolume');
  if (m.has('ReadOnlyMany')) return 'MULTI_NODE_READER_ONLY';
  if (m.has('ReadWriteOnce')) return supportsSingleNodeMultiWriter ? 'SINGLE_NODE_MULTI_WRITER' : 'SINGLE_NODE_WRITER';
  throw new AccessModeError(`unsupported AccessMode combination: [${modes.join(' ')}]`);
}
