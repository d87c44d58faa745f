// A CSI server on a unix socket in a temp dir, real grpc-js clients dialling it, and its
// log captured line by line: what kubelet and the sidecars would see, without mocks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@grpc/grpc-js';
import { CsiContract, type ControllerClient, type IdentityClient, type NodeClient } from '@copse/csi-spec';
import pino from 'pino';
import { Registry } from 'prom-client';
import { callUnary, csiClient } from '../src/client';
import { CsiServer, type CsiServerOptions } from '../src/server';

export const contract = CsiContract.load();

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export class Harness {
  readonly dir = mkdtempSync(join(tmpdir(), 'csi-grpc-'));
  readonly path = join(this.dir, 'csi.sock');
  readonly lines: LogLine[] = [];
  readonly raw: string[] = [];
  readonly log = pino(
    { level: 'debug' },
    {
      write: (s: string) => {
        this.raw.push(s);
        this.lines.push(JSON.parse(s) as LogLine);
      },
    },
  );
  readonly registry = new Registry();
  private readonly clients: Client[] = [];
  private readonly servers: CsiServer[] = [];

  async start(options: Omit<CsiServerOptions, 'endpoint' | 'log' | 'contract' | 'registry'>): Promise<CsiServer> {
    const server = await CsiServer.start({ endpoint: `unix://${this.path}`, log: this.log, contract, registry: this.registry, ...options });
    this.servers.push(server);
    return server;
  }

  identity(): IdentityClient {
    return this.keep(csiClient('Identity', this.path, contract));
  }
  controller(): ControllerClient {
    return this.keep(csiClient('Controller', this.path, contract));
  }
  node(): NodeClient {
    return this.keep(csiClient('Node', this.path, contract));
  }

  private keep<C extends Client>(c: C): C {
    this.clients.push(c);
    return c;
  }

  /** The log lines of the finished calls of `method`. */
  finished(method: string): LogLine[] {
    return this.lines.filter((l) => l.method === method && typeof l.grpcCode === 'string');
  }

  async close(): Promise<void> {
    for (const c of this.clients.splice(0)) c.close();
    await Promise.all(this.servers.splice(0).map((s) => s.shutdown(1000, 500)));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A unary call as a promise of its response or its ServiceError. */
export const unary = callUnary;

/** A promise with its resolve, to hold a handler in flight. */
export interface Deferred<T = void> {
  readonly promise: Promise<T>;
  readonly resolve: (v: T) => void;
}
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Resolves when `signal` aborts, with its reason. */
export function aborted(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(signal.reason);
    else signal.addEventListener('abort', () => resolve(signal.reason), { once: true });
  });
}

/** Polls `check` until it holds (for things that happen on the server after the client's answer). */
export async function eventually(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
