/**
 * The table of built-in kinds: one entry per kind the project touches. Adding a kind is one
 * entry here (and a printer in printers.ts when `kubectl get` should show more than names).
 * Strategies follow kubernetes/pkg/registry/<group>/<kind>/strategy.go: defaults, the fields a
 * create resets, validation with the real field paths, and the field selectors each supports.
 */
import { fieldErrors, type FieldError } from '../api/status';
import { deepEqual, getPath, isPlainObject, mapPaths, normalizeMicroTime, normalizeTime, type KubeObject } from '../api/object';
import { canonicalQuantity, parseQuantity, quantityValue } from '../api/quantity';
import { ALL_VERBS, type KindStrategy, type ResourceType } from './types';
import { printers } from './printers';
import { coreToEventsV1, eventsV1ToCore } from './events';

interface BuiltinSpec {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  statusSubresource?: boolean;
  returnDeletedObject?: boolean;
  allowCreateOnUpdate?: boolean;
  nameValidation?: 'subdomain' | 'label' | 'path';
  strategy?: KindStrategy;
  storage?: { group: string; resource: string; apiVersion: string };
  convert?: ResourceType['convert'];
  extraSubresources?: string[];
}

function builtin(s: BuiltinSpec): ResourceType {
  const apiVersion = s.group ? `${s.group}/${s.version}` : s.version;
  return {
    group: s.group,
    version: s.version,
    kind: s.kind,
    listKind: `${s.kind}List`,
    plural: s.plural,
    singular: s.kind.toLowerCase(),
    namespaced: s.namespaced,
    shortNames: s.shortNames ?? [],
    categories: s.categories ?? [],
    verbs: [...ALL_VERBS],
    statusSubresource: s.statusSubresource ?? false,
    storage: s.storage ?? { group: s.group, resource: s.plural, apiVersion },
    generation: false,
    returnDeletedObject: s.returnDeletedObject ?? false,
    allowCreateOnUpdate: s.allowCreateOnUpdate ?? false,
    nameValidation: s.nameValidation ?? 'subdomain',
    strategy: s.strategy ?? {},
    table: printers[s.plural],
    convert: s.convert,
    extraSubresources: s.extraSubresources,
    strategicMergePatch: true,
  };
}

function obj(o: KubeObject, key: string): Record<string, unknown> {
  let v = o[key];
  if (!isPlainObject(v)) {
    v = {};
    o[key] = v;
  }
  return v as Record<string, unknown>;
}

/** Time and MicroTime fields as the real server re-encodes them. */
function times(o: KubeObject, time: readonly string[], micro: readonly string[] = []): void {
  mapPaths(o, time, normalizeTime);
  mapPaths(o, micro, normalizeMicroTime);
}

const CONDITION_TIMES = ['status.conditions[].lastTransitionTime', 'status.conditions[].lastProbeTime', 'status.conditions[].lastHeartbeatTime'];

function canonicalizeQuantities(map: unknown): void {
  if (!isPlainObject(map)) return;
  for (const [k, v] of Object.entries(map)) map[k] = canonicalQuantity(v);
}

function quantityErrors(map: unknown, path: string): FieldError[] {
  if (!isPlainObject(map)) return [];
  const out: FieldError[] = [];
  for (const [k, v] of Object.entries(map)) {
    if (typeof v !== 'string' && typeof v !== 'number') out.push(fieldErrors.invalid(`${path}[${k}]`, v, 'must be a quantity'));
    else if (!parseQuantity(String(v)))
      out.push(fieldErrors.invalid(`${path}[${k}]`, v, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
  }
  return out;
}

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];

function accessModeErrors(modes: unknown, path: string): FieldError[] {
  if (!Array.isArray(modes) || modes.length === 0) return [fieldErrors.required(path, 'at least 1 access mode is required')];
  return modes.filter((m) => !ACCESS_MODES.includes(m as string)).map((m) => fieldErrors.notSupported(path, m, ACCESS_MODES));
}

function configKeyErrors(map: unknown, path: string): FieldError[] {
  if (!isPlainObject(map)) return [];
  const out: FieldError[] = [];
  for (const k of Object.keys(map)) {
    if (!/^[-._a-zA-Z0-9]+$/.test(k) || k.length > 253)
      out.push(fieldErrors.invalid(`${path}`, k, "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"));
  }
  return out;
}

// ---- core/v1 ----------------------------------------------------------------

const namespaces = builtin({
  group: '',
  version: 'v1',
  kind: 'Namespace',
  plural: 'namespaces',
  namespaced: false,
  shortNames: ['ns'],
  statusSubresource: true,
  nameValidation: 'label',
  extraSubresources: ['finalize'],
  strategy: {
    defaults(o) {
      o.metadata.labels = { ...(o.metadata.labels ?? {}), 'kubernetes.io/metadata.name': o.metadata.name ?? '' };
      times(o, CONDITION_TIMES);
    },
    prepareForCreate(o) {
      const spec = obj(o, 'spec');
      const f = Array.isArray(spec.finalizers) ? (spec.finalizers as string[]) : [];
      if (!f.includes('kubernetes')) f.push('kubernetes');
      spec.finalizers = f;
      o.status = { phase: 'Active' };
    },
    fieldSelectors: { 'status.phase': (o) => getPath(o, ['status', 'phase']) as string | undefined },
  },
});

const nodes = builtin({
  group: '',
  version: 'v1',
  kind: 'Node',
  plural: 'nodes',
  namespaced: false,
  shortNames: ['no'],
  statusSubresource: true,
  strategy: {
    prepareForCreate(o) {
      const status = isPlainObject(o.status) ? o.status : {};
      o.status = status;
    },
    defaults(o) {
      const status = o.status;
      if (isPlainObject(status)) {
        canonicalizeQuantities(status.capacity);
        canonicalizeQuantities(status.allocatable);
      }
      if (!isPlainObject(o.spec)) o.spec = {};
      times(o, CONDITION_TIMES);
    },
    fieldSelectors: { 'spec.unschedulable': (o) => String(getPath(o, ['spec', 'unschedulable']) === true) },
  },
});

function containerDefaults(c: unknown): void {
  if (!isPlainObject(c)) return;
  const image = typeof c.image === 'string' ? c.image : '';
  if (c.imagePullPolicy === undefined) {
    const tag = image.includes('@') ? 'digest' : (/:([^/:]+)$/.exec(image)?.[1] ?? 'latest');
    c.imagePullPolicy = tag === 'latest' ? 'Always' : 'IfNotPresent';
  }
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  if (!isPlainObject(c.resources)) c.resources = {};
  const r = c.resources as Record<string, unknown>;
  canonicalizeQuantities(r.requests);
  canonicalizeQuantities(r.limits);
}

const pods = builtin({
  group: '',
  version: 'v1',
  kind: 'Pod',
  plural: 'pods',
  namespaced: true,
  shortNames: ['po'],
  categories: ['all'],
  statusSubresource: true,
  returnDeletedObject: true,
  strategy: {
    defaults(o) {
      const spec = obj(o, 'spec');
      spec.restartPolicy ??= 'Always';
      spec.terminationGracePeriodSeconds ??= 30;
      spec.dnsPolicy ??= 'ClusterFirst';
      spec.securityContext ??= {};
      spec.schedulerName ??= 'default-scheduler';
      spec.enableServiceLinks ??= true;
      spec.preemptionPolicy ??= 'PreemptLowerPriority';
      spec.priority ??= 0;
      spec.serviceAccountName ??= 'default';
      spec.serviceAccount ??= spec.serviceAccountName;
      if (Array.isArray(spec.containers)) spec.containers.forEach(containerDefaults);
      if (Array.isArray(spec.initContainers)) spec.initContainers.forEach(containerDefaults);
      times(o, [...CONDITION_TIMES, 'status.startTime']);
    },
    prepareForCreate(o) {
      o.status = { phase: 'Pending', qosClass: 'BestEffort' };
    },
    validate(o) {
      const out: FieldError[] = [];
      const containers = getPath(o, ['spec', 'containers']);
      if (!Array.isArray(containers) || containers.length === 0) out.push(fieldErrors.required('spec.containers', ''));
      else
        containers.forEach((c, i) => {
          if (!isPlainObject(c) || !c.name) out.push(fieldErrors.required(`spec.containers[${i}].name`, ''));
          if (!isPlainObject(c) || !c.image) out.push(fieldErrors.required(`spec.containers[${i}].image`, ''));
        });
      return out;
    },
    fieldSelectors: {
      'spec.nodeName': (o) => getPath(o, ['spec', 'nodeName']) as string | undefined,
      'spec.restartPolicy': (o) => getPath(o, ['spec', 'restartPolicy']) as string | undefined,
      'spec.schedulerName': (o) => getPath(o, ['spec', 'schedulerName']) as string | undefined,
      'spec.serviceAccountName': (o) => getPath(o, ['spec', 'serviceAccountName']) as string | undefined,
      'spec.hostNetwork': (o) => String(getPath(o, ['spec', 'hostNetwork']) === true),
      'status.phase': (o) => getPath(o, ['status', 'phase']) as string | undefined,
      'status.podIP': (o) => getPath(o, ['status', 'podIP']) as string | undefined,
      'status.nominatedNodeName': (o) => getPath(o, ['status', 'nominatedNodeName']) as string | undefined,
    },
  },
});

const PVC_PROTECTION = 'kubernetes.io/pvc-protection';
const PV_PROTECTION = 'kubernetes.io/pv-protection';

const persistentVolumeClaims = builtin({
  group: '',
  version: 'v1',
  kind: 'PersistentVolumeClaim',
  plural: 'persistentvolumeclaims',
  namespaced: true,
  shortNames: ['pvc'],
  statusSubresource: true,
  returnDeletedObject: true,
  strategy: {
    defaults(o) {
      const spec = obj(o, 'spec');
      spec.volumeMode ??= 'Filesystem';
      const res = spec.resources;
      if (isPlainObject(res)) {
        canonicalizeQuantities(res.requests);
        canonicalizeQuantities(res.limits);
      }
      if (isPlainObject(o.status)) canonicalizeQuantities((o.status as Record<string, unknown>).capacity);
      times(o, CONDITION_TIMES);
    },
    prepareForCreate(o) {
      o.status = { phase: 'Pending' };
      const f = o.metadata.finalizers ?? [];
      if (!f.includes(PVC_PROTECTION)) o.metadata.finalizers = [...f, PVC_PROTECTION];
    },
    validate(o) {
      const out: FieldError[] = [];
      out.push(...accessModeErrors(getPath(o, ['spec', 'accessModes']), 'spec.accessModes'));
      const requests = getPath(o, ['spec', 'resources', 'requests']);
      if (!isPlainObject(requests) || requests.storage === undefined) out.push(fieldErrors.required('spec.resources[storage]', ''));
      out.push(...quantityErrors(requests, 'spec.resources.requests'));
      const mode = getPath(o, ['spec', 'volumeMode']);
      if (mode !== undefined && mode !== 'Filesystem' && mode !== 'Block') out.push(fieldErrors.notSupported('spec.volumeMode', mode, ['Block', 'Filesystem']));
      return out;
    },
    validateUpdate(o, old) {
      const oldVolumeName = getPath(old, ['spec', 'volumeName']);
      const mutable = (spec: unknown): Record<string, unknown> => {
        const c = structuredClone(isPlainObject(spec) ? spec : {});
        if (isPlainObject(c.resources)) {
          delete c.resources.requests;
          if (Object.keys(c.resources).length === 0) delete c.resources;
        }
        delete c.volumeAttributesClassName;
        // volumeName may be set once (binding)
        if (!oldVolumeName) delete c.volumeName;
        return c;
      };
      const out: FieldError[] = [];
      if (!deepEqual(mutable(o.spec), mutable(old.spec)))
        out.push(fieldErrors.forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
      const newSize = getPath(o, ['spec', 'resources', 'requests', 'storage']);
      const capacity = getPath(old, ['status', 'capacity', 'storage']);
      if (typeof newSize === 'string' && typeof capacity === 'string') {
        const n = quantityValue(newSize);
        const c = quantityValue(capacity);
        if (n !== undefined && c !== undefined && n < c) out.push(fieldErrors.forbidden('spec.resources.requests.storage', 'field can not be less than status.capacity'));
      }
      return out;
    },
  },
});

const persistentVolumes = builtin({
  group: '',
  version: 'v1',
  kind: 'PersistentVolume',
  plural: 'persistentvolumes',
  namespaced: false,
  shortNames: ['pv'],
  statusSubresource: true,
  returnDeletedObject: true,
  strategy: {
    defaults(o) {
      const spec = obj(o, 'spec');
      spec.persistentVolumeReclaimPolicy ??= 'Retain';
      spec.volumeMode ??= 'Filesystem';
      canonicalizeQuantities(spec.capacity);
    },
    prepareForCreate(o) {
      o.status = { phase: 'Pending' };
      const f = o.metadata.finalizers ?? [];
      if (!f.includes(PV_PROTECTION)) o.metadata.finalizers = [...f, PV_PROTECTION];
    },
    validate(o) {
      const out: FieldError[] = [];
      const spec = (o.spec as Record<string, unknown>) ?? {};
      out.push(...accessModeErrors(spec.accessModes, 'spec.accessModes'));
      if (!isPlainObject(spec.capacity) || spec.capacity.storage === undefined) out.push(fieldErrors.required('spec.capacity', ''));
      out.push(...quantityErrors(spec.capacity, 'spec.capacity'));
      const sources = ['csi', 'hostPath', 'local', 'nfs', 'iscsi', 'fc', 'rbd', 'cephfs', 'gcePersistentDisk', 'awsElasticBlockStore', 'azureDisk', 'azureFile', 'flexVolume', 'glusterfs', 'cinder', 'vsphereVolume', 'portworxVolume', 'photonPersistentDisk', 'quobyte', 'scaleIO', 'storageos', 'flocker'];
      const n = sources.filter((k) => spec[k] !== undefined).length;
      if (n === 0) out.push(fieldErrors.required('spec', 'must specify a volume type'));
      if (n > 1) out.push(fieldErrors.forbidden('spec', 'may not specify more than 1 volume type'));
      const policy = spec.persistentVolumeReclaimPolicy;
      if (policy !== undefined && !['Delete', 'Recycle', 'Retain'].includes(policy as string))
        out.push(fieldErrors.notSupported('spec.persistentVolumeReclaimPolicy', policy, ['Delete', 'Recycle', 'Retain']));
      return out;
    },
  },
});

const configMaps = builtin({
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  plural: 'configmaps',
  namespaced: true,
  shortNames: ['cm'],
  strategy: {
    validate(o) {
      const out = [...configKeyErrors(o.data, 'data'), ...configKeyErrors(o.binaryData, 'binaryData')];
      if (isPlainObject(o.data))
        for (const [k, v] of Object.entries(o.data)) if (typeof v !== 'string') out.push(fieldErrors.typeInvalid(`data[${k}]`, v, 'must be a string'));
      return out;
    },
    validateUpdate(o, old) {
      if (old.immutable === true && (!deepEqual(o.data, old.data) || !deepEqual(o.binaryData, old.binaryData) || o.immutable !== true))
        return [fieldErrors.forbidden('data', 'field is immutable when `immutable` is set')];
      return [];
    },
  },
});

const secrets = builtin({
  group: '',
  version: 'v1',
  kind: 'Secret',
  plural: 'secrets',
  namespaced: true,
  strategy: {
    defaults(o) {
      o.type ??= 'Opaque';
      // stringData is write-only: merged into data, base64-encoded
      if (isPlainObject(o.stringData)) {
        const data = obj(o, 'data');
        for (const [k, v] of Object.entries(o.stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
        delete o.stringData;
      }
    },
    validate(o) {
      const out = configKeyErrors(o.data, 'data');
      if (isPlainObject(o.data))
        for (const [k, v] of Object.entries(o.data))
          if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) out.push(fieldErrors.invalid(`data[${k}]`, v, 'illegal base64 data'));
      return out;
    },
    validateUpdate(o, old) {
      if (o.type !== old.type) return [fieldErrors.invalid('type', o.type, 'field is immutable')];
      return [];
    },
    fieldSelectors: { type: (o) => o.type as string | undefined },
  },
});

const eventFieldSelectors: Record<string, (o: KubeObject) => string | undefined> = {
  'involvedObject.kind': (o) => getPath(o, ['involvedObject', 'kind']) as string | undefined,
  'involvedObject.namespace': (o) => getPath(o, ['involvedObject', 'namespace']) as string | undefined,
  'involvedObject.name': (o) => getPath(o, ['involvedObject', 'name']) as string | undefined,
  'involvedObject.uid': (o) => getPath(o, ['involvedObject', 'uid']) as string | undefined,
  'involvedObject.apiVersion': (o) => getPath(o, ['involvedObject', 'apiVersion']) as string | undefined,
  'involvedObject.resourceVersion': (o) => getPath(o, ['involvedObject', 'resourceVersion']) as string | undefined,
  'involvedObject.fieldPath': (o) => getPath(o, ['involvedObject', 'fieldPath']) as string | undefined,
  reason: (o) => o.reason as string | undefined,
  reportingComponent: (o) => o.reportingComponent as string | undefined,
  source: (o) => getPath(o, ['source', 'component']) as string | undefined,
  type: (o) => o.type as string | undefined,
};

const eventStrategy: KindStrategy = {
  defaults(o) {
    times(o, ['firstTimestamp', 'lastTimestamp', 'deprecatedFirstTimestamp', 'deprecatedLastTimestamp'], ['eventTime', 'series.lastObservedTime']);
  },
  validate(o) {
    const out: FieldError[] = [];
    const io = o.involvedObject;
    const ns = isPlainObject(io) ? io.namespace : undefined;
    if (typeof ns === 'string' && ns && ns !== o.metadata.namespace)
      out.push(fieldErrors.invalid('involvedObject.namespace', ns, 'does not match event.namespace'));
    return out;
  },
  fieldSelectors: eventFieldSelectors,
};

const coreEvents = builtin({
  group: '',
  version: 'v1',
  kind: 'Event',
  plural: 'events',
  namespaced: true,
  shortNames: ['ev'],
  allowCreateOnUpdate: true,
  strategy: eventStrategy,
});

const eventsV1 = builtin({
  group: 'events.k8s.io',
  version: 'v1',
  kind: 'Event',
  plural: 'events',
  namespaced: true,
  shortNames: ['ev'],
  allowCreateOnUpdate: true,
  storage: { group: '', resource: 'events', apiVersion: 'v1' },
  convert: { fromStorage: coreToEventsV1, toStorage: eventsV1ToCore },
  strategy: {
    ...eventStrategy,
    validate(o) {
      const out: FieldError[] = [];
      if (!o.eventTime) out.push(fieldErrors.required('eventTime', ''));
      if (!o.reportingController) out.push(fieldErrors.required('reportingController', ''));
      if (!o.reportingInstance) out.push(fieldErrors.required('reportingInstance', ''));
      if (!o.action) out.push(fieldErrors.required('action', ''));
      if (!o.reason) out.push(fieldErrors.required('reason', ''));
      if (o.type !== 'Normal' && o.type !== 'Warning') out.push(fieldErrors.invalid('type', o.type ?? '', 'has invalid value: ' + String(o.type ?? '')));
      return out;
    },
  },
});

// ---- coordination.k8s.io/v1 -------------------------------------------------

const leases = builtin({
  group: 'coordination.k8s.io',
  version: 'v1',
  kind: 'Lease',
  plural: 'leases',
  namespaced: true,
  strategy: {
    defaults(o) {
      times(o, [], ['spec.acquireTime', 'spec.renewTime']);
    },
  },
});

// ---- storage.k8s.io/v1 ------------------------------------------------------

const storageClasses = builtin({
  group: 'storage.k8s.io',
  version: 'v1',
  kind: 'StorageClass',
  plural: 'storageclasses',
  namespaced: false,
  shortNames: ['sc'],
  strategy: {
    defaults(o) {
      o.reclaimPolicy ??= 'Delete';
      o.volumeBindingMode ??= 'Immediate';
    },
    validate(o) {
      const out: FieldError[] = [];
      if (!o.provisioner) out.push(fieldErrors.required('provisioner', ''));
      if (!['Delete', 'Retain'].includes(o.reclaimPolicy as string)) out.push(fieldErrors.notSupported('reclaimPolicy', o.reclaimPolicy, ['Delete', 'Retain']));
      if (!['Immediate', 'WaitForFirstConsumer'].includes(o.volumeBindingMode as string))
        out.push(fieldErrors.notSupported('volumeBindingMode', o.volumeBindingMode, ['Immediate', 'WaitForFirstConsumer']));
      return out;
    },
    validateUpdate(o, old) {
      const out: FieldError[] = [];
      if (!deepEqual(o.parameters ?? {}, old.parameters ?? {})) out.push(fieldErrors.forbidden('parameters', 'updates to parameters are forbidden.'));
      if (o.provisioner !== old.provisioner) out.push(fieldErrors.forbidden('provisioner', 'updates to provisioner are forbidden.'));
      if (o.reclaimPolicy !== old.reclaimPolicy) out.push(fieldErrors.forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
      if (o.volumeBindingMode !== old.volumeBindingMode) out.push(fieldErrors.invalid('volumeBindingMode', o.volumeBindingMode, 'field is immutable'));
      return out;
    },
  },
});

const csiDrivers = builtin({
  group: 'storage.k8s.io',
  version: 'v1',
  kind: 'CSIDriver',
  plural: 'csidrivers',
  namespaced: false,
  strategy: {
    defaults(o) {
      const spec = obj(o, 'spec');
      spec.attachRequired ??= true;
      spec.podInfoOnMount ??= false;
      spec.storageCapacity ??= false;
      spec.requiresRepublish ??= false;
      spec.fsGroupPolicy ??= 'ReadWriteOnceWithFSType';
      spec.volumeLifecycleModes ??= ['Persistent'];
      spec.seLinuxMount ??= false;
    },
    validateUpdate(o, old) {
      const out: FieldError[] = [];
      for (const f of ['attachRequired', 'fsGroupPolicy', 'volumeLifecycleModes', 'storageCapacity'])
        if (f !== 'storageCapacity' && !deepEqual(getPath(o, ['spec', f]), getPath(old, ['spec', f])))
          out.push(fieldErrors.invalid(`spec.${f}`, getPath(o, ['spec', f]), 'field is immutable'));
      return out;
    },
  },
});

const csiNodes = builtin({
  group: 'storage.k8s.io',
  version: 'v1',
  kind: 'CSINode',
  plural: 'csinodes',
  namespaced: false,
  strategy: {
    validate(o) {
      const drivers = getPath(o, ['spec', 'drivers']);
      if (!Array.isArray(drivers)) return [fieldErrors.required('spec.drivers', '')];
      const out: FieldError[] = [];
      drivers.forEach((d, i) => {
        if (!isPlainObject(d) || !d.name) out.push(fieldErrors.required(`spec.drivers[${i}].name`, ''));
        if (!isPlainObject(d) || !d.nodeID) out.push(fieldErrors.required(`spec.drivers[${i}].nodeID`, ''));
      });
      return out;
    },
  },
});

const csiStorageCapacities = builtin({
  group: 'storage.k8s.io',
  version: 'v1',
  kind: 'CSIStorageCapacity',
  plural: 'csistoragecapacities',
  namespaced: true,
  strategy: {
    defaults(o) {
      if (o.capacity !== undefined) o.capacity = canonicalQuantity(o.capacity);
      if (o.maximumVolumeSize !== undefined) o.maximumVolumeSize = canonicalQuantity(o.maximumVolumeSize);
    },
    validate(o) {
      return o.storageClassName ? [] : [fieldErrors.required('storageClassName', '')];
    },
    validateUpdate(o, old) {
      const out: FieldError[] = [];
      if (o.storageClassName !== old.storageClassName) out.push(fieldErrors.invalid('storageClassName', o.storageClassName, 'field is immutable'));
      if (!deepEqual(o.nodeTopology, old.nodeTopology)) out.push(fieldErrors.invalid('nodeTopology', o.nodeTopology, 'field is immutable'));
      return out;
    },
  },
});

export const BUILTIN_KINDS: readonly ResourceType[] = [
  namespaces,
  nodes,
  pods,
  persistentVolumeClaims,
  persistentVolumes,
  configMaps,
  secrets,
  coreEvents,
  eventsV1,
  leases,
  storageClasses,
  csiDrivers,
  csiNodes,
  csiStorageCapacities,
];

export const PROTECTION_FINALIZERS = { pvc: PVC_PROTECTION, pv: PV_PROTECTION };
