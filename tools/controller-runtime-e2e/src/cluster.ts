/**
 * The cluster a suite talks to: the one KUBECONFIG names, unchanged, or a fresh API test
 * server on 127.0.0.1 for the spec file. Either way the LogicalVolume CRD of the default
 * group is served (installed if missing), every name carries a random run id, and close()
 * removes what the suite made.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CustomObjectsApi, KubeConfig, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { collectionPath, isAlreadyExists, isNotFound, apiCall, waitFor } from '@copse/controller-runtime';
import { logicalVolumeCrd, nameSet, type LogicalVolume, type NameSet } from '@copse/k8s-crd';
import { startTestApiServer, type RunningTestApiServer } from '@copse/kube-test-apiserver';

export interface Cluster {
  readonly source: 'kubeconfig' | 'test-server';
  readonly kc: KubeConfig;
  /** A kubeconfig file for child processes. */
  readonly kubeconfigPath: string;
  /** The test server, when the suite started one. */
  readonly server?: RunningTestApiServer;
  readonly names: NameSet;
  readonly custom: CustomObjectsApi;
  /** Namespace for namespaced objects (Leases, Events): "default", which every cluster has. */
  readonly namespace: string;
  readonly runId: string;
  /** A fresh name: `<prefix>-<runId>-<n>`. */
  name(prefix: string): string;
  /** A LogicalVolume object (not created) with a fresh name. */
  logicalVolume(prefix: string, overrides?: Partial<LogicalVolume['spec']>): LogicalVolume;
  /** Creates a LogicalVolume and remembers to delete it at the end. */
  createLogicalVolume(lv: LogicalVolume): Promise<LogicalVolume>;
  /** Remember a cleanup step for close(). */
  onClose(step: () => Promise<unknown>): void;
  close(): Promise<void>;
}

/** A GET with the kubeconfig's transport and credentials and a chosen Accept header (e.g. a Table). */
export async function getJson(kc: KubeConfig, path: string, accept: string): Promise<unknown> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error('the kubeconfig has no current cluster');
  const url = new URL(path, server);
  const options: https.RequestOptions = { method: 'GET', headers: { accept } };
  await kc.applyToHTTPSOptions(options);
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(url, options, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => {
        if ((res.statusCode ?? 500) >= 300) reject(new Error(`GET ${path}: ${res.statusCode} ${body}`));
        else resolve(JSON.parse(body));
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function randomId(): string {
  return Math.random().toString(36).slice(2, 8).replace(/^[0-9]/, 'r');
}

const CRD_REF = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  plural: 'customresourcedefinitions',
  kind: 'CustomResourceDefinition',
  namespaced: false,
} as const;

/**
 * Installs the CRD if the cluster lacks it and waits until it is Established. Through
 * CustomObjectsApi, which sends the object as it is: client-node's typed
 * ApiextensionsV1Api serializes from its own property names (xKubernetesIntOrString) and
 * would silently drop the wire names (x-kubernetes-int-or-string) of a plain object.
 */
async function ensureCrd(kc: KubeConfig, names: NameSet): Promise<void> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const { group, version, plural } = CRD_REF;
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
    dir = mkdtempSync(join(tmpdir(), 'copse-runtime-e2e-'));
    kubeconfigPath = join(dir, 'kubeconfig');
    server = await startTestApiServer({ port: 0, kubeconfigPath, snapshotCrds: false });
    kc.loadFromFile(kubeconfigPath);
  }
  const names = nameSet();
  await ensureCrd(kc, names);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const runId = randomId();
  const steps: (() => Promise<unknown>)[] = [];
  let counter = 0;
  const { group, version, plural } = names.logicalVolumes;

  const cluster: Cluster = {
    source: external ? 'kubeconfig' : 'test-server',
    kc,
    kubeconfigPath,
    server,
    names,
    custom,
    namespace: 'default',
    runId,
    name(prefix) {
      counter += 1;
      return `${prefix}-${runId}-${counter}`;
    },
    logicalVolume(prefix, overrides = {}) {
      const name = cluster.name(prefix);
      return {
        apiVersion: names.apiVersion,
        kind: 'LogicalVolume',
        metadata: { name, labels: { 'e2e.copse.io/run': runId } },
        spec: { name, nodeName: 'node-a', size: '1Gi', ...overrides },
      };
    },
    async createLogicalVolume(lv) {
      const created = (await apiCall(() => custom.createClusterCustomObject({ group, version, plural, body: lv }))) as LogicalVolume;
      const name = created.metadata?.name as string;
      cluster.onClose(async () => {
        try {
          await apiCall(() =>
            custom.patchClusterCustomObject({ group, version, plural, name, body: [{ op: 'replace', path: '/metadata/finalizers', value: [] }] }),
          );
          await apiCall(() => custom.deleteClusterCustomObject({ group, version, plural, name }));
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      });
      return created;
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
