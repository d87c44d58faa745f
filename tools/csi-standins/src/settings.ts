/**
 * The stand-ins' settings, named after the real components' flags, with the real defaults
 * (external-provisioner 3.4, external-snapshotter 6.2, external-resizer 1.7, kubelet) unless a
 * comment says why not.
 */
export interface StandInSettings {
  /** external-provisioner --timeout (10 s) */
  readonly provisionerTimeoutMs: number;
  /** external-provisioner --extra-create-metadata (false) */
  readonly extraCreateMetadata: boolean;
  /** external-provisioner --default-fstype ("") */
  readonly defaultFsType: string;
  /** external-provisioner --volume-name-prefix (pvc) and --volume-name-uuid-length (-1) */
  readonly volumeNamePrefix: string;
  readonly volumeNameUuidLength: number;
  /** external-provisioner --feature-gates=Topology=true: on, as TopoLVM deploys it (the 3.x default is off) */
  readonly topology: boolean;
  /** external-provisioner --strict-topology (false), --immediate-topology (true) */
  readonly strictTopology: boolean;
  readonly immediateTopology: boolean;
  /**
   * HonorPVReclaimPolicy: the external-provisioner.volume.kubernetes.io/finalizer on PVs of policy
   * Delete. On, as in external-provisioner 5 and later (3.x needs --feature-gates=HonorPVReclaimPolicy=true).
   */
  readonly honorPvReclaimPolicy: boolean;
  /** external-provisioner --enable-capacity (false): CSIStorageCapacity objects from GetCapacity */
  readonly enableCapacity: boolean;
  /** --capacity-poll-interval (1 min) */
  readonly capacityPollIntervalMs: number;
  /** --capacity-for-immediate-binding (false) */
  readonly capacityForImmediateBinding: boolean;
  /** where the CSIStorageCapacity objects go (the real sidecar: its pod's NAMESPACE) */
  readonly capacityNamespace: string;
  /** external-provisioner --worker-threads (100) */
  readonly provisionerWorkers: number;
  /** every sidecar's --retry-interval-start (1 s) and --retry-interval-max (5 min) */
  readonly retryIntervalStartMs: number;
  readonly retryIntervalMaxMs: number;
  /** kube-controller-manager --pvclaimbinder-sync-period (15 s) */
  readonly pvSyncPeriodMs: number;
  /** snapshot-controller --resync-period (15 min) */
  readonly snapshotResyncMs: number;
  /** csi-snapshotter --timeout (1 min) */
  readonly snapshotterTimeoutMs: number;
  /** csi-snapshotter --extra-create-metadata (false) */
  readonly snapshotExtraCreateMetadata: boolean;
  /** csi-snapshotter --snapshot-name-prefix (snapshot), --snapshot-name-uuid-length (-1: the uid with its dashes) */
  readonly snapshotNamePrefix: string;
  readonly snapshotNameUuidLength: number;
  /** external-resizer --timeout (10 s) */
  readonly resizerTimeoutMs: number;
  /** kubelet's CSI call timeout (2 min) */
  readonly kubeletTimeoutMs: number;
  /** how long kubelet's publish waits for the claim to bind (the scheduler's bind timeout, 10 min) */
  readonly bindTimeoutMs: number;
  /** kubelet stand-ins create a Pod object per publication */
  readonly createPods: boolean;
  /** kubelet stand-ins publish the volumes of pods scheduled to their node (kubectl's pods) */
  readonly watchPods: boolean;
  /**
   * kube-scheduler's part for pods without a node (--schedule-pods; off by default: where a real
   * scheduler runs, a second one would fight it). Needs watchPods and at least one node.
   */
  readonly schedulePods: boolean;
}

export const DEFAULT_SETTINGS: StandInSettings = {
  provisionerTimeoutMs: 10_000,
  extraCreateMetadata: false,
  defaultFsType: '',
  volumeNamePrefix: 'pvc',
  volumeNameUuidLength: -1,
  topology: true,
  strictTopology: false,
  immediateTopology: true,
  honorPvReclaimPolicy: true,
  enableCapacity: false,
  capacityPollIntervalMs: 60_000,
  capacityForImmediateBinding: false,
  capacityNamespace: 'kube-system',
  provisionerWorkers: 100,
  retryIntervalStartMs: 1_000,
  retryIntervalMaxMs: 5 * 60_000,
  pvSyncPeriodMs: 15_000,
  snapshotResyncMs: 15 * 60_000,
  snapshotterTimeoutMs: 60_000,
  snapshotExtraCreateMetadata: false,
  snapshotNamePrefix: 'snapshot',
  snapshotNameUuidLength: -1,
  resizerTimeoutMs: 10_000,
  kubeletTimeoutMs: 2 * 60_000,
  bindTimeoutMs: 10 * 60_000,
  createPods: true,
  watchPods: true,
  schedulePods: false,
};

/** "10s", "5m", "500ms", "1h", or a bare number of milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`invalid duration "${text}": use e.g. 500ms, 10s, 5m, 1h`);
  const n = Number(m[1]);
  const unit = m[2] ?? 'ms';
  return Math.round(n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h']);
}
