import type {
  KubernetesObject,
  V1CSIDriver,
  V1CSINode,
  V1Node,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1Pod,
  V1StorageClass,
} from '@kubernetes/client-node';
import { informerFor, type Informer, type ListPage, type ResourceRef } from '@copse/controller-runtime';
import type { Logger } from 'pino';
import type { KubeApi } from './api';
import { CSI_DRIVERS, CSI_NODES, NODES, PODS, PVCS, PVS, STORAGE_CLASSES, VOLUME_SNAPSHOTS, VOLUME_SNAPSHOT_CLASSES, VOLUME_SNAPSHOT_CONTENTS } from './resources';
import type { VolumeSnapshot, VolumeSnapshotClass, VolumeSnapshotContent } from './snapshot-types';

/**
 * One informer per kind, shared by every stand-in that watches it (client-go's shared informer
 * factory): a sidecar set in one process opens one PVC watch, not five. Informers are made on
 * first request and started by start(); one requested later starts at once.
 *
 * Built-in kinds are listed through client-node's typed listers, which turn timestamps into
 * Date objects while watch events keep them as strings: code reading a cached object's times
 * must accept both (see controller-runtime's docs).
 */
export class SharedInformers {
  private readonly made = new Map<string, Informer<KubernetesObject>>();
  private started = false;

  constructor(
    private readonly api: KubeApi,
    private readonly log: Logger,
  ) {}

  pvcs(): Informer<V1PersistentVolumeClaim> {
    return this.get(PVCS, (o) => this.api.core.listPersistentVolumeClaimForAllNamespaces(o));
  }
  pvs(): Informer<V1PersistentVolume> {
    return this.get(PVS, (o) => this.api.core.listPersistentVolume(o));
  }
  nodes(): Informer<V1Node> {
    return this.get(NODES, (o) => this.api.core.listNode(o));
  }
  pods(): Informer<V1Pod> {
    return this.get(PODS, (o) => this.api.core.listPodForAllNamespaces(o));
  }
  storageClasses(): Informer<V1StorageClass> {
    return this.get(STORAGE_CLASSES, (o) => this.api.storage.listStorageClass(o));
  }
  csiNodes(): Informer<V1CSINode> {
    return this.get(CSI_NODES, (o) => this.api.storage.listCSINode(o));
  }
  csiDrivers(): Informer<V1CSIDriver> {
    return this.get(CSI_DRIVERS, (o) => this.api.storage.listCSIDriver(o));
  }
  snapshots(): Informer<VolumeSnapshot> {
    return this.get(VOLUME_SNAPSHOTS);
  }
  contents(): Informer<VolumeSnapshotContent> {
    return this.get(VOLUME_SNAPSHOT_CONTENTS);
  }
  snapshotClasses(): Informer<VolumeSnapshotClass> {
    return this.get(VOLUME_SNAPSHOT_CLASSES);
  }

  /** Starts every informer made so far and waits until each has listed. */
  async start(signal?: AbortSignal): Promise<void> {
    this.started = true;
    for (const informer of this.made.values()) informer.start();
    await this.waitForSync(signal);
  }

  async waitForSync(signal?: AbortSignal): Promise<void> {
    await Promise.all([...this.made.values()].map((i) => i.waitForSync(signal)));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.made.values()].map((i) => i.stop()));
  }

  private get<T extends KubernetesObject>(ref: ResourceRef, list?: ListPage<T>): Informer<T> {
    let informer = this.made.get(ref.plural) as Informer<T> | undefined;
    if (!informer) {
      informer = informerFor<T>(this.api.kubeConfig, ref, { list, logger: this.log, name: ref.plural });
      this.made.set(ref.plural, informer as unknown as Informer<KubernetesObject>);
      if (this.started) informer.start();
    }
    return informer;
  }
}
