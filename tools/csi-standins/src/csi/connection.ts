import type { CallOptions, ClientUnaryCall, ServiceError } from '@grpc/grpc-js';
import {
  CsiContract,
  type ControllerClient,
  type IdentityClient,
  type NodeClient,
} from '@copse/csi-spec';
import { csiClient, socketPathOf } from '@copse/csi-grpc';
import { sleepUnlessAborted } from '@copse/controller-runtime';
import type { Logger } from 'pino';

/** A unary call started with call options and a callback, as grpc-js clients take them. */
export type StartCall<Res> = (options: CallOptions, callback: (err: ServiceError | null, res?: Res) => void) => ClientUnaryCall;

/**
 * One CSI endpoint (a unix socket) as the sidecars and kubelet dial it: typed grpc-js clients of
 * its Identity, Controller and Node services, what it said about itself at connect time, and
 * calls with a deadline (the sidecars' --timeout).
 *
 * The real sidecars (csi-lib-utils' connection.Connect and rpc.ProbeForever) wait for the socket
 * and then call Probe until it answers ready; so does connect().
 */
export class CsiConnection {
  private constructor(
    readonly endpoint: string,
    readonly identity: IdentityClient,
    readonly controller: ControllerClient,
    readonly node: NodeClient,
    /** GetPluginInfo's name: the driver name every stand-in matches objects against. */
    readonly driverName: string,
    readonly vendorVersion: string,
    /** GetPluginCapabilities: service types and the volume expansion type. */
    readonly pluginCapabilities: ReadonlySet<string>,
  ) {}

  static async connect(
    endpoint: string,
    options: { log: Logger; signal?: AbortSignal; timeoutMs?: number; contract?: CsiContract },
  ): Promise<CsiConnection> {
    const contract = options.contract ?? CsiContract.load();
    const path = socketPathOf(endpoint);
    const identity = csiClient('Identity', path, contract);
    const controller = csiClient('Controller', path, contract);
    const node = csiClient('Node', path, contract);
    const timeoutMs = options.timeoutMs ?? 10_000;
    try {
      // rpc.ProbeForever: every second until the plugin answers ready
      for (let attempt = 1; ; attempt++) {
        options.signal?.throwIfAborted();
        try {
          const probe = await unary<{ ready: { value: boolean } | null }>((o, cb) => identity.Probe({}, o, cb), timeoutMs);
          if (probe.ready === null || probe.ready.value) break;
          options.log.info({ endpoint: path, attempt }, 'CSI plugin not ready yet; probing again');
        } catch (err) {
          options.log.info({ endpoint: path, attempt, err: (err as Error).message }, 'CSI plugin does not answer Probe yet; retrying');
        }
        await sleepUnlessAborted(1000, options.signal);
      }
      const info = await unary<{ name: string; vendor_version: string }>((o, cb) => identity.GetPluginInfo({}, o, cb), timeoutMs);
      const caps = await unary<{ capabilities: { service?: { type: string } | null; volume_expansion?: { type: string } | null }[] }>(
        (o, cb) => identity.GetPluginCapabilities({}, o, cb),
        timeoutMs,
      );
      const plugin = new Set<string>();
      for (const c of caps.capabilities) {
        if (c.service) plugin.add(c.service.type);
        if (c.volume_expansion) plugin.add(`VOLUME_EXPANSION_${c.volume_expansion.type}`);
      }
      options.log.info({ endpoint: path, driver: info.name, vendorVersion: info.vendor_version, capabilities: [...plugin] }, 'connected to the CSI plugin');
      return new CsiConnection(path, identity, controller, node, info.name, info.vendor_version, plugin);
    } catch (err) {
      identity.close();
      controller.close();
      node.close();
      throw err;
    }
  }

  /** ControllerGetCapabilities' RPC types. */
  async controllerCapabilities(timeoutMs = 10_000): Promise<Set<string>> {
    const res = await unary<{ capabilities: { rpc?: { type: string } | null }[] }>(
      (o, cb) => this.controller.ControllerGetCapabilities({}, o, cb),
      timeoutMs,
    );
    return new Set(res.capabilities.flatMap((c) => (c.rpc ? [c.rpc.type] : [])));
  }

  /** NodeGetCapabilities' RPC types. */
  async nodeCapabilities(timeoutMs = 10_000): Promise<Set<string>> {
    const res = await unary<{ capabilities: { rpc?: { type: string } | null }[] }>((o, cb) => this.node.NodeGetCapabilities({}, o, cb), timeoutMs);
    return new Set(res.capabilities.flatMap((c) => (c.rpc ? [c.rpc.type] : [])));
  }

  close(): void {
    this.identity.close();
    this.controller.close();
    this.node.close();
  }
}

/** A unary call with a deadline `timeoutMs` from now, as a promise of its response or its ServiceError. */
export function unary<Res>(start: StartCall<Res>, timeoutMs: number): Promise<Res> {
  return new Promise((resolve, reject) => {
    start({ deadline: new Date(Date.now() + timeoutMs) }, (err, res) => (err ? reject(err) : resolve(res as Res)));
  });
}
