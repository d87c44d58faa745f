/**
 * The built-in kinds' types, written from the Kubernetes API types (k8s.io/api, their
 * x-kubernetes-* OpenAPI extensions and Go struct tags):
 *
 * - lists: keyedList (x-kubernetes-list-type map with its keys; with patchMergeKey when the Go
 *   field has patchStrategy:"merge"), set (list-type set; patchStrategy merge for finalizers
 *   and podCIDRs), atomicList (everything else, as structured-merge-diff treats lists without
 *   list-type or merge strategy);
 * - structs: every field whose value is itself a struct, map or list is named (server-side
 *   apply owns a named field's children, not the field itself); fields holding only scalars may
 *   be left out (a struct({}) behaves the same for them); +structType=atomic / +mapType=atomic
 *   structs are atomic;
 * - zero: the fields present in the Go zero value of a struct as encoding/json writes it ({}
 *   for a non-pointer struct, null for a nil slice/map/pointer without omitempty, "" / 0 for a
 *   scalar without omitempty), because the apiserver computes ownership on create against the
 *   empty typed object;
 * - defaults: OpenAPI defaults of list-map key fields (a container port's protocol: TCP).
 *
 * Fields missing here are treated as untyped (maps merge, lists are atomic/replaced), which is
 * right for scalars and for lists without a strategy. To support another kind, add it to KINDS.
 */
import type { Json } from './json';
import { t, type MapType, type TypeNode } from './schema';

const s = t.scalar;
const stringMap = t.map(s);
const resourceList = t.map(s);
const atomicStruct = t.struct({}, { atomic: true });

// --- meta/v1 -------------------------------------------------------------------------------

const labelSelector = t.struct({ matchLabels: stringMap, matchExpressions: t.atomicList(t.struct({ values: t.atomicList() })) }, { atomic: true });

const objectMeta = t.struct({
  labels: stringMap,
  annotations: stringMap,
  ownerReferences: t.keyedList(atomicStruct, ['uid'], { patchMergeKey: 'uid' }),
  finalizers: t.set(s, { patchStrategy: 'merge' }),
  managedFields: t.atomicList(t.struct({ fieldsV1: t.untyped })),
});

/** A top-level kind: apiVersion, kind, metadata, and its own fields. */
function kind(fields: Record<string, TypeNode>, zero: Record<string, Json> = {}): MapType {
  return t.struct({ apiVersion: s, kind: s, metadata: objectMeta, ...fields }, { zero: { metadata: {}, ...zero } });
}

// --- core/v1: volumes and claims ------------------------------------------------------------

const nodeSelectorRequirement = t.struct({ values: t.atomicList() });
const nodeSelectorTerm = t.struct({ matchExpressions: t.atomicList(nodeSelectorRequirement), matchFields: t.atomicList(nodeSelectorRequirement) }, { atomic: true });
const nodeSelector = t.struct({ nodeSelectorTerms: t.atomicList(nodeSelectorTerm) }, { atomic: true, zero: { nodeSelectorTerms: null } });

const pvcSpec = t.struct(
  {
    accessModes: t.atomicList(),
    selector: labelSelector,
    resources: t.struct({ limits: resourceList, requests: resourceList }),
    dataSource: atomicStruct,
    dataSourceRef: t.struct({}),
  },
  { zero: { resources: {} } },
);

const pvcStatus = t.struct({
  accessModes: t.atomicList(),
  capacity: resourceList,
  conditions: t.keyedList(t.struct({}), ['type'], { patchMergeKey: 'type' }),
  allocatedResources: resourceList,
  allocatedResourceStatuses: stringMap,
  modifyVolumeStatus: t.struct({}),
});

const keyToPathList = t.atomicList(t.struct({}));

const volume = t.struct({
  hostPath: t.struct({}),
  emptyDir: t.struct({}),
  secret: t.struct({ items: keyToPathList }),
  configMap: t.struct({ items: keyToPathList }),
  downwardAPI: t.struct({ items: keyToPathList }),
  projected: t.struct({ sources: t.atomicList(t.struct({})) }),
  persistentVolumeClaim: t.struct({}),
  csi: t.struct({ volumeAttributes: stringMap, nodePublishSecretRef: atomicStruct }),
  ephemeral: t.struct({
    volumeClaimTemplate: t.struct({ metadata: objectMeta, spec: pvcSpec }, { zero: { metadata: {}, spec: {} } }),
  }),
  nfs: t.struct({}),
  local: t.struct({}),
  image: t.struct({}),
});

const secretRef = atomicStruct;

const pvSpec = t.struct({
  capacity: resourceList,
  accessModes: t.atomicList(),
  claimRef: t.struct({}),
  mountOptions: t.atomicList(),
  nodeAffinity: t.struct({ required: nodeSelector }),
  csi: t.struct({
    volumeAttributes: stringMap,
    controllerPublishSecretRef: secretRef,
    nodeStageSecretRef: secretRef,
    nodePublishSecretRef: secretRef,
    controllerExpandSecretRef: secretRef,
    nodeExpandSecretRef: secretRef,
  }),
  hostPath: t.struct({}),
  local: t.struct({}),
  nfs: t.struct({}),
});

// --- core/v1: pods ----------------------------------------------------------------------------

const resourceRequirements = t.struct({
  limits: resourceList,
  requests: resourceList,
  claims: t.keyedList(t.struct({}), ['name']),
});

const lifecycleHandler = t.struct({
  exec: t.struct({ command: t.atomicList() }),
  httpGet: t.struct({ httpHeaders: t.atomicList(t.struct({})) }),
  tcpSocket: t.struct({}),
  sleep: t.struct({}),
});

const probe = t.struct({
  exec: t.struct({ command: t.atomicList() }),
  httpGet: t.struct({ httpHeaders: t.atomicList(t.struct({})) }),
  tcpSocket: t.struct({}),
  grpc: t.struct({}),
});

const securityContext = t.struct({
  capabilities: t.struct({ add: t.atomicList(), drop: t.atomicList() }),
  seLinuxOptions: t.struct({}),
  windowsOptions: t.struct({}),
  seccompProfile: t.struct({}),
  appArmorProfile: t.struct({}),
});

const envVarSource = t.struct({
  fieldRef: atomicStruct,
  resourceFieldRef: atomicStruct,
  configMapKeyRef: atomicStruct,
  secretKeyRef: atomicStruct,
  fileKeyRef: atomicStruct,
});

const container = t.struct(
  {
    command: t.atomicList(),
    args: t.atomicList(),
    ports: t.keyedList(t.struct({}, { defaults: { protocol: 'TCP' } }), ['containerPort', 'protocol'], { patchMergeKey: 'containerPort' }),
    envFrom: t.atomicList(t.struct({ configMapRef: t.struct({}), secretRef: t.struct({}) })),
    env: t.keyedList(t.struct({ valueFrom: envVarSource }), ['name'], { patchMergeKey: 'name' }),
    resources: resourceRequirements,
    resizePolicy: t.atomicList(t.struct({})),
    restartPolicyRules: t.atomicList(t.struct({})),
    volumeMounts: t.keyedList(t.struct({ bindMountOptions: t.set() }), ['mountPath'], { patchMergeKey: 'mountPath' }),
    volumeDevices: t.keyedList(t.struct({}), ['devicePath'], { patchMergeKey: 'devicePath' }),
    livenessProbe: probe,
    readinessProbe: probe,
    startupProbe: probe,
    lifecycle: t.struct({ postStart: lifecycleHandler, preStop: lifecycleHandler }),
    securityContext,
  },
  { zero: { name: '', resources: {} } },
);

const podAffinityTerm = t.struct(
  {
    labelSelector,
    namespaces: t.atomicList(),
    namespaceSelector: labelSelector,
    matchLabelKeys: t.atomicList(),
    mismatchLabelKeys: t.atomicList(),
  },
  { zero: { topologyKey: '' } },
);
const weightedPodAffinityTerm = t.struct({ podAffinityTerm }, { zero: { weight: 0, podAffinityTerm: {} } });
const podAffinity = t.struct({
  requiredDuringSchedulingIgnoredDuringExecution: t.atomicList(podAffinityTerm),
  preferredDuringSchedulingIgnoredDuringExecution: t.atomicList(weightedPodAffinityTerm),
});

const podSpec = t.struct(
  {
    volumes: t.keyedList(volume, ['name'], { patchMergeKey: 'name' }),
    initContainers: t.keyedList(container, ['name'], { patchMergeKey: 'name' }),
    containers: t.keyedList(container, ['name'], { patchMergeKey: 'name' }),
    ephemeralContainers: t.keyedList(container, ['name'], { patchMergeKey: 'name' }),
    nodeSelector: t.map(s, { atomic: true }),
    securityContext: t.struct({
      seLinuxOptions: t.struct({}),
      windowsOptions: t.struct({}),
      supplementalGroups: t.atomicList(),
      sysctls: t.atomicList(t.struct({})),
      seccompProfile: t.struct({}),
      appArmorProfile: t.struct({}),
    }),
    imagePullSecrets: t.keyedList(atomicStruct, ['name'], { patchMergeKey: 'name' }),
    affinity: t.struct({
      nodeAffinity: t.struct({
        requiredDuringSchedulingIgnoredDuringExecution: nodeSelector,
        preferredDuringSchedulingIgnoredDuringExecution: t.atomicList(t.struct({ preference: nodeSelectorTerm }, { zero: { weight: 0, preference: {} } })),
      }),
      podAffinity,
      podAntiAffinity: podAffinity,
    }),
    tolerations: t.atomicList(t.struct({})),
    hostAliases: t.keyedList(t.struct({ hostnames: t.atomicList() }), ['ip'], { patchMergeKey: 'ip' }),
    dnsConfig: t.struct({ nameservers: t.atomicList(), searches: t.atomicList(), options: t.atomicList(t.struct({})) }),
    readinessGates: t.atomicList(t.struct({})),
    overhead: resourceList,
    topologySpreadConstraints: t.keyedList(t.struct({ labelSelector, matchLabelKeys: t.atomicList() }), ['topologyKey', 'whenUnsatisfiable'], {
      patchMergeKey: 'topologyKey',
    }),
    os: t.struct({}),
    schedulingGates: t.keyedList(t.struct({}), ['name'], { patchMergeKey: 'name' }),
    resourceClaims: t.keyedList(t.struct({}), ['name'], { patchMergeKey: 'name' }),
    resources: resourceRequirements,
  },
  { zero: { containers: null } },
);

const containerState = t.struct({ waiting: t.struct({}), running: t.struct({}), terminated: t.struct({}) });
const containerStatus = t.struct(
  {
    state: containerState,
    lastState: containerState,
    allocatedResources: resourceList,
    resources: resourceRequirements,
    volumeMounts: t.keyedList(t.struct({}), ['mountPath'], { patchMergeKey: 'mountPath' }),
    user: t.struct({ linux: t.struct({ supplementalGroups: t.atomicList() }) }),
    allocatedResourcesStatus: t.keyedList(t.struct({ resources: t.keyedList(t.struct({}), ['resourceID']) }), ['name'], { patchMergeKey: 'name' }),
  },
  { zero: { name: '', state: {}, lastState: {}, ready: false, restartCount: 0, image: '', imageID: '' } },
);

const podStatus = t.struct({
  conditions: t.keyedList(t.struct({}), ['type'], { patchMergeKey: 'type' }),
  hostIPs: t.atomicList(t.struct({})),
  podIPs: t.keyedList(t.struct({}), ['ip'], { patchMergeKey: 'ip' }),
  initContainerStatuses: t.atomicList(containerStatus),
  containerStatuses: t.atomicList(containerStatus),
  ephemeralContainerStatuses: t.atomicList(containerStatus),
  resourceClaimStatuses: t.keyedList(t.struct({}), ['name'], { patchMergeKey: 'name' }),
  allocatedResources: resourceList,
  resources: resourceRequirements,
});

// --- core/v1: nodes, namespaces, config, events --------------------------------------------------

const nodeConfigSource = t.struct({ configMap: t.struct({}) });

const nodeSpec = t.struct({
  podCIDRs: t.set(s, { patchStrategy: 'merge' }),
  taints: t.atomicList(t.struct({})),
  configSource: nodeConfigSource,
});

const nodeStatus = t.struct(
  {
    capacity: resourceList,
    allocatable: resourceList,
    conditions: t.keyedList(t.struct({}), ['type'], { patchMergeKey: 'type' }),
    addresses: t.keyedList(t.struct({}), ['type'], { patchMergeKey: 'type' }),
    daemonEndpoints: t.struct({ kubeletEndpoint: t.struct({}, { zero: { Port: 0 } }) }, { zero: { kubeletEndpoint: {} } }),
    nodeInfo: t.struct(
      { swap: t.struct({}) },
      {
        zero: {
          machineID: '',
          systemUUID: '',
          bootID: '',
          kernelVersion: '',
          osImage: '',
          containerRuntimeVersion: '',
          kubeletVersion: '',
          kubeProxyVersion: '',
          operatingSystem: '',
          architecture: '',
        },
      },
    ),
    images: t.atomicList(t.struct({ names: t.atomicList() })),
    volumesInUse: t.atomicList(),
    volumesAttached: t.atomicList(t.struct({})),
    config: t.struct({ assigned: nodeConfigSource, active: nodeConfigSource, lastKnownGood: nodeConfigSource }),
    runtimeHandlers: t.atomicList(t.struct({ features: t.struct({}) })),
    features: t.struct({}),
    declaredFeatures: t.atomicList(),
  },
  { zero: { daemonEndpoints: {}, nodeInfo: {} } },
);

const coreEvent = kind(
  { involvedObject: atomicStruct, source: t.struct({}), series: t.struct({}), related: atomicStruct },
  { involvedObject: {}, source: {}, reportingComponent: '', reportingInstance: '' },
);

// --- storage.k8s.io/v1, coordination.k8s.io/v1, events.k8s.io/v1 -------------------------------

const topologySelectorTerm = t.struct({ matchLabelExpressions: t.atomicList(t.struct({ values: t.atomicList() })) }, { atomic: true });

const KINDS: Record<string, MapType> = {
  'v1/ConfigMap': kind({ data: stringMap, binaryData: stringMap }),
  'v1/Secret': kind({ data: stringMap, stringData: stringMap }),
  'v1/Namespace': kind(
    {
      spec: t.struct({ finalizers: t.atomicList() }),
      status: t.struct({ conditions: t.keyedList(t.struct({}), ['type'], { patchMergeKey: 'type' }) }),
    },
    { spec: {}, status: {} },
  ),
  'v1/Node': kind({ spec: nodeSpec, status: nodeStatus }, { spec: {}, status: {} }),
  'v1/PersistentVolumeClaim': kind({ spec: pvcSpec, status: pvcStatus }, { spec: {}, status: {} }),
  'v1/PersistentVolume': kind({ spec: pvSpec, status: t.struct({}) }, { spec: {}, status: {} }),
  'v1/Pod': kind({ spec: podSpec, status: podStatus }, { spec: {}, status: {} }),
  'v1/Event': coreEvent,
  'events.k8s.io/v1/Event': kind(
    { regarding: atomicStruct, related: atomicStruct, series: t.struct({}), deprecatedSource: t.struct({}) },
    { eventTime: null, regarding: {}, deprecatedSource: {} },
  ),
  'storage.k8s.io/v1/StorageClass': kind(
    { parameters: stringMap, mountOptions: t.atomicList(), allowedTopologies: t.atomicList(topologySelectorTerm) },
    { provisioner: '' },
  ),
  'storage.k8s.io/v1/CSIDriver': kind(
    { spec: t.struct({ volumeLifecycleModes: t.set(), tokenRequests: t.atomicList(t.struct({})) }) },
    { spec: {} },
  ),
  'storage.k8s.io/v1/CSINode': kind(
    {
      spec: t.struct(
        {
          drivers: t.keyedList(t.struct({ topologyKeys: t.atomicList(), allocatable: t.struct({}) }, { zero: { name: '', nodeID: '', topologyKeys: null } }), ['name'], {
            patchMergeKey: 'name',
          }),
        },
        { zero: { drivers: null } },
      ),
    },
    { spec: {} },
  ),
  'storage.k8s.io/v1/CSIStorageCapacity': kind({ nodeTopology: labelSelector }, { storageClassName: '' }),
  'storage.k8s.io/v1/VolumeAttachment': kind(
    {
      spec: t.struct({ source: t.struct({ inlineVolumeSpec: pvSpec }) }, { zero: { attacher: '', source: {}, nodeName: '' } }),
      status: t.struct({ attachmentMetadata: stringMap, attachError: t.struct({}), detachError: t.struct({}) }, { zero: { attached: false } }),
    },
    { spec: {}, status: {} },
  ),
  'coordination.k8s.io/v1/Lease': kind({ spec: t.struct({}) }, { spec: {} }),
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
