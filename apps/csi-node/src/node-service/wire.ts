// The seam between csi-node's wiring (app.ts) and the CSI Node service: app.ts hands over
// what csi-node already has (its node name, names, lvmd-http client, log, registry) and
// gets the service CsiServer serves, with the command layer, locks and error
// translation in place.
import type { Logger } from 'pino';
import { Counter, Histogram, type Registry } from 'prom-client';
import { NODE_LOCKS, withLocks, type NodeService } from '@copse/csi-grpc';
import { FsCommands, HostFilesystem, type FilesystemHost, type FsInvocation } from '@copse/fs-exec';
import type { LogicalVolume, NameSet } from '@copse/k8s-crd';
import type { LvmdClient, LogicalVolume as LvmdLogicalVolume } from '@copse/lvmd-api';
import { ProcessRunner } from '@copse/process-runner';
import { nodeErrorToCsi } from './errors';
import { nodeServiceCore } from './node-service';
import { PublishedTargets } from './published';
import { LvmdVolumeSource } from './volume-source';

/** A filesystem or mount command that runs longer than this is killed (mkfs of a large volume takes seconds). */
export const FS_COMMAND_TIMEOUT_MS = 10 * 60_000;

/** What the Node service is given. */
export interface NodeServiceDeps {
  readonly nodeName: string;
  readonly names: NameSet;
  /** lvmd-http on this node (device paths, health, sizes) */
  readonly lvmd: Pick<LvmdClient, 'getLogicalVolume'>;
  /** this node's LogicalVolumes from the reconciler's informer cache, by status.volumeID (unused: lvmd-http is the truth about devices) */
  readonly volumeById?: (volumeId: string) => LogicalVolume | undefined;
  /** an LV as lvmd-http's watch stream last reported it (unused: a GET is as cheap, lvmd-http answers from its cache, and never stale) */
  readonly lvmdVolume?: (name: string) => LvmdLogicalVolume | undefined;
  readonly log: Logger;
  readonly registry?: Registry;
  /** the node's filesystems and mounts; default: the real ones, through a ProcessRunner */
  readonly host?: FilesystemHost;
  /** NodeGetInfo's max_volumes_per_node; 0 (default): the CO decides */
  readonly maxVolumesPerNode?: number;
}

/** The CSI Node service csi-node serves: locked per volume id, its errors as gRPC status. */
export function createNodeService(deps: NodeServiceDeps): Partial<NodeService> {
  const host = deps.host ?? realHost(deps.log, deps.registry);
  const core = nodeServiceCore({
    nodeName: deps.nodeName,
    names: deps.names,
    volumes: new LvmdVolumeSource(deps.lvmd),
    host,
    published: new PublishedTargets(),
    ...(deps.maxVolumesPerNode !== undefined ? { maxVolumesPerNode: deps.maxVolumesPerNode } : {}),
  });
  return wrapNodeService(core);
}

/** withLocks(core, NODE_LOCKS), every handler's domain errors turned into CsiErrors (nodeErrorToCsi). */
export function wrapNodeService(core: Partial<NodeService>): Partial<NodeService> {
  const locked = withLocks(core, NODE_LOCKS) as Record<string, (req: unknown, ctx: unknown) => unknown>;
  const wrapped: Record<string, (req: unknown, ctx: unknown) => Promise<unknown>> = {};
  for (const [method, handler] of Object.entries(locked)) {
    wrapped[method] = async (req, ctx) => {
      try {
        return await handler(req, ctx);
      } catch (e) {
        throw nodeErrorToCsi(e) ?? e;
      }
    };
  }
  return wrapped as Partial<NodeService>;
}

function realHost(log: Logger, registry: Registry | undefined): FilesystemHost {
  const metrics = registry ? new FsCommandMetrics(registry) : undefined;
  const commands = new FsCommands(new ProcessRunner({ timeoutMs: FS_COMMAND_TIMEOUT_MS }), {
    onInvocation: (i) => {
      metrics?.observe(i);
      log.debug({ argv: i.argv, exitCode: i.exitCode, seconds: i.seconds }, 'fs command');
    },
  });
  return new HostFilesystem(commands);
}

/** copse_node_fs_command_*: what the filesystem and mount commands cost, by program. */
class FsCommandMetrics {
  private readonly invocations: Counter<'command' | 'result'>;
  private readonly seconds: Histogram<'command'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.invocations = new Counter({
      name: 'copse_node_fs_command_invocations_total',
      help: 'Filesystem and mount commands run by the Node service, by program and result (ok, failed: non-zero exit, error: not started or cancelled).',
      labelNames: ['command', 'result'],
      registers,
    });
    this.seconds = new Histogram({
      name: 'copse_node_fs_command_duration_seconds',
      help: 'How long each filesystem or mount command ran, by program.',
      labelNames: ['command'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
  }

  observe(i: FsInvocation): void {
    const command = i.argv[0] ?? '';
    this.invocations.inc({ command, result: i.exitCode === 0 ? 'ok' : i.exitCode === 'error' ? 'error' : 'failed' });
    this.seconds.observe({ command }, i.seconds);
  }
}
