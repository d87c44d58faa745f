/**
 * What the csi-node suites share: a cluster (a fresh API test server per spec file, or the
 * one KUBECONFIG names, unchanged), lvmd-http on the simulated lvm2 on this host (its state
 * kept in a file, so that it can be stopped and started again with its volumes), a Node
 * object for this run, and csi-node itself started in this process.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CoreV1Api, CustomObjectsApi, KubeConfig, type V1CustomResourceDefinition, type V1Node } from '@kubernetes/client-node';
import pino from 'pino';
import { apiCall, collectionPath, isAlreadyExists, isNotFound, waitFor } from '@copse/controller-runtime';
import { startCsiNode, type CsiNodeConfig, type RunningCsiNode } from '@copse/csi-node';
import { logicalVolumeCrd, nameSet, newLogicalVolume, type LogicalVolume, type NameSet, type NewLogicalVolume } from '@copse/k8s-crd';
import { startTestApiServer, type RunningTestApiServer } from '@copse/kube-test-apiserver';
import { LvmdClient } from '@copse/lvmd-api';
import { startSimulatedLvmdHttp, type LocalLvmdHttp } from '@copse/testnode';

export const WORKSPACE = path.resolve(__dirname, '..', '..', '..');
export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;
/** The simulated volume group and thin pool (the thin class may promise 5 x the pool). */
export const VG_BYTES = 20 * GiB;
export const POOL_BYTES = 10 * GiB;

export function lvmdYaml(vg: string): string {
  return [
    'device-classes:',
    '  - name: thin',
    `    volume-group: ${vg}`,
    '    default: true',
    '    type: thin',
    '    thin-pool:',
    '      name: pool0',
    '      overprovision-ratio: 5',
    '  - name: thick',
    `    volume-group: ${vg}`,
    '    spare-gb: 1',
    '',
  ].join('\n');
}

/** lvmd-http on the simulated lvm2, restartable with its volumes. */
export class SimLvmd {
  private daemon: LocalLvmdHttp | undefined;
  readonly client: LvmdClient;

  constructor(
    readonly dir: string,
    readonly socket: string,
  ) {
    this.client = new LvmdClient({ endpoint: `unix:${socket}`, timeoutMs: 60_000 });
  }

  get running(): boolean {
    return this.daemon !== undefined;
  }

  async start(): Promise<void> {
    if (this.daemon) return;
    this.daemon = await startSimulatedLvmdHttp({
      workspaceRoot: WORKSPACE,
      configPath: path.join(this.dir, 'lvmd.yaml'),
      socket: this.socket,
      extraArgs: ['--sim-vg-size', String(VG_BYTES), '--sim-pool-size', String(POOL_BYTES), '--sim-state', path.join(this.dir, 'sim-state.json'), '--log-level', 'warn'],
    });
  }

  async stop(): Promise<void> {
    const d = this.daemon;
    this.daemon = undefined;
    await d?.stop();
  }

  /** SIGKILL: lvmd-http dies wherever it is (the simulated lvm2 keeps what its last command wrote). */
  async kill(): Promise<void> {
    const d = this.daemon;
    this.daemon = undefined;
    await d?.kill('SIGKILL');
  }

  output(): string {
    return this.daemon?.output() ?? '';
  }
}

export interface Env {
  readonly source: 'kubeconfig' | 'test-server';
  readonly kc: KubeConfig;
  readonly kubeconfigPath: string;
  readonly server?: RunningTestApiServer;
  readonly names: NameSet;
  readonly custom: CustomObjectsApi;
  readonly core: CoreV1Api;
  readonly runId: string;
  /** this run's node (a Node object exists for it) and another node's name */
  readonly nodeName: string;
  readonly otherNode: string;
  readonly lvmd: SimLvmd;
  readonly dir: string;
  /** A LogicalVolume as the controller creates it (node label, finalizer), on this run's node unless said. */
  createLv(input: Omit<NewLogicalVolume, 'nodeName'> & { nodeName?: string }, mutate?: (lv: LogicalVolume) => void): Promise<LogicalVolume>;
  getLv(name: string): Promise<LogicalVolume | undefined>;
  /** Waits (by watching) until the object satisfies `condition` (undefined: it is gone). */
  waitLv(name: string, condition: (lv: LogicalVolume | undefined) => boolean, timeoutMs?: number): Promise<LogicalVolume | undefined>;
  deleteLv(name: string): Promise<void>;
  patchLv(name: string, ops: unknown[]): Promise<LogicalVolume>;
  getNode(): Promise<V1Node>;
  /** Starts csi-node in this process for this run's node (stopped by close()). */
  startNode(overrides?: Omit<Partial<CsiNodeConfig>, 'lvmd'> & { lvmd?: LvmdClient; kubeConfig?: KubeConfig }): Promise<RunningCsiNode>;
  /** A fresh name `<prefix>-<runId>-<n>`. */
  name(prefix: string): string;
  close(): Promise<void>;
}

function randomId(): string {
  return Math.random().toString(36).slice(2, 8).replace(/^[0-9]/, 'r');
}

export async function setUp(): Promise<Env> {
  const runId = randomId();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'copse-csi-node-e2e-'));
  const external = process.env['KUBECONFIG'];
  const kc = new KubeConfig();
  let server: RunningTestApiServer | undefined;
  let kubeconfigPath: string;
  if (external) {
    kc.loadFromDefault();
    kubeconfigPath = external;
  } else {
    kubeconfigPath = path.join(dir, 'kubeconfig');
    server = await startTestApiServer({ port: 0, kubeconfigPath, snapshotCrds: false, logLevel: 'warn' });
    kc.loadFromFile(kubeconfigPath);
  }
  const names = nameSet();
  const custom = kc.makeApiClient(CustomObjectsApi);
  const core = kc.makeApiClient(CoreV1Api);
  await ensureCrd(kc, custom, names);
  const nodeName = `node-${runId}`;
  const otherNode = `other-${runId}`;
  await apiCall(() => core.createNode({ body: { metadata: { name: nodeName, labels: { 'e2e.copse.io/run': runId } } } }));

  fs.writeFileSync(path.join(dir, 'lvmd.yaml'), lvmdYaml(`vg${runId}`));
  const lvmd = new SimLvmd(dir, path.join(dir, 'lvmd.sock'));
  await lvmd.start();

  const { group, version, plural } = names.logicalVolumes;
  const created = new Set<string>();
  const nodes: RunningCsiNode[] = [];
  let counter = 0;
  const log = pino({ level: process.env['CSI_NODE_E2E_LOG'] ?? 'silent' });

  const env: Env = {
    source: external ? 'kubeconfig' : 'test-server',
    kc,
    kubeconfigPath,
    server,
    names,
    custom,
    core,
    runId,
    nodeName,
    otherNode,
    lvmd,
    dir,
    name(prefix) {
      counter += 1;
      return `${prefix}-${runId}-${counter}`;
    },
    async createLv(input, mutate) {
      const lv = newLogicalVolume(names, { ...input, nodeName: input.nodeName ?? nodeName, labels: { ...input.labels, 'e2e.copse.io/run': runId } });
      mutate?.(lv);
      created.add(input.name);
      return (await apiCall(() => custom.createClusterCustomObject({ group, version, plural, body: lv }))) as LogicalVolume;
    },
    async getLv(name) {
      try {
        return (await apiCall(() => custom.getClusterCustomObject({ group, version, plural, name }))) as LogicalVolume;
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async waitLv(name, condition, timeoutMs = 30_000) {
      return waitFor<LogicalVolume>({
        kubeConfig: kc,
        path: collectionPath(names.logicalVolumes),
        name,
        get: () => apiCall(() => custom.getClusterCustomObject({ group, version, plural, name })) as Promise<LogicalVolume>,
        condition,
        timeoutMs,
      });
    },
    async deleteLv(name) {
      await apiCall(() => custom.deleteClusterCustomObject({ group, version, plural, name }));
    },
    async patchLv(name, ops) {
      return (await apiCall(() => custom.patchClusterCustomObject({ group, version, plural, name, body: ops }))) as LogicalVolume;
    },
    async getNode() {
      return apiCall(() => core.readNode({ name: nodeName }));
    },
    async startNode(overrides = {}) {
      const { lvmd: client, kubeConfig, ...config } = overrides;
      const node = await startCsiNode(
        {
          apiGroup: names.group,
          nodeName,
          lvmd: { endpoint: `unix:${lvmd.socket}`, timeoutMs: 60_000 },
          watchSelector: 'label',
          workers: 4,
          vendorVersion: 'e2e',
          ...config,
        },
        { kubeConfig: kubeConfig ?? kc, log, lvmd: client },
      );
      nodes.push(node);
      return node;
    },
    async close() {
      for (const n of nodes) await n.stop({ drain: false }).catch(() => undefined);
      for (const name of created) {
        try {
          await apiCall(() => custom.patchClusterCustomObject({ group, version, plural, name, body: [{ op: 'replace', path: '/metadata/finalizers', value: [] }] }));
          await apiCall(() => custom.deleteClusterCustomObject({ group, version, plural, name }));
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
      try {
        await apiCall(() => core.patchNode({ name: nodeName, body: [{ op: 'replace', path: '/metadata/finalizers', value: [] }] }));
        await apiCall(() => core.deleteNode({ name: nodeName }));
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      await lvmd.client.close();
      await lvmd.stop();
      await server?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return env;
}

const CRD_REF = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions', kind: 'CustomResourceDefinition', namespaced: false } as const;

async function ensureCrd(kc: KubeConfig, custom: CustomObjectsApi, names: NameSet): Promise<void> {
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

/** The jest fixture: one environment per spec file. */
export function useEnv(): () => Env {
  let env: Env | undefined;
  beforeAll(async () => {
    env = await setUp();
  }, 120_000);
  afterAll(async () => {
    await env?.close();
  }, 120_000);
  return () => {
    if (!env) throw new Error('the environment is not set up (did beforeAll fail?)');
    return env;
  };
}

/** Waits for a condition on the test's own state (test side only: csi-node never polls). */
export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
