/**
 * The whole local stack as real processes, each from its built dist/ entry point:
 * - the API test server (tools/kube-test-apiserver) on 127.0.0.1, with the LogicalVolume CRD;
 * - per node: lvmd-http on the simulated lvm2 (its state in a file) and csi-node on its socket;
 * - csi-controller on its socket;
 * - the TEST stand-ins (tools/csi-standins) for external-provisioner (topology, capacity
 *   tracking, --extra-create-metadata), the PV controller, snapshot-controller and
 *   csi-snapshotter, external-resizer, each node's kubelet with node-driver-registrar, and
 *   (schedulePods) kube-scheduler's part for pods made with kubectl.
 * The sandbox (cli.ts) runs it for a user; suites drive it with kubectl only, as a user does.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { nameSet, type NameSet } from '@copse/k8s-crd';
import { Kubectl, Proc } from './process';

export const WORKSPACE = resolve(__dirname, '..', '..', '..');
const GiB = 1024 ** 3;
export const DEVICE_CLASS = 'thin';

export const MAIN = {
  apiserver: join(WORKSPACE, 'tools', 'kube-test-apiserver', 'dist', 'cli.js'),
  controller: join(WORKSPACE, 'apps', 'csi-controller', 'dist', 'main.js'),
  node: join(WORKSPACE, 'apps', 'csi-node', 'dist', 'main.js'),
  lvmd: join(WORKSPACE, 'apps', 'lvmd-http', 'dist', 'main.js'),
  standins: join(WORKSPACE, 'tools', 'csi-standins', 'dist', 'cli.js'),
};

function lvmdYaml(vg: string): string {
  return [
    'device-classes:',
    `  - name: ${DEVICE_CLASS}`,
    `    volume-group: ${vg}`,
    '    default: true',
    '    type: thin',
    '    thin-pool:',
    '      name: pool0',
    '      overprovision-ratio: 5',
    '',
  ].join('\n');
}

export interface StackOptions {
  /** where sockets, state, the kubeconfig and logs go; default a new temp dir, removed at stop */
  readonly dir?: string;
  /** the nodes' names; default two named after a random run id */
  readonly nodeNames?: readonly string[];
  /** each process's output also to <dir>/logs/<name>.log */
  readonly logFiles?: boolean;
  /** the scheduler stand-in binds pods made without a node (the sandbox: yes; suites that pin pods: no) */
  readonly schedulePods?: boolean;
  /** csi-node and csi-controller log level (info) */
  readonly logLevel?: string;
  /** the simulated volume group and thin pool of each node */
  readonly vgBytes?: number;
  readonly poolBytes?: number;
}

export interface StackNode {
  readonly name: string;
  readonly lvmdSocket: string;
  readonly csiSocket: string;
  lvmd?: Proc;
  csiNode?: Proc;
}

export class Stack {
  readonly dir: string;
  readonly kubeconfig: string;
  readonly names: NameSet = nameSet();
  readonly runId = Math.random().toString(36).slice(2, 8).replace(/^[0-9]/, 'r');
  readonly nodes: StackNode[];
  readonly kubectl: Kubectl;
  readonly controllerSocket: string;
  private readonly procs: Proc[] = [];
  private readonly ownDir: boolean;

  constructor(private readonly options: StackOptions = {}) {
    this.ownDir = options.dir === undefined;
    this.dir = options.dir ?? mkdtempSync(join(tmpdir(), 'copse-stack-'));
    mkdirSync(this.dir, { recursive: true });
    this.kubeconfig = join(this.dir, 'kubeconfig');
    this.kubectl = new Kubectl(this.kubeconfig);
    this.controllerSocket = join(this.dir, 'csi-controller.sock');
    const names = options.nodeNames ?? [`e2e-${this.runId}-n1`, `e2e-${this.runId}-n2`];
    this.nodes = names.map((name, i) => ({ name, lvmdSocket: join(this.dir, `lvmd-${i + 1}.sock`), csiSocket: join(this.dir, `csi-node-${i + 1}.sock`) }));
  }

  /** The log file of a component, when logFiles is on. */
  logFile(component: string): string | undefined {
    return this.options.logFiles ? join(this.dir, 'logs', `${component.replace(/[^A-Za-z0-9._-]+/g, '-')}.log`) : undefined;
  }

  async start(): Promise<void> {
    for (const [what, path] of Object.entries(MAIN)) {
      if (!existsSync(path)) throw new Error(`${path} not found: build ${what} first (the sandbox's build target builds it)`);
    }
    if (this.options.logFiles) mkdirSync(join(this.dir, 'logs'), { recursive: true });
    const logLevel = this.options.logLevel ?? 'info';
    const crd = join(WORKSPACE, 'deploy', 'crds', this.names.group, 'logicalvolumes.yaml');
    const apiserver = this.spawn('kube-test-apiserver', [MAIN.apiserver, '--port', '0', '--kubeconfig', this.kubeconfig, '--crd', crd, '--log-level', 'warn']);
    await apiserver.until('a kubeconfig', async () => existsSync(this.kubeconfig) && (await this.kubectl.run(['get', '--raw', '/readyz'])).code === 0);

    // kubelet registers its Node before the plugin's pods run; csi-node keeps it annotated
    await this.kubectl.apply(...this.nodes.map((n) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: n.name, labels: { 'kubernetes.io/hostname': n.name } } })));
    await Promise.all(this.nodes.map((node, i) => this.startNode(node, i, logLevel)));

    const controller = this.spawn('csi-controller', [
      MAIN.controller,
      '--csi-socket',
      this.controllerSocket,
      '--kubeconfig',
      this.kubeconfig,
      '--leader-election',
      'false',
      '--metrics-address',
      '',
      '--log-level',
      logLevel,
    ]);
    await controller.until('csi-controller ready', () => controller.log().includes('"csi-controller ready"'));

    const standins = this.spawn(
      'csi-standins',
      [
        MAIN.standins,
        '--kubeconfig',
        this.kubeconfig,
        '--controller-endpoint',
        `unix://${this.controllerSocket}`,
        ...this.nodes.flatMap((n) => ['--node', `${n.name}=unix://${n.csiSocket}`]),
        '--kubelet-root-dir',
        join(this.dir, 'kubelet'),
        '--extra-create-metadata',
        '--enable-capacity',
        '--capacity-namespace',
        'default',
        '--retry-interval-start',
        '200ms',
        '--retry-interval-max',
        '5s',
        ...(this.options.schedulePods ? ['--schedule-pods'] : []),
      ],
      { CSI_STANDINS_LOG_LEVEL: 'info' },
    );
    await standins.until('the stand-ins running', () => standins.log().includes('test stand-ins running'));
  }

  private async startNode(node: StackNode, i: number, logLevel: string): Promise<void> {
    writeFileSync(join(this.dir, `lvmd-${i + 1}.yaml`), lvmdYaml(`vg${this.runId}n${i + 1}`));
    node.lvmd = this.spawn(`lvmd-http ${node.name}`, [
      MAIN.lvmd,
      '--config',
      join(this.dir, `lvmd-${i + 1}.yaml`),
      '--backend',
      'sim',
      '--listen',
      `unix:${node.lvmdSocket}`,
      '--sim-vg-size',
      String(this.options.vgBytes ?? 20 * GiB),
      '--sim-pool-size',
      String(this.options.poolBytes ?? 10 * GiB),
      '--sim-state',
      join(this.dir, `sim-${i + 1}.json`),
      '--log-level',
      'warn',
    ]);
    await node.lvmd.until('its socket', () => existsSync(node.lvmdSocket));
    node.csiNode = this.spawn(`csi-node ${node.name}`, [
      MAIN.node,
      '--node-name',
      node.name,
      '--csi-socket',
      node.csiSocket,
      '--lvmd-socket',
      node.lvmdSocket,
      '--kubeconfig',
      this.kubeconfig,
      '--metrics-address',
      '',
      '--log-level',
      logLevel,
    ]);
    await node.csiNode.until('csi-node ready', () => node.csiNode?.log().includes('"csi-node ready"') ?? false);
  }

  /** The running processes. */
  processes(): readonly Proc[] {
    return this.procs;
  }

  /** Each process's last lines, for a failed test's message. */
  logs(): string {
    return this.procs.map((p) => `--- ${p.name}\n${p.tail(30)}`).join('\n');
  }

  /** The thin volumes lvmd-http's simulated lvm2 holds on a node (its state file, written at each change). */
  simulatedLvs(node: StackNode): string[] {
    const file = join(this.dir, `sim-${this.nodes.indexOf(node) + 1}.json`);
    if (!existsSync(file)) return [];
    const state = JSON.parse(readFileSync(file, 'utf8')) as { vgs: { lvs: { name: string; type: string }[] }[] };
    return state.vgs.flatMap((vg) => vg.lvs.filter((lv) => lv.type !== 'thin-pool').map((lv) => lv.name));
  }

  async stop(): Promise<void> {
    for (const p of [...this.procs].reverse()) await p.stop();
    if (this.ownDir) rmSync(this.dir, { recursive: true, force: true });
  }

  private spawn(name: string, args: string[], env: NodeJS.ProcessEnv = {}): Proc {
    const p = new Proc(name, args, { env, logFile: this.logFile(name) });
    this.procs.push(p);
    return p;
  }
}
