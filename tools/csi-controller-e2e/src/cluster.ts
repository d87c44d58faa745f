/**
 * The cluster a suite talks to: the one KUBECONFIG names, unchanged, or a fresh API test
 * server on 127.0.0.1 per spec file. The LogicalVolume CRDs of both groups are served
 * (installed when missing, and then left); everything the suite makes carries the run id in
 * its name (Nodes, device classes, StorageClasses, a namespace, Leases) and close() removes it,
 * finalizers first. Suites assume no other Copse or TopoLVM controller acts on the cluster.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  StorageV1Api,
  type V1CustomResourceDefinition,
  type V1Node,
  type V1PersistentVolume,
  type V1PersistentVolumeClaim,
} from '@kubernetes/client-node';
import { apiCall, collectionPath, isAlreadyExists, isNotFound, waitFor } from '@copse/controller-runtime';
import { apiGroups, capacityAnnotation, logicalVolumeCrd, nameSet, type LogicalVolume, type NameSet } from '@copse/k8s-crd';
import { startTestApiServer, type RunningTestApiServer } from '@copse/kube-test-apiserver';

const CRD_REF = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions', kind: 'CustomResourceDefinition', namespaced: false } as const;

export interface Cluster {
  readonly source: 'kubeconfig' | 'test-server';
  readonly kc: KubeConfig;
  readonly kubeconfigPath: string;
  readonly server?: RunningTestApiServer;
  readonly names: NameSet;
  readonly core: CoreV1Api;
  readonly custom: CustomObjectsApi;
  readonly storage: StorageV1Api;
  readonly runId: string;
  /** A namespace of this run, for claims. */
  readonly namespace: string;
  /** A device class only this run's Nodes report, so that other nodes of a real cluster never count. */
  readonly deviceClass: string;
  /** A fresh name: `<prefix>-<runId>-<n>`. */
  name(prefix: string): string;
  /** Creates a Node reporting `freeBytes` in `deviceClass` (default: the run's). */
  createNode(name: string, free: Record<string, number>, extra?: { finalizers?: string[]; labels?: Record<string, string> }): Promise<V1Node>;
  /** Sets a Node's free bytes annotation. */
  setFree(name: string, deviceClass: string, bytes: number): Promise<void>;
  /** A StorageClass of the driver, removed at the end. */
  createStorageClass(name: string, parameters?: Record<string, string>): Promise<void>;
  createClaim(name: string, storageClassName: string, annotations?: Record<string, string>): Promise<V1PersistentVolumeClaim>;
  /** A PersistentVolume of the driver for a volume, bound to a claim (Retain: nothing acts on it). */
  createPersistentVolume(name: string, volumeHandle: string, claim?: V1PersistentVolumeClaim): Promise<V1PersistentVolume>;
  getLogicalVolume(name: string): Promise<LogicalVolume | undefined>;
  listLogicalVolumes(): Promise<LogicalVolume[]>;
  /** Waits, by watching, until the LogicalVolume is gone. */
  waitGone(name: string, timeoutMs?: number): Promise<void>;
  onClose(step: () => Promise<unknown>): void;
  close(): Promise<void>;
}

function randomId(): string {
  return Math.random().toString(36).slice(2, 8).replace(/^[0-9]/, 'r');
}

async function ensureCrds(kc: KubeConfig): Promise<void> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const { group, version, plural } = CRD_REF;
  for (const g of apiGroups()) {
    const names = nameSet(g);
    try {
      await apiCall(() => custom.createClusterCustomObject({ group, version, plural, body: structuredClone(logicalVolumeCrd(names)) }));
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    await waitFor<V1CustomResourceDefinition>({
      kubeConfig: kc,
      path: collectionPath(CRD_REF),
      name: names.crdName,
      get: () => apiCall(() => custom.getClusterCustomObject({ group, version, plural, name: names.crdName })),
      condition: (c) => Boolean(c?.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True')),
      timeoutMs: 30_000,
    });
  }
}

async function ignoreNotFound(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

export async function connect(): Promise<Cluster> {
  const external = process.env['KUBECONFIG'];
  const kc = new KubeConfig();
  let server: RunningTestApiServer | undefined;
  let dir: string | undefined;
  let kubeconfigPath: string;
  if (external) {
    kc.loadFromDefault();
    kubeconfigPath = external;
  } else {
    dir = mkdtempSync(join(tmpdir(), 'copse-csi-controller-e2e-'));
    kubeconfigPath = join(dir, 'kubeconfig');
    server = await startTestApiServer({ port: 0, kubeconfigPath, snapshotCrds: false });
    kc.loadFromFile(kubeconfigPath);
  }
  await ensureCrds(kc);
  const names = nameSet();
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const storage = kc.makeApiClient(StorageV1Api);
  const runId = randomId();
  const namespace = `csi-e2e-${runId}`;
  await apiCall(() => core.createNamespace({ body: { metadata: { name: namespace } } }));
  const steps: (() => Promise<unknown>)[] = [];
  let counter = 0;
  const lvRef = { group: names.logicalVolumes.group, version: names.logicalVolumes.version, plural: names.logicalVolumes.plural };

  const cluster: Cluster = {
    source: external ? 'kubeconfig' : 'test-server',
    kc,
    kubeconfigPath,
    server,
    names,
    core,
    custom,
    storage,
    runId,
    namespace,
    deviceClass: `dc-${runId}`,
    name(prefix) {
      counter += 1;
      return `${prefix}-${runId}-${counter}`;
    },
    async createNode(name, free, extra = {}) {
      const annotations = Object.fromEntries(Object.entries(free).map(([dc, bytes]) => [capacityAnnotation(names, dc), String(bytes)]));
      const node = await apiCall(() =>
        core.createNode({
          body: {
            metadata: { name, annotations, labels: { [names.topologyNodeKey]: name, ...extra.labels }, finalizers: extra.finalizers },
          },
        }),
      );
      cluster.onClose(async () => {
        await ignoreNotFound(apiCall(() => core.patchNode({ name, body: [{ op: 'replace', path: '/metadata/finalizers', value: [] }] })));
        await ignoreNotFound(apiCall(() => core.deleteNode({ name })));
      });
      return node;
    },
    async setFree(name, deviceClass, bytes) {
      const key = capacityAnnotation(names, deviceClass).replace(/~/g, '~0').replace(/\//g, '~1');
      await apiCall(() => core.patchNode({ name, body: [{ op: 'add', path: `/metadata/annotations/${key}`, value: String(bytes) }] }));
    },
    async createStorageClass(name, parameters = {}) {
      await apiCall(() =>
        storage.createStorageClass({ body: { metadata: { name }, provisioner: names.driverName, parameters, volumeBindingMode: 'WaitForFirstConsumer' } }),
      );
      cluster.onClose(() => ignoreNotFound(apiCall(() => storage.deleteStorageClass({ name }))));
    },
    async createClaim(name, storageClassName, annotations) {
      return apiCall(() =>
        core.createNamespacedPersistentVolumeClaim({
          namespace,
          body: {
            metadata: { name, annotations },
            spec: { accessModes: ['ReadWriteOnce'], storageClassName, resources: { requests: { storage: '1Gi' } } },
          },
        }),
      );
    },
    async createPersistentVolume(name, volumeHandle, claim) {
      const pv = await apiCall(() =>
        core.createPersistentVolume({
          body: {
            metadata: { name },
            spec: {
              capacity: { storage: '1Gi' },
              accessModes: ['ReadWriteOnce'],
              persistentVolumeReclaimPolicy: 'Retain',
              csi: { driver: names.driverName, volumeHandle },
              claimRef: claim
                ? { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: claim.metadata?.namespace, name: claim.metadata?.name, uid: claim.metadata?.uid }
                : undefined,
            },
          },
        }),
      );
      cluster.onClose(async () => {
        await ignoreNotFound(apiCall(() => core.patchPersistentVolume({ name, body: [{ op: 'replace', path: '/metadata/finalizers', value: [] }] })));
        await ignoreNotFound(apiCall(() => core.deletePersistentVolume({ name })));
      });
      return pv;
    },
    async getLogicalVolume(name) {
      try {
        return (await apiCall(() => custom.getClusterCustomObject({ ...lvRef, name }))) as LogicalVolume;
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async listLogicalVolumes() {
      const list = (await apiCall(() => custom.listClusterCustomObject(lvRef))) as { items: LogicalVolume[] };
      return list.items;
    },
    async waitGone(name, timeoutMs = 20_000) {
      await waitFor<LogicalVolume>({
        kubeConfig: kc,
        path: collectionPath(names.logicalVolumes),
        name,
        get: () => apiCall(() => custom.getClusterCustomObject({ ...lvRef, name })) as Promise<LogicalVolume>,
        condition: (lv) => lv === undefined,
        timeoutMs,
      });
    },
    onClose(step) {
      steps.push(step);
    },
    async close() {
      const failures: unknown[] = [];
      for (const step of steps.reverse()) {
        try {
          await step();
        } catch (err) {
          failures.push(err);
        }
      }
      // every LogicalVolume this run made is on one of its nodes; remove them, finalizers first
      try {
        for (const lv of await cluster.listLogicalVolumes()) {
          if (!lv.spec?.nodeName?.includes(runId)) continue;
          const name = lv.metadata?.name as string;
          await ignoreNotFound(apiCall(() => custom.patchClusterCustomObject({ ...lvRef, name, body: [{ op: 'replace', path: '/metadata/finalizers', value: [] }] })));
          await ignoreNotFound(apiCall(() => custom.deleteClusterCustomObject({ ...lvRef, name })));
        }
        await ignoreNotFound(apiCall(() => core.deleteNamespace({ name: namespace })));
      } catch (err) {
        failures.push(err);
      }
      await server?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
      if (failures.length > 0) throw new AggregateError(failures, 'cleaning up the cluster failed');
    },
  };
  return cluster;
}

/** The jest fixture: one cluster per spec file. */
export function useCluster(): () => Cluster {
  let cluster: Cluster | undefined;
  beforeAll(async () => {
    cluster = await connect();
  }, 60_000);
  afterAll(async () => {
    await cluster?.close();
  }, 120_000);
  return () => {
    if (!cluster) throw new Error('the cluster is not connected (did beforeAll fail?)');
    return cluster;
  };
}
