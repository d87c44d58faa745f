#!/usr/bin/env node
/**
 * copse-testnode: start a real-lvm2 test node by hand and leave it running.
 *
 *   node tools/testnode/dist/cli.js start --lvmd-http [--config lvmd.yaml]   (this workspace's lvmd-http on real lvm2)
 *   node tools/testnode/dist/cli.js start [--config lvmd.yaml] [--share DIR:GUESTDIR] [--forward PORT]
 *        [--service NAME=PROGRAM ARGS...] [--env NAME:KEY=VALUE] [--cwd NAME:DIR] [--vg NAME[:POOL...]]
 *        [--disk-size 8G] [--pool-size 4G] [--host-service GUESTPORT:HOSTPORT] [--memory MiB] [--boot-timeout S]
 *   node tools/testnode/dist/cli.js list | logs ID | lvm ID LVM-ARGS... | stop ID | stop --all | deps
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { testNodeAvailability } from './availability';
import { cacheRoot } from './cache';
import { parseStartArgs, StartArgs } from './cli-args';
import { ControlClient } from './control-client';
import { volumeGroupsFromLvmdConfig } from './lvmd-config';
import { lvmdHttpService, workspaceShares } from './lvmd-http-service';
import { startTestNode, TestNodeOptions, TestNodeVolumeGroup } from './testnode';

interface NodeState {
  readonly pid: number;
  readonly tempDir: string;
  readonly consoleLog: string;
  readonly controlPort: number;
  readonly token: string;
  readonly forwards: Record<string, number>;
  readonly startedAt: string;
}

const stateDir = (): string => path.join(cacheRoot(), 'nodes');
const statePath = (id: string): string => path.join(stateDir(), `${id}.json`);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function readState(id: string): NodeState {
  if (!/^\d+$/.test(id)) throw new Error(`node id is the qemu pid shown by "list", got ${id}`);
  try {
    return JSON.parse(fs.readFileSync(statePath(id), 'utf8')) as NodeState;
  } catch {
    throw new Error(`no test node ${id} (see "list")`);
  }
}

function allStates(): NodeState[] {
  if (!fs.existsSync(stateDir())) return [];
  return fs
    .readdirSync(stateDir())
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(stateDir(), f), 'utf8')) as NodeState);
}

/** Guest port lvmd-http listens on with --lvmd-http. */
const LVMD_HTTP_PORT = 8080;

/** The workspace this CLI belongs to (dist/cli.js -> tools/testnode/dist). */
const workspaceRoot = (): string => path.resolve(__dirname, '..', '..', '..');

interface Plan {
  readonly options: TestNodeOptions;
  readonly lvmdToken?: string;
}

/**
 * --lvmd-http: share the workspace's apps, libs and node_modules at /mnt/share (node
 * resolves fastify and the @copse packages there as on the host), and run lvmd-http
 * with the lvm backend on guest port 8080, over TCP with a fresh bearer token.
 */
function lvmdHttpPreset(args: StartArgs): Pick<TestNodeOptions, 'shares' | 'services' | 'forwards'> & { token: string; configFile: string } {
  const root = workspaceRoot();
  const main = path.join(root, 'apps', 'lvmd-http', 'dist', 'main.js');
  if (!fs.existsSync(main)) throw new Error(`${main} not found: build it first (npx nx run @copse/lvmd-http:build)`);
  return {
    token: randomBytes(24).toString('hex'),
    configFile: args.configFile ?? path.join(root, 'apps', 'lvmd-http', 'dev', 'lvmd.yaml'),
    shares: workspaceShares(root),
    forwards: [LVMD_HTTP_PORT],
    services: [lvmdHttpService({ name: 'lvmd-http', port: LVMD_HTTP_PORT, configFile: 'lvmd.yaml', tokenFile: 'lvmd.token' })],
  };
}

function planFrom(args: StartArgs): Plan {
  const disks: { sizeBytes: number }[] = [];
  const volumeGroups: TestNodeVolumeGroup[] = [];
  const files: Record<string, string> = {};
  const preset = args.lvmdHttp ? lvmdHttpPreset(args) : undefined;
  if (preset) files['lvmd.token'] = `${preset.token}\n`;
  const configFile = preset?.configFile ?? args.configFile;
  if (configFile) {
    const text = fs.readFileSync(configFile, 'utf8');
    const fromConfig = volumeGroupsFromLvmdConfig(text, { diskSizeBytes: args.diskSizeBytes, poolSizeBytes: args.poolSizeBytes });
    disks.push(...fromConfig.disks);
    volumeGroups.push(...fromConfig.volumeGroups);
    files['lvmd.yaml'] = text;
  }
  for (const vg of args.volumeGroups) {
    volumeGroups.push({
      name: vg.name,
      disks: [disks.length],
      thinPools: vg.pools.map((name) => ({ name, sizeBytes: args.poolSizeBytes })),
    });
    disks.push({ sizeBytes: args.diskSizeBytes });
  }
  if (volumeGroups.length === 0) {
    volumeGroups.push({ name: 'myvg1', disks: [0], thinPools: [{ name: 'pool0', sizeBytes: args.poolSizeBytes }] });
    disks.push({ sizeBytes: args.diskSizeBytes });
  }
  const options: TestNodeOptions = {
    disks,
    volumeGroups,
    shares: [...(preset?.shares ?? []), ...args.shares.map((s) => ({ hostDir: path.resolve(s.hostDir), guestDir: s.guestDir }))],
    services: [...(preset?.services ?? []), ...args.services],
    forwards: [...(preset?.forwards ?? []), ...args.forwards],
    hostServices: args.hostServices,
    files,
    memoryMiB: args.memoryMiB,
    bootTimeoutMs: args.bootTimeoutMs,
    detached: true,
    log: (line) => process.stderr.write(`${line}\n`),
  };
  return { options, lvmdToken: preset?.token };
}

async function start(argv: readonly string[]): Promise<void> {
  const args = parseStartArgs(argv);
  const { options, lvmdToken } = planFrom(args);
  const node = await startTestNode(options);
  const state: NodeState = {
    pid: node.pid,
    tempDir: node.tempDir,
    consoleLog: node.consoleLogPath,
    controlPort: node.control.port,
    token: node.control.token,
    forwards: Object.fromEntries((options.forwards ?? []).map((g) => [String(g), node.hostPort(g)])),
    startedAt: new Date().toISOString(),
  };
  fs.mkdirSync(stateDir(), { recursive: true, mode: 0o700 });
  fs.writeFileSync(statePath(String(node.pid)), JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  const self = path.relative(process.cwd(), __filename) || __filename;
  const out = process.stdout;
  out.write(`test node ${node.pid} is up (image ${node.timings.imageMs} ms${node.timings.imageBuilt ? ', built' : ', cached'}, boot ${node.timings.bootMs} ms)\n`);
  for (const vg of options.volumeGroups ?? []) {
    out.write(`  volume group ${vg.name}: thin pools ${vg.thinPools.map((p) => p.name).join(', ') || '(none)'}\n`);
  }
  if (options.files?.['lvmd.yaml'] !== undefined) out.write(`  your lvmd config is at /testnode/files/lvmd.yaml in the guest\n`);
  for (const [g, h] of Object.entries(state.forwards)) {
    out.write(`  guest port ${g} -> 127.0.0.1:${h}    e.g. curl -sS http://127.0.0.1:${h}/\n`);
  }
  out.write(`  run lvm in it:  node ${self} lvm ${node.pid} lvs -a\n`);
  out.write(`  console log:    ${node.consoleLogPath}   (or: node ${self} logs ${node.pid})\n`);
  out.write(`  stop it:        node ${self} stop ${node.pid}\n`);
  if (lvmdToken) {
    const tokenFile = path.join(node.tempDir, 'lvmd.token');
    fs.writeFileSync(tokenFile, `${lvmdToken}\n`, { mode: 0o600 });
    const port = node.hostPort(LVMD_HTTP_PORT);
    out.write(`  lvmd-http on real lvm2 (token in ${tokenFile}):\n`);
    out.write(`    curl -sS http://127.0.0.1:${port}/readyz\n`);
    out.write(`    curl -sS -H "Authorization: Bearer $(cat ${tokenFile})" http://127.0.0.1:${port}/v1/device-classes\n`);
    try {
      await node.waitForHttp(LVMD_HTTP_PORT, '/healthz', { timeoutMs: 30_000 });
    } catch {
      throw new Error(`lvmd-http is not answering; the node is still running: see its logs (logs ${node.pid}) and stop it (stop ${node.pid})`);
    }
  }
}

async function stop(id: string): Promise<void> {
  const state = readState(id);
  if (alive(state.pid)) {
    process.kill(state.pid, 'SIGTERM');
    for (let i = 0; i < 50 && alive(state.pid); i++) await new Promise((r) => setTimeout(r, 100));
    if (alive(state.pid)) process.kill(state.pid, 'SIGKILL');
  }
  fs.rmSync(state.tempDir, { recursive: true, force: true });
  fs.rmSync(statePath(id), { force: true });
  process.stdout.write(`test node ${id} stopped\n`);
}

async function main(argv: readonly string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      return start(rest);
    case 'stop':
      if (rest[0] === '--all') {
        for (const s of allStates()) await stop(String(s.pid));
        return;
      }
      return stop(rest[0] ?? '');
    case 'list':
      for (const s of allStates()) {
        const ports = Object.entries(s.forwards).map(([g, h]) => `${g}->127.0.0.1:${h}`).join(' ');
        process.stdout.write(`${s.pid}\t${alive(s.pid) ? 'running' : 'gone'}\t${s.startedAt}\t${ports}\n`);
      }
      return;
    case 'logs': {
      const state = readState(rest[0] ?? '');
      process.stdout.write(fs.readFileSync(state.consoleLog, 'utf8'));
      if (alive(state.pid)) {
        const logs = await new ControlClient(state.controlPort, state.token).logs();
        for (const [name, text] of Object.entries(logs.services)) process.stdout.write(`\n=== service ${name} ===\n${text}`);
      }
      return;
    }
    case 'lvm': {
      const state = readState(rest[0] ?? '');
      const result = await new ControlClient(state.controlPort, state.token).lvm(rest.slice(1));
      process.stdout.write(result.stdout);
      process.stderr.write(result.stderr);
      process.exitCode = result.exitCode;
      return;
    }
    case 'deps': {
      const a = testNodeAvailability();
      process.stdout.write(a.ok ? 'all test node dependencies are present\n' : `${a.reason}\n`);
      process.exitCode = a.ok ? 0 : 1;
      return;
    }
    default:
      process.stderr.write(
        'usage: cli.js start [--config lvmd.yaml] [--share DIR:GUESTDIR] [--forward PORT] [--service NAME=PROGRAM ARGS...]\n' +
          '                    [--env NAME:KEY=VALUE] [--cwd NAME:DIR] [--vg NAME[:POOL...]] [--disk-size 8G] [--pool-size 4G]\n' +
          '                    [--host-service GUESTPORT:HOSTPORT] [--memory MiB] [--boot-timeout SECONDS]\n' +
          '       cli.js list | logs ID | lvm ID LVM-ARGS... | stop ID | stop --all | deps\n',
      );
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
