/**
 * Restores and clones through the external-provisioner stand-in: the content source it sends,
 * the checks it makes on the snapshot or source claim first (and the events that say why it
 * waits), the answer that lacks content_source, and the cloning-protection finalizer.
 */
import { status } from '@grpc/grpc-js';
import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { CsiError } from '@copse/csi-grpc';
import { apiCall } from '@copse/controller-runtime';
import type { VolumeSnapshot } from '../src/kube/snapshot-types';
import { GiB } from './fake-plugin';
import { useEnv, type Env } from './env';

// snapshot-controller revisits a SnapshotDeletePending snapshot only at its resync (15 min by
// default): short here, so that the test sees the snapshot go once its restore is deleted
const env = useEnv({ settings: { snapshotResyncMs: 2_000 } });

const SNAPSHOT_REF = { kind: 'VolumeSnapshot', apiGroup: 'snapshot.storage.k8s.io' };

async function readySnapshot(e: Env, className: string, size = '1Gi'): Promise<{ claim: V1PersistentVolumeClaim; snapshot: VolumeSnapshot }> {
  const created = await e.pvc({ storageClassName: className, size });
  const claim = await e.bound(created.metadata?.name as string);
  const cls = await e.snapshotClass();
  const s = await e.snapshot(claim.metadata?.name as string, cls.metadata.name);
  const snapshot = (await e.waitForSnapshot(s.metadata.name as string, (x) => x?.status?.readyToUse === true)) as VolumeSnapshot;
  return { claim, snapshot };
}

/** The provisioner's ProvisioningFailed messages about a claim, once one says `part`. */
async function failures(e: Env, claim: V1PersistentVolumeClaim, part: string): Promise<string[]> {
  return e.eventually(async () => {
    const msgs = (await e.events(claim)).filter(([, r]) => r === 'ProvisioningFailed').map(([, , m]) => m);
    return msgs.some((m) => m.includes(part)) ? msgs : undefined;
  }, `ProvisioningFailed with "${part}"`);
}

describe('restore from a VolumeSnapshot', () => {
  it('sends the content\'s snapshotHandle as the content source and makes the PV of the answer', async () => {
    const e = env();
    const sc = await e.storageClass();
    const { snapshot } = await readySnapshot(e, sc.metadata?.name as string);
    const content = await e.api.getContent(snapshot.status?.boundVolumeSnapshotContentName as string);
    const restore = await e.pvc({ storageClassName: sc.metadata?.name as string, size: '2Gi', dataSource: { ...SNAPSHOT_REF, name: snapshot.metadata.name as string } });
    const bound = await e.bound(restore.metadata?.name as string);
    const request = e.plugin.requests('CreateVolume').find((r) => r.name === `pvc-${restore.metadata?.uid}`);
    expect(request.volume_content_source).toEqual({ snapshot: { snapshot_id: content.status?.snapshotHandle }, type: 'snapshot' });
    expect(request.capacity_range).toEqual({ required_bytes: String(2 * GiB), limit_bytes: '0' });
    expect(bound.status?.capacity).toEqual({ storage: '2Gi' });
  });

  it('waits, saying why, while the snapshot is not ready, and provisions once it is', async () => {
    const e = env();
    const sc = await e.storageClass();
    const created = await e.pvc({ storageClassName: sc.metadata?.name as string });
    await e.bound(created.metadata?.name as string);
    const cls = await e.snapshotClass();
    // the plugin keeps answering ready_to_use false until told otherwise
    const slow = (r: { name: string; source_volume_id: string }) => ({
      snapshot: { snapshot_id: `slow-${r.name}`, source_volume_id: r.source_volume_id, size_bytes: GiB, creation_time: { seconds: 1_700_000_000, nanos: 0 }, ready_to_use: false },
    });
    e.plugin.override('CreateSnapshot', slow, { once: false });
    const snap = await e.snapshot(created.metadata?.name as string, cls.metadata.name);
    await e.waitForSnapshot(snap.metadata.name as string, (s) => s?.status?.boundVolumeSnapshotContentName !== undefined && s.status.readyToUse === false && s.status.restoreSize !== undefined);
    const restore = await e.pvc({ storageClassName: sc.metadata?.name as string, dataSource: { ...SNAPSHOT_REF, name: snap.metadata.name as string } });
    const msgs = await failures(e, restore, 'is not Ready');
    expect(msgs).toContain(
      `failed to provision volume with StorageClass "${sc.metadata?.name}": error getting handle for DataSource Type VolumeSnapshot by Name ${snap.metadata.name}: snapshot ${snap.metadata.name} is not Ready`,
    );
    expect(e.plugin.requests('CreateVolume').filter((r) => r.name === `pvc-${restore.metadata?.uid}`)).toEqual([]);

    e.plugin.clearOverrides();
    e.plugin.override('CreateSnapshot', (r) => ({ ...slow(r), snapshot: { ...slow(r).snapshot, ready_to_use: true } }), { once: false });
    e.plugin.snapshots.set(`slow-snapshot-${snap.metadata.uid}`, { name: `snapshot-${snap.metadata.uid}`, source: '', size: GiB, createdAt: new Date() });
    await e.bound(restore.metadata?.name as string);
    e.plugin.clearOverrides();
  });

  it('refuses a claim smaller than the snapshot\'s restoreSize', async () => {
    const e = env();
    const sc = await e.storageClass();
    const { snapshot } = await readySnapshot(e, sc.metadata?.name as string, '2Gi');
    const restore = await e.pvc({ storageClassName: sc.metadata?.name as string, size: '1Gi', dataSource: { ...SNAPSHOT_REF, name: snapshot.metadata.name as string } });
    const msgs = await failures(e, restore, 'is less than the size');
    expect(msgs).toContain(
      `failed to provision volume with StorageClass "${sc.metadata?.name}": error getting handle for DataSource Type VolumeSnapshot by Name ${snapshot.metadata.name}: requested volume size ${GiB} is less than the size ${2 * GiB} for the source snapshot ${snapshot.metadata.name}`,
    );
    expect(e.plugin.requests('CreateVolume').filter((r) => r.name === `pvc-${restore.metadata?.uid}`)).toEqual([]);
  });

  it('refuses a snapshot whose content belongs to another driver (a pre-provisioned one), as not bound', async () => {
    const e = env();
    const sc = await e.storageClass();
    const contentName = e.clusterName('foreign-content');
    const snapName = e.name('foreign');
    await apiCall(() =>
      e.api.custom.createClusterCustomObject({
        group: 'snapshot.storage.k8s.io',
        version: 'v1',
        plural: 'volumesnapshotcontents',
        body: {
          apiVersion: 'snapshot.storage.k8s.io/v1',
          kind: 'VolumeSnapshotContent',
          metadata: { name: contentName },
          spec: { deletionPolicy: 'Retain', driver: 'other.example.com', source: { snapshotHandle: 'other-1' }, volumeSnapshotRef: { name: snapName, namespace: e.namespace } },
        },
      }),
    );
    await apiCall(() =>
      e.api.custom.createNamespacedCustomObject({
        group: 'snapshot.storage.k8s.io',
        version: 'v1',
        plural: 'volumesnapshots',
        namespace: e.namespace,
        body: { apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshot', metadata: { name: snapName }, spec: { source: { volumeSnapshotContentName: contentName } } },
      }),
    );
    // the snapshot-controller binds the pre-provisioned content (its ref gets the uid)
    const bound = await e.waitForSnapshot(snapName, (s) => s?.status?.boundVolumeSnapshotContentName === contentName);
    expect((await e.api.getContent(contentName)).spec.volumeSnapshotRef.uid).toBe(bound?.metadata.uid);
    const restore = await e.pvc({ storageClassName: sc.metadata?.name as string, dataSource: { ...SNAPSHOT_REF, name: snapName } });
    const msgs = await failures(e, restore, 'not bound');
    expect(msgs).toContain(`failed to provision volume with StorageClass "${sc.metadata?.name}": error getting handle for DataSource Type VolumeSnapshot by Name ${snapName}: snapshot ${snapName} not bound`);
    await apiCall(() => e.api.custom.deleteClusterCustomObject({ group: 'snapshot.storage.k8s.io', version: 'v1', plural: 'volumesnapshotcontents', name: contentName }));
  });

  it('deletes a restored volume whose answer lacks content_source, and provisions it again', async () => {
    const e = env();
    const sc = await e.storageClass();
    const { snapshot } = await readySnapshot(e, sc.metadata?.name as string);
    e.plugin.override('CreateVolume', (r) => ({ volume: { volume_id: `nosource-${r.name}`, capacity_bytes: GiB } }));
    const restore = await e.pvc({ storageClassName: sc.metadata?.name as string, dataSource: { ...SNAPSHOT_REF, name: snapshot.metadata.name as string } });
    const bound = await e.bound(restore.metadata?.name as string);
    expect(e.plugin.requests('DeleteVolume')).toContainEqual({ volume_id: `nosource-pvc-${restore.metadata?.uid}`, secrets: {} });
    expect(await e.events(bound)).toContainEqual(['Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${sc.metadata?.name}": volume content source missing`]);
    expect((await e.readPv(bound.spec?.volumeName as string)).spec?.csi?.volumeHandle).toBe(`vol-pvc-${restore.metadata?.uid}`);
  });

  it('keeps a snapshot a pending restore names (SnapshotDeletePending); the restore then fails as the real one does, and deleting it lets the snapshot go', async () => {
    const e = env();
    const sc = await e.storageClass();
    const { snapshot } = await readySnapshot(e, sc.metadata?.name as string);
    const snapName = snapshot.metadata.name as string;
    e.plugin.override('CreateVolume', () => {
      throw new CsiError(status.UNAVAILABLE, 'held');
    }, { once: false });
    const restore = await e.pvc({ storageClassName: sc.metadata?.name as string, dataSource: { ...SNAPSHOT_REF, name: snapName } });
    await failures(e, restore, 'held');
    await apiCall(() => e.api.custom.deleteNamespacedCustomObject({ group: 'snapshot.storage.k8s.io', version: 'v1', plural: 'volumesnapshots', namespace: e.namespace, name: snapName }));
    const pending = await e.eventually(async () => ((await e.events(snapshot)).some(([, r]) => r === 'SnapshotDeletePending') ? true : undefined), 'SnapshotDeletePending');
    expect(pending).toBe(true);
    const held = await e.api.getSnapshot(e.namespace, snapName);
    expect(held.metadata.deletionTimestamp).toBeDefined();
    expect(held.metadata.finalizers).toContain('snapshot.storage.kubernetes.io/volumesnapshot-as-source-protection');
    // external-provisioner refuses a snapshot being deleted, even for a claim that named it
    // before: the restore cannot finish (a deadlock users meet with the real sidecars too)
    e.plugin.clearOverrides();
    expect(await failures(e, restore, 'currently being deleted')).toContain(
      `failed to provision volume with StorageClass "${sc.metadata?.name}": error getting handle for DataSource Type VolumeSnapshot by Name ${snapName}: snapshot ${snapName} is currently being deleted`,
    );
    expect(e.plugin.requests('CreateVolume').filter((r) => r.name === `pvc-${restore.metadata?.uid}` && r.volume_content_source)).not.toHaveLength(0);
    // nothing tells snapshot-controller that the claim went: the snapshot goes at its next resync
    await apiCall(() => e.api.core.deleteNamespacedPersistentVolumeClaim({ name: restore.metadata?.name as string, namespace: e.namespace }));
    await e.waitForSnapshot(snapName, (s) => s === undefined);
  });
});

describe('clone from a PersistentVolumeClaim', () => {
  it('sends the source PV\'s handle as the content source and protects the source while the clone is pending', async () => {
    const e = env();
    const sc = await e.storageClass();
    const source = await e.bound((await e.pvc({ storageClassName: sc.metadata?.name as string })).metadata?.name as string);
    const sourcePv = await e.readPv(source.spec?.volumeName as string);
    const clone = await e.pvc({ storageClassName: sc.metadata?.name as string, dataSource: { kind: 'PersistentVolumeClaim', name: source.metadata?.name as string } });
    await e.bound(clone.metadata?.name as string);
    const request = e.plugin.requests('CreateVolume').find((r) => r.name === `pvc-${clone.metadata?.uid}`);
    expect(request.volume_content_source).toEqual({ volume: { volume_id: sourcePv.spec?.csi?.volumeHandle }, type: 'volume' });
    expect((await e.readPvc(source.metadata?.name as string)).metadata?.finalizers).toContain('provisioner.storage.kubernetes.io/cloning-protection');
    // once no clone of it is pending, a deleted source goes
    await apiCall(() => e.api.core.deleteNamespacedPersistentVolumeClaim({ name: source.metadata?.name as string, namespace: e.namespace }));
    await e.waitForPvc(source.metadata?.name as string, (c) => c === undefined);
  });

  it('refuses a clone smaller than its source, or of another volume mode', async () => {
    const e = env();
    const sc = await e.storageClass();
    const source = await e.bound((await e.pvc({ storageClassName: sc.metadata?.name as string, size: '2Gi' })).metadata?.name as string);
    const small = await e.pvc({ storageClassName: sc.metadata?.name as string, size: '1Gi', dataSource: { kind: 'PersistentVolumeClaim', name: source.metadata?.name as string } });
    expect(await failures(e, small, 'greater than or equal')).toContain(
      `failed to provision volume with StorageClass "${sc.metadata?.name}": error getting handle for DataSource Type PersistentVolumeClaim by Name ${source.metadata?.name}: error, new PVC request must be greater than or equal in size to the specified PVC data source, requested ${GiB} but source is ${2 * GiB}`,
    );
    const block = await e.pvc({ storageClassName: sc.metadata?.name as string, size: '2Gi', volumeMode: 'Block', dataSource: { kind: 'PersistentVolumeClaim', name: source.metadata?.name as string } });
    expect(await failures(e, block, 'same volume mode')).toContain(
      `failed to provision volume with StorageClass "${sc.metadata?.name}": error getting handle for DataSource Type PersistentVolumeClaim by Name ${source.metadata?.name}: the source PVC and destination PVCs must have the same volume mode for cloning.  Source is Filesystem, but new PVC requested Block`,
    );
    const names = [small, block].map((c) => `pvc-${c.metadata?.uid}`);
    expect(e.plugin.requests('CreateVolume').filter((r) => names.includes(r.name))).toEqual([]);
  });
});
