import type { V1PersistentVolume, V1PersistentVolumeClaim, V1StorageClass } from '@kubernetes/client-node';
import { apiCall, isNotFound } from '@copse/controller-runtime';
import type { KubeApi } from '../kube/api';
import type { SharedInformers } from '../kube/informers';
import type { VolumeSnapshot, VolumeSnapshotContent } from '../kube/snapshot-types';
import { pvcSource, snapshotSource, type ContentSource } from './content-source';
import type { DataSourceRef } from './prepare';

/**
 * Reads what a data source check needs, as external-provisioner reads it (the snapshot and its
 * content from the API server, the source claim from the informer, its PV from the API server),
 * and runs the check.
 */
export async function contentSourceFor(
  api: KubeApi,
  informers: SharedInformers,
  claim: V1PersistentVolumeClaim,
  sc: V1StorageClass,
  ds: DataSourceRef,
): Promise<ContentSource | undefined> {
  if (ds.kind === 'VolumeSnapshot') {
    const snapshot = await orUndefined(api.getSnapshot(ds.namespace, ds.name));
    const bound = snapshot?.status?.boundVolumeSnapshotContentName;
    const content = bound ? await orUndefined<VolumeSnapshotContent>(api.getContent(bound)) : undefined;
    return snapshotSource(claim, sc, ds.name, snapshot as VolumeSnapshot | undefined, content);
  }
  if (ds.kind === 'PersistentVolumeClaim') {
    const source = informers.pvcs().get(ds.name, ds.namespace);
    const pvName = source?.spec?.volumeName;
    const pv = pvName ? await orUndefined<V1PersistentVolume>(apiCall(() => api.core.readPersistentVolume({ name: pvName }))) : undefined;
    return pvcSource(claim, sc, ds.name, source, pv);
  }
  return undefined;
}

async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
