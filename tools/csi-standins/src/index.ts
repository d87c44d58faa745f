/**
 * TEST INFRASTRUCTURE, never shipped: stand-ins for what Kubernetes runs beside a CSI driver
 * (external-provisioner, the PV controller's binding, snapshot-controller and csi-snapshotter,
 * external-resizer, node-driver-registrar with kubelet's CSI calls), for suites and the local
 * stack where no cluster runs them. No app or library may import this package (lint-enforced).
 */
export { startStandIns, controllerManagerRuns, type StandIns, type StandInsOptions } from './stand-ins';
export { DEFAULT_SETTINGS, parseDuration, type StandInSettings } from './settings';
export { TestKubelet, type Publication, type PublishOptions } from './kubelet/kubelet';
export { ProvisionerStandIn } from './provisioner/provisioner';
export { CapacityStandIn } from './provisioner/capacity';
export { PvControllerStandIn } from './pv-controller/pv-controller';
export { SnapshotControllerStandIn } from './snapshot/snapshot-controller';
export { SnapshotterStandIn } from './snapshot/snapshotter';
export { ResizerStandIn } from './resizer/resizer';
export { standInLogger } from './log';
export { SNAPSHOT_NAMES, type VolumeSnapshot, type VolumeSnapshotClass, type VolumeSnapshotContent } from './kube/snapshot-types';
