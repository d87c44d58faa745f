import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { BadRequestError, Controller, informerFor, toApiError, type Informer } from '@copse/controller-runtime';
import { CsiServer, identityService } from '@copse/csi-grpc';
import { pluginCapabilities, PluginServiceType, VolumeExpansionType } from '@copse/csi-spec';
import { nameSet, type ApiGroup, type LogicalVolume, type NameSet } from '@copse/k8s-crd';
import { LvmdClient, type LvmdClientOptions } from '@copse/lvmd-api';
import { LvmdFollower } from './capacity/lvmd-follower';
import { NodeCapacityPublisher } from './capacity/node-capacity';
import { LogicalVolumeApi } from './logical-volume/api';
import { labelOwnLogicalVolumes } from './logical-volume/label-own';
import { LogicalVolumeReconciler } from './logical-volume/reconciler';
import { lvmdErrorToCsi } from './lvmd-errors';
import { NodeMetrics } from './metrics';
import { createNodeService } from './node-service';
import { type ApiCalls } from '@copse/controller-runtime';

/** The Kubernetes API calls this module makes (deploy/'s RBAC grants exactly the app's union; api-calls.spec.ts checks it against the calls). */
export const API_CALLS: ApiCalls = (lvGroup) => [{ group: lvGroup, resource: 'logicalvolumes', verbs: ['list', 'watch'] }];

/** Everything csi-node is configured with (main.ts reads it from flags and the environment). */
export interface CsiNodeConfig {
  readonly apiGroup: ApiGroup;
  readonly nodeName: string;
  /** the CSI socket (unix:///path or a path); undefined: no CSI server (the reconcilers alone) */
  readonly csiEndpoint?: string;
  readonly lvmd: LvmdClientOptions;
  /**
   * How the node selects its own LogicalVolumes: `label` (names.nodeLabel, set by the
   * controller; works on every cluster) or `field` (spec.nodeName, a CRD selectable field:
   * Kubernetes 1.31+, and the CRD must declare it).
   */
  readonly watchSelector: 'label' | 'field';
  /** LogicalVolumes reconciled at once */
  readonly workers: number;
  /** host and port of the metrics endpoint; undefined: none */
  readonly metrics?: { readonly host: string; readonly port: number };
  readonly vendorVersion: string;
}

export interface CsiNodeDeps {
  readonly kubeConfig: KubeConfig;
  readonly log: Logger;
  readonly registry?: Registry;
  /** an lvmd-http client to use instead of one built from config.lvmd (tests inject faults) */
  readonly lvmd?: LvmdClient;
}

export interface RunningCsiNode {
  readonly names: NameSet;
  readonly registry: Registry;
  readonly informer: Informer<LogicalVolume>;
  readonly follower: LvmdFollower;
  readonly reconciler: LogicalVolumeReconciler;
  /** the CSI server, when config.csiEndpoint was given */
  readonly csi?: CsiServer;
  /** the metrics endpoint's port, when config.metrics was given */
  readonly metricsPort?: number;
  /** Stops everything (once; later calls wait for the first). `drain: false` drops queued work at once (what a crash would leave). */
  stop(options?: { drain?: boolean }): Promise<void>;
}

/**
 * Wires csi-node together and starts it: the LogicalVolume reconciler of this node (an
 * informer over this node's objects only, a queue, lvmd-http calls), lvmd-http's watch
 * stream, the Node's capacity annotations, the metrics endpoint and the CSI server
 * (Identity and Node). main.ts calls it with what it read from flags; suites call it in
 * process.
 */
export async function startCsiNode(config: CsiNodeConfig, deps: CsiNodeDeps): Promise<RunningCsiNode> {
  const { log, kubeConfig } = deps;
  const names = nameSet(config.apiGroup);
  const registry = deps.registry ?? new Registry();
  const metrics = new NodeMetrics(registry, config.nodeName);
  const ownLvmd = deps.lvmd ? undefined : new LvmdClient(config.lvmd);
  const lvmd = deps.lvmd ?? (ownLvmd as LvmdClient);
  const api = new LogicalVolumeApi(kubeConfig, names);
  const started: Array<() => Promise<unknown>> = [];
  const stopAll = async () => {
    for (const stop of started.reverse()) await stop().catch((err: unknown) => log.warn({ err }, 'stopping a part failed'));
  };

  if (ownLvmd) started.push(() => ownLvmd.close());
  try {
    // objects TopoLVM made carry no node label; without it this node would never see them
    if (config.watchSelector === 'label') await labelOwnLogicalVolumes({ api, names, nodeName: config.nodeName, log });
    // an API server that refuses the field selector would leave the informer retrying for ever
    else await requireFieldSelector(api, `spec.nodeName=${config.nodeName}`);

    const follower = new LvmdFollower({ lvmd, log: log.child({ part: 'lvmd-watch' }), metrics });
    follower.start();
    started.push(() => follower.stop());
    metrics.observeDeviceClasses(() => follower.deviceClasses() ?? []);

    const selector =
      config.watchSelector === 'label'
        ? { labelSelector: `${names.nodeLabel}=${config.nodeName}` }
        : { fieldSelector: `spec.nodeName=${config.nodeName}` };
    const informer = informerFor<LogicalVolume>(kubeConfig, names.logicalVolumes, { ...selector, logger: log, name: 'logicalvolumes' });
    const reconciler = new LogicalVolumeReconciler({
      nodeName: config.nodeName,
      names,
      lvmd,
      api,
      cached: (name) => informer.get(name),
      log: log.child({ part: 'logical-volume' }),
      metrics,
    });
    const controller = new Controller<string>({
      name: 'logical-volume',
      concurrency: config.workers,
      reconcile: reconciler.reconcile,
      logger: log.child({ part: 'logical-volume' }),
    });
    controller.watch(informer);
    // a snapshot, restore or clone waits for its source: wake it when the source changes
    const wakeDependents = (source: LogicalVolume) => {
      const name = source.metadata?.name;
      for (const lv of informer.list()) {
        if (lv.spec.source === name && !lv.status?.volumeID && lv.metadata?.name) controller.enqueue(lv.metadata.name);
      }
    };
    informer.on('add', wakeDependents);
    informer.on('update', wakeDependents);
    informer.on('delete', (lv) => reconciler.forget(lv.metadata?.uid ?? ''));
    informer.start();
    started.push(() => informer.stop());
    let drain = true;
    let stopping: Promise<void> | undefined;
    started.push(() => controller.stop({ drain }));
    await informer.waitForSync();
    controller.start();
    log.info({ node: config.nodeName, selector, objects: informer.list().length, workers: config.workers }, 'reconciling this node\'s LogicalVolumes');

    const capacity = new NodeCapacityPublisher({ kubeConfig, names, nodeName: config.nodeName, follower, log: log.child({ part: 'node-capacity' }), metrics });
    started.push(() => capacity.stop());
    await capacity.start();

    let metricsServer: Server | undefined;
    let metricsPort: number | undefined;
    if (config.metrics) {
      metricsServer = await serveMetrics(registry, config.metrics.host, config.metrics.port);
      metricsPort = (metricsServer.address() as AddressInfo).port;
      started.push(() => new Promise<void>((resolve) => metricsServer!.close(() => resolve())));
      log.info({ address: `${config.metrics.host}:${metricsPort}` }, 'serving metrics');
    }

    let csi: CsiServer | undefined;
    if (config.csiEndpoint) {
      const identity = identityService({
        name: names.driverName,
        vendorVersion: config.vendorVersion,
        capabilities: pluginCapabilities({
          services: [PluginServiceType.VOLUME_ACCESSIBILITY_CONSTRAINTS],
          volumeExpansion: VolumeExpansionType.ONLINE,
        }),
        ready: () => informer.hasSynced(),
      });
      const node = createNodeService({
        nodeName: config.nodeName,
        names,
        lvmd,
        volumeById: (id) => informer.list().find((lv) => lv.status?.volumeID === id),
        lvmdVolume: (name) => follower.volume(name),
        log: log.child({ part: 'csi-node-service' }),
        registry,
      });
      csi = await CsiServer.start({ endpoint: config.csiEndpoint, identity, node, log, registry, mapError: lvmdErrorToCsi });
      const server = csi;
      started.push(() => server.shutdown());
    }

    return {
      names,
      registry,
      informer,
      follower,
      reconciler,
      csi,
      metricsPort,
      stop(options = {}) {
        if (!stopping) {
          drain = options.drain ?? true;
          stopping = stopAll();
        }
        return stopping;
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** Fails at start, saying what to do, when the API server does not take spec.nodeName as a field selector. */
async function requireFieldSelector(api: LogicalVolumeApi, fieldSelector: string): Promise<void> {
  try {
    await api.probeFieldSelector(fieldSelector);
  } catch (err) {
    if (!(toApiError(err) instanceof BadRequestError)) throw err;
    throw new Error(
      `--watch-selector field: the API server refuses the field selector ${fieldSelector} (${(err as Error).message}); ` +
        'it needs Kubernetes 1.31+ and the LogicalVolume CRD from deploy/crds (selectableFields: .spec.nodeName), or use --watch-selector label',
      { cause: err },
    );
  }
}

/** GET /metrics (Prometheus text format) and GET /healthz. */
function serveMetrics(registry: Registry, host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(req.method === 'HEAD' ? undefined : text),
        (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err)),
      );
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
