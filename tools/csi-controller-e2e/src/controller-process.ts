/**
 * The real csi-controller (apps/csi-controller/dist/main.js, built by the test target's
 * ^build) as a child process on a unix socket in a temp dir, its JSON log lines captured, and
 * gRPC clients that dial it as the sidecars do.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ServiceError } from '@grpc/grpc-js';
import { callUnary, csiClient } from '@copse/csi-grpc';
import { CsiContract, type ControllerClient, type IdentityClient } from '@copse/csi-spec';
import type { Cluster } from './cluster';

export const CONTROLLER_MAIN = resolve(__dirname, '..', '..', '..', 'apps', 'csi-controller', 'dist', 'main.js');
const contract = CsiContract.load();

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface ControllerProcessOptions {
  /** flags beyond the socket, kubeconfig, metrics address and a per-run Lease */
  readonly args?: readonly string[];
  /** the Lease name (default: one per run) */
  readonly leaseName?: string;
}

export class ControllerProcess {
  readonly lines: LogLine[] = [];
  readonly dir = mkdtempSync(join(tmpdir(), 'csi-controller-'));
  readonly socket = join(this.dir, 'csi.sock');
  metricsUrl = '';
  private child?: ChildProcess;
  private stderr = '';
  private exited?: Promise<number | null>;
  private readonly clients: Array<{ close(): void }> = [];

  constructor(
    private readonly cluster: Cluster,
    private readonly options: ControllerProcessOptions = {},
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the process and resolves once it logs "csi-controller ready". */
  async start(timeoutMs = 30_000): Promise<this> {
    const c = this.cluster;
    const args = [
      CONTROLLER_MAIN,
      '--kubeconfig',
      c.kubeconfigPath,
      '--csi-socket',
      this.socket,
      '--metrics-address',
      '127.0.0.1:0',
      '--leader-election-namespace',
      'default',
      '--leader-election-id',
      this.options.leaseName ?? `csi-e2e-${c.runId}`,
      '--log-level',
      'debug',
      ...(this.options.args ?? []),
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBECONFIG: c.kubeconfigPath } });
    this.child = child;
    this.exited = new Promise((r) => child.once('exit', (code) => r(code)));
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const text = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        try {
          this.lines.push(JSON.parse(text) as LogLine);
        } catch {
          // not a log line
        }
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    const ready = await this.waitForLog((l) => l.msg === 'csi-controller ready', timeoutMs);
    const metrics = String(ready['metrics'] ?? '');
    this.metricsUrl = metrics === 'off' ? '' : metrics;
    return this;
  }

  /** Resolves with the first log line (past or future) that matches. */
  async waitForLog(match: (l: LogLine) => boolean, timeoutMs = 20_000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find(match);
      if (found) return found;
      if (this.child?.exitCode !== null && this.child?.exitCode !== undefined) {
        throw new Error(`csi-controller exited with ${this.child.exitCode}: ${this.stderr}`);
      }
      if (Date.now() > deadline) throw new Error(`no such log line within ${timeoutMs} ms; stderr: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  controller(): ControllerClient {
    const client = csiClient('Controller', this.socket, contract);
    this.clients.push(client);
    return client;
  }

  identity(): IdentityClient {
    const client = csiClient('Identity', this.socket, contract);
    this.clients.push(client);
    return client;
  }

  async metrics(): Promise<string> {
    const res = await fetch(this.metricsUrl);
    return res.text();
  }

  /** SIGTERM (or another signal) and wait for the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    for (const c of this.clients.splice(0)) c.close();
    if (!this.child || this.child.exitCode !== null) return this.child?.exitCode ?? null;
    this.child.kill(signal);
    const code = await this.exited;
    return code ?? null;
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A unary call with an optional deadline, as a promise of the response or the ServiceError. */
export function call<Req, Res>(
  client: ControllerClient | IdentityClient,
  method: string,
  request: Req,
  options: { deadlineMs?: number } = {},
): Promise<Res> {
  const fn = (client as unknown as Record<string, (...a: unknown[]) => unknown>)[method]!.bind(client);
  const callOptions = options.deadlineMs === undefined ? {} : { deadline: new Date(Date.now() + options.deadlineMs) };
  return callUnary<Res>((cb) => fn(request, callOptions, cb) as never);
}

/** The ServiceError a call failed with (fails the test when it succeeded). */
export async function failure(p: Promise<unknown>): Promise<ServiceError> {
  try {
    await p;
  } catch (err) {
    return err as ServiceError;
  }
  throw new Error('the call succeeded; a failure was expected');
}
