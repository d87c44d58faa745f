/**
 * The stand-ins' test environment, one per spec file: the cluster KUBECONFIG names (unchanged),
 * or a fresh API test server; a fake CSI plugin with a run-specific driver name; the stand-ins
 * against both; a namespace of the run's own; helpers to make and wait for objects.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig, type CoreV1Event, type V1CSIDriverSpec, type KubernetesObject, type V1PersistentVolume, type V1PersistentVolumeClaim, type V1StorageClass } from '@kubernetes/client-node';
import { apiCall, collectionPath, isNotFound, waitFor } from '@copse/controller-runtime';
import { startTestApiServer, type RunningTestApiServer } from '@copse/kube-test-apiserver';
import pino from 'pino';
import { KubeApi } from '../src/kube/api';
import { PVCS, PVS, VOLUME_SNAPSHOTS } from '../src/kube/resources';
import type { VolumeSnapshot, VolumeSnapshotClass } from '../src/kube/snapshot-types';
import { DEFAULT_SETTINGS, type StandInSettings } from '../src/settings';
import { startStandIns, type StandIns, type StandInsOptions } from '../src/stand-ins';
import { FakePlugin, type FakePluginOptions } from './fake-plugin';

export interface EnvOptions {
  readonly nodes?: readonly string[];
  readonly settings?: Partial<StandInSettings>;
  readonly plugin?: Partial<Omit<FakePluginOptions, 'dir' | 'driverName' | 'nodes'>>;
  readonly standIns?: Partial<Omit<StandInsOptions, 'kubeconfig' | 'settings'>>;
  /** a CSIDriver object for the fake driver, made before the stand-ins start */
  readonly csiDriver?: V1CSIDriverSpec;
}

/** Fast retries for tests; everything else as the real components' defaults. */
export const TEST_SETTINGS: Partial<StandInSettings> = { retryIntervalStartMs: 50, retryIntervalMaxMs: 2_000, bindTimeoutMs: 30_000, kubeletTimeoutMs: 10_000 };

export class Env {
  readonly runId = Math.random().toString(36).slice(2, 8).replace(/^[0-9]/, 'r');
  readonly namespace = `standins-${this.runId}`;
  readonly driverName = `csi-${this.runId}.test.copse.io`;
  readonly dir = mkdtempSync(join(tmpdir(), 'csi-standins-test-'));
  readonly kc = new KubeConfig();
  kubeconfigPath = '';
  server?: RunningTestApiServer;
  api!: KubeApi;
  plugin!: FakePlugin;
  standIns!: StandIns;
  nodes: string[] = [];
  private counter = 0;
  private readonly cleanups: (() => Promise<unknown>)[] = [];

  async start(options: EnvOptions = {}): Promise<void> {
    const external = process.env['KUBECONFIG'];
    if (external) {
      this.kc.loadFromDefault();
      this.kubeconfigPath = external;
    } else {
      this.kubeconfigPath = join(this.dir, 'kubeconfig');
      this.server = await startTestApiServer({ port: 0, kubeconfigPath: this.kubeconfigPath });
      this.kc.loadFromFile(this.kubeconfigPath);
    }
    this.api = new KubeApi(this.kc);
    await apiCall(() => this.api.core.createNamespace({ body: { metadata: { name: this.namespace } } }));
    this.nodes = (options.nodes ?? ['a']).map((n) => `standin-${this.runId}-${n}`);
    this.plugin = await FakePlugin.start({ dir: this.dir, driverName: this.driverName, nodes: this.nodes, ...options.plugin });
    if (options.csiDriver) {
      const spec = options.csiDriver;
      await apiCall(() => this.api.storage.createCSIDriver({ body: { apiVersion: 'storage.k8s.io/v1', kind: 'CSIDriver', metadata: { name: this.driverName }, spec } }));
      this.cleanups.push(() => apiCall(() => this.api.storage.deleteCSIDriver({ name: this.driverName })));
    }
    this.standIns = await startStandIns({
      kubeconfig: this.kc,
      controllerEndpoint: this.plugin.controllerEndpoint,
      nodes: this.nodes.map((name) => ({ name, endpoint: this.plugin.nodeEndpoint(name) })),
      kubeletRootDir: join(this.dir, 'kubelet'),
      settings: { ...DEFAULT_SETTINGS, ...TEST_SETTINGS, capacityNamespace: this.namespace, ...options.settings },
      log: pino({ level: process.env['CSI_STANDINS_LOG_LEVEL'] ?? 'silent', base: { test: true } }),
      ...options.standIns,
    });
  }

  async stop(): Promise<void> {
    await this.standIns?.stop();
    for (const step of this.cleanups.reverse()) await step().catch(() => undefined);
    await this.deleteNamespaceContents();
    for (const n of this.nodes) {
      await apiCall(() => this.api.core.deleteNode({ name: n })).catch(() => undefined);
      await apiCall(() => this.api.storage.deleteCSINode({ name: n })).catch(() => undefined);
    }
    await this.plugin?.stop();
    await this.server?.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** A fresh name: <prefix>-<n> (objects live in the run's namespace or carry the run id). */
  name(prefix: string): string {
    this.counter += 1;
    return `${prefix}-${this.counter}`;
  }

  /** A cluster-scoped name carrying the run id. */
  clusterName(prefix: string): string {
    this.counter += 1;
    return `${prefix}-${this.runId}-${this.counter}`;
  }

  get topologyKey(): string {
    return this.plugin.topologyKey;
  }

  async storageClass(spec: Partial<V1StorageClass> & { parameters?: Record<string, string> } = {}): Promise<V1StorageClass> {
    const name = this.clusterName('sc');
    const sc = await apiCall(() =>
      this.api.storage.createStorageClass({ body: { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner: this.driverName, ...spec } }),
    );
    this.cleanups.push(() => apiCall(() => this.api.storage.deleteStorageClass({ name })));
    return sc;
  }

  async snapshotClass(spec: Partial<VolumeSnapshotClass> = {}): Promise<VolumeSnapshotClass> {
    const name = this.clusterName('vsc');
    const body = { apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshotClass', metadata: { name }, driver: this.driverName, deletionPolicy: 'Delete', ...spec };
    const created = (await apiCall(() =>
      this.api.custom.createClusterCustomObject({ group: 'snapshot.storage.k8s.io', version: 'v1', plural: 'volumesnapshotclasses', body }),
    )) as VolumeSnapshotClass;
    this.cleanups.push(() => apiCall(() => this.api.custom.deleteClusterCustomObject({ group: 'snapshot.storage.k8s.io', version: 'v1', plural: 'volumesnapshotclasses', name })));
    return created;
  }

  async pvc(spec: {
    storageClassName: string;
    size?: string;
    name?: string;
    accessModes?: string[];
    volumeMode?: string;
    dataSource?: { kind: string; name: string; apiGroup?: string };
  }): Promise<V1PersistentVolumeClaim> {
    const name = spec.name ?? this.name('pvc');
    return apiCall(() =>
      this.api.core.createNamespacedPersistentVolumeClaim({
        namespace: this.namespace,
        body: {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name },
          spec: {
            accessModes: spec.accessModes ?? ['ReadWriteOnce'],
            resources: { requests: { storage: spec.size ?? '1Gi' } },
            storageClassName: spec.storageClassName,
            ...(spec.volumeMode ? { volumeMode: spec.volumeMode } : {}),
            ...(spec.dataSource ? { dataSource: spec.dataSource } : {}),
          },
        },
      }),
    );
  }

  async snapshot(pvcName: string, className?: string, name = this.name('snap')): Promise<VolumeSnapshot> {
    const body = {
      apiVersion: 'snapshot.storage.k8s.io/v1',
      kind: 'VolumeSnapshot',
      metadata: { name, namespace: this.namespace },
      spec: { source: { persistentVolumeClaimName: pvcName }, ...(className ? { volumeSnapshotClassName: className } : {}) },
    };
    return (await apiCall(() =>
      this.api.custom.createNamespacedCustomObject({ group: 'snapshot.storage.k8s.io', version: 'v1', plural: 'volumesnapshots', namespace: this.namespace, body }),
    )) as VolumeSnapshot;
  }

  readPvc(name: string): Promise<V1PersistentVolumeClaim> {
    return apiCall(() => this.api.core.readNamespacedPersistentVolumeClaim({ name, namespace: this.namespace }));
  }

  readPv(name: string): Promise<V1PersistentVolume> {
    return apiCall(() => this.api.core.readPersistentVolume({ name }));
  }

  /** Waits (by watching) until the claim satisfies `condition` (undefined: it is gone). */
  async waitForPvc(name: string, condition: (c: V1PersistentVolumeClaim | undefined) => boolean, timeoutMs = 30_000): Promise<V1PersistentVolumeClaim | undefined> {
    return waitFor<V1PersistentVolumeClaim>({
      kubeConfig: this.kc,
      path: collectionPath(PVCS, this.namespace),
      name,
      get: () => this.readPvc(name),
      condition,
      timeoutMs,
    });
  }

  async waitForPv(name: string, condition: (c: V1PersistentVolume | undefined) => boolean, timeoutMs = 30_000): Promise<V1PersistentVolume | undefined> {
    return waitFor<V1PersistentVolume>({ kubeConfig: this.kc, path: collectionPath(PVS), name, get: () => this.readPv(name), condition, timeoutMs });
  }

  async waitForSnapshot(name: string, condition: (s: VolumeSnapshot | undefined) => boolean, timeoutMs = 30_000): Promise<VolumeSnapshot | undefined> {
    return waitFor<VolumeSnapshot>({
      kubeConfig: this.kc,
      path: collectionPath(VOLUME_SNAPSHOTS, this.namespace),
      name,
      get: () => this.api.getSnapshot(this.namespace, name),
      condition,
      timeoutMs,
    });
  }

  /** Waits for the claim to be Bound and returns it. */
  async bound(name: string): Promise<V1PersistentVolumeClaim> {
    return (await this.waitForPvc(name, (c) => c?.status?.phase === 'Bound')) as V1PersistentVolumeClaim;
  }

  /** The events about an object, once the stand-ins have written what they recorded: [type, reason, message]. */
  async events(obj: KubernetesObject): Promise<[string, string, string][]> {
    await this.standIns.flushEvents();
    const namespace = obj.metadata?.namespace ?? 'default';
    const list = await apiCall(() => this.api.core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${obj.metadata?.name}` }));
    return list.items
      .filter((e: CoreV1Event) => e.involvedObject.uid === undefined || e.involvedObject.uid === obj.metadata?.uid)
      .sort((a, b) => String(a.metadata?.creationTimestamp).localeCompare(String(b.metadata?.creationTimestamp)))
      .map((e) => [e.type ?? '', e.reason ?? '', e.message ?? '']);
  }

  /** Resolves once `check` holds for the events of `obj` (events are written in the background). */
  async eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await check();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private async deleteNamespaceContents(): Promise<void> {
    // finalizers first, so that nothing waits for a stopped stand-in
    const strip = [{ op: 'replace', path: '/metadata/finalizers', value: [] }];
    const snaps = (await apiCall(() =>
      this.api.custom.listNamespacedCustomObject({ group: 'snapshot.storage.k8s.io', version: 'v1', plural: 'volumesnapshots', namespace: this.namespace }),
    ).catch(() => ({ items: [] }))) as { items: VolumeSnapshot[] };
    for (const s of snaps.items) await this.api.patchSnapshot(this.namespace, s.metadata.name as string, strip as never).catch(() => undefined);
    const contents = (await apiCall(() =>
      this.api.custom.listClusterCustomObject({ group: 'snapshot.storage.k8s.io', version: 'v1', plural: 'volumesnapshotcontents' }),
    ).catch(() => ({ items: [] }))) as { items: { metadata: { name: string }; spec: { driver: string } }[] };
    for (const c of contents.items.filter((x) => x.spec.driver === this.driverName)) {
      await this.api.patchContent(c.metadata.name, strip as never).catch(() => undefined);
      await this.api.deleteContent(c.metadata.name).catch(() => undefined);
    }
    const pvcs = await apiCall(() => this.api.core.listNamespacedPersistentVolumeClaim({ namespace: this.namespace }));
    for (const p of pvcs.items) {
      await apiCall(() => this.api.core.patchNamespacedPersistentVolumeClaim({ name: p.metadata?.name as string, namespace: this.namespace, body: strip })).catch(() => undefined);
    }
    const pvs = await apiCall(() => this.api.core.listPersistentVolume());
    for (const pv of pvs.items.filter((v) => v.spec?.csi?.driver === this.driverName)) {
      await apiCall(() => this.api.core.patchPersistentVolume({ name: pv.metadata?.name as string, body: strip })).catch(() => undefined);
      await apiCall(() => this.api.core.deletePersistentVolume({ name: pv.metadata?.name as string })).catch(() => undefined);
    }
    try {
      await apiCall(() => this.api.core.deleteNamespace({ name: this.namespace }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

/** The jest fixture: one environment per spec file. */
export function useEnv(options: EnvOptions = {}): () => Env {
  let env: Env | undefined;
  beforeAll(async () => {
    env = new Env();
    await env.start(options);
  }, 60_000);
  // a test that failed with an override in place must not fail the ones after it
  afterEach(() => env?.plugin?.clearOverrides());
  afterAll(async () => {
    await env?.stop();
  }, 60_000);
  return () => {
    if (!env) throw new Error('the environment did not start (did beforeAll fail?)');
    return env;
  };
}
