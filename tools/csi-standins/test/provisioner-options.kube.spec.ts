/**
 * The sidecar flags a TopoLVM deployment turns on: external-provisioner's --enable-capacity
 * (CSIStorageCapacity objects from GetCapacity, per class and topology segment) and
 * --extra-create-metadata on external-provisioner and csi-snapshotter (the claim's and the
 * snapshot's names among the parameters).
 */
import type { V1CSIStorageCapacity } from '@kubernetes/client-node';
import { apiCall } from '@copse/controller-runtime';
import { DRIVER_NAME_LABEL, MANAGED_BY_LABEL } from '../src/provisioner/capacity';
import { GiB } from './fake-plugin';
import { useEnv, type Env } from './env';

const env = useEnv({
  nodes: ['a', 'b'],
  settings: { enableCapacity: true, capacityPollIntervalMs: 300, extraCreateMetadata: true, snapshotExtraCreateMetadata: true },
});

async function capacities(e: Env): Promise<V1CSIStorageCapacity[]> {
  const list = await apiCall(() => e.api.storage.listNamespacedCSIStorageCapacity({ namespace: e.namespace }));
  return list.items;
}

/** The objects once `check` holds of them. */
async function capacitiesWhen(e: Env, what: string, check: (items: V1CSIStorageCapacity[]) => boolean): Promise<V1CSIStorageCapacity[]> {
  return e.eventually(async () => {
    const items = await capacities(e);
    return check(items) ? items : undefined;
  }, what);
}

describe('external-provisioner stand-in: --enable-capacity', () => {
  it('publishes one CSIStorageCapacity per late-binding class and node segment, from GetCapacity with the class\'s parameters', async () => {
    const e = env();
    const parameters = { 'topolvm.io/device-class': 'ssd', 'csi.storage.k8s.io/fstype': 'xfs' };
    const late = await e.storageClass({ volumeBindingMode: 'WaitForFirstConsumer', parameters });
    const immediate = await e.storageClass({ volumeBindingMode: 'Immediate' });
    const lateName = late.metadata?.name as string;
    const items = await capacitiesWhen(e, 'two CSIStorageCapacity objects', (i) => i.length === 2);
    const bySegment = (node: string) => items.find((c) => c.nodeTopology?.matchLabels?.[e.topologyKey] === node);
    for (const node of e.nodes) {
      const c = bySegment(node);
      expect(c).toMatchObject({
        metadata: { generateName: 'csisc-', labels: { [DRIVER_NAME_LABEL]: e.driverName, [MANAGED_BY_LABEL]: 'external-provisioner' } },
        storageClassName: lateName,
        nodeTopology: { matchLabels: { [e.topologyKey]: node } },
        capacity: '100Gi',
        maximumVolumeSize: '50Gi',
      });
      expect(c?.metadata?.name).toMatch(/^csisc-/);
    }
    // none for the Immediate class (no --capacity-for-immediate-binding)
    expect(items.map((c) => c.storageClassName)).not.toContain(immediate.metadata?.name);

    const requests = e.plugin.requests('GetCapacity');
    expect(requests.length).toBeGreaterThanOrEqual(2);
    for (const node of e.nodes) {
      // the class's parameters as they are (csi.storage.k8s.io/ keys included), a mount capability of mode UNKNOWN
      expect(requests).toContainEqual({
        parameters,
        volume_capabilities: [{ mount: { fs_type: '', mount_flags: [], volume_mount_group: '' }, access_mode: { mode: 'UNKNOWN' }, access_type: 'mount' }],
        accessible_topology: { segments: { [e.topologyKey]: node } },
      });
    }
  });

  it('follows GetCapacity at each poll, and deletes the objects of a class that is gone', async () => {
    const e = env();
    const sc = await e.storageClass({ volumeBindingMode: 'WaitForFirstConsumer' });
    const name = sc.metadata?.name as string;
    const mine = (i: V1CSIStorageCapacity[]) => i.filter((c) => c.storageClassName === name);
    await capacitiesWhen(e, 'the class\'s objects', (i) => mine(i).length === 2);
    const before = mine(await capacities(e)).map((c) => c.metadata?.name).sort();
    e.plugin.override('GetCapacity', () => ({ available_capacity: 7 * GiB }), { once: false });
    const after = await capacitiesWhen(e, '7Gi everywhere, no maximum', (i) => mine(i).length === 2 && mine(i).every((c) => c.capacity === '7Gi' && c.maximumVolumeSize === undefined));
    // updated in place, not made anew
    expect(mine(after).map((c) => c.metadata?.name).sort()).toEqual(before);
    e.plugin.clearOverrides();
    await apiCall(() => e.api.storage.deleteStorageClass({ name }));
    await capacitiesWhen(e, 'the class\'s objects gone', (i) => mine(i).length === 0);
  });
});

describe('--extra-create-metadata', () => {
  it('adds the claim\'s and the PV\'s names to CreateVolume, and the snapshot\'s and content\'s to CreateSnapshot', async () => {
    const e = env();
    const sc = await e.storageClass({ parameters: { 'topolvm.io/device-class': 'ssd' } });
    const created = await e.pvc({ storageClassName: sc.metadata?.name as string });
    const claim = await e.bound(created.metadata?.name as string);
    const pvName = `pvc-${claim.metadata?.uid}`;
    const create = e.plugin.requests('CreateVolume').find((r) => r.name === pvName);
    expect(create.parameters).toEqual({
      'topolvm.io/device-class': 'ssd',
      'csi.storage.k8s.io/pvc/name': claim.metadata?.name,
      'csi.storage.k8s.io/pvc/namespace': e.namespace,
      'csi.storage.k8s.io/pv/name': pvName,
    });
    expect(create.secrets).toEqual({});

    const cls = await e.snapshotClass({ parameters: { 'example.com/tier': 'gold' } });
    const snap = await e.snapshot(claim.metadata?.name as string, cls.metadata.name);
    await e.waitForSnapshot(snap.metadata.name as string, (s) => s?.status?.readyToUse === true);
    const snapshotRequest = e.plugin.requests('CreateSnapshot').find((r) => r.name === `snapshot-${snap.metadata.uid}`);
    expect(snapshotRequest).toEqual({
      name: `snapshot-${snap.metadata.uid}`,
      source_volume_id: `vol-${pvName}`,
      parameters: {
        'example.com/tier': 'gold',
        'csi.storage.k8s.io/volumesnapshot/name': snap.metadata.name,
        'csi.storage.k8s.io/volumesnapshot/namespace': e.namespace,
        'csi.storage.k8s.io/volumesnapshotcontent/name': `snapcontent-${snap.metadata.uid}`,
      },
      secrets: {},
    });
  });
});
