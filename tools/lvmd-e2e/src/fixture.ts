/**
 * The pieces the e2e suites share: the lvmd.yaml both backends read, the sizes that make
 * the simulated volume group equal to the guest's, one test node that runs lvmd-http on
 * real lvm2, and lvmd-http on the simulated lvm2 spawned on this host.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LvmdClient } from '@copse/lvmd-api';
import { lvmdHttpService, startSimulatedLvmdHttp, startTestNode, workspaceShares, type LocalLvmdHttp, type TestNode } from '@copse/testnode';

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/** One sparse disk per volume group, in the guest and in the simulation alike. */
export const DISK_BYTES = 4 * GiB;
/** Each thin pool, created with `lvcreate -T VG/POOL -L <bytes>b` in both. */
export const POOL_BYTES = 1 * GiB;
export const POOL = 'pool0';
export const OVERPROVISION_RATIO = 3;
/** spare-gb of the thick class: what a thick create must leave free in the VG. */
export const THICK_SPARE_GB = 1;

export const WORKSPACE = path.resolve(__dirname, '..', '..', '..');
export const LVMD_MAIN = path.join(WORKSPACE, 'apps', 'lvmd-http', 'dist', 'main.js');

/** lvmd.yaml with a thin class (default, in POOL) and a thick class on one volume group, and an lvcreate option class. */
export function lvmdYaml(vg: string): string {
  return [
    'device-classes:',
    '  - name: thin',
    `    volume-group: ${vg}`,
    '    default: true',
    '    type: thin',
    '    thin-pool:',
    `      name: ${POOL}`,
    `      overprovision-ratio: ${OVERPROVISION_RATIO}`,
    '  - name: thick',
    `    volume-group: ${vg}`,
    `    spare-gb: ${THICK_SPARE_GB}`,
    'lvcreate-option-classes:',
    '  - name: sequential',
    '    options: ["--readahead", "2048"]',
    '',
  ].join('\n');
}

/** Volume groups of the e2e node: the API suite's, the contract's, raw lvm comparisons', and raw dmsetup comparisons'. */
export const VG = { api: 'vgapi', contract: 'vgcontract', lvm: 'vglvm', dm: 'vgdm' } as const;

/** The dmsetup comparison fills its pool by writing: a small one (the captured 64 MiB of libs/lvm-model/src/fixtures/dmsetup). */
export const DM_POOL_BYTES = 64 * MiB;
/** ... on a disk of its own. */
export const DM_DISK_BYTES = 1 * GiB;

/** Guest ports of the two lvmd-http services. */
export const PORT = { api: 8081, contract: 8082 } as const;

export interface E2eNode {
  readonly node: TestNode;
  /** lvmd-http on VG.api / VG.contract, real lvm2. */
  readonly api: LvmdClient;
  readonly contract: LvmdClient;
  /** Guest device of the disk under VG.lvm (the simulation uses the same path). */
  readonly lvmDisk: string;
  /** Guest device of the disk under VG.dm. */
  readonly dmDisk: string;
  /** From the guest agent's "ready" to both lvmd-http answering /readyz. */
  readonly readyMs: number;
  stop(): Promise<void>;
}

/**
 * Boots ONE test node: three 4 GiB disks, each its own volume group with a 1 GiB thin
 * pool, and lvmd-http (real lvm2) on the first two; and a 1 GiB disk whose volume group
 * has a 64 MiB pool, for the dmsetup comparison. Suites sharing it never touch each
 * other's volume group, so they may run in any order.
 */
export async function startE2eNode(): Promise<E2eNode> {
  if (!fs.existsSync(LVMD_MAIN)) throw new Error(`${LVMD_MAIN} not found: build it first (npx nx run @copse/lvmd-http:build)`);
  const token = randomToken();
  const vgs = [VG.api, VG.contract, VG.lvm];
  const node = await startTestNode({
    disks: [...vgs.map(() => ({ sizeBytes: DISK_BYTES })), { sizeBytes: DM_DISK_BYTES }],
    volumeGroups: [
      ...vgs.map((name, i) => ({ name, disks: [i], thinPools: [{ name: POOL, sizeBytes: POOL_BYTES }] })),
      { name: VG.dm, disks: [vgs.length], thinPools: [{ name: POOL, sizeBytes: DM_POOL_BYTES }] },
    ],
    shares: workspaceShares(WORKSPACE),
    services: [
      lvmdHttpService({ name: 'lvmd-api', port: PORT.api, configFile: 'lvmd-api.yaml', tokenFile: 'lvmd.token' }),
      lvmdHttpService({ name: 'lvmd-contract', port: PORT.contract, configFile: 'lvmd-contract.yaml', tokenFile: 'lvmd.token' }),
    ],
    forwards: [PORT.api, PORT.contract],
    files: { 'lvmd-api.yaml': lvmdYaml(VG.api), 'lvmd-contract.yaml': lvmdYaml(VG.contract), 'lvmd.token': `${token}\n` },
    memoryMiB: 1536,
    bootTimeoutMs: 240_000,
  });
  const booted = Date.now();
  try {
    await node.waitForHttp(PORT.api, '/readyz', { timeoutMs: 120_000 });
    await node.waitForHttp(PORT.contract, '/readyz', { timeoutMs: 120_000 });
  } catch (e) {
    const logs = await node.logs();
    await node.stop();
    throw new Error(`${(e as Error).message}\n${logs.slice(-6000)}`);
  }
  const client = (port: number) => new LvmdClient({ endpoint: `http://127.0.0.1:${node.hostPort(port)}`, token, timeoutMs: 300_000 });
  const api = client(PORT.api);
  const contract = client(PORT.contract);
  return {
    node,
    api,
    contract,
    lvmDisk: node.dataDisk(2),
    dmDisk: node.dataDisk(3),
    readyMs: Date.now() - booted,
    async stop() {
      await Promise.all([api.close(), contract.close()]);
      await node.stop();
    },
  };
}

function randomToken(): string {
  return randomBytes(24).toString('hex');
}

export interface SimLvmd {
  readonly client: LvmdClient;
  readonly output: () => string;
  stop(): Promise<void>;
}

/**
 * lvmd-http on the simulated lvm2, on this host, over a unix socket in a fresh directory:
 * the same lvmd.yaml, and a simulated disk and pool of the guest's sizes.
 */
export async function startSimLvmd(vg: string): Promise<SimLvmd> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'copse-lvmd-e2e-'));
  fs.writeFileSync(path.join(dir, 'lvmd.yaml'), lvmdYaml(vg));
  let daemon: LocalLvmdHttp;
  try {
    daemon = await startSimulatedLvmdHttp({
      workspaceRoot: WORKSPACE,
      configPath: path.join(dir, 'lvmd.yaml'),
      socket: path.join(dir, 'lvmd.sock'),
      extraArgs: ['--sim-vg-size', String(DISK_BYTES), '--sim-pool-size', String(POOL_BYTES), '--log-level', 'warn'],
    });
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const client = new LvmdClient({ endpoint: `unix:${daemon.socket}`, timeoutMs: 60_000 });
  return {
    client,
    output: daemon.output,
    async stop() {
      await client.close();
      await daemon.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
