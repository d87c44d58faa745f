import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TestNodeService, TestNodeShare } from './testnode';

/** Where the workspace's apps, libs and node_modules appear in the guest. */
export const GUEST_WORKSPACE = '/mnt/share';

/** The workspace's apps, libs and node_modules, shared read-only: node resolves fastify and @copse/* from them. */
export function workspaceShares(workspaceRoot: string): TestNodeShare[] {
  return ['apps', 'libs', 'node_modules'].map((d) => ({ hostDir: path.join(workspaceRoot, d), guestDir: `${GUEST_WORKSPACE}/${d}` }));
}

export interface LvmdHttpServiceOptions {
  readonly name: string;
  readonly port: number;
  /** file names under /testnode/files (the node's `files` option) */
  readonly configFile: string;
  readonly tokenFile: string;
  readonly extraArgs?: readonly string[];
}

/**
 * lvmd-http from the workspace's build on real lvm2 in the guest: TCP with a bearer
 * token (the only way lvmd-http serves TCP), no nsenter prefix (the guest is the host).
 */
export function lvmdHttpService(o: LvmdHttpServiceOptions): TestNodeService {
  return {
    name: o.name,
    cwd: GUEST_WORKSPACE,
    argv: [
      'node', `${GUEST_WORKSPACE}/apps/lvmd-http/dist/main.js`,
      '--config', `/testnode/files/${o.configFile}`,
      '--backend', 'lvm',
      '--lvm-path', '/usr/sbin/lvm',
      '--dmsetup-path', '/usr/sbin/dmsetup',
      '--setpriv-path', '/usr/bin/setpriv',
      '--lvm-command-prefix', '[]',
      '--listen', `tcp:0.0.0.0:${o.port}`,
      '--token-file', `/testnode/files/${o.tokenFile}`,
      ...(o.extraArgs ?? []),
    ],
  };
}

/** lvmd-http running on this host (not in a guest). */
export interface LocalLvmdHttp {
  readonly socket: string;
  /** what it printed so far */
  output(): string;
  /** SIGTERM, then wait for it to exit */
  stop(): Promise<void>;
  /** Sends `signal` (SIGKILL: a crash), then waits for it to exit */
  kill(signal: NodeJS.Signals): Promise<void>;
}

export interface SimulatedLvmdHttpOptions {
  readonly workspaceRoot: string;
  readonly configPath: string;
  readonly socket: string;
  /** more flags, e.g. --sim-vg-size, --log-level */
  readonly extraArgs?: readonly string[];
}

/**
 * The workspace's lvmd-http build on the simulated lvm2, serving a unix socket on this
 * host; resolves once the socket exists, rejects with its output if it never does.
 */
export async function startSimulatedLvmdHttp(o: SimulatedLvmdHttpOptions): Promise<LocalLvmdHttp> {
  const main = path.join(o.workspaceRoot, 'apps', 'lvmd-http', 'dist', 'main.js');
  if (!fs.existsSync(main)) throw new Error(`${main} not found: build it first (npx nx run @copse/lvmd-http:build)`);
  let output = '';
  const child = spawn(
    process.execPath,
    [main, '--config', o.configPath, '--backend', 'sim', '--listen', `unix:${o.socket}`, ...(o.extraArgs ?? [])],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // generous: on a loaded 2-core CI machine node alone can take seconds to start
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && !fs.existsSync(o.socket) && child.exitCode === null) await new Promise((r) => setTimeout(r, 25));
  if (!fs.existsSync(o.socket)) {
    child.kill('SIGKILL');
    throw new Error(`simulated lvmd-http did not come up:\n${output}`);
  }
  return {
    socket: o.socket,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        await exited;
      }
    },
  };
}
