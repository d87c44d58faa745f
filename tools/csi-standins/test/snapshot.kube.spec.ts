/**
 * The snapshot-controller and csi-snapshotter stand-ins: VolumeSnapshot -> VolumeSnapshotContent
 * -> CreateSnapshot, the statuses, finalizers and events, the default class, the calls repeated
 * while a snapshot is not ready, and deletion by policy.
 */
import { status } from '@grpc/grpc-js';
import { CsiError } from '@copse/csi-grpc';
import { timestampFrom } from '@copse/csi-spec';
import { apiCall } from '@copse/controller-runtime';
import type { VolumeSnapshot, VolumeSnapshotContent } from '../src/kube/snapshot-types';
import { GiB } from './fake-plugin';
import { useEnv, type Env } from './env';

const env = useEnv();

async function boundClaim(e: Env, className: string): Promise<{ name: string; pv: string; handle: string }> {
  const created = await e.pvc({ storageClassName: className });
  const pvc = await e.bound(created.metadata?.name as string);
  const pv = await e.readPv(pvc.spec?.volumeName as string);
  return { name: created.metadata?.name as string, pv: pv.metadata?.name as string, handle: pv.spec?.csi?.volumeHandle as string };
}

function content(e: Env, name: string): Promise<VolumeSnapshotContent> {
  return e.api.getContent(name);
}

describe('snapshot-controller and csi-snapshotter stand-ins', () => {
  it('makes snapcontent-<uid>, calls CreateSnapshot with the PV\'s handle and the class\'s parameters, and shows the snapshot ready', async () => {
    const e = env();
    const sc = await e.storageClass();
    const cls = await e.snapshotClass({ parameters: { 'example.com/tier': 'fast', 'csi.storage.k8s.io/snapshotter-secret-name': 'none', 'csi.storage.k8s.io/snapshotter-secret-namespace': e.namespace } as never });
    // the class names the snapshotter's secret: CreateSnapshot carries its data, the content the deletion-secret annotations
    await apiCall(() => e.api.core.createNamespacedSecret({ namespace: e.namespace, body: { metadata: { name: 'none' }, stringData: { key: 'value' } } }));
    const claim = await boundClaim(e, sc.metadata?.name as string);
    const created = await e.snapshot(claim.name, cls.metadata.name);
    const uid = created.metadata.uid as string;
    const snap = (await e.waitForSnapshot(created.metadata.name as string, (s) => s?.status?.readyToUse === true)) as VolumeSnapshot;

    const [request, ...more] = e.plugin.requests('CreateSnapshot');
    expect(more).toEqual([]);
    expect(request).toEqual({ source_volume_id: claim.handle, name: `snapshot-${uid}`, parameters: { 'example.com/tier': 'fast' }, secrets: { key: 'value' } });

    const vsc = await content(e, `snapcontent-${uid}`);
    expect(vsc.spec).toEqual({
      volumeSnapshotRef: { kind: 'VolumeSnapshot', namespace: e.namespace, name: created.metadata.name, uid, apiVersion: 'snapshot.storage.k8s.io/v1', resourceVersion: expect.any(String) },
      source: { volumeHandle: claim.handle },
      volumeSnapshotClassName: cls.metadata.name,
      deletionPolicy: 'Delete',
      driver: e.driverName,
    });
    expect(vsc.metadata.finalizers).toEqual(['snapshot.storage.kubernetes.io/volumesnapshotcontent-bound-protection']);
    expect(vsc.metadata.annotations).toEqual({
      'snapshot.storage.kubernetes.io/deletion-secret-name': 'none',
      'snapshot.storage.kubernetes.io/deletion-secret-namespace': e.namespace,
    });
    const cut = e.plugin.snapshots.get(`snap-snapshot-${uid}`);
    expect(vsc.status).toEqual({ snapshotHandle: `snap-snapshot-${uid}`, readyToUse: true, restoreSize: GiB, creationTime: expect.any(Number) });
    expect(Math.abs((vsc.status?.creationTime ?? 0) / 1e6 - (cut?.createdAt.getTime() ?? 0))).toBeLessThan(1);

    expect(snap.status).toEqual({
      boundVolumeSnapshotContentName: `snapcontent-${uid}`,
      readyToUse: true,
      restoreSize: '1Gi',
      creationTime: (cut?.createdAt.toISOString() ?? '').replace(/\.\d{3}Z$/, 'Z'),
    });
    expect(snap.metadata.finalizers).toEqual([
      'snapshot.storage.kubernetes.io/volumesnapshot-as-source-protection',
      'snapshot.storage.kubernetes.io/volumesnapshot-bound-protection',
    ]);
    // the source claim's protection lasts while the snapshot is cut, then goes
    await e.waitForPvc(claim.name, (c) => !(c?.metadata?.finalizers ?? []).includes('snapshot.storage.kubernetes.io/pvc-as-source-protection'));
    const events = await e.eventually(async () => {
      const ev = await e.events(snap);
      return ev.some(([, r]) => r === 'SnapshotReady') ? ev : undefined;
    }, 'SnapshotReady');
    expect(events).toEqual([
      ['Normal', 'CreatingSnapshot', `Waiting for a snapshot ${e.namespace}/${created.metadata.name} to be created by the CSI driver.`],
      ['Normal', 'SnapshotCreated', `Snapshot ${e.namespace}/${created.metadata.name} was successfully created by the CSI driver.`],
      ['Normal', 'SnapshotReady', `Snapshot ${e.namespace}/${created.metadata.name} is ready to use.`],
    ]);
  });

  it('gives a snapshot without a class the default class of its volume\'s driver', async () => {
    const e = env();
    const sc = await e.storageClass();
    await e.snapshotClass({ deletionPolicy: 'Retain' });
    const def = await e.snapshotClass({ metadata: { name: e.clusterName('default-vsc'), annotations: { 'snapshot.storage.kubernetes.io/is-default-class': 'true' } } });
    const claim = await boundClaim(e, sc.metadata?.name as string);
    const created = await e.snapshot(claim.name);
    const snap = await e.waitForSnapshot(created.metadata.name as string, (s) => s?.status?.readyToUse === true);
    expect(snap?.spec.volumeSnapshotClassName).toBe(def.metadata.name);
  });

  it('calls CreateSnapshot again with the same name while the plugin answers ready_to_use false', async () => {
    const e = env();
    const sc = await e.storageClass();
    const cls = await e.snapshotClass();
    const claim = await boundClaim(e, sc.metadata?.name as string);
    const notReady = (r: { name: string; source_volume_id: string }) => ({
      snapshot: { snapshot_id: `slow-${r.name}`, source_volume_id: r.source_volume_id, size_bytes: GiB, creation_time: timestampFrom(new Date()), ready_to_use: false },
    });
    e.plugin.override('CreateSnapshot', notReady);
    e.plugin.override('CreateSnapshot', notReady);
    e.plugin.override('CreateSnapshot', notReady);
    e.plugin.override('CreateSnapshot', (r) => ({
      snapshot: { snapshot_id: `slow-${r.name}`, source_volume_id: r.source_volume_id, size_bytes: GiB, creation_time: timestampFrom(new Date()), ready_to_use: true },
    }));
    const created = await e.snapshot(claim.name, cls.metadata.name);
    const snap = await e.waitForSnapshot(created.metadata.name as string, (s) => s?.status?.readyToUse === true);
    const calls = e.plugin.requests('CreateSnapshot').filter((r) => r.source_volume_id === claim.handle);
    expect(calls.length).toBeGreaterThanOrEqual(4);
    expect(new Set(calls.map((c) => c.name))).toEqual(new Set([`snapshot-${created.metadata.uid}`]));
    // the sidecar writes the status, then drops its being-created annotation
    const vsc = await e.eventually(async () => {
      const c = await content(e, snap?.status?.boundVolumeSnapshotContentName as string);
      return c.metadata.annotations?.['snapshot.storage.kubernetes.io/volumesnapshot-being-created'] === undefined ? c : undefined;
    }, 'the being-created annotation to go');
    expect(vsc.status?.snapshotHandle).toBe(`slow-snapshot-${created.metadata.uid}`);
  });

  it('refuses an answer without creation_time, reports it on the content, and keeps calling', async () => {
    const e = env();
    const sc = await e.storageClass();
    const cls = await e.snapshotClass();
    const claim = await boundClaim(e, sc.metadata?.name as string);
    e.plugin.override('CreateSnapshot', (r) => ({ snapshot: { snapshot_id: `x-${r.name}`, source_volume_id: r.source_volume_id, size_bytes: GiB, ready_to_use: true } }));
    const created = await e.snapshot(claim.name, cls.metadata.name);
    const snap = await e.waitForSnapshot(created.metadata.name as string, (s) => s?.status?.readyToUse === true);
    const vsc = await content(e, snap?.status?.boundVolumeSnapshotContentName as string);
    expect(await e.events(vsc)).toContainEqual([
      'Warning',
      'SnapshotCreationFailed',
      `Failed to create snapshot: failed to take snapshot of the volume ${claim.handle}: "timestamp: nil Timestamp"`,
    ]);
    expect(vsc.status?.error).toBeUndefined();
  });

  it('deletes the storage snapshot and the content with policy Delete, and keeps both with Retain', async () => {
    const e = env();
    const sc = await e.storageClass();
    const del = await e.snapshotClass({ deletionPolicy: 'Delete' });
    const keep = await e.snapshotClass({ deletionPolicy: 'Retain' });
    const claim = await boundClaim(e, sc.metadata?.name as string);
    const a = await e.snapshot(claim.name, del.metadata.name);
    const b = await e.snapshot(claim.name, keep.metadata.name);
    await e.waitForSnapshot(a.metadata.name as string, (s) => s?.status?.readyToUse === true);
    await e.waitForSnapshot(b.metadata.name as string, (s) => s?.status?.readyToUse === true);
    const retained = await content(e, `snapcontent-${b.metadata.uid}`);
    expect(retained.spec.deletionPolicy).toBe('Retain');

    for (const s of [a, b]) {
      await apiCall(() =>
        e.api.custom.deleteNamespacedCustomObject({ group: 'snapshot.storage.k8s.io', version: 'v1', plural: 'volumesnapshots', namespace: e.namespace, name: s.metadata.name as string }),
      );
    }
    await e.waitForSnapshot(a.metadata.name as string, (s) => s === undefined);
    await e.waitForSnapshot(b.metadata.name as string, (s) => s === undefined);
    await expect(content(e, `snapcontent-${a.metadata.uid}`)).rejects.toMatchObject({ code: 404 });
    expect(e.plugin.requests('DeleteSnapshot')).toEqual([{ snapshot_id: `snap-snapshot-${a.metadata.uid}`, secrets: {} }]);
    const kept = await content(e, `snapcontent-${b.metadata.uid}`);
    expect(kept.status?.snapshotHandle).toBe(`snap-snapshot-${b.metadata.uid}`);
    expect(kept.metadata.annotations?.['snapshot.storage.kubernetes.io/volumesnapshot-being-deleted']).toBe('yes');
  });

  it('reports a claim that is not bound yet, and snapshots it once it is', async () => {
    const e = env();
    const sc = await e.storageClass({ volumeBindingMode: 'WaitForFirstConsumer' });
    const cls = await e.snapshotClass();
    const created = await e.pvc({ storageClassName: sc.metadata?.name as string });
    const snap = await e.snapshot(created.metadata?.name as string, cls.metadata.name);
    const failed = await e.waitForSnapshot(snap.metadata.name as string, (s) => s?.status?.error !== undefined);
    expect(failed?.status).toMatchObject({
      readyToUse: false,
      error: {
        message: `Failed to create snapshot content with error failed to get input parameters to create snapshot ${snap.metadata.name}: "the PVC ${created.metadata?.name} is not yet bound to a PV, will not attempt to take a snapshot"`,
      },
    });
    const p = await e.standIns.kubelet(e.nodes[0] as string).publish({ namespace: e.namespace, name: created.metadata?.name as string });
    const ready = await e.waitForSnapshot(snap.metadata.name as string, (s) => s?.status?.readyToUse === true);
    expect(ready?.status?.error).toBeUndefined();
    await e.standIns.kubelet(e.nodes[0] as string).unpublish(p);
  });

  it('drops the being-created annotation after a final CreateSnapshot error, keeps it after one that may still be running', async () => {
    const e = env();
    const sc = await e.storageClass();
    const cls = await e.snapshotClass();
    const claim = await boundClaim(e, sc.metadata?.name as string);
    const beingCreated = 'snapshot.storage.kubernetes.io/volumesnapshot-being-created';
    // each retry sets the annotation before calling; a final error removes it again, a
    // possibly-running one never does
    const failingWith = async (code: number, message: string, settled: (c: VolumeSnapshotContent) => boolean): Promise<VolumeSnapshotContent> => {
      e.plugin.clearOverrides();
      e.plugin.override('CreateSnapshot', () => {
        throw new CsiError(code, message);
      }, { once: false });
      const created = await e.snapshot(claim.name, cls.metadata.name);
      const name = `snapcontent-${created.metadata.uid}`;
      return e.eventually(async () => {
        const c = await content(e, name).catch(() => undefined);
        const calls = e.plugin.requests('CreateSnapshot').filter((r) => r.name === `snapshot-${created.metadata.uid}`).length;
        // the informer may still hold the content without a status on the first retries (the
        // first failure's "Failed to create snapshot"): wait for the check-and-update path
        return c?.status?.error?.message?.startsWith('Failed to check and update') && c.status.error.message.includes(message) && calls >= 3 && settled(c) ? c : undefined;
      }, `the error on ${name}`);
    };
    const final = await failingWith(status.INVALID_ARGUMENT, 'parameter example.com/tier: unknown tier', (c) => c.metadata.annotations?.[beingCreated] === undefined);
    // the first failure leaves a status (readyToUse false, the error), so later attempts are the
    // sidecar's "check and update" path, with its own message
    expect(final.status).toMatchObject({
      readyToUse: false,
      error: { message: `Failed to check and update snapshot content: failed to take snapshot of the volume ${claim.handle}: "rpc error: code = InvalidArgument desc = parameter example.com/tier: unknown tier"` },
    });
    const pending = await failingWith(status.DEADLINE_EXCEEDED, 'lvcreate is still running', () => true);
    expect(pending.metadata.annotations?.[beingCreated]).toBe('yes');
    expect(pending.status?.error?.message).toBe(
      `Failed to check and update snapshot content: failed to take snapshot of the volume ${claim.handle}: "rpc error: code = DeadlineExceeded desc = lvcreate is still running"`,
    );

    // once the plugin answers, both become ready and lose the annotation
    e.plugin.clearOverrides();
    for (const c of [final, pending]) {
      const ready = await e.waitForSnapshot(c.spec.volumeSnapshotRef.name as string, (s) => s?.status?.readyToUse === true);
      expect(ready?.status?.error).toBeUndefined();
    }
  });
});
