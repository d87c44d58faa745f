// The controller's own metrics (csi-grpc counts the calls: csi_calls_total and friends), on the
// registry main.ts creates, and the HTTP endpoint that serves them.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What the controller waits for a node to do. */
export type WaitOperation = 'create_volume' | 'create_snapshot' | 'expand_volume' | 'delete_volume' | 'delete_snapshot';
/**
 * How a wait ended: the node did it, the node failed, the object was deleted meanwhile, the
 * caller gave up first (cancelled, deadline, shutdown), or the API failed.
 */
export type WaitOutcome = 'done' | 'node_failed' | 'gone' | 'cancelled' | 'error';

export class ControllerMetrics {
  /** seconds from the object's write to the node's answer, as the caller waited for it */
  readonly waitSeconds: Histogram<'operation' | 'outcome'>;
  /** failures a node reported in status.code, by gRPC code name */
  readonly nodeFailures: Counter<'operation' | 'code'>;
  /** LogicalVolumes removed because their claim was deleted before a PersistentVolume was made */
  readonly orphansRemoved: Counter;
  /** LogicalVolumes marked as having reached a PersistentVolume */
  readonly volumesBound: Counter;
  /** cleanups of deleted Nodes, and what they removed */
  readonly nodeCleanups: Counter<'outcome'>;
  readonly nodeCleanupObjects: Counter<'kind'>;
  /** 1 while this replica leads (runs node cleanup and orphan collection) */
  readonly leader: Gauge;
  /** objects in this replica's caches */
  readonly cachedObjects: Gauge<'resource'>;

  constructor(registry: Registry, caches: () => Record<string, number> = () => ({})) {
    this.waitSeconds = new Histogram({
      name: 'csi_controller_logical_volume_wait_seconds',
      help: 'Time from writing a LogicalVolume to the node having acted on it, by operation and outcome',
      labelNames: ['operation', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers: [registry],
    });
    this.nodeFailures = new Counter({
      name: 'csi_controller_node_failures_total',
      help: 'Failures nodes reported in LogicalVolume status.code, by operation and gRPC code',
      labelNames: ['operation', 'code'],
      registers: [registry],
    });
    this.orphansRemoved = new Counter({
      name: 'csi_controller_orphaned_logical_volumes_removed_total',
      help: 'LogicalVolumes removed because their PersistentVolumeClaim was deleted before a PersistentVolume was made for them',
      registers: [registry],
    });
    this.volumesBound = new Counter({
      name: 'csi_controller_logical_volumes_bound_total',
      help: 'LogicalVolumes recorded as having reached a PersistentVolume (never collected as orphans from then on)',
      registers: [registry],
    });
    this.nodeCleanups = new Counter({
      name: 'csi_controller_node_cleanups_total',
      help: 'Cleanups of deleted Nodes (their LogicalVolumes removed, their claims released), by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.nodeCleanupObjects = new Counter({
      name: 'csi_controller_node_cleanup_objects_total',
      help: 'Objects removed by node cleanups, by kind (logicalvolume, persistentvolumeclaim)',
      labelNames: ['kind'],
      registers: [registry],
    });
    this.leader = new Gauge({
      name: 'csi_controller_leader',
      help: '1 while this replica holds the leader lease and runs the cluster-wide controllers',
      registers: [registry],
    });
    this.cachedObjects = new Gauge({
      name: 'csi_controller_cached_objects',
      help: "Objects in this replica's informer caches, by resource",
      labelNames: ['resource'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [resource, n] of Object.entries(caches())) this.set({ resource }, n);
      },
    });
  }
}

/** host:port as the flag gives it; '' or an empty host means every interface. */
export function parseListenAddress(address: string): { host: string | undefined; port: number } {
  const colon = address.lastIndexOf(':');
  if (colon < 0) throw new RangeError(`${JSON.stringify(address)} is not HOST:PORT`);
  const host = address.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const portText = address.slice(colon + 1);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new RangeError(`${JSON.stringify(address)}: the port must be 0 to 65535`);
  return { host: host === '' ? undefined : host, port };
}

/** Serves GET /metrics (Prometheus text) and GET /healthz; nothing else. */
export async function serveMetrics(registry: Registry, address: string): Promise<{ server: Server; address: string }> {
  const { host, port } = parseListenAddress(address);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(err)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  const shown = bound.family === 'IPv6' ? `[${bound.address}]:${bound.port}` : `${bound.address}:${bound.port}`;
  return { server, address: shown };
}
