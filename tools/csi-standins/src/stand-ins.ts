import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoordinationV1Api, KubeConfig } from '@kubernetes/client-node';
import { apiCall, isNotFound } from '@copse/controller-runtime';
import type { Logger } from 'pino';
import { CsiConnection } from './csi/connection';
import { KubeApi } from './kube/api';
import { SharedInformers } from './kube/informers';
import { TestKubelet } from './kubelet/kubelet';
import { PodVolumes } from './kubelet/pod-volumes';
import { standInLog, standInLogger } from './log';
import { CapacityStandIn } from './provisioner/capacity';
import { ProvisionerStandIn } from './provisioner/provisioner';
import { PvControllerStandIn } from './pv-controller/pv-controller';
import { ResizerStandIn } from './resizer/resizer';
import { SchedulerStandIn } from './scheduler/scheduler';
import { DEFAULT_SETTINGS, type StandInSettings } from './settings';
import { SnapshotControllerStandIn } from './snapshot/snapshot-controller';
import { SnapshotterStandIn } from './snapshot/snapshotter';

export interface StandInsOptions {
  /** a kubeconfig file, or a loaded KubeConfig */
  readonly kubeconfig: string | KubeConfig;
  /** the plugin's controller socket: the provisioner, the snapshotter and the resizer call it */
  readonly controllerEndpoint?: string;
  /** one stand-in kubelet per node: its name and the plugin's node socket there */
  readonly nodes?: readonly { readonly name: string; readonly endpoint: string }[];
  /** each stand-in runs unless switched off here (those needing the controller socket only with one) */
  readonly provisioner?: boolean;
  /** the PV controller's binding; 'auto' (default): off when a kube-controller-manager runs (its lease exists) */
  readonly pvController?: boolean | 'auto';
  readonly snapshotController?: boolean;
  readonly snapshotter?: boolean;
  readonly resizer?: boolean;
  /** the stand-in kubelets' root (their /var/lib/kubelet, one directory per node); default a new temp dir */
  readonly kubeletRootDir?: string;
  readonly settings?: Partial<StandInSettings>;
  readonly log?: Logger;
  readonly signal?: AbortSignal;
}

/** The running stand-ins. */
export interface StandIns {
  /** GetPluginInfo's name, as the controller socket (or else the first node socket) says */
  readonly driverName: string;
  readonly provisioner?: ProvisionerStandIn;
  /** external-provisioner's capacity tracking, with settings.enableCapacity */
  readonly capacity?: CapacityStandIn;
  readonly pvController?: PvControllerStandIn;
  readonly snapshotController?: SnapshotControllerStandIn;
  readonly snapshotter?: SnapshotterStandIn;
  readonly resizer?: ResizerStandIn;
  readonly kubelets: readonly TestKubelet[];
  /** kube-scheduler's part for pods made with kubectl (settings.schedulePods, with watchPods and nodes) */
  readonly scheduler?: SchedulerStandIn;
  readonly kubeletRootDir: string;
  /** the stand-in kubelet of a node */
  kubelet(nodeName: string): TestKubelet;
  /** resolves once every event recorded so far is written */
  flushEvents(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the TEST stand-ins for what Kubernetes runs beside a CSI driver, against the cluster a
 * kubeconfig names (the API test server, or a real one), and the plugin's sockets. Resolves once
 * every stand-in has connected, checked its plugin's capabilities and synced its informers.
 */
export async function startStandIns(options: StandInsOptions): Promise<StandIns> {
  const settings: StandInSettings = { ...DEFAULT_SETTINGS, ...options.settings };
  const log = options.log ?? standInLogger();
  const kc = typeof options.kubeconfig === 'string' ? loadKubeConfig(options.kubeconfig) : options.kubeconfig;
  const api = new KubeApi(kc);
  const informers = new SharedInformers(api, standInLog(log, 'informers'));
  const connections: CsiConnection[] = [];
  const stoppers: (() => Promise<void>)[] = [];
  const kubeletRootDir = options.kubeletRootDir ?? mkdtempSync(join(tmpdir(), 'csi-standins-kubelet-'));
  const retry = { retryStartMs: settings.retryIntervalStartMs, retryMaxMs: settings.retryIntervalMaxMs };
  try {
    let controller: CsiConnection | undefined;
    if (options.controllerEndpoint) {
      controller = await CsiConnection.connect(options.controllerEndpoint, { log: standInLog(log, 'csi-controller-connection'), signal: options.signal });
      connections.push(controller);
    }
    const on = (flag: boolean | undefined) => flag !== false;
    const provisioner =
      controller && on(options.provisioner)
        ? await ProvisionerStandIn.create({
            conn: controller,
            api,
            informers,
            log: standInLog(log, 'external-provisioner'),
            timeoutMs: settings.provisionerTimeoutMs,
            extraCreateMetadata: settings.extraCreateMetadata,
            defaultFsType: settings.defaultFsType,
            volumeNamePrefix: settings.volumeNamePrefix,
            volumeNameUuidLength: settings.volumeNameUuidLength,
            topology: settings.topology,
            strictTopology: settings.strictTopology,
            immediateTopology: settings.immediateTopology,
            addFinalizer: settings.honorPvReclaimPolicy,
            workers: settings.provisionerWorkers,
            ...retry,
          })
        : undefined;
    const capacity =
      provisioner && settings.enableCapacity
        ? new CapacityStandIn({
            conn: controller as CsiConnection,
            api,
            informers,
            log: standInLog(log, 'external-provisioner-capacity'),
            namespace: settings.capacityNamespace,
            pollMs: settings.capacityPollIntervalMs,
            immediateBinding: settings.capacityForImmediateBinding,
            managedBy: 'external-provisioner',
            timeoutMs: settings.provisionerTimeoutMs,
          })
        : undefined;
    if (capacity) {
      // the real one refreshes the segments of a volume it provisioned or deleted
      const pvs = informers.pvs();
      const mine = (pv: { spec?: { csi?: { driver?: string } } }) => {
        if (pv.spec?.csi?.driver === controller?.driverName) capacity.refresh();
      };
      pvs.on('add', mine);
      pvs.on('delete', mine);
    }
    const pvControllerOn = options.pvController === 'auto' || options.pvController === undefined ? !(await controllerManagerRuns(kc)) : options.pvController;
    const pvController = pvControllerOn
      ? new PvControllerStandIn({ api, informers, log: standInLog(log, 'persistentvolume-controller'), resyncMs: settings.pvSyncPeriodMs })
      : undefined;
    const snapshotController = on(options.snapshotController)
      ? new SnapshotControllerStandIn({ api, informers, log: standInLog(log, 'snapshot-controller'), resyncMs: settings.snapshotResyncMs, ...retry })
      : undefined;
    const snapshotter =
      controller && on(options.snapshotter)
        ? await SnapshotterStandIn.create({
            conn: controller,
            api,
            informers,
            log: standInLog(log, 'csi-snapshotter'),
            timeoutMs: settings.snapshotterTimeoutMs,
            extraCreateMetadata: settings.snapshotExtraCreateMetadata,
            snapshotNamePrefix: settings.snapshotNamePrefix,
            snapshotNameUuidLength: settings.snapshotNameUuidLength,
            ...retry,
          })
        : undefined;
    const resizer =
      controller && on(options.resizer)
        ? await ResizerStandIn.create({ conn: controller, api, informers, log: standInLog(log, 'external-resizer'), timeoutMs: settings.resizerTimeoutMs, ...retry })
        : undefined;

    const kubelets: TestKubelet[] = [];
    for (const node of options.nodes ?? []) {
      const conn = await CsiConnection.connect(node.endpoint, { log: standInLog(log, 'csi-node-connection').child({ node: node.name }), signal: options.signal });
      connections.push(conn);
      kubelets.push(
        await TestKubelet.register({
          nodeName: node.name,
          conn,
          api,
          informers,
          log: standInLog(log, 'kubelet').child({ node: node.name }),
          rootDir: join(kubeletRootDir, node.name),
          timeoutMs: settings.kubeletTimeoutMs,
          bindTimeoutMs: settings.bindTimeoutMs,
          createPods: settings.createPods,
        }),
      );
    }

    const podVolumes = settings.watchPods
      ? kubelets.map(
          (kubelet) =>
            new PodVolumes({
              kubelet,
              api,
              informers,
              log: standInLog(log, 'kubelet-volume-manager').child({ node: kubelet.nodeName }),
              retryStartMs: settings.retryIntervalStartMs,
              retryMaxMs: settings.retryIntervalMaxMs,
              workers: 10,
            }),
        )
      : [];

    const scheduler =
      settings.watchPods && settings.schedulePods && kubelets.length > 0
        ? new SchedulerStandIn({
            api,
            informers,
            log: standInLog(log, 'scheduler'),
            nodes: kubelets.map((k) => k.nodeName),
            retryStartMs: settings.retryIntervalStartMs,
            retryMaxMs: settings.retryIntervalMaxMs,
          })
        : undefined;

    await informers.start(options.signal);
    const running = [provisioner, pvController, snapshotController, snapshotter, resizer, scheduler].filter((s) => s !== undefined);
    for (const s of running) {
      s.start();
      stoppers.push(() => s.stop());
    }
    if (capacity) {
      capacity.start();
      stoppers.push(() => capacity.stop());
    }
    for (const v of podVolumes) {
      v.start();
      stoppers.push(() => v.stop());
    }
    for (const k of kubelets) stoppers.push(() => k.stop());
    const driverName = controller?.driverName ?? connections[0]?.driverName ?? '';
    log.info({ driver: driverName, standIns: running.map((s) => s.constructor.name), nodes: kubelets.map((k) => k.nodeName) }, 'test stand-ins running');

    let stopped: Promise<void> | undefined;
    return {
      driverName,
      provisioner,
      capacity,
      pvController,
      snapshotController,
      snapshotter,
      resizer,
      kubelets,
      scheduler,
      kubeletRootDir,
      kubelet(nodeName: string): TestKubelet {
        const k = kubelets.find((x) => x.nodeName === nodeName);
        if (!k) throw new Error(`no stand-in kubelet for node "${nodeName}" (have: ${kubelets.map((x) => x.nodeName).join(', ') || 'none'})`);
        return k;
      },
      async flushEvents(): Promise<void> {
        await Promise.all([...running, ...kubelets].map((s) => s.flushEvents()));
      },
      stop(): Promise<void> {
        stopped ??= (async () => {
          await Promise.all(stoppers.map((s) => s()));
          await informers.stop();
          for (const c of connections) c.close();
          log.info('test stand-ins stopped');
        })();
        return stopped;
      },
    };
  } catch (err) {
    await Promise.all(stoppers.map((s) => s().catch(() => undefined)));
    await informers.stop();
    for (const c of connections) c.close();
    throw err;
  }
}

function loadKubeConfig(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

/**
 * True when a kube-controller-manager runs (its leader-election Lease kube-system/kube-controller-manager
 * exists): its PV controller binds claims, and a second binder would fight it.
 */
export async function controllerManagerRuns(kc: KubeConfig): Promise<boolean> {
  const coordination = kc.makeApiClient(CoordinationV1Api);
  try {
    await apiCall(() => coordination.readNamespacedLease({ name: 'kube-controller-manager', namespace: 'kube-system' }));
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}
