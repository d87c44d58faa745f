// Wires the controller from its collaborators (main.ts builds them from flags and the
// environment): the caches every replica keeps, the CSI service on the socket, and the
// cluster-wide work under leader election.
import { CoreV1Api, type KubeConfig, type V1Node } from '@kubernetes/client-node';
import { EventRecorder, Informer, informerFor, type Logger as RuntimeLogger } from '@copse/controller-runtime';
import { CONTROLLER_LOCKS, CsiServer, identityService, withLocks, type ControllerService } from '@copse/csi-grpc';
import { nameSet, type LogicalVolume } from '@copse/k8s-crd';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { ControllerServer } from './csi/controller';
import { PLUGIN_CAPABILITIES } from './csi/support';
import { leadWhileElected, runLeaderWork } from './controllers/leader-work';
import type { Config } from './flags';
import { mapKubernetesError } from './k8s/errors';
import { LogicalVolumes } from './k8s/logical-volumes';
import { NodeCapacities, nodeMetadataOnly } from './k8s/nodes';
import { ControllerMetrics } from './metrics';
import { EVENT_RECORDER_CALLS, type ApiCalls } from '@copse/controller-runtime';

/** The Kubernetes API calls this module makes (deploy/'s RBAC grants exactly the app's union; api-calls.spec.ts checks it against the calls). */
export const API_CALLS: ApiCalls = (lvGroup) => [
  { group: lvGroup, resource: 'logicalvolumes', verbs: ['list', 'watch'] },
  { group: '', resource: 'nodes', verbs: ['list', 'watch'] },
  ...EVENT_RECORDER_CALLS(lvGroup),
];

export interface ControllerDeps {
  readonly kubeConfig: KubeConfig;
  readonly log: Logger;
  readonly registry: Registry;
  readonly vendorVersion: string;
  /** the Lease's namespace when the flag does not name one */
  readonly defaultLeaseNamespace: string;
}

export interface RunningController {
  readonly socketPath: string;
  /** Stops taking calls, lets running ones finish (up to graceMs), releases the Lease, stops the caches. */
  stop(graceMs?: number): Promise<void>;
}

export async function startController(config: Config, deps: ControllerDeps): Promise<RunningController> {
  const { kubeConfig, log, registry } = deps;
  const names = nameSet(config.apiGroup);
  const runtimeLog = log as unknown as RuntimeLogger;
  const core = kubeConfig.makeApiClient(CoreV1Api);

  const lvInformer = informerFor<LogicalVolume>(kubeConfig, names.logicalVolumes, { logger: runtimeLog, name: 'logicalvolumes' });
  const nodeInformer = new Informer<V1Node>({
    kubeConfig,
    path: '/api/v1/nodes',
    list: (o) => core.listNode(o),
    transform: nodeMetadataOnly,
    name: 'nodes',
    logger: runtimeLog,
  });
  const volumes = new LogicalVolumes({ kubeConfig, names, informer: lvInformer, log: runtimeLog });
  const nodes = new NodeCapacities(nodeInformer, names);
  const metrics = new ControllerMetrics(registry, () => ({ logicalvolumes: lvInformer.list().length, nodes: nodeInformer.list().length }));
  lvInformer.start();
  nodeInformer.start();
  const stopping = new AbortController();
  const synced = async (signal: AbortSignal): Promise<void> => {
    await Promise.all([lvInformer.waitForSync(signal), nodeInformer.waitForSync(signal)]);
  };

  const controller = withLocks<ControllerService>(new ControllerServer({ names, volumes, nodes, metrics, synced, advertiseGetSnapshot: config.advertiseGetSnapshot }), CONTROLLER_LOCKS);
  const identity = identityService({
    name: names.driverName,
    vendorVersion: deps.vendorVersion,
    capabilities: PLUGIN_CAPABILITIES,
    ready: () => lvInformer.hasSynced() && nodeInformer.hasSynced(),
  });
  let server: CsiServer;
  try {
    server = await CsiServer.start({ endpoint: config.csiSocket, identity, controller, log, registry, mapError: mapKubernetesError });
  } catch (e) {
    await Promise.all([lvInformer.stop(), nodeInformer.stop()]);
    throw e;
  }

  const events = new EventRecorder({ kubeConfig, component: 'csi-controller', logger: runtimeLog });
  const work = (signal: AbortSignal) =>
    runLeaderWork({ kubeConfig, names, nodeCleanup: config.nodeCleanup, nodes: nodeInformer, volumes, events, metrics, log: runtimeLog }, signal);
  const leading = (async () => {
    try {
      await synced(stopping.signal);
    } catch {
      return; // stopped before the caches were filled
    }
    if (!config.leaderElection) return work(stopping.signal);
    const namespace = config.leaderElectionNamespace ?? deps.defaultLeaseNamespace;
    log.info({ lease: `${namespace}/${config.leaderElectionId}` }, 'campaigning for the leader lease');
    return leadWhileElected(
      {
        kubeConfig,
        namespace,
        leaseName: config.leaderElectionId,
        log: runtimeLog,
        leaseDurationMs: config.leaseDurationSeconds * 1000,
        renewDeadlineMs: config.renewDeadlineSeconds * 1000,
        retryPeriodMs: config.retryPeriodSeconds * 1000,
      },
      work,
      stopping.signal,
    );
  })().catch((err: unknown) => log.error({ err }, 'the cluster-wide controllers failed'));

  return {
    socketPath: server.path,
    async stop(graceMs = 10_000) {
      const result = await server.shutdown(graceMs);
      stopping.abort();
      await leading;
      await Promise.all([lvInformer.stop(), nodeInformer.stop(), events.flush()]);
      log.info({ graceful: result.graceful }, 'csi-controller stopped');
    },
  };
}
