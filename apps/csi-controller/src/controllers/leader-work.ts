// The parts that must run once per cluster: node cleanup and orphan collection. With leader
// election they run on the replica that holds the Lease, for as long as it holds it (each term
// with fresh informers: a stopped informer does not start again); the CSI service runs on
// every replica regardless.
import { CoreV1Api, type KubeConfig, type V1Node, type V1PersistentVolume, type V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { Informer, LeaderElector, type EventRecorder, type Logger } from '@copse/controller-runtime';
import type { NameSet } from '@copse/k8s-crd';
import type { LogicalVolumes } from '../k8s/logical-volumes';
import type { ControllerMetrics } from '../metrics';
import { claimMetadataOnly, LogicalVolumeController, persistentVolumeEssentials } from './logical-volume';
import { NodeController } from './node';
import { LEADER_ELECTION_CALLS, type ApiCalls } from '@copse/controller-runtime';

/** The Kubernetes API calls this module makes (deploy/'s RBAC grants exactly the app's union; api-calls.spec.ts checks it against the calls). */
export const API_CALLS: ApiCalls = (lvGroup) => [
  { group: '', resource: 'persistentvolumes', verbs: ['list', 'watch'] },
  { group: '', resource: 'persistentvolumeclaims', verbs: ['list', 'watch'] },
  ...LEADER_ELECTION_CALLS(lvGroup),
];

export interface LeaderWorkOptions {
  readonly kubeConfig: KubeConfig;
  readonly names: NameSet;
  readonly nodeCleanup: boolean;
  readonly nodes: Informer<V1Node>;
  readonly volumes: LogicalVolumes;
  readonly events: EventRecorder;
  readonly metrics: ControllerMetrics;
  readonly log: Logger;
}

/** One term of the cluster-wide work: returns once `signal` aborts and everything has stopped. */
export async function runLeaderWork(o: LeaderWorkOptions, signal: AbortSignal): Promise<void> {
  const core = o.kubeConfig.makeApiClient(CoreV1Api);
  const persistentVolumes = new Informer<V1PersistentVolume>({
    kubeConfig: o.kubeConfig,
    path: '/api/v1/persistentvolumes',
    list: (q) => core.listPersistentVolume(q),
    transform: persistentVolumeEssentials,
    name: 'persistentvolumes',
    logger: o.log,
  });
  const claims = new Informer<V1PersistentVolumeClaim>({
    kubeConfig: o.kubeConfig,
    path: '/api/v1/persistentvolumeclaims',
    list: (q) => core.listPersistentVolumeClaimForAllNamespaces(q),
    transform: claimMetadataOnly,
    name: 'persistentvolumeclaims',
    logger: o.log,
  });
  const nodeController = new NodeController({
    kubeConfig: o.kubeConfig,
    policy: { names: o.names, cleanup: o.nodeCleanup },
    nodes: o.nodes,
    volumes: o.volumes,
    events: o.events,
    metrics: o.metrics,
    log: o.log,
  });
  const volumeController = new LogicalVolumeController({
    kubeConfig: o.kubeConfig,
    names: o.names,
    volumes: o.volumes,
    persistentVolumes,
    claims,
    events: o.events,
    metrics: o.metrics,
    log: o.log,
  });
  o.metrics.leader.set(1);
  o.log.info({ nodeCleanup: o.nodeCleanup }, 'running node cleanup and orphan collection');
  try {
    await Promise.all([nodeController.start(signal), volumeController.start(signal)]);
  } finally {
    o.metrics.leader.set(0);
    o.log.info({}, 'stopped node cleanup and orphan collection');
  }
}

export interface ElectionOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly leaseName: string;
  readonly identity?: string;
  readonly log: Logger;
  /** lease timings, for tests (client-go's defaults otherwise) */
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
}

/**
 * Campaigns for the Lease and runs `work` while leading; after a lost term, campaigns again.
 * Returns once `signal` aborts (releasing the Lease if held).
 */
export async function leadWhileElected(o: ElectionOptions, work: (signal: AbortSignal) => Promise<void>, signal: AbortSignal): Promise<void> {
  const elector = new LeaderElector({
    kubeConfig: o.kubeConfig,
    namespace: o.namespace,
    name: o.leaseName,
    identity: o.identity,
    leaseDurationMs: o.leaseDurationMs,
    renewDeadlineMs: o.renewDeadlineMs,
    retryPeriodMs: o.retryPeriodMs,
    onStartedLeading: (leading) => work(leading),
    logger: o.log,
  });
  while (!signal.aborted) await elector.run(signal);
}
