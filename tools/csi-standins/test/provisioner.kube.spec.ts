/**
 * The external-provisioner and PV-controller stand-ins against the API test server (or the
 * cluster KUBECONFIG names) and a fake plugin that records every call: the exact CreateVolume a
 * claim causes, the PV made of the answer, the claim Bound as the PV controller binds it, the
 * events; WaitForFirstConsumer; the checks on the answer; deletion by reclaim policy; retries.
 */
import { status } from '@grpc/grpc-js';
import { CsiError } from '@copse/csi-grpc';
import { apiCall } from '@copse/controller-runtime';
import { GiB } from './fake-plugin';
import { useEnv } from './env';

const env = useEnv({ nodes: ['a', 'b'] });

describe('external-provisioner stand-in: Immediate binding', () => {
  it('sends CreateVolume with the claim\'s name, size, capabilities, stripped parameters and every node\'s segment, and binds the claim to the PV it makes', async () => {
    const e = env();
    const sc = await e.storageClass({
      parameters: { 'csi.storage.k8s.io/fstype': 'xfs', 'example.com/device-class': 'ssd' },
      reclaimPolicy: 'Delete',
      mountOptions: ['noatime'],
    });
    const created = await e.pvc({ storageClassName: sc.metadata?.name as string, size: '2Gi' });
    const pvc = await e.bound(created.metadata?.name as string);
    const uid = created.metadata?.uid as string;

    const [request, ...more] = e.plugin.requests('CreateVolume');
    expect(more).toEqual([]);
    const [nodeA, nodeB] = e.nodes;
    const segments = [{ segments: { [e.topologyKey]: nodeA } }, { segments: { [e.topologyKey]: nodeB } }];
    expect(request).toEqual({
      name: `pvc-${uid}`,
      capacity_range: { required_bytes: String(2 * GiB), limit_bytes: '0' },
      volume_capabilities: [{ mount: { fs_type: 'xfs', mount_flags: ['noatime'], volume_mount_group: '' }, access_mode: { mode: 'SINGLE_NODE_WRITER' }, access_type: 'mount' }],
      parameters: { 'example.com/device-class': 'ssd' },
      secrets: {},
      volume_content_source: null,
      accessibility_requirements: { requisite: expect.arrayContaining(segments), preferred: expect.arrayContaining(segments) },
      mutable_parameters: {},
    });
    expect(request.accessibility_requirements.requisite).toHaveLength(2);
    expect(request.accessibility_requirements.preferred).toHaveLength(2);

    // the PV: as external-provisioner writes it, bound by the PV controller
    const pv = await e.waitForPv(`pvc-${uid}`, (v) => v?.status?.phase === 'Bound');
    const segment = request.accessibility_requirements.preferred[0].segments;
    expect(pv?.metadata?.annotations).toEqual({
      'pv.kubernetes.io/provisioned-by': e.driverName,
      'volume.kubernetes.io/provisioner-deletion-secret-name': '',
      'volume.kubernetes.io/provisioner-deletion-secret-namespace': '',
    });
    expect(pv?.metadata?.finalizers).toEqual(expect.arrayContaining(['kubernetes.io/pv-protection', 'external-provisioner.volume.kubernetes.io/finalizer']));
    expect(pv?.spec).toMatchObject({
      accessModes: ['ReadWriteOnce'],
      capacity: { storage: '2Gi' },
      mountOptions: ['noatime'],
      persistentVolumeReclaimPolicy: 'Delete',
      storageClassName: sc.metadata?.name,
      volumeMode: 'Filesystem',
      claimRef: { kind: 'PersistentVolumeClaim', namespace: e.namespace, name: created.metadata?.name, uid, apiVersion: 'v1' },
      csi: {
        driver: e.driverName,
        volumeHandle: `vol-pvc-${uid}`,
        fsType: 'xfs',
        volumeAttributes: { 'fake.csi.copse.io/name': `pvc-${uid}`, 'storage.kubernetes.io/csiProvisionerIdentity': e.standIns.provisioner?.identity },
      },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: e.topologyKey, operator: 'In', values: [segment[e.topologyKey]] }] }] } },
    });

    // the claim: annotations and status as kube-controller-manager leaves them
    expect(pvc.spec?.volumeName).toBe(`pvc-${uid}`);
    expect(pvc.metadata?.annotations).toEqual({
      'pv.kubernetes.io/bind-completed': 'yes',
      'pv.kubernetes.io/bound-by-controller': 'yes',
      'volume.beta.kubernetes.io/storage-provisioner': e.driverName,
      'volume.kubernetes.io/storage-provisioner': e.driverName,
    });
    expect(pvc.status).toMatchObject({ phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '2Gi' } });

    const events = await e.eventually(async () => {
      const ev = await e.events(pvc);
      return ev.some(([, r]) => r === 'ProvisioningSucceeded') ? ev : undefined;
    }, 'ProvisioningSucceeded');
    expect(events).toEqual(
      expect.arrayContaining([
        [
          'Normal',
          'ExternalProvisioning',
          `Waiting for a volume to be created either by the external provisioner '${e.driverName}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
        ],
        ['Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${e.namespace}/${created.metadata?.name}"`],
        ['Normal', 'ProvisioningSucceeded', `Successfully provisioned volume pvc-${uid}`],
      ]),
    );
  });

  it('sends block claims as block capabilities, without an fsType on the PV, and each access mode as its own capability', async () => {
    const e = env();
    const sc = await e.storageClass({ parameters: { 'csi.storage.k8s.io/fstype': 'ext4' } });
    const created = await e.pvc({ storageClassName: sc.metadata?.name as string, volumeMode: 'Block', });
    await e.bound(created.metadata?.name as string);
    const request = e.plugin.requests('CreateVolume').find((r) => r.name === `pvc-${created.metadata?.uid}`);
    expect(request.volume_capabilities).toEqual([{ block: {}, access_mode: { mode: 'SINGLE_NODE_WRITER' }, access_type: 'block' }]);
    const pv = await e.readPv(`pvc-${created.metadata?.uid}`);
    expect(pv.spec?.volumeMode).toBe('Block');
    expect(pv.spec?.csi?.fsType).toBeUndefined();
  });

  it('deletes a Released volume of policy Delete (DeleteVolume, then the PV) and keeps a Retain one Released', async () => {
    const e = env();
    const del = await e.storageClass({ reclaimPolicy: 'Delete' });
    const keep = await e.storageClass({ reclaimPolicy: 'Retain' });
    const a = await e.pvc({ storageClassName: del.metadata?.name as string });
    const b = await e.pvc({ storageClassName: keep.metadata?.name as string });
    await e.bound(a.metadata?.name as string);
    await e.bound(b.metadata?.name as string);
    const pvA = `pvc-${a.metadata?.uid}`;
    const pvB = `pvc-${b.metadata?.uid}`;
    expect((await e.readPv(pvB)).metadata?.finalizers).not.toContain('external-provisioner.volume.kubernetes.io/finalizer');

    await apiCall(() => e.api.core.deleteNamespacedPersistentVolumeClaim({ name: a.metadata?.name as string, namespace: e.namespace }));
    await apiCall(() => e.api.core.deleteNamespacedPersistentVolumeClaim({ name: b.metadata?.name as string, namespace: e.namespace }));
    await e.waitForPv(pvA, (v) => v === undefined);
    expect(e.plugin.requests('DeleteVolume')).toContainEqual({ volume_id: `vol-${pvA}`, secrets: {} });
    const retained = await e.waitForPv(pvB, (v) => v?.status?.phase === 'Released');
    expect(retained?.spec?.claimRef?.name).toBe(b.metadata?.name);
    expect(e.plugin.requests('DeleteVolume')).not.toContainEqual(expect.objectContaining({ volume_id: `vol-${pvB}` }));
  });

  it('retries a CreateVolume that failed with backoff, reporting each failure on the claim', async () => {
    const e = env();
    const sc = await e.storageClass();
    e.plugin.override('CreateVolume', () => {
      throw new CsiError(status.UNAVAILABLE, 'lvmd is restarting');
    });
    e.plugin.override('CreateVolume', () => {
      throw new CsiError(status.INTERNAL, 'disk trouble');
    });
    const created = await e.pvc({ storageClassName: sc.metadata?.name as string });
    const pvc = await e.bound(created.metadata?.name as string);
    const names = e.plugin.requests('CreateVolume').filter((r) => r.name === `pvc-${created.metadata?.uid}`);
    expect(names).toHaveLength(3);
    const events = await e.events(pvc);
    expect(events).toEqual(
      expect.arrayContaining([
        ['Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${sc.metadata?.name}": rpc error: code = Unavailable desc = lvmd is restarting`],
        ['Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${sc.metadata?.name}": rpc error: code = Internal desc = disk trouble`],
      ]),
    );
  });

  it('deletes a volume whose answer is smaller than asked, and provisions it again', async () => {
    const e = env();
    const sc = await e.storageClass();
    e.plugin.override('CreateVolume', (r) => ({ volume: { volume_id: `small-${r.name}`, capacity_bytes: GiB / 2 } }));
    const created = await e.pvc({ storageClassName: sc.metadata?.name as string });
    const pvc = await e.bound(created.metadata?.name as string);
    expect(e.plugin.requests('DeleteVolume')).toContainEqual({ volume_id: `small-pvc-${created.metadata?.uid}`, secrets: {} });
    expect(await e.events(pvc)).toContainEqual([
      'Warning',
      'ProvisioningFailed',
      `failed to provision volume with StorageClass "${sc.metadata?.name}": created volume capacity ${GiB / 2} less than requested capacity ${GiB}`,
    ]);
    expect((await e.readPv(`pvc-${created.metadata?.uid}`)).spec?.csi?.volumeHandle).toBe(`vol-pvc-${created.metadata?.uid}`);
  });
});

describe('external-provisioner stand-in: WaitForFirstConsumer', () => {
  it('waits for the scheduler\'s node, then puts that node\'s segment first in preferred', async () => {
    const e = env();
    const sc = await e.storageClass({ volumeBindingMode: 'WaitForFirstConsumer' });
    const created = await e.pvc({ storageClassName: sc.metadata?.name as string });
    const name = created.metadata?.name as string;
    await e.eventually(async () => ((await e.events(created)).some(([, r]) => r === 'WaitForFirstConsumer') ? true : undefined), 'WaitForFirstConsumer');
    expect(e.plugin.requests('CreateVolume').filter((r) => r.name === `pvc-${created.metadata?.uid}`)).toEqual([]);
    expect((await e.readPvc(name)).metadata?.annotations?.['volume.kubernetes.io/storage-provisioner']).toBeUndefined();

    const [, nodeB] = e.nodes;
    const publication = await e.standIns.kubelet(nodeB as string).publish({ namespace: e.namespace, name });
    const [request] = e.plugin.requests('CreateVolume').filter((r) => r.name === `pvc-${created.metadata?.uid}`);
    expect(request.accessibility_requirements.preferred[0]).toEqual({ segments: { [e.topologyKey]: nodeB } });
    expect(request.accessibility_requirements.requisite).toHaveLength(2);
    const pvc = await e.readPvc(name);
    expect(pvc.metadata?.annotations?.['volume.kubernetes.io/selected-node']).toBe(nodeB);
    expect((await e.readPv(pvc.spec?.volumeName as string)).spec?.nodeAffinity?.required?.nodeSelectorTerms?.[0]?.matchExpressions?.[0]?.values).toEqual([nodeB]);
    await e.standIns.kubelet(nodeB as string).unpublish(publication);
  });

  it('asks the scheduler for another node when the chosen one has no space (ResourceExhausted removes selected-node)', async () => {
    const e = env();
    const sc = await e.storageClass({ volumeBindingMode: 'WaitForFirstConsumer' });
    const created = await e.pvc({ storageClassName: sc.metadata?.name as string });
    const name = created.metadata?.name as string;
    e.plugin.override('CreateVolume', () => {
      throw new CsiError(status.RESOURCE_EXHAUSTED, 'no space left in device class ssd on node a');
    });
    const [nodeA] = e.nodes;
    await apiCall(() =>
      e.api.core.patchNamespacedPersistentVolumeClaim({
        name,
        namespace: e.namespace,
        body: [{ op: 'add', path: '/metadata/annotations', value: { 'volume.kubernetes.io/selected-node': nodeA } }],
      }),
    );
    const pvc = await e.waitForPvc(name, (c) => c !== undefined && c.metadata?.annotations?.['volume.kubernetes.io/storage-provisioner'] !== undefined && c.metadata.annotations['volume.kubernetes.io/selected-node'] === undefined);
    expect(pvc?.status?.phase).toBe('Pending');
    expect(await e.events(pvc as never)).toContainEqual([
      'Warning',
      'ProvisioningFailed',
      `failed to provision volume with StorageClass "${sc.metadata?.name}": rpc error: code = ResourceExhausted desc = no space left in device class ssd on node a`,
    ]);
  });
});
