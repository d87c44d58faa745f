import {
  CoreV1Api,
  CustomObjectsApi,
  StorageV1Api,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { apiCall, type ResourceRef } from '@copse/controller-runtime';
import { VOLUME_SNAPSHOTS, VOLUME_SNAPSHOT_CLASSES, VOLUME_SNAPSHOT_CONTENTS } from './resources';
import type { VolumeSnapshot, VolumeSnapshotClass, VolumeSnapshotContent } from './snapshot-types';

/** A JSON patch operation (RFC 6902), what client-node sends by default for PATCH. */
export interface JsonPatchOp {
  readonly op: 'add' | 'replace' | 'remove' | 'test';
  readonly path: string;
  readonly value?: unknown;
}

/**
 * The API clients the stand-ins write through: client-node's typed CoreV1Api and StorageV1Api
 * for built-in kinds, CustomObjectsApi for the snapshot CRDs (plain JSON, as the wire has it).
 * Every call goes through controller-runtime's apiCall, so failures are typed (isNotFound,
 * isConflict, ...).
 */
export class KubeApi {
  readonly core: CoreV1Api;
  readonly storage: StorageV1Api;
  readonly custom: CustomObjectsApi;

  constructor(readonly kubeConfig: KubeConfig) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.storage = kubeConfig.makeApiClient(StorageV1Api);
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  // --- snapshot.storage.k8s.io -------------------------------------------------------------

  getSnapshot(namespace: string, name: string): Promise<VolumeSnapshot> {
    return this.getCustom<VolumeSnapshot>(VOLUME_SNAPSHOTS, name, namespace);
  }

  replaceSnapshot(s: VolumeSnapshot): Promise<VolumeSnapshot> {
    return this.replaceCustom(VOLUME_SNAPSHOTS, s, false);
  }

  replaceSnapshotStatus(s: VolumeSnapshot): Promise<VolumeSnapshot> {
    return this.replaceCustom(VOLUME_SNAPSHOTS, s, true);
  }

  patchSnapshot(namespace: string, name: string, patch: readonly JsonPatchOp[]): Promise<VolumeSnapshot> {
    const { group, version, plural } = VOLUME_SNAPSHOTS;
    return apiCall(() => this.custom.patchNamespacedCustomObject({ group, version, plural, namespace, name, body: patch })) as Promise<VolumeSnapshot>;
  }

  getContent(name: string): Promise<VolumeSnapshotContent> {
    return this.getCustom<VolumeSnapshotContent>(VOLUME_SNAPSHOT_CONTENTS, name);
  }

  createContent(c: VolumeSnapshotContent): Promise<VolumeSnapshotContent> {
    const { group, version, plural } = VOLUME_SNAPSHOT_CONTENTS;
    return apiCall(() => this.custom.createClusterCustomObject({ group, version, plural, body: c })) as Promise<VolumeSnapshotContent>;
  }

  replaceContent(c: VolumeSnapshotContent): Promise<VolumeSnapshotContent> {
    return this.replaceCustom(VOLUME_SNAPSHOT_CONTENTS, c, false);
  }

  replaceContentStatus(c: VolumeSnapshotContent): Promise<VolumeSnapshotContent> {
    return this.replaceCustom(VOLUME_SNAPSHOT_CONTENTS, c, true);
  }

  patchContent(name: string, patch: readonly JsonPatchOp[]): Promise<VolumeSnapshotContent> {
    const { group, version, plural } = VOLUME_SNAPSHOT_CONTENTS;
    return apiCall(() => this.custom.patchClusterCustomObject({ group, version, plural, name, body: patch })) as Promise<VolumeSnapshotContent>;
  }

  async deleteContent(name: string): Promise<void> {
    const { group, version, plural } = VOLUME_SNAPSHOT_CONTENTS;
    await apiCall(() => this.custom.deleteClusterCustomObject({ group, version, plural, name }));
  }

  getSnapshotClass(name: string): Promise<VolumeSnapshotClass> {
    return this.getCustom<VolumeSnapshotClass>(VOLUME_SNAPSHOT_CLASSES, name);
  }

  // -----------------------------------------------------------------------------------------

  private getCustom<T>(ref: ResourceRef, name: string, namespace?: string): Promise<T> {
    const { group, version, plural } = ref;
    return apiCall(() =>
      namespace
        ? this.custom.getNamespacedCustomObject({ group, version, plural, namespace, name })
        : this.custom.getClusterCustomObject({ group, version, plural, name }),
    ) as Promise<T>;
  }

  private replaceCustom<T extends KubernetesObject>(ref: ResourceRef, obj: T, status: boolean): Promise<T> {
    const { group, version, plural } = ref;
    const name = obj.metadata?.name as string;
    const namespace = obj.metadata?.namespace;
    return apiCall(() => {
      if (namespace) {
        const args = { group, version, plural, namespace, name, body: obj };
        return status ? this.custom.replaceNamespacedCustomObjectStatus(args) : this.custom.replaceNamespacedCustomObject(args);
      }
      const args = { group, version, plural, name, body: obj };
      return status ? this.custom.replaceClusterCustomObjectStatus(args) : this.custom.replaceClusterCustomObject(args);
    }) as Promise<T>;
  }
}
