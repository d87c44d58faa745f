/**
 * lvmd-http as its own process on the simulated lvm2, the way an operator runs it: over a
 * unix socket, or over TCP with a bearer token (optionally TLS), its simulated lvm2 kept
 * in a state file so that a SIGKILLed instance can be restarted on the same socket and
 * state. What the suites read from outside: the process's resident memory and open file
 * descriptors from /proc, its metrics, and the state file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Lvm } from '@copse/lvm-exec';
import type { LvRecord } from '@copse/lvm-model';
import { SimulatedLvm } from '@copse/lvm-sim';
import { LvmdClient } from '@copse/lvmd-api';
import type { Endpoint } from './wire';

export const WORKSPACE = path.resolve(__dirname, '..', '..', '..');
export const LVMD_MAIN = path.join(WORKSPACE, 'apps', 'lvmd-http', 'dist', 'main.js');

export const MiB = 2 ** 20;
export const GiB = 2 ** 30;
/** the simulated volume group's extent size (lvm2's default) */
export const EXTENT = 4 * MiB;
export const VG = 'vghostile';
export const POOL = 'pool0';
export const POOL_BYTES = 16 * GiB;
export const OVERPROVISION = 5;
export const VG_BYTES = 64 * GiB;
/** the classes and option classes of the configuration below */
export const DEVICE_CLASSES = ['thin', 'thick'] as const;
export const OPTION_CLASSES = ['sequential'] as const;
/** lvmd-http's own tag on a volume whose create is not finished */
export const CREATING_TAG = 'copse.lvmd/creating=';

const LVMD_YAML = [
  'device-classes:',
  '  - name: thin',
  `    volume-group: ${VG}`,
  '    default: true',
  '    type: thin',
  '    thin-pool:',
  `      name: ${POOL}`,
  `      overprovision-ratio: ${OVERPROVISION}`,
  '  - name: thick',
  `    volume-group: ${VG}`,
  '    spare-gb: 1',
  'lvcreate-option-classes:',
  '  - name: sequential',
  '    options: ["--readahead", "2048"]',
  '',
].join('\n');

export interface DaemonOptions {
  /** a directory of its own: config, state file, socket, token */
  readonly dir: string;
  readonly listen: 'unix' | 'tcp';
  /** TCP only: serve TLS with a certificate for 127.0.0.1 made by the caller */
  readonly tls?: { readonly certPath: string; readonly keyPath: string; readonly ca: string };
  /** more flags (limits, watch buffering) */
  readonly args?: readonly string[];
}

/** The last bytes of a process's output kept for a failure message. */
const OUTPUT_TAIL = 64 * 1024;

export class Daemon {
  private constructor(
    readonly options: DaemonOptions,
    readonly child: ChildProcess,
    readonly endpoint: Endpoint,
    readonly token: string | undefined,
    private readonly exited: Promise<void>,
    private readonly tail: () => string,
  ) {}

  /** Starts lvmd-http and resolves once it logged that it is ready. */
  static async start(o: DaemonOptions): Promise<Daemon> {
    if (!fs.existsSync(LVMD_MAIN)) throw new Error(`${LVMD_MAIN} not found: build it first (npx nx run @copse/lvmd-http:build)`);
    fs.mkdirSync(o.dir, { recursive: true });
    const config = path.join(o.dir, 'lvmd.yaml');
    if (!fs.existsSync(config)) fs.writeFileSync(config, LVMD_YAML);
    let token: string | undefined;
    const args = [
      LVMD_MAIN,
      '--config', config,
      '--backend', 'sim',
      '--sim-state', path.join(o.dir, 'sim-state.json'),
      '--sim-vg-size', String(VG_BYTES),
      '--sim-pool-size', String(POOL_BYTES),
      // no periodic re-read: every lvm invocation the suite counts is one a request caused
      '--refresh-interval', '86400',
      '--log-level', 'info',
    ];
    if (o.listen === 'unix') args.push('--listen', `unix:${path.join(o.dir, 'lvmd.sock')}`);
    else {
      const tokenFile = path.join(o.dir, 'token');
      if (!fs.existsSync(tokenFile)) fs.writeFileSync(tokenFile, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
      token = fs.readFileSync(tokenFile, 'utf8').trim();
      args.push('--listen', 'tcp:127.0.0.1:0', '--token-file', tokenFile);
      if (o.tls) args.push('--tls-cert', o.tls.certPath, '--tls-key', o.tls.keyPath);
    }
    args.push(...(o.args ?? []));
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (d: Buffer) => {
      output += d.toString();
      if (output.length > 2 * OUTPUT_TAIL) output = output.slice(-OUTPUT_TAIL);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const ready = await new Promise<{ listen: string }>((resolve, reject) => {
      let pending = '';
      const onLine = (d: Buffer) => {
        pending += d.toString();
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          if (!line.includes('"lvmd-http ready"')) continue;
          child.stdout!.off('data', onLine);
          resolve(JSON.parse(line) as { listen: string });
        }
      };
      child.stdout!.on('data', onLine);
      void exited.then(() => reject(new Error(`lvmd-http exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output}`)));
    });
    const endpoint: Endpoint =
      o.listen === 'unix'
        ? { kind: 'unix', path: ready.listen.slice('unix:'.length) }
        : { kind: 'tcp', port: Number(ready.listen.split(':').pop()), ...(o.tls ? { ca: o.tls.ca } : {}) };
    return new Daemon(o, child, endpoint, token, exited, () => output);
  }

  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** A typed client for the daemon (the caller closes it). */
  client(timeoutMs = 60_000): LvmdClient {
    const e = this.endpoint;
    if (e.kind === 'unix') return new LvmdClient({ endpoint: `unix:${e.path}`, timeoutMs });
    return new LvmdClient({
      endpoint: `${e.ca ? 'https' : 'http'}://127.0.0.1:${e.port}`,
      token: this.token,
      timeoutMs,
      ...(e.ca ? { tls: { ca: e.ca } } : {}),
    });
  }

  /** Authorization header value for raw requests (TCP). */
  get authorization(): string | undefined {
    return this.token === undefined ? undefined : `Bearer ${this.token}`;
  }

  /** VmRSS of the process, in bytes. */
  rssBytes(): number {
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${this.pid}/status`, 'utf8'))?.[1];
    return Number(kb) * 1024;
  }

  /** Open file descriptors of the process. */
  fdCount(): number {
    return fs.readdirSync(`/proc/${this.pid}/fd`).length;
  }

  /** The simulated lvm2's state file, as text (it changes only when an lvm command changed something). */
  stateText(): string {
    return fs.readFileSync(path.join(this.options.dir, 'sim-state.json'), 'utf8');
  }

  /** The LVs the simulated lvm2 holds now, read from the state file with its own lvs (the pool left out). */
  async lvs(): Promise<LvRecord[]> {
    const { lvs } = await new Lvm(SimulatedLvm.fromJSON(JSON.parse(this.stateText()))).readVg(VG);
    return lvs.filter((lv) => lv.name !== POOL);
  }

  output(): string {
    return this.tail();
  }

  async kill(): Promise<void> {
    if (this.alive) this.child.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<void> {
    if (this.alive) this.child.kill('SIGTERM');
    await this.exited;
  }

  /** Another instance on the same directory: the same socket path (or a new port), config and state file. */
  restart(): Promise<Daemon> {
    return Daemon.start(this.options);
  }
}
