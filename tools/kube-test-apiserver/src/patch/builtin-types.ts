/**
 * The built-in kinds' types, written from the Kubernetes API types (k8s.io/api and
 * k8s.io/apimachinery meta/v1: their fields, Go struct tags and +listType/+listMapKey/
 * +structType/+mapType/+default markers, the same facts the apiserver's OpenAPI carries):
 *
 * - every struct lists all its fields: scalars by name (the first argument of `st`), the others
 *   with their type; a struct is complete (closed), so server-side apply rejects undeclared
 *   fields as the apiserver does, and the server can drop unknown fields as decoding into the Go
 *   struct would;
 * - lists: keyed (x-kubernetes-list-type map with its keys; the strategic-merge-patch merge key
 *   when the Go field has patchStrategy:"merge"), set / mergeSet (list-type set; mergeSet when
 *   patchStrategy is merge: finalizers, podCIDRs), atomicList (everything else, as
 *   structured-merge-diff treats lists without list-type or merge strategy);
 * - +structType=atomic / +mapType=atomic structs and maps are atomic (granular() undoes it for
 *   a field marked +structType=granular, PersistentVolumeSpec.claimRef);
 * - zero: the fields present in the Go zero value of a struct as encoding/json writes it ({} for
 *   a non-pointer struct, null for a nil slice/map/pointer without omitempty, "" / 0 / false for
 *   a scalar without omitempty), because the apiserver computes field ownership against typed
 *   objects, and on create against the empty object of the kind;
 * - defaults: OpenAPI defaults of fields (a container port's protocol: TCP), used for list-map
 *   keys an item omits.
 *
 * To support another kind, describe its structs the same way and add it to KINDS.
 */
import type { Json } from './json';
import { t, SCALAR, type ListType, type MapType, type TypeNode } from './schema';

const s = SCALAR;
const stringMap = t.map(s);

/** A complete struct: its scalar fields (space-separated names) and its other fields. */
function st(
  scalars: string,
  fields: Record<string, TypeNode>,
  opts: { atomic?: boolean; zero?: Record<string, Json>; defaults?: Record<string, Json> } = {},
): MapType {
  const all: Record<string, TypeNode> = {};
  for (const name of scalars.split(' ').filter((n) => n !== '')) all[name] = s;
  return { ...t.struct({ ...all, ...fields }, opts), closed: true };
}

function granular(m: MapType): MapType {
  return { ...m, atomic: false };
}

function atomicList(items: TypeNode = s): ListType {
  return t.atomicList(items);
}

function set(items: TypeNode = s): ListType {
  return t.set(items);
}

function mergeSet(items: TypeNode = s): ListType {
  return t.set(items, { patchStrategy: 'merge' });
}

function keyed(items: TypeNode, keys: string[], patchMergeKey?: string): ListType {
  return t.keyedList(items, keys, patchMergeKey !== undefined ? { patchMergeKey } : undefined);
}

// --- meta/v1 -------------------------------------------------------------------------------

const LabelSelectorRequirement = st('key operator', { values: atomicList() }, { zero: { key: '', operator: '' } });
const LabelSelector = st('', { matchLabels: stringMap, matchExpressions: atomicList(LabelSelectorRequirement) }, { atomic: true });
const OwnerReference = st('apiVersion kind name uid controller blockOwnerDeletion', {}, { atomic: true, zero: { apiVersion: '', kind: '', name: '', uid: '' } });
const ManagedFieldsEntry = st('manager operation apiVersion time fieldsType subresource', { fieldsV1: t.untyped });

const objectMeta = st(
  'name generateName namespace selfLink uid resourceVersion generation creationTimestamp deletionTimestamp deletionGracePeriodSeconds',
  {
    labels: stringMap,
    annotations: stringMap,
    ownerReferences: keyed(OwnerReference, ['uid'], 'uid'),
    finalizers: mergeSet(),
    managedFields: atomicList(ManagedFieldsEntry),
  },
);

// --- core/v1, storage.k8s.io/v1, coordination.k8s.io/v1, events.k8s.io/v1 -------------------

const VolumeResourceRequirements = st('', { limits: stringMap, requests: stringMap });
const TypedLocalObjectReference = st('apiGroup kind name', {}, { atomic: true, zero: {'apiGroup': null, 'kind': '', 'name': ''} });
const TypedObjectReference = st('apiGroup kind name namespace', {}, { zero: { 'apiGroup': null, 'kind': '', 'name': ''} });
const PersistentVolumeClaimSpec = st('volumeName storageClassName volumeMode volumeAttributesClassName', { accessModes: atomicList(), selector: LabelSelector, resources: VolumeResourceRequirements, dataSource: TypedLocalObjectReference, dataSourceRef: TypedObjectReference }, { zero: { 'resources': {}} });
const PersistentVolumeClaimCondition = st('type status lastProbeTime lastTransitionTime reason message', {}, { zero: { 'type': '', 'status': ''} });
const ModifyVolumeStatus = st('targetVolumeAttributesClassName status', {}, { zero: { 'status': ''} });
const VolumeHealthCondition = st('status reason message', {}, { zero: { 'status': '', 'reason': ''} });
const VolumeHealthStatus = st('lastTransitionTime', { healthConditions: keyed(VolumeHealthCondition, ["status", "reason"], 'status') });
const PersistentVolumeClaimStatus = st('phase currentVolumeAttributesClassName', { accessModes: atomicList(), capacity: stringMap, conditions: keyed(PersistentVolumeClaimCondition, ["type"], 'type'), allocatedResources: stringMap, allocatedResourceStatuses: stringMap, modifyVolumeStatus: ModifyVolumeStatus, healthStatus: VolumeHealthStatus });
const PersistentVolumeClaim = st('', { metadata: objectMeta, spec: PersistentVolumeClaimSpec, status: PersistentVolumeClaimStatus }, { zero: { 'metadata': {}, 'spec': {}, 'status': {}} });
const GCEPersistentDiskVolumeSource = st('pdName fsType partition readOnly', {}, { zero: { 'pdName': ''} });
const AWSElasticBlockStoreVolumeSource = st('volumeID fsType partition readOnly', {}, { zero: { 'volumeID': ''} });
const HostPathVolumeSource = st('path type', {}, { zero: { 'path': ''} });
const GlusterfsPersistentVolumeSource = st('endpoints path readOnly endpointsNamespace', {}, { zero: { 'endpoints': '', 'path': ''} });
const NFSVolumeSource = st('server path readOnly', {}, { zero: { 'server': '', 'path': ''} });
const SecretReference = st('name namespace', {}, { atomic: true });
const RBDPersistentVolumeSource = st('image fsType pool user keyring readOnly', { monitors: atomicList(), secretRef: SecretReference }, { zero: { 'monitors': null, 'image': ''}, defaults: {'pool': 'rbd', 'user': 'admin', 'keyring': '/etc/ceph/keyring'} });
const ISCSIPersistentVolumeSource = st('targetPortal iqn lun iscsiInterface fsType readOnly chapAuthDiscovery chapAuthSession initiatorName', { portals: atomicList(), secretRef: SecretReference }, { zero: { 'targetPortal': '', 'iqn': '', 'lun': 0}, defaults: {'iscsiInterface': 'default'} });
const CinderPersistentVolumeSource = st('volumeID fsType readOnly', { secretRef: SecretReference }, { zero: { 'volumeID': ''} });
const CephFSPersistentVolumeSource = st('path user secretFile readOnly', { monitors: atomicList(), secretRef: SecretReference }, { zero: { 'monitors': null} });
const FCVolumeSource = st('lun fsType readOnly', { targetWWNs: atomicList(), wwids: atomicList() });
const FlockerVolumeSource = st('datasetName datasetUUID', {});
const FlexPersistentVolumeSource = st('driver fsType readOnly', { secretRef: SecretReference, options: stringMap }, { zero: { 'driver': ''} });
const AzureFilePersistentVolumeSource = st('secretName shareName readOnly secretNamespace', {}, { zero: { 'secretName': '', 'shareName': '', 'secretNamespace': null} });
const VsphereVirtualDiskVolumeSource = st('volumePath fsType storagePolicyName storagePolicyID', {}, { zero: { 'volumePath': ''} });
const QuobyteVolumeSource = st('registry volume readOnly user group tenant', {}, { zero: { 'registry': '', 'volume': ''} });
const AzureDiskVolumeSource = st('diskName diskURI cachingMode fsType readOnly kind', {}, { zero: { 'diskName': '', 'diskURI': ''}, defaults: {'fsType': 'ext4', 'readOnly': false} });
const PhotonPersistentDiskVolumeSource = st('pdID fsType', {}, { zero: { 'pdID': ''} });
const PortworxVolumeSource = st('volumeID fsType readOnly', {}, { zero: { 'volumeID': ''} });
const ScaleIOPersistentVolumeSource = st('gateway system sslEnabled protectionDomain storagePool storageMode volumeName fsType readOnly', { secretRef: SecretReference }, { zero: { 'gateway': '', 'system': '', 'secretRef': null}, defaults: {'storageMode': 'ThinProvisioned', 'fsType': 'xfs'} });
const LocalVolumeSource = st('path fsType', {}, { zero: { 'path': ''} });
const ObjectReference = st('kind namespace name uid apiVersion resourceVersion fieldPath', {}, { atomic: true });
const StorageOSPersistentVolumeSource = st('volumeName volumeNamespace fsType readOnly', { secretRef: ObjectReference });
const CSIPersistentVolumeSource = st('driver volumeHandle readOnly fsType', { volumeAttributes: stringMap, controllerPublishSecretRef: SecretReference, nodeStageSecretRef: SecretReference, nodePublishSecretRef: SecretReference, controllerExpandSecretRef: SecretReference, nodeExpandSecretRef: SecretReference }, { zero: { 'driver': '', 'volumeHandle': ''} });
const NodeSelectorRequirement = st('key operator', { values: atomicList() }, { zero: { 'key': '', 'operator': ''} });
const NodeSelectorTerm = st('', { matchExpressions: atomicList(NodeSelectorRequirement), matchFields: atomicList(NodeSelectorRequirement) }, { atomic: true });
const NodeSelector = st('', { nodeSelectorTerms: atomicList(NodeSelectorTerm) }, { atomic: true, zero: {'nodeSelectorTerms': null} });
const VolumeNodeAffinity = st('', { required: NodeSelector });
const PersistentVolumeSpec = st('persistentVolumeReclaimPolicy storageClassName volumeMode volumeAttributesClassName', { capacity: stringMap, gcePersistentDisk: GCEPersistentDiskVolumeSource, awsElasticBlockStore: AWSElasticBlockStoreVolumeSource, hostPath: HostPathVolumeSource, glusterfs: GlusterfsPersistentVolumeSource, nfs: NFSVolumeSource, rbd: RBDPersistentVolumeSource, iscsi: ISCSIPersistentVolumeSource, cinder: CinderPersistentVolumeSource, cephfs: CephFSPersistentVolumeSource, fc: FCVolumeSource, flocker: FlockerVolumeSource, flexVolume: FlexPersistentVolumeSource, azureFile: AzureFilePersistentVolumeSource, vsphereVolume: VsphereVirtualDiskVolumeSource, quobyte: QuobyteVolumeSource, azureDisk: AzureDiskVolumeSource, photonPersistentDisk: PhotonPersistentDiskVolumeSource, portworxVolume: PortworxVolumeSource, scaleIO: ScaleIOPersistentVolumeSource, local: LocalVolumeSource, storageos: StorageOSPersistentVolumeSource, csi: CSIPersistentVolumeSource, accessModes: atomicList(), claimRef: granular(ObjectReference), mountOptions: atomicList(), nodeAffinity: VolumeNodeAffinity });
const PersistentVolumeStatus = st('phase message reason lastPhaseTransitionTime', {});
const PersistentVolume = st('', { metadata: objectMeta, spec: PersistentVolumeSpec, status: PersistentVolumeStatus }, { zero: { 'metadata': {}, 'spec': {}, 'status': {}} });
const Taint = st('key value effect timeAdded', {}, { zero: { 'key': '', 'effect': ''} });
const ConfigMapNodeConfigSource = st('namespace name uid resourceVersion kubeletConfigKey', {}, { zero: { 'namespace': '', 'name': '', 'kubeletConfigKey': ''} });
const NodeConfigSource = st('', { configMap: ConfigMapNodeConfigSource });
const NodePodPreemptionPolicy = st('', { disableResizePreemption: set() });
const NodeSpec = st('podCIDR providerID unschedulable externalID', { podCIDRs: mergeSet(), taints: atomicList(Taint), configSource: NodeConfigSource, podPreemptionPolicy: NodePodPreemptionPolicy });
const NodeCondition = st('type status lastHeartbeatTime lastTransitionTime reason message', {}, { zero: { 'type': '', 'status': ''} });
const NodeAddress = st('type address', {}, { zero: { 'type': '', 'address': ''} });
const DaemonEndpoint = st('Port', {}, { zero: { 'Port': 0} });
const NodeDaemonEndpoints = st('', { kubeletEndpoint: DaemonEndpoint }, { zero: { 'kubeletEndpoint': {}} });
const NodeSwapStatus = st('capacity', {});
const NodeSystemInfo = st('machineID systemUUID bootID kernelVersion osImage containerRuntimeVersion kubeletVersion kubeProxyVersion operatingSystem architecture', { swap: NodeSwapStatus }, { zero: { 'machineID': '', 'systemUUID': '', 'bootID': '', 'kernelVersion': '', 'osImage': '', 'containerRuntimeVersion': '', 'kubeletVersion': '', 'kubeProxyVersion': '', 'operatingSystem': '', 'architecture': ''} });
const ContainerImage = st('sizeBytes', { names: atomicList() }, { zero: { 'names': null} });
const AttachedVolume = st('name devicePath', {}, { zero: { 'name': '', 'devicePath': ''} });
const NodeConfigStatus = st('error', { assigned: NodeConfigSource, active: NodeConfigSource, lastKnownGood: NodeConfigSource });
const NodeRuntimeHandlerFeatures = st('recursiveReadOnlyMounts userNamespaces', {});
const NodeRuntimeHandler = st('name', { features: NodeRuntimeHandlerFeatures }, { zero: { 'name': ''} });
const NodeFeatures = st('supplementalGroupsPolicy', {});
const NodeStatus = st('phase', { capacity: stringMap, allocatable: stringMap, conditions: keyed(NodeCondition, ["type"], 'type'), addresses: keyed(NodeAddress, ["type"], 'type'), daemonEndpoints: NodeDaemonEndpoints, nodeInfo: NodeSystemInfo, images: atomicList(ContainerImage), volumesInUse: atomicList(), volumesAttached: atomicList(AttachedVolume), config: NodeConfigStatus, runtimeHandlers: atomicList(NodeRuntimeHandler), features: NodeFeatures, declaredFeatures: atomicList() }, { zero: { 'daemonEndpoints': {}, 'nodeInfo': {}} });
const Node = st('', { metadata: objectMeta, spec: NodeSpec, status: NodeStatus }, { zero: { 'metadata': {}, 'spec': {}, 'status': {}} });
const NamespaceSpec = st('', { finalizers: atomicList() });
const NamespaceCondition = st('type status lastTransitionTime reason message', {}, { zero: { 'type': '', 'status': ''} });
const NamespaceStatus = st('phase', { conditions: keyed(NamespaceCondition, ["type"], 'type') });
const Namespace = st('', { metadata: objectMeta, spec: NamespaceSpec, status: NamespaceStatus }, { zero: { 'metadata': {}, 'spec': {}, 'status': {}} });
const ConfigMap = st('immutable', { metadata: objectMeta, data: stringMap, binaryData: stringMap }, { zero: { 'metadata': {}} });
const Secret = st('immutable type', { metadata: objectMeta, data: stringMap, stringData: stringMap }, { zero: { 'metadata': {}} });
const EventSource = st('component host', {});
const EventSeries = st('count lastObservedTime', {});
const Event = st('reason message firstTimestamp lastTimestamp count type eventTime action reportingComponent reportingInstance', { metadata: objectMeta, involvedObject: ObjectReference, source: EventSource, series: EventSeries, related: ObjectReference }, { zero: { 'metadata': {}, 'involvedObject': {}, 'source': {}, 'reportingComponent': '', 'reportingInstance': ''} });
const EmptyDirVolumeSource = st('medium sizeLimit mode', {});
const GitRepoVolumeSource = st('repository revision directory', {}, { zero: { 'repository': ''} });
const KeyToPath = st('key path mode user', {}, { zero: { 'key': '', 'path': ''} });
const SecretVolumeSource = st('secretName defaultMode optional defaultUser', { items: atomicList(KeyToPath) });
const LocalObjectReference = st('name', {}, { atomic: true, defaults: {'name': ''} });
const ISCSIVolumeSource = st('targetPortal iqn lun iscsiInterface fsType readOnly chapAuthDiscovery chapAuthSession initiatorName', { portals: atomicList(), secretRef: LocalObjectReference }, { zero: { 'targetPortal': '', 'iqn': '', 'lun': 0}, defaults: {'iscsiInterface': 'default'} });
const GlusterfsVolumeSource = st('endpoints path readOnly', {}, { zero: { 'endpoints': '', 'path': ''} });
const PersistentVolumeClaimVolumeSource = st('claimName readOnly', {}, { zero: { 'claimName': ''} });
const RBDVolumeSource = st('image fsType pool user keyring readOnly', { monitors: atomicList(), secretRef: LocalObjectReference }, { zero: { 'monitors': null, 'image': ''}, defaults: {'pool': 'rbd', 'user': 'admin', 'keyring': '/etc/ceph/keyring'} });
const FlexVolumeSource = st('driver fsType readOnly', { secretRef: LocalObjectReference, options: stringMap }, { zero: { 'driver': ''} });
const CinderVolumeSource = st('volumeID fsType readOnly', { secretRef: LocalObjectReference }, { zero: { 'volumeID': ''} });
const CephFSVolumeSource = st('path user secretFile readOnly', { monitors: atomicList(), secretRef: LocalObjectReference }, { zero: { 'monitors': null} });
const ObjectFieldSelector = st('apiVersion fieldPath', {}, { atomic: true, zero: {'fieldPath': ''} });
const ResourceFieldSelector = st('containerName resource divisor', {}, { atomic: true, zero: {'resource': ''} });
const DownwardAPIVolumeFile = st('path mode user', { fieldRef: ObjectFieldSelector, resourceFieldRef: ResourceFieldSelector }, { zero: { 'path': ''} });
const DownwardAPIVolumeSource = st('defaultMode defaultUser', { items: atomicList(DownwardAPIVolumeFile) });
const AzureFileVolumeSource = st('secretName shareName readOnly', {}, { zero: { 'secretName': '', 'shareName': ''} });
const ConfigMapVolumeSource = st('name defaultMode optional defaultUser', { items: atomicList(KeyToPath) }, { defaults: {'name': ''} });
const SecretProjection = st('name optional', { items: atomicList(KeyToPath) }, { defaults: {'name': ''} });
const DownwardAPIProjection = st('', { items: atomicList(DownwardAPIVolumeFile) });
const ConfigMapProjection = st('name optional', { items: atomicList(KeyToPath) }, { defaults: {'name': ''} });
const ServiceAccountTokenProjection = st('audience expirationSeconds path user', {}, { zero: { 'path': ''} });
const ClusterTrustBundleProjection = st('name signerName optional path user', { labelSelector: LabelSelector }, { zero: { 'path': ''} });
const PodCertificateProjection = st('signerName keyType maxExpirationSeconds credentialBundlePath keyPath certificateChainPath user', { userAnnotations: stringMap });
const VolumeProjection = st('', { secret: SecretProjection, downwardAPI: DownwardAPIProjection, configMap: ConfigMapProjection, serviceAccountToken: ServiceAccountTokenProjection, clusterTrustBundle: ClusterTrustBundleProjection, podCertificate: PodCertificateProjection });
const ProjectedVolumeSource = st('defaultMode defaultUser', { sources: atomicList(VolumeProjection) }, { zero: { 'sources': null} });
const ScaleIOVolumeSource = st('gateway system sslEnabled protectionDomain storagePool storageMode volumeName fsType readOnly', { secretRef: LocalObjectReference }, { zero: { 'gateway': '', 'system': '', 'secretRef': null}, defaults: {'storageMode': 'ThinProvisioned', 'fsType': 'xfs'} });
const StorageOSVolumeSource = st('volumeName volumeNamespace fsType readOnly', { secretRef: LocalObjectReference });
const CSIVolumeSource = st('driver readOnly fsType', { volumeAttributes: stringMap, nodePublishSecretRef: LocalObjectReference }, { zero: { 'driver': ''} });
const PersistentVolumeClaimTemplate = st('', { metadata: objectMeta, spec: PersistentVolumeClaimSpec }, { zero: { 'metadata': {}, 'spec': {}} });
const EphemeralVolumeSource = st('', { volumeClaimTemplate: PersistentVolumeClaimTemplate });
const ImageVolumeSource = st('reference pullPolicy', {});
const Volume = st('name', { hostPath: HostPathVolumeSource, emptyDir: EmptyDirVolumeSource, gcePersistentDisk: GCEPersistentDiskVolumeSource, awsElasticBlockStore: AWSElasticBlockStoreVolumeSource, gitRepo: GitRepoVolumeSource, secret: SecretVolumeSource, nfs: NFSVolumeSource, iscsi: ISCSIVolumeSource, glusterfs: GlusterfsVolumeSource, persistentVolumeClaim: PersistentVolumeClaimVolumeSource, rbd: RBDVolumeSource, flexVolume: FlexVolumeSource, cinder: CinderVolumeSource, cephfs: CephFSVolumeSource, flocker: FlockerVolumeSource, downwardAPI: DownwardAPIVolumeSource, fc: FCVolumeSource, azureFile: AzureFileVolumeSource, configMap: ConfigMapVolumeSource, vsphereVolume: VsphereVirtualDiskVolumeSource, quobyte: QuobyteVolumeSource, azureDisk: AzureDiskVolumeSource, photonPersistentDisk: PhotonPersistentDiskVolumeSource, projected: ProjectedVolumeSource, portworxVolume: PortworxVolumeSource, scaleIO: ScaleIOVolumeSource, storageos: StorageOSVolumeSource, csi: CSIVolumeSource, ephemeral: EphemeralVolumeSource, image: ImageVolumeSource }, { zero: { 'name': ''} });
const ContainerPort = st('name hostPort containerPort protocol hostIP', {}, { zero: { 'containerPort': 0}, defaults: {'protocol': 'TCP'} });
const ConfigMapEnvSource = st('name optional', {}, { defaults: {'name': ''} });
const SecretEnvSource = st('name optional', {}, { defaults: {'name': ''} });
const EnvFromSource = st('prefix', { configMapRef: ConfigMapEnvSource, secretRef: SecretEnvSource });
const ConfigMapKeySelector = st('name key optional', {}, { atomic: true, zero: {'key': ''}, defaults: {'name': ''} });
const SecretKeySelector = st('name key optional', {}, { atomic: true, zero: {'key': ''}, defaults: {'name': ''} });
const FileKeySelector = st('volumeName path key optional', {}, { atomic: true, zero: {'volumeName': '', 'path': '', 'key': ''}, defaults: {'optional': false} });
const EnvVarSource = st('', { fieldRef: ObjectFieldSelector, resourceFieldRef: ResourceFieldSelector, configMapKeyRef: ConfigMapKeySelector, secretKeyRef: SecretKeySelector, fileKeyRef: FileKeySelector });
const EnvVar = st('name value', { valueFrom: EnvVarSource }, { zero: { 'name': ''} });
const ResourceClaim = st('name request', {}, { zero: { 'name': ''} });
const ResourceRequirements = st('', { limits: stringMap, requests: stringMap, claims: keyed(ResourceClaim, ["name"]) });
const ContainerResizePolicy = st('resourceName restartPolicy', {}, { zero: { 'resourceName': '', 'restartPolicy': ''} });
const ContainerRestartRuleOnExitCodes = st('operator', { values: set() });
const ContainerRestartRule = st('action', { exitCodes: ContainerRestartRuleOnExitCodes });
const VolumeMount = st('name readOnly recursiveReadOnly mountPath subPath mountPropagation subPathExpr', { bindMountOptions: set() }, { zero: { 'name': '', 'mountPath': ''} });
const VolumeDevice = st('name devicePath', {}, { zero: { 'name': '', 'devicePath': ''} });
const ExecAction = st('', { command: atomicList() });
const HTTPHeader = st('name value', {}, { zero: { 'name': '', 'value': ''} });
const HTTPGetAction = st('path port host scheme protocol', { httpHeaders: atomicList(HTTPHeader) });
const TCPSocketAction = st('port host', {});
const GRPCAction = st('port service mode', {}, { zero: { 'port': 0, 'service': null}, defaults: {'service': ''} });
const Probe = st('initialDelaySeconds timeoutSeconds periodSeconds successThreshold failureThreshold terminationGracePeriodSeconds', { exec: ExecAction, httpGet: HTTPGetAction, tcpSocket: TCPSocketAction, grpc: GRPCAction });
const SleepAction = st('seconds', {}, { zero: { 'seconds': 0} });
const LifecycleHandler = st('', { exec: ExecAction, httpGet: HTTPGetAction, tcpSocket: TCPSocketAction, sleep: SleepAction });
const Lifecycle = st('stopSignal', { postStart: LifecycleHandler, preStop: LifecycleHandler });
const Capabilities = st('', { add: atomicList(), drop: atomicList() });
const SELinuxOptions = st('user role type level', {});
const WindowsSecurityContextOptions = st('gmsaCredentialSpecName gmsaCredentialSpec runAsUserName hostProcess', {});
const SeccompProfile = st('type localhostProfile', {}, { zero: { 'type': ''} });
const AppArmorProfile = st('type localhostProfile', {}, { zero: { 'type': ''} });
const SecurityContext = st('privileged runAsUser runAsGroup runAsNonRoot readOnlyRootFilesystem allowPrivilegeEscalation procMount', { capabilities: Capabilities, seLinuxOptions: SELinuxOptions, windowsOptions: WindowsSecurityContextOptions, seccompProfile: SeccompProfile, appArmorProfile: AppArmorProfile });
const Container = st('name image workingDir restartPolicy terminationMessagePath terminationMessagePolicy imagePullPolicy stdin stdinOnce tty', { command: atomicList(), args: atomicList(), ports: keyed(ContainerPort, ["containerPort", "protocol"], 'containerPort'), envFrom: atomicList(EnvFromSource), env: keyed(EnvVar, ["name"], 'name'), resources: ResourceRequirements, resizePolicy: atomicList(ContainerResizePolicy), restartPolicyRules: atomicList(ContainerRestartRule), volumeMounts: keyed(VolumeMount, ["mountPath"], 'mountPath'), volumeDevices: keyed(VolumeDevice, ["devicePath"], 'devicePath'), livenessProbe: Probe, readinessProbe: Probe, startupProbe: Probe, lifecycle: Lifecycle, securityContext: SecurityContext }, { zero: { 'name': '', 'resources': {}} });
const EphemeralContainer = st('name image workingDir restartPolicy terminationMessagePath terminationMessagePolicy imagePullPolicy stdin stdinOnce tty targetContainerName', { command: atomicList(), args: atomicList(), ports: keyed(ContainerPort, ["containerPort", "protocol"], 'containerPort'), envFrom: atomicList(EnvFromSource), env: keyed(EnvVar, ["name"], 'name'), resources: ResourceRequirements, resizePolicy: atomicList(ContainerResizePolicy), restartPolicyRules: atomicList(ContainerRestartRule), volumeMounts: keyed(VolumeMount, ["mountPath"], 'mountPath'), volumeDevices: keyed(VolumeDevice, ["devicePath"], 'devicePath'), livenessProbe: Probe, readinessProbe: Probe, startupProbe: Probe, lifecycle: Lifecycle, securityContext: SecurityContext }, { zero: { 'name': '', 'resources': {}} });
const Sysctl = st('name value', {}, { zero: { 'name': '', 'value': ''} });
const PodSecurityContext = st('runAsUser runAsGroup runAsNonRoot supplementalGroupsPolicy fsGroup fsGroupChangePolicy seLinuxChangePolicy', { seLinuxOptions: SELinuxOptions, windowsOptions: WindowsSecurityContextOptions, supplementalGroups: atomicList(), sysctls: atomicList(Sysctl), seccompProfile: SeccompProfile, appArmorProfile: AppArmorProfile });
const PreferredSchedulingTerm = st('weight', { preference: NodeSelectorTerm }, { zero: { 'weight': 0, 'preference': {}} });
const NodeAffinity = st('', { requiredDuringSchedulingIgnoredDuringExecution: NodeSelector, preferredDuringSchedulingIgnoredDuringExecution: atomicList(PreferredSchedulingTerm) });
const PodAffinityTerm = st('topologyKey', { labelSelector: LabelSelector, namespaces: atomicList(), namespaceSelector: LabelSelector, matchLabelKeys: atomicList(), mismatchLabelKeys: atomicList() }, { zero: { 'topologyKey': ''} });
const WeightedPodAffinityTerm = st('weight', { podAffinityTerm: PodAffinityTerm }, { zero: { 'weight': 0, 'podAffinityTerm': {}} });
const PodAffinity = st('', { requiredDuringSchedulingIgnoredDuringExecution: atomicList(PodAffinityTerm), preferredDuringSchedulingIgnoredDuringExecution: atomicList(WeightedPodAffinityTerm) });
const PodAntiAffinity = st('', { requiredDuringSchedulingIgnoredDuringExecution: atomicList(PodAffinityTerm), preferredDuringSchedulingIgnoredDuringExecution: atomicList(WeightedPodAffinityTerm) });
const Affinity = st('', { nodeAffinity: NodeAffinity, podAffinity: PodAffinity, podAntiAffinity: PodAntiAffinity });
const Toleration = st('key operator value effect tolerationSeconds', {});
const HostAlias = st('ip', { hostnames: atomicList() }, { zero: { 'ip': ''} });
const PodDNSConfigOption = st('name value', {});
const PodDNSConfig = st('', { nameservers: atomicList(), searches: atomicList(), options: atomicList(PodDNSConfigOption) });
const PodReadinessGate = st('conditionType', {}, { zero: { 'conditionType': ''} });
const TopologySpreadConstraint = st('maxSkew topologyKey whenUnsatisfiable minDomains nodeAffinityPolicy nodeTaintsPolicy', { labelSelector: LabelSelector, matchLabelKeys: atomicList() }, { zero: { 'maxSkew': 0, 'topologyKey': '', 'whenUnsatisfiable': ''} });
const PodOS = st('name', {}, { zero: { 'name': ''} });
const PodSchedulingGate = st('name', {}, { zero: { 'name': ''} });
const PodResourceClaim = st('name resourceClaimName resourceClaimTemplateName', {}, { zero: { 'name': ''} });
const PodSchedulingGroup = st('podGroupName', {});
const EvictionResponder = st('name priority', {}, { atomic: true, zero: {'name': '', 'priority': null} });
const PodSpec = st('restartPolicy terminationGracePeriodSeconds activeDeadlineSeconds dnsPolicy serviceAccountName serviceAccount automountServiceAccountToken nodeName hostNetwork hostPID hostIPC shareProcessNamespace hostname subdomain schedulerName priorityClassName priority runtimeClassName enableServiceLinks preemptionPolicy setHostnameAsFQDN hostUsers hostnameOverride', { volumes: keyed(Volume, ["name"], 'name'), initContainers: keyed(Container, ["name"], 'name'), containers: keyed(Container, ["name"], 'name'), ephemeralContainers: keyed(EphemeralContainer, ["name"], 'name'), nodeSelector: t.map(s, { atomic: true }), securityContext: PodSecurityContext, imagePullSecrets: keyed(LocalObjectReference, ["name"], 'name'), affinity: Affinity, tolerations: atomicList(Toleration), hostAliases: keyed(HostAlias, ["ip"], 'ip'), dnsConfig: PodDNSConfig, readinessGates: atomicList(PodReadinessGate), overhead: stringMap, topologySpreadConstraints: keyed(TopologySpreadConstraint, ["topologyKey", "whenUnsatisfiable"], 'topologyKey'), os: PodOS, schedulingGates: keyed(PodSchedulingGate, ["name"], 'name'), resourceClaims: keyed(PodResourceClaim, ["name"], 'name'), resources: ResourceRequirements, schedulingGroup: PodSchedulingGroup, evictionResponders: keyed(EvictionResponder, ["name"], 'name') }, { zero: { 'containers': null} });
const PodCondition = st('type observedGeneration status lastProbeTime lastTransitionTime reason message', {}, { zero: { 'type': '', 'status': ''} });
const HostIP = st('ip', {}, { zero: { 'ip': ''} });
const PodIP = st('ip', {}, { zero: { 'ip': ''} });
const ContainerStateWaiting = st('reason message', {});
const ContainerStateRunning = st('startedAt', {});
const ContainerStateTerminated = st('exitCode signal reason message startedAt finishedAt containerID', {}, { zero: { 'exitCode': 0} });
const ContainerState = st('', { waiting: ContainerStateWaiting, running: ContainerStateRunning, terminated: ContainerStateTerminated });
const ImageVolumeStatus = st('imageRef', {});
const VolumeStatus = st('', { image: ImageVolumeStatus });
const VolumeMountStatus = st('name mountPath readOnly recursiveReadOnly', { volumeStatus: VolumeStatus }, { zero: { 'name': '', 'mountPath': ''} });
const LinuxContainerUser = st('uid gid', { supplementalGroups: atomicList() }, { zero: { 'uid': 0, 'gid': 0} });
const ContainerUser = st('', { linux: LinuxContainerUser });
const ResourceHealth = st('resourceID health message', {}, { zero: { 'resourceID': ''} });
const ResourceStatus = st('name', { resources: keyed(ResourceHealth, ["resourceID"]) }, { zero: { 'name': ''} });
const ContainerStatus = st('name ready restartCount image imageID containerID started stopSignal', { state: ContainerState, lastState: ContainerState, allocatedResources: stringMap, resources: ResourceRequirements, volumeMounts: keyed(VolumeMountStatus, ["mountPath"], 'mountPath'), user: ContainerUser, allocatedResourcesStatus: keyed(ResourceStatus, ["name"], 'name') }, { zero: { 'name': '', 'state': {}, 'lastState': {}, 'ready': false, 'restartCount': 0, 'image': '', 'imageID': ''} });
const PodResourceClaimStatus = st('name resourceClaimName', {}, { zero: { 'name': ''} });
const ContainerExtendedResourceRequest = st('containerName resourceName requestName', {}, { zero: { 'containerName': '', 'resourceName': '', 'requestName': ''} });
const PodExtendedResourceClaimStatus = st('resourceClaimName', { requestMappings: atomicList(ContainerExtendedResourceRequest) }, { zero: { 'requestMappings': null, 'resourceClaimName': ''} });
const NodeAllocatableMappedResources = st('name quantity', {}, { zero: { 'name': '', 'quantity': null} });
const NodeAllocatableOverheadResources = st('name perPod perContainer', {}, { zero: { 'name': ''} });
const NodeAllocatableResourceClaimStatus = st('resourceClaimName', { containers: set(), mapping: keyed(NodeAllocatableMappedResources, ["name"], 'name'), overhead: keyed(NodeAllocatableOverheadResources, ["name"], 'name') }, { zero: { 'resourceClaimName': ''} });
const PodVolumeHealth = st('name lastTransitionTime', { healthConditions: keyed(VolumeHealthCondition, ["status", "reason"], 'status') }, { zero: { 'name': ''} });
const PodStatus = st('observedGeneration phase message reason nominatedNodeName hostIP podIP startTime qosClass resize', { conditions: keyed(PodCondition, ["type"], 'type'), hostIPs: { ...atomicList(HostIP), patchStrategy: 'merge', patchMergeKey: 'ip' }, podIPs: keyed(PodIP, ["ip"], 'ip'), initContainerStatuses: atomicList(ContainerStatus), containerStatuses: atomicList(ContainerStatus), ephemeralContainerStatuses: atomicList(ContainerStatus), resourceClaimStatuses: keyed(PodResourceClaimStatus, ["name"], 'name'), extendedResourceClaimStatus: PodExtendedResourceClaimStatus, allocatedResources: stringMap, resources: ResourceRequirements, nodeAllocatableResourceClaimStatuses: keyed(NodeAllocatableResourceClaimStatus, ["resourceClaimName"], 'resourceClaimName'), volumeHealth: keyed(PodVolumeHealth, ["name"]) });
const Pod = st('', { metadata: objectMeta, spec: PodSpec, status: PodStatus }, { zero: { 'metadata': {}, 'spec': {}, 'status': {}} });
const TopologySelectorLabelRequirement = st('key', { values: atomicList() }, { zero: { 'key': '', 'values': null} });
const TopologySelectorTerm = st('', { matchLabelExpressions: atomicList(TopologySelectorLabelRequirement) }, { atomic: true });
const StorageClass = st('provisioner reclaimPolicy allowVolumeExpansion volumeBindingMode', { metadata: objectMeta, parameters: stringMap, mountOptions: atomicList(), allowedTopologies: atomicList(TopologySelectorTerm) }, { zero: { 'metadata': {}, 'provisioner': ''} });
const TokenRequest = st('audience expirationSeconds', {}, { zero: { 'audience': ''} });
const CSIDriverSpec = st('attachRequired podInfoOnMount storageCapacity fsGroupPolicy requiresRepublish seLinuxMount nodeAllocatableUpdatePeriodSeconds serviceAccountTokenInSecrets preventPodSchedulingIfMissing', { volumeLifecycleModes: set(), tokenRequests: atomicList(TokenRequest) });
const CSIDriver = st('', { metadata: objectMeta, spec: CSIDriverSpec }, { zero: { 'metadata': {}, 'spec': {}} });
const VolumeNodeResources = st('count', {});
const CSINodeDriver = st('name nodeID', { topologyKeys: atomicList(), allocatable: VolumeNodeResources }, { zero: { 'name': '', 'nodeID': '', 'topologyKeys': null} });
const CSINodeSpec = st('', { drivers: keyed(CSINodeDriver, ["name"], 'name') }, { zero: { 'drivers': null} });
const StorageHealthCondition = st('status reason message accessMode volumeMode lastTransitionTime', {}, { zero: { 'status': '', 'reason': ''} });
const StorageHealth = st('name', { healthConditions: atomicList(StorageHealthCondition) }, { zero: { 'name': ''} });
const CSINodeStatus = st('', { storageHealth: keyed(StorageHealth, ["name"], 'name') });
const CSINode = st('', { metadata: objectMeta, spec: CSINodeSpec, status: CSINodeStatus }, { zero: { 'metadata': {}, 'spec': {}, 'status': {}} });
const CSIStorageCapacity = st('storageClassName capacity maximumVolumeSize', { metadata: objectMeta, nodeTopology: LabelSelector }, { zero: { 'metadata': {}, 'storageClassName': ''} });
const VolumeAttachmentSource = st('persistentVolumeName', { inlineVolumeSpec: PersistentVolumeSpec });
const VolumeAttachmentSpec = st('attacher nodeName', { source: VolumeAttachmentSource }, { zero: { 'attacher': '', 'source': {}, 'nodeName': ''} });
const VolumeError = st('time message errorCode', {});
const VolumeAttachmentStatus = st('attached', { attachmentMetadata: stringMap, attachError: VolumeError, detachError: VolumeError }, { zero: { 'attached': false} });
const VolumeAttachment = st('', { metadata: objectMeta, spec: VolumeAttachmentSpec, status: VolumeAttachmentStatus }, { zero: { 'metadata': {}, 'spec': {}, 'status': {}} });
const LeaseSpec = st('holderIdentity leaseDurationSeconds acquireTime renewTime leaseTransitions strategy preferredHolder', {});
const Lease = st('', { metadata: objectMeta, spec: LeaseSpec }, { zero: { 'metadata': {}, 'spec': {}} });
const EventsV1Event = st('eventTime reportingController reportingInstance action reason note type deprecatedFirstTimestamp deprecatedLastTimestamp deprecatedCount', { metadata: objectMeta, series: EventSeries, regarding: ObjectReference, related: ObjectReference, deprecatedSource: EventSource }, { zero: { 'metadata': {}, 'eventTime': null, 'regarding': {}, 'deprecatedSource': {}} });

/** A top-level kind: apiVersion and kind besides its struct's fields. */
function kind(m: MapType): MapType {
  return { ...m, fields: { apiVersion: s, kind: s, ...m.fields } };
}

const KINDS: Record<string, MapType> = {
  'v1/ConfigMap': kind(ConfigMap),
  'v1/Secret': kind(Secret),
  'v1/Namespace': kind(Namespace),
  'v1/Node': kind(Node),
  'v1/PersistentVolumeClaim': kind(PersistentVolumeClaim),
  'v1/PersistentVolume': kind(PersistentVolume),
  'v1/Pod': kind(Pod),
  'v1/Event': kind(Event),
  'events.k8s.io/v1/Event': kind(EventsV1Event),
  'storage.k8s.io/v1/StorageClass': kind(StorageClass),
  'storage.k8s.io/v1/CSIDriver': kind(CSIDriver),
  'storage.k8s.io/v1/CSINode': kind(CSINode),
  'storage.k8s.io/v1/CSIStorageCapacity': kind(CSIStorageCapacity),
  'storage.k8s.io/v1/VolumeAttachment': kind(VolumeAttachment),
  'coordination.k8s.io/v1/Lease': kind(Lease),
};

/** ObjectMeta, the metadata of every kind (custom resources' too). */
export function builtinObjectMeta(): MapType {
  return objectMeta;
}

/** The type of a built-in kind served at `apiVersion` ("v1", "storage.k8s.io/v1"...), if known. */
export function builtinType(apiVersion: string, kindName: string): MapType | undefined {
  return KINDS[`${apiVersion}/${kindName}`];
}

/** Every "apiVersion/Kind" the table knows. */
export function builtinKinds(): string[] {
  return Object.keys(KINDS);
}
