/**
 * Server-side table printers of the built-in kinds the project uses, with the columns and
 * cells of kubernetes/pkg/printers/internalversion (always the wide set: kubectl hides
 * priority > 0 columns unless -o wide).
 */
import { getPath, isPlainObject, type KubeObject } from '../api/object';
import type { PrinterColumn, TablePrinter } from './types';
import { age } from './duration';

const NAME: PrinterColumn = { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names' };
const AGE: PrinterColumn = { name: 'Age', type: 'string', description: 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata' };

function col(name: string, type = 'string', priority = 0, description = ''): PrinterColumn {
  return priority ? { name, type, description, priority } : { name, type, description };
}

function str(obj: unknown, path: string): string {
  const v = getPath(obj, path.split('.'));
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

function created(obj: KubeObject, now: Date): string {
  return age(obj.metadata.creationTimestamp, now);
}

const ACCESS_MODE_SHORT: Record<string, string> = {
  ReadWriteOnce: 'RWO',
  ReadOnlyMany: 'ROX',
  ReadWriteMany: 'RWX',
  ReadWriteOncePod: 'RWOP',
};

function accessModes(modes: unknown): string {
  if (!Array.isArray(modes)) return '';
  const order = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'];
  return order.filter((m) => modes.includes(m)).map((m) => ACCESS_MODE_SHORT[m]).join(',');
}

function phaseOrTerminating(obj: KubeObject): string {
  return obj.metadata.deletionTimestamp ? 'Terminating' : str(obj, 'status.phase');
}

export const printers: Record<string, TablePrinter> = {
  namespaces: {
    columns: [NAME, col('Status', 'string', 0, 'The status of the namespace'), AGE],
    cells: (o, now) => [o.metadata.name, str(o, 'status.phase'), created(o, now)],
  },
  nodes: {
    columns: [
      NAME,
      col('Status', 'string', 0, 'The status of the node'),
      col('Roles', 'string', 0, 'The roles of the node'),
      AGE,
      col('Version', 'string', 0, 'Kubelet Version reported by the node.'),
      col('Internal-IP', 'string', 1, 'List of addresses reachable to the node. Queried from cloud provider, if available.'),
      col('External-IP', 'string', 1, 'List of addresses reachable to the node. Queried from cloud provider, if available.'),
      col('OS-Image', 'string', 1, 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).'),
      col('Kernel-Version', 'string', 1, 'Kernel Version reported by the node from \'uname -r\' (e.g. 3.16.0-0.bpo.4-amd64).'),
      col('Container-Runtime', 'string', 1, 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).'),
    ],
    cells: (o, now) => {
      const conditions = (getPath(o, ['status', 'conditions']) as { type: string; status: string }[] | undefined) ?? [];
      const ready = conditions.find((c) => c.type === 'Ready');
      const statuses = [ready ? (ready.status === 'True' ? 'Ready' : ready.status === 'False' ? 'NotReady' : 'Unknown') : 'Unknown'];
      if (getPath(o, ['spec', 'unschedulable']) === true) statuses.push('SchedulingDisabled');
      const roles = Object.keys(o.metadata.labels ?? {})
        .filter((k) => k.startsWith('node-role.kubernetes.io/') || k === 'kubernetes.io/role')
        .map((k) => (k === 'kubernetes.io/role' ? (o.metadata.labels?.[k] ?? '') : k.slice('node-role.kubernetes.io/'.length)))
        .filter(Boolean)
        .sort();
      const addresses = (getPath(o, ['status', 'addresses']) as { type: string; address: string }[] | undefined) ?? [];
      const addr = (t: string) => addresses.find((a) => a.type === t)?.address ?? '<none>';
      const info = (k: string) => str(o, `status.nodeInfo.${k}`) || '<unknown>';
      return [
        o.metadata.name,
        statuses.join(','),
        roles.length ? roles.join(',') : '<none>',
        created(o, now),
        str(o, 'status.nodeInfo.kubeletVersion'),
        addr('InternalIP'),
        addr('ExternalIP'),
        info('osImage'),
        info('kernelVersion'),
        info('containerRuntimeVersion'),
      ];
    },
  },
  pods: {
    columns: [
      NAME,
      col('Ready', 'string', 0, 'The aggregate readiness state of this pod for accepting traffic.'),
      col('Status', 'string', 0, 'The aggregate status of the containers in this pod.'),
      col('Restarts', 'string', 0, 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
      AGE,
      col('IP', 'string', 1, 'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.'),
      col('Node', 'string', 1, 'NodeName is a request to schedule this pod onto a specific node. If it is non-empty, the scheduler simply schedules this pod onto that node, assuming that it fits resource requirements.'),
      col('Nominated Node', 'string', 1, 'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.'),
      col('Readiness Gates', 'string', 1, 'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates'),
    ],
    cells: (o, now) => {
      const containers = (getPath(o, ['spec', 'containers']) as unknown[] | undefined) ?? [];
      const statuses = (getPath(o, ['status', 'containerStatuses']) as { ready?: boolean; restartCount?: number }[] | undefined) ?? [];
      const ready = statuses.filter((s) => s.ready).length;
      const restarts = statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0);
      let reason = str(o, 'status.reason') || str(o, 'status.phase');
      if (o.metadata.deletionTimestamp) reason = 'Terminating';
      const gates = (getPath(o, ['spec', 'readinessGates']) as unknown[] | undefined) ?? [];
      return [
        o.metadata.name,
        `${ready}/${containers.length}`,
        reason,
        String(restarts),
        created(o, now),
        str(o, 'status.podIP') || '<none>',
        str(o, 'spec.nodeName') || '<none>',
        str(o, 'status.nominatedNodeName') || '<none>',
        gates.length ? `0/${gates.length}` : '<none>',
      ];
    },
  },
  persistentvolumeclaims: {
    columns: [
      NAME,
      col('Status', 'string', 0, 'Phase represents the current phase of PersistentVolumeClaim.'),
      col('Volume', 'string', 0, 'VolumeName is the binding reference to the PersistentVolume backing this claim.'),
      col('Capacity', 'string', 0, 'Capacity represents the actual resources of the underlying volume.'),
      col('Access Modes', 'string', 0, 'AccessModes contains the actual access modes the volume backing the PVC has.'),
      col('StorageClass', 'string', 0, 'StorageClassName of the PVC.'),
      col('VolumeAttributesClass', 'string', 0, 'VolumeAttributesClassName of the PVC.'),
      AGE,
      col('VolumeMode', 'string', 1, 'VolumeMode defines what type of volume is required by the claim.'),
    ],
    cells: (o, now) => {
      const bound = str(o, 'spec.volumeName') !== '';
      return [
        o.metadata.name,
        phaseOrTerminating(o),
        str(o, 'spec.volumeName'),
        bound ? str(o, 'status.capacity.storage') : '',
        bound ? accessModes(getPath(o, ['status', 'accessModes'])) : '',
        str(o, 'spec.storageClassName') || o.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] || '',
        str(o, 'spec.volumeAttributesClassName') || '<unset>',
        created(o, now),
        str(o, 'spec.volumeMode') || '<unset>',
      ];
    },
  },
  persistentvolumes: {
    columns: [
      NAME,
      col('Capacity', 'string', 0, 'capacity is the description of the persistent volume\'s resources and capacity.'),
      col('Access Modes', 'string', 0, 'accessModes contains all ways the volume can be mounted.'),
      col('Reclaim Policy', 'string', 0, 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.'),
      col('Status', 'string', 0, 'phase indicates if a volume is available, bound to a claim, or released by a claim.'),
      col('Claim', 'string', 0, 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.'),
      col('StorageClass', 'string', 0, 'storageClassName is the name of StorageClass to which this persistent volume belongs.'),
      col('VolumeAttributesClass', 'string', 0, 'VolumeAttributesClassName of the PV.'),
      col('Reason', 'string', 0, 'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.'),
      AGE,
      col('VolumeMode', 'string', 1, 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.'),
    ],
    cells: (o, now) => {
      const ns = str(o, 'spec.claimRef.namespace');
      const name = str(o, 'spec.claimRef.name');
      return [
        o.metadata.name,
        str(o, 'spec.capacity.storage') || '0',
        accessModes(getPath(o, ['spec', 'accessModes'])),
        str(o, 'spec.persistentVolumeReclaimPolicy'),
        phaseOrTerminating(o),
        isPlainObject(getPath(o, ['spec', 'claimRef'])) ? `${ns}/${name}` : '',
        str(o, 'spec.storageClassName') || o.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] || '',
        str(o, 'spec.volumeAttributesClassName') || '<unset>',
        str(o, 'status.reason'),
        created(o, now),
        str(o, 'spec.volumeMode') || '<unset>',
      ];
    },
  },
  configmaps: {
    columns: [NAME, col('Data', 'integer', 0, 'Data contains the configuration data. Each key must consist of alphanumeric characters, \'-\', \'_\' or \'.\'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.'), AGE],
    cells: (o, now) => [o.metadata.name, Object.keys((o.data as object) ?? {}).length + Object.keys((o.binaryData as object) ?? {}).length, created(o, now)],
  },
  secrets: {
    columns: [NAME, col('Type', 'string', 0, 'Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types'), col('Data', 'integer', 0, 'Data contains the secret data. Each key must consist of alphanumeric characters, \'-\', \'_\' or \'.\'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4'), AGE],
    cells: (o, now) => [o.metadata.name, str(o, 'type'), Object.keys((o.data as object) ?? {}).length, created(o, now)],
  },
  events: {
    columns: [
      col('Last Seen', 'string', 0, 'The time at which the most recent occurrence of this event was recorded.'),
      col('Type', 'string', 0, 'Type of this event (Normal, Warning), new types could be added in the future'),
      col('Reason', 'string', 0, 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
      col('Object', 'string', 0, 'The object that this event is about.'),
      col('Subobject', 'string', 1, 'The field of the object that this event is about.'),
      col('Source', 'string', 1, 'The component reporting this event. Should be a short machine understandable string.'),
      col('Message', 'string', 0, 'A human-readable description of the status of this operation.'),
      col('First Seen', 'string', 1, 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)'),
      col('Count', 'string', 1, 'The number of times this event has occurred.'),
      { ...NAME, priority: 1 },
    ],
    cells: (o, now) => {
      let first = age(o.firstTimestamp, now);
      if (!o.firstTimestamp) first = age(o.eventTime, now);
      let last = o.lastTimestamp ? age(o.lastTimestamp, now) : first;
      let count = typeof o.count === 'number' ? o.count : 0;
      const series = o.series as { lastObservedTime?: string; count?: number } | undefined;
      if (isPlainObject(series)) {
        last = age(series.lastObservedTime, now);
        count = series.count ?? 0;
      } else if (count === 0) count = 1;
      const kind = str(o, 'involvedObject.kind').toLowerCase();
      const name = str(o, 'involvedObject.name');
      const source = [str(o, 'source.component') || str(o, 'reportingComponent'), str(o, 'source.host') || str(o, 'reportingInstance')].filter(Boolean).join(', ');
      return [last, str(o, 'type'), str(o, 'reason'), name ? `${kind}/${name}` : kind, str(o, 'involvedObject.fieldPath'), source, str(o, 'message').trim(), first, count, o.metadata.name];
    },
  },
  leases: {
    columns: [NAME, col('Holder', 'string', 0, 'holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.'), AGE],
    cells: (o, now) => [o.metadata.name, str(o, 'spec.holderIdentity'), created(o, now)],
  },
  storageclasses: {
    columns: [
      NAME,
      col('Provisioner', 'string', 0, 'provisioner indicates the type of the provisioner.'),
      col('ReclaimPolicy', 'string', 0, 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete.'),
      col('VolumeBindingMode', 'string', 0, 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When unset, VolumeBindingImmediate is used. This field is only honored by servers that enable the VolumeScheduling feature.'),
      col('AllowVolumeExpansion', 'string', 0, 'allowVolumeExpansion shows whether the storage class allow volume expand.'),
      AGE,
    ],
    cells: (o, now) => {
      const a = o.metadata.annotations ?? {};
      const isDefault = a['storageclass.kubernetes.io/is-default-class'] === 'true' || a['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
      return [
        isDefault ? `${o.metadata.name} (default)` : o.metadata.name,
        str(o, 'provisioner'),
        str(o, 'reclaimPolicy') || 'Delete',
        str(o, 'volumeBindingMode') || 'Immediate',
        o.allowVolumeExpansion === true,
        created(o, now),
      ];
    },
  },
  csidrivers: {
    columns: [
      NAME,
      col('AttachRequired', 'boolean', 0, 'attachRequired indicates this CSI volume driver requires an attach operation (because it implements the CSI ControllerPublishVolume() method), and that the Kubernetes attach detach controller should call the attach volume interface which checks the volumeattachment status and waits until the volume is attached before proceeding to mounting.'),
      col('PodInfoOnMount', 'boolean', 0, 'podInfoOnMount indicates this CSI volume driver requires additional pod information (like podName, podUID, etc.) during mount operations.'),
      col('StorageCapacity', 'boolean', 0, 'storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity that the driver deployment will report by creating CSIStorageCapacity objects with capacity information, if set to true.'),
      col('TokenRequests', 'string', 0, 'tokenRequests indicates the CSI driver needs pods\' service account tokens it is mounting volume for to do necessary authentication.'),
      col('RequiresRepublish', 'boolean', 0, 'requiresRepublish indicates the CSI driver wants `NodePublishVolume` being periodically called to reflect any possible change in the mounted volume.'),
      col('Modes', 'string', 0, 'Defines what kind of volumes this CSI volume driver supports.'),
      AGE,
    ],
    cells: (o, now) => {
      const spec = (o.spec as Record<string, unknown>) ?? {};
      const modes = ((spec.volumeLifecycleModes as string[]) ?? []).join(',');
      const tokens = spec.tokenRequests as { audience: string }[] | undefined;
      return [
        o.metadata.name,
        spec.attachRequired !== false,
        spec.podInfoOnMount === true,
        spec.storageCapacity === true,
        tokens ? tokens.map((t) => t.audience).join(',') : '<unset>',
        spec.requiresRepublish === true,
        modes || '<none>',
        created(o, now),
      ];
    },
  },
  csinodes: {
    columns: [NAME, col('Drivers', 'integer', 0, 'Drivers indicates the number of CSI drivers registered on the node'), AGE],
    cells: (o, now) => [o.metadata.name, ((getPath(o, ['spec', 'drivers']) as unknown[]) ?? []).length, created(o, now)],
  },
  csistoragecapacities: {
    columns: [
      NAME,
      col('StorageClassName', 'string', 0, 'storageClassName represents the name of the StorageClass that the reported capacity applies to. It must meet the same requirements as the name of a StorageClass object (non-empty, DNS subdomain). If that object no longer exists, the CSIStorageCapacity object is obsolete and should be removed by its creator. This field is immutable.'),
      col('Capacity', 'string', 0, 'capacity is the value reported by the CSI driver in its GetCapacityResponse for a GetCapacityRequest with topology and parameters that match the previous fields.'),
      AGE,
    ],
    cells: (o, now) => [o.metadata.name, str(o, 'storageClassName'), str(o, 'capacity') || '<unset>', created(o, now)],
  },
};

/** The table of kinds without a printer of their own: Name and Created At (rest.NewDefaultTableConvertor). */
export const defaultPrinter: TablePrinter = {
  columns: [NAME, { name: 'Created At', type: 'date', description: 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata' }],
  cells: (o) => [o.metadata.name, o.metadata.creationTimestamp ?? null],
};
