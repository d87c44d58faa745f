import { Server, ServerCredentials, type ChannelOptions, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { CsiContract, type CsiServiceName } from '@copse/csi-spec';
import { releaseSocket, serveAt, type SocketClaim } from '@copse/unix-socket';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { unaryCall, type CallEnvironment } from './call';
import { socketPathOf } from './endpoint';
import type { CsiError } from './errors';
import { CsiCallMetrics } from './metrics';
import type { AsyncHandler, ControllerService, GroupControllerService, IdentityService, NodeService } from './types';

/**
 * Successful calls of these are logged at debug: the CO polls them (livenessprobe every
 * few seconds, kubelet's stats per volume every minute, the provisioner's capacity
 * tracking per class and node every minute). Failures are logged whatever the method.
 */
export const DEFAULT_QUIET_METHODS = [
  'Probe',
  'GetPluginInfo',
  'GetPluginCapabilities',
  'ControllerGetCapabilities',
  'NodeGetCapabilities',
  'GroupControllerGetCapabilities',
  'NodeGetInfo',
  'NodeGetVolumeStats',
  'GetCapacity',
] as const;

export interface CsiServerOptions {
  /** `unix:///var/lib/kubelet/plugins/topolvm.io/node/csi-topolvm.sock` or a path */
  readonly endpoint: string;
  /** served always: kubelet and every sidecar ask it first */
  readonly identity: IdentityService;
  /** served when given; an RPC it lacks answers UNIMPLEMENTED */
  readonly controller?: Partial<ControllerService>;
  readonly node?: Partial<NodeService>;
  readonly groupController?: Partial<GroupControllerService>;
  readonly log: Logger;
  /** where the call metrics go (csi_calls_total, csi_call_duration_seconds, csi_calls_in_flight) */
  readonly registry?: Registry;
  /** the loaded contract, when the app has one already */
  readonly contract?: CsiContract;
  /** the app's translation of its domain errors (e.g. lvmd's) into CsiErrors; undefined: INTERNAL */
  readonly mapError?: (err: unknown) => CsiError | undefined;
  readonly quietMethods?: readonly string[];
  /** the socket's permission bits (default 0660) */
  readonly socketMode?: number;
  readonly grpcOptions?: ChannelOptions;
}

export interface ShutdownResult {
  /** false when calls outlasted the grace period and were cut */
  readonly graceful: boolean;
  /** what became of the socket path: removed, left to the process that now owns it, or already gone */
  readonly socket: 'removed' | 'not-ours' | 'gone';
}

type ServedName = Exclude<CsiServiceName, 'SnapshotMetadata'>;

/**
 * A CSI gRPC server on a unix socket, serving only the services it is given (Identity
 * always). Every call goes through one wrapper: an AbortSignal for cancellation,
 * deadline and shutdown; one error-to-status translation; one log line with secrets
 * stripped; metrics.
 */
export class CsiServer {
  private stopping?: Promise<ShutdownResult>;

  private constructor(
    private readonly server: Server,
    private readonly claim: SocketClaim,
    private readonly log: Logger,
    private readonly forceAbort: AbortController,
    private readonly running: Set<Promise<void>>,
    readonly services: readonly ServedName[],
  ) {}

  /** The socket path the server answers on. */
  get path(): string {
    return this.claim.path;
  }

  /**
   * Starts serving at `options.endpoint`. Refuses (SocketInUseError) when another live
   * process answers on the path; replaces a stale socket; never leaves the path half made.
   */
  static async start(options: CsiServerOptions): Promise<CsiServer> {
    const contract = options.contract ?? CsiContract.load();
    const path = socketPathOf(options.endpoint);
    const forceAbort = new AbortController();
    const running = new Set<Promise<void>>();
    const env: CallEnvironment = {
      contract,
      log: options.log,
      metrics: options.registry ? new CsiCallMetrics(options.registry) : undefined,
      mapError: options.mapError,
      quietMethods: new Set(options.quietMethods ?? DEFAULT_QUIET_METHODS),
      shutdown: forceAbort.signal,
      track: (p) => {
        running.add(p);
        void p.finally(() => running.delete(p));
      },
    };
    const given: Array<[ServedName, object | undefined]> = [
      ['Identity', options.identity],
      ['Controller', options.controller],
      ['Node', options.node],
      ['GroupController', options.groupController],
    ];
    const server = new Server(options.grpcOptions);
    const served: ServedName[] = [];
    for (const [name, handlers] of given) {
      if (!handlers) continue;
      server.addService(contract.services[name], implementation(contract, name, handlers, env));
      served.push(name);
    }
    let claim: SocketClaim;
    try {
      claim = await serveAt(path, (bindPath) => bind(server, `unix://${bindPath}`), { prefix: 'csi', mode: options.socketMode });
    } catch (e) {
      server.forceShutdown(); // closing unlinks the private name it listened on
      throw e;
    }
    options.log.info({ endpoint: path, services: served }, 'CSI server listening');
    return new CsiServer(server, claim, options.log, forceAbort, running, served);
  }

  /**
   * Stops taking calls and lets those running finish for up to `graceMs`; then cuts them
   * (their signals abort with UNAVAILABLE) and waits up to `abandonMs` more for their
   * handlers to return. Removes the socket first, and only if it is still this server's,
   * so that a successor can start at once and a successor's socket is never removed.
   */
  shutdown(graceMs = 10_000, abandonMs = 2_000): Promise<ShutdownResult> {
    this.stopping ??= this.stop(graceMs, abandonMs);
    return this.stopping;
  }

  private async stop(graceMs: number, abandonMs: number): Promise<ShutdownResult> {
    const socket = releaseSocket(this.claim);
    const graceful = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), graceMs);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!graceful) {
      this.forceAbort.abort();
      this.server.forceShutdown();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...this.running]), new Promise((r) => (timer = setTimeout(r, abandonMs)))]);
      clearTimeout(timer);
    }
    this.log.info({ endpoint: this.claim.path, graceful, socket, abandoned: this.running.size }, 'CSI server stopped');
    return { graceful, socket };
  }
}

function implementation(contract: CsiContract, service: ServedName, handlers: object, env: CallEnvironment): UntypedServiceImplementation {
  const methods = [...contract.methods.values()].filter((m) => m.service === service);
  const impl: UntypedServiceImplementation = {};
  for (const m of methods) {
    const h = (handlers as Record<string, unknown>)[m.name];
    if (h !== undefined && typeof h !== 'function') throw new Error(`${service} handler ${m.name} is not a function`);
    const bound = typeof h === 'function' ? (h.bind(handlers) as AsyncHandler<unknown, unknown>) : undefined;
    impl[m.name] = unaryCall(m, bound, env);
  }
  return impl;
}

function bind(server: Server, address: string): Promise<void> {
  return new Promise((resolve, reject) => server.bindAsync(address, ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())));
}
