/**
 * The whole stack on this host, no stand-in: lvmd-http on the simulated lvm2, csi-node and
 * csi-controller as real processes (their dist builds), on the API test server (or
 * KUBECONFIG's cluster). csi-node keeps the Node's capacity annotations and reconciles the
 * LogicalVolumes the controller writes; the suite drives the controller's socket and checks
 * the LVs lvmd-http reports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { V1Node } from '@kubernetes/client-node';
import { apiCall, waitFor } from '@copse/controller-runtime';
import { capacityAnnotation } from '@copse/k8s-crd';
import { LvmdClient, LvmdClientError, type LogicalVolume as Lv } from '@copse/lvmd-api';
import { startSimulatedLvmdHttp, type LocalLvmdHttp } from '@copse/testnode';
import { call, ControllerProcess } from './controller-process';
import { connect, type Cluster } from './cluster';

export const WORKSPACE = resolve(__dirname, '..', '..', '..');
const CSI_NODE_MAIN = join(WORKSPACE, 'apps', 'csi-node', 'dist', 'main.js');
export const GiB = 1024 ** 3;
/** The simulated volume group and its thin pool; the thin class may promise 5 x the pool. */
export const VG_BYTES = 20 * GiB;
export const POOL_BYTES = 10 * GiB;

export interface NodeStack {
  readonly cluster: Cluster;
  readonly controller: ControllerProcess;
  readonly nodeName: string;
  readonly lvmd: LvmdClient;
  /** the csi-node socket (Identity and Node services) */
  readonly nodeSocket: string;
  call<Res = unknown>(method: string, request: unknown, options?: { deadlineMs?: number }): Promise<Res>;
  /** The LV lvmd-http reports under this name, or undefined. */
  lv(name: string): Promise<Lv | undefined>;
  /** Every LV lvmd-http reports. */
  lvs(): Promise<Lv[]>;
}

/** A child process whose output is kept, for failure messages. */
class Child {
  output = '';
  private readonly exited: Promise<void>;
  constructor(readonly process: ChildProcess) {
    process.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    process.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((r) => process.once('exit', () => r()));
  }
  async stop(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      this.process.kill('SIGTERM');
      await this.exited;
    }
  }
}

function lvmdYaml(vg: string): string {
  return ['device-classes:', '  - name: thin', `    volume-group: ${vg}`, '    default: true', '    type: thin', '    thin-pool:', '      name: pool0', '      overprovision-ratio: 5', '  - name: thick', `    volume-group: ${vg}`, '    spare-gb: 1', ''].join('\n');
}

export function useNodeStack(): () => NodeStack {
  let stack: NodeStack | undefined;
  let cluster: Cluster | undefined;
  let lvmdDaemon: LocalLvmdHttp | undefined;
  let node: Child | undefined;
  let controller: ControllerProcess | undefined;
  let lvmd: LvmdClient | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'csi-controller-stack-'));

  beforeAll(async () => {
    cluster = await connect();
    const c = cluster;
    const nodeName = `${c.runId}-node`;
    await c.createNode(nodeName, {});
    writeFileSync(join(dir, 'lvmd.yaml'), lvmdYaml(`vg${c.runId}`));
    const lvmdSocket = join(dir, 'lvmd.sock');
    lvmdDaemon = await startSimulatedLvmdHttp({
      workspaceRoot: WORKSPACE,
      configPath: join(dir, 'lvmd.yaml'),
      socket: lvmdSocket,
      extraArgs: ['--sim-vg-size', String(VG_BYTES), '--sim-pool-size', String(POOL_BYTES), '--log-level', 'warn'],
    });
    lvmd = new LvmdClient({ endpoint: `unix:${lvmdSocket}`, timeoutMs: 60_000 });
    const nodeSocket = join(dir, 'node.sock');
    node = new Child(
      spawn(
        process.execPath,
        [CSI_NODE_MAIN, '--node-name', nodeName, '--kubeconfig', c.kubeconfigPath, '--csi-socket', nodeSocket, '--lvmd-socket', lvmdSocket, '--metrics-address', '127.0.0.1:0', '--log-level', 'warn'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      ),
    );
    // csi-node is up once the Node carries its capacity annotations
    await waitFor<V1Node>({
      kubeConfig: c.kc,
      path: '/api/v1/nodes',
      name: nodeName,
      get: () => apiCall(() => c.core.readNode({ name: nodeName })),
      condition: (n) => n?.metadata?.annotations?.[capacityAnnotation(c.names, 'thin')] !== undefined,
      timeoutMs: 60_000,
    }).catch((err: unknown) => {
      throw new Error(`csi-node did not annotate its Node: ${String(err)}\n${node?.output}`);
    });
    controller = await new ControllerProcess(c).start();
    const client = controller.controller();
    const lvmdClient = lvmd;
    stack = {
      cluster: c,
      controller,
      nodeName,
      lvmd: lvmdClient,
      nodeSocket,
      call: (method, request, options) => call(client, method, request, options),
      async lv(name) {
        try {
          return await lvmdClient.getLogicalVolume(name);
        } catch (err) {
          if (err instanceof LvmdClientError && err.code === 'not-found') return undefined;
          throw err;
        }
      },
      lvs: () => lvmdClient.listLogicalVolumes(),
    };
  }, 120_000);

  afterAll(async () => {
    await controller?.close();
    await node?.stop();
    await lvmd?.close();
    await lvmdDaemon?.stop();
    await cluster?.close();
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  return () => {
    if (!stack) throw new Error('the stack is not up (did beforeAll fail?)');
    return stack;
  };
}
