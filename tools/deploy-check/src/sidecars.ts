// What each upstream sidecar needs from the API, per its own deploy/kubernetes/rbac.yaml at
// the pinned version, for the features deploy/ turns on. The one hand-kept list here: the
// sidecars are not our code (kubernetes-csi/external-provisioner v5.2.0, external-snapshotter
// v8.2.0 csi-snapshotter, external-resizer v1.13.2; node-driver-registrar and livenessprobe
// call no API).
import type { ApiCall } from '@copse/controller-runtime';

const LEASES: ApiCall = { group: 'coordination.k8s.io', resource: 'leases', verbs: ['get', 'list', 'watch', 'create', 'update', 'delete'] };
const EVENTS: ApiCall = { group: '', resource: 'events', verbs: ['list', 'watch', 'create', 'update', 'patch'] };

export const SIDECAR_CALLS: Record<string, { cluster: ApiCall[]; namespaced: ApiCall[] }> = {
  'copse-csi-provisioner': {
    cluster: [
      { group: '', resource: 'persistentvolumes', verbs: ['get', 'list', 'watch', 'create', 'delete'] },
      { group: '', resource: 'persistentvolumeclaims', verbs: ['get', 'list', 'watch', 'update'] },
      { group: 'storage.k8s.io', resource: 'storageclasses', verbs: ['get', 'list', 'watch'] },
      EVENTS,
      { group: 'snapshot.storage.k8s.io', resource: 'volumesnapshots', verbs: ['get', 'list'] },
      { group: 'snapshot.storage.k8s.io', resource: 'volumesnapshotcontents', verbs: ['get', 'list'] },
      // --feature-gates=Topology=true
      { group: 'storage.k8s.io', resource: 'csinodes', verbs: ['get', 'list', 'watch'] },
      { group: '', resource: 'nodes', verbs: ['get', 'list', 'watch'] },
    ],
    namespaced: [
      LEASES,
      // --enable-capacity, owner two levels up: Pod -> ReplicaSet (-> Deployment)
      { group: 'storage.k8s.io', resource: 'csistoragecapacities', verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
      { group: '', resource: 'pods', verbs: ['get'] },
      { group: 'apps', resource: 'replicasets', verbs: ['get'] },
    ],
  },
  'copse-csi-snapshotter': {
    cluster: [
      EVENTS,
      { group: 'snapshot.storage.k8s.io', resource: 'volumesnapshotclasses', verbs: ['get', 'list', 'watch'] },
      { group: 'snapshot.storage.k8s.io', resource: 'volumesnapshotcontents', verbs: ['get', 'list', 'watch', 'update', 'patch'] },
      { group: 'snapshot.storage.k8s.io', resource: 'volumesnapshotcontents/status', verbs: ['update', 'patch'] },
    ],
    namespaced: [LEASES],
  },
  'copse-csi-resizer': {
    cluster: [
      { group: '', resource: 'persistentvolumes', verbs: ['get', 'list', 'watch', 'patch'] },
      { group: '', resource: 'persistentvolumeclaims', verbs: ['get', 'list', 'watch'] },
      { group: '', resource: 'pods', verbs: ['get', 'list', 'watch'] },
      { group: '', resource: 'persistentvolumeclaims/status', verbs: ['patch'] },
      EVENTS,
    ],
    namespaced: [LEASES],
  },
};
