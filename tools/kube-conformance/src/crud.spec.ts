/**
 * Create, read, update, list and delete of every built-in kind Copse touches, through
 * client-node's typed clients (so its (de)serialisation is exercised too), and of custom
 * resources; the shapes of the answers the apiserver gives on the way (defaults it fills,
 * quantities it canonicalises, timestamps, uid, generateName, the Status of a delete).
 *
 * Kinds other controllers act on in a real cluster (PVs, PVCs, Pods, Nodes) are built so
 * that nothing else touches them: storage classes no provisioner serves, a scheduler that
 * does not exist. Deletions wait for the object to go, because a real cluster's protection
 * finalizers (kubernetes.io/pvc-protection, pv-protection) hold it for a moment.
 */
import {
  CoordinationV1Api,
  CoreV1Api,
  KubernetesObjectApi,
  PatchStrategy,
  StorageV1Api,
  V1MicroTime,
  type V1ConfigMap,
  type V1PersistentVolumeClaim,
} from '@kubernetes/client-node';
import { useCluster } from './fixture';
import { ensureCrd, ensureVolumeSnapshotCrds, kindOf, LOGICAL_VOLUME_CRD_FILE, readCrdFile } from './copse-kinds';
import { create, installTestKinds, widget, type CustomKind } from './crds';
import { causeFields, expectOk, expectStatus, resourcePath, RFC3339_SECONDS, UUID, waitForDeletion, waitForObject, type Obj } from './kube';

const cluster = useCluster();
let ns: string;
let widgetKind: CustomKind;
let core: CoreV1Api;
let storage: StorageV1Api;

beforeAll(async () => {
  const c = cluster();
  ns = await c.createNamespace('crud');
  ({ widget: widgetKind } = await installTestKinds(c));
  core = c.kc.makeApiClient(CoreV1Api);
  storage = c.kc.makeApiClient(StorageV1Api);
});

/** A real cluster admits Pods only once the namespace's default ServiceAccount exists. */
async function waitForDefaultServiceAccount(namespace: string): Promise<void> {
  const { api } = cluster();
  const v1 = expectOk(await api.get('/api/v1'));
  if (!v1.resources.some((r: { name: string }) => r.name === 'serviceaccounts')) return;
  await waitForObject(api, resourcePath('v1', 'serviceaccounts', namespace), 'default', (sa) => sa !== undefined);
}

describe('namespaces', () => {
  it('are created Active with the kubernetes finalizer and the metadata.name label, and deleted through Terminating', async () => {
    const c = cluster();
    const name = c.name('ns');
    const created = await core.createNamespace({ body: { metadata: { name, labels: c.labels() } } });
    expect(created.metadata?.uid).toMatch(UUID);
    expect(created.status?.phase).toBe('Active');
    expect(created.spec?.finalizers).toEqual(['kubernetes']);
    expect(created.metadata?.labels?.['kubernetes.io/metadata.name']).toBe(name);

    const read = await core.readNamespace({ name });
    expect(read.metadata?.uid).toBe(created.metadata?.uid);

    const listed = await core.listNamespace({ labelSelector: `kubernetes.io/metadata.name=${name}` });
    expect(listed.items.map((n) => n.metadata?.name)).toEqual([name]);

    const res = await c.api.delete(`/api/v1/namespaces/${name}`);
    const deleting = expectOk(res);
    expect(deleting.kind).toBe('Namespace');
    expect(deleting.status.phase).toBe('Terminating');
    expect(deleting.metadata.deletionTimestamp).toMatch(RFC3339_SECONDS);
    await waitForDeletion(c.api, '/api/v1/namespaces', name);
  });
});

describe('configmaps and secrets', () => {
  it('round-trip a ConfigMap through create, read, replace, list and delete', async () => {
    const c = cluster();
    const name = c.name('cm');
    const body: V1ConfigMap = {
      metadata: { name, labels: c.labels({ app: 'crud' }), annotations: { note: 'first' } },
      data: { 'lvmd.yaml': 'device-classes: []\n', empty: '' },
      binaryData: { blob: Buffer.from([0, 1, 2, 255]).toString('base64') },
    };
    const created = await core.createNamespacedConfigMap({ namespace: ns, body });
    expect(created.metadata?.namespace).toBe(ns);
    expect(created.metadata?.uid).toMatch(UUID);
    expect(created.metadata?.resourceVersion).toMatch(/^\d+$/);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(created.data).toEqual(body.data);
    expect(created.binaryData).toEqual(body.binaryData);

    const read = await core.readNamespacedConfigMap({ name, namespace: ns });
    expect(read.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);

    const replaced = await core.replaceNamespacedConfigMap({
      name,
      namespace: ns,
      body: { ...read, data: { 'lvmd.yaml': 'device-classes: [ssd]\n' }, metadata: { ...read.metadata, annotations: { note: 'second' } } },
    });
    expect(replaced.data).toEqual({ 'lvmd.yaml': 'device-classes: [ssd]\n' });
    expect(replaced.metadata?.annotations).toEqual({ note: 'second' });
    expect(replaced.metadata?.resourceVersion).not.toBe(created.metadata?.resourceVersion);
    expect(replaced.metadata?.uid).toBe(created.metadata?.uid);
    expect(replaced.metadata?.creationTimestamp?.getTime()).toBe(created.metadata?.creationTimestamp?.getTime());

    const list = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'app=crud' });
    expect(list.items.map((i) => i.metadata?.name)).toEqual([name]);
    expect(list.metadata?.resourceVersion).toMatch(/^\d+$/);

    await core.deleteNamespacedConfigMap({ name, namespace: ns });
    expectStatus(await c.api.get(resourcePath('v1', 'configmaps', ns, name)), 404, 'NotFound');
  });

  it('answers a delete with a Success Status naming the object and its uid', async () => {
    const c = cluster();
    const name = c.name('cm');
    const created = await create(c, resourcePath('v1', 'configmaps', ns), { metadata: { name, labels: c.labels() } });
    const res = await c.api.delete(resourcePath('v1', 'configmaps', ns, name));
    const status = expectOk(res);
    expect(status).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Success', details: { name, kind: 'configmaps', uid: created.metadata.uid } });
  });

  it('writes a Secret stringData into data, base64-encoded, and never returns stringData', async () => {
    const c = cluster();
    const name = c.name('secret');
    const created = await core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name, labels: c.labels() }, stringData: { token: 's3cr3t' }, data: { other: Buffer.from('x').toString('base64') } },
    });
    expect(created.type).toBe('Opaque');
    expect(created.data).toEqual({ token: Buffer.from('s3cr3t').toString('base64'), other: Buffer.from('x').toString('base64') });
    expect(created.stringData).toBeUndefined();
    const read = expectOk(await c.api.get(resourcePath('v1', 'secrets', ns, name)));
    expect(read.stringData).toBeUndefined();
    expect(read.data.token).toBe(Buffer.from('s3cr3t').toString('base64'));
  });
});

describe('storage kinds', () => {
  it('create a PersistentVolumeClaim Pending, with defaults and canonical quantities; its spec is immutable', async () => {
    const c = cluster();
    const name = c.name('pvc');
    const body: V1PersistentVolumeClaim = {
      metadata: { name, labels: c.labels() },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: c.name('no-such-class'), resources: { requests: { storage: '1024Mi' } } },
    };
    const created = await core.createNamespacedPersistentVolumeClaim({ namespace: ns, body });
    expect(created.spec?.volumeMode).toBe('Filesystem');
    expect(created.status?.phase).toBe('Pending');
    const raw = expectOk(await c.api.get(resourcePath('v1', 'persistentvolumeclaims', ns, name)));
    expect(raw.spec.resources.requests.storage).toBe('1Gi');

    const res = await c.api.put(resourcePath('v1', 'persistentvolumeclaims', ns, name), {
      ...raw,
      spec: { ...raw.spec, storageClassName: c.name('other-class') },
    });
    const status = expectStatus(res, 422, 'Invalid');
    expect(status.details).toMatchObject({ name, kind: 'PersistentVolumeClaim' });
    expect(status.details.causes.map((x: { field: string }) => x.field)).toContain('spec');

    await core.deleteNamespacedPersistentVolumeClaim({ name, namespace: ns });
    await waitForDeletion(c.api, resourcePath('v1', 'persistentvolumeclaims', ns), name);
  });

  it.each([
    ['1536Mi', '1536Mi'],
    ['0.5Gi', '512Mi'],
    ['2000M', '2G'],
    ['1500M', '1500M'],
    ['1000000000', '1G'],
    // a plain number is a decimal quantity: 2^30 has no decimal suffix that divides it
    ['1073741824', '1073741824'],
  ])('canonicalises a PVC request of %s to %s', async (written, canonical) => {
    const c = cluster();
    const name = c.name('pvcq');
    const created = expectOk(
      await c.api.post(
        resourcePath('v1', 'persistentvolumeclaims', ns),
        {
          metadata: { name, labels: c.labels() },
          spec: { accessModes: ['ReadWriteOnce'], storageClassName: c.name('no-such-class'), resources: { requests: { storage: written } } },
        },
      ),
      201,
    );
    expect(created.spec.resources.requests.storage).toBe(canonical);
  });

  it('create a CSI PersistentVolume with node affinity, defaulting the volume mode', async () => {
    const c = cluster();
    const name = c.name('pv');
    const created = await core.createPersistentVolume({
      body: {
        metadata: { name, labels: c.labels() },
        spec: {
          capacity: { storage: '2Gi' },
          accessModes: ['ReadWriteOnce'],
          persistentVolumeReclaimPolicy: 'Delete',
          storageClassName: c.name('pv-class'),
          csi: { driver: 'conformance.copse.io', volumeHandle: 'vh-1', fsType: 'xfs', volumeAttributes: { 'topolvm.io/node': 'n1' } },
          nodeAffinity: {
            required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.topolvm.io/node', operator: 'In', values: ['n1'] }] }] },
          },
        },
      },
    });
    expect(created.metadata?.namespace).toBeUndefined();
    expect(created.spec?.volumeMode).toBe('Filesystem');
    expect(created.spec?.csi).toMatchObject({ driver: 'conformance.copse.io', volumeHandle: 'vh-1', fsType: 'xfs' });
    expect(['Pending', 'Available']).toContain(created.status?.phase);
    const listed = await core.listPersistentVolume({ labelSelector: `conformance.copse.io/run=${c.runId}` });
    expect(listed.items.map((p) => p.metadata?.name)).toContain(name);
    await core.deletePersistentVolume({ name });
    await waitForDeletion(c.api, '/api/v1/persistentvolumes', name);
  });

  it('create a StorageClass with defaults; its parameters and provisioner are immutable', async () => {
    const c = cluster();
    const name = c.name('sc');
    const created = await storage.createStorageClass({
      body: {
        metadata: { name, labels: c.labels() },
        provisioner: 'conformance.copse.io',
        parameters: { 'topolvm.io/device-class': 'ssd', 'csi.storage.k8s.io/fstype': 'xfs' },
        allowVolumeExpansion: true,
      },
    });
    expect(created.reclaimPolicy).toBe('Delete');
    expect(created.volumeBindingMode).toBe('Immediate');
    const raw = expectOk(await c.api.get(`/apis/storage.k8s.io/v1/storageclasses/${name}`));
    const res = await c.api.put(`/apis/storage.k8s.io/v1/storageclasses/${name}`, {
      ...raw,
      provisioner: 'other.copse.io',
      parameters: { 'topolvm.io/device-class': 'hdd' },
    });
    const status = expectStatus(res, 422, 'Invalid');
    expect(status.details).toMatchObject({ name, kind: 'StorageClass', group: 'storage.k8s.io' });
    const causes = status.details.causes.map((x: { field: string; reason: string }) => `${x.field}:${x.reason}`);
    expect(causes).toEqual(expect.arrayContaining(['parameters:FieldValueForbidden', 'provisioner:FieldValueForbidden']));
    await storage.deleteStorageClass({ name });
    expectStatus(await c.api.get(`/apis/storage.k8s.io/v1/storageclasses/${name}`), 404, 'NotFound');
  });

  it('create a CSIDriver, defaulting what is omitted', async () => {
    const c = cluster();
    const explicit = c.name('drv.copse.io');
    const created = await storage.createCSIDriver({
      body: {
        metadata: { name: explicit, labels: c.labels() },
        spec: { attachRequired: false, podInfoOnMount: true, storageCapacity: true, volumeLifecycleModes: ['Persistent', 'Ephemeral'] },
      },
    });
    expect(created.spec).toMatchObject({ attachRequired: false, podInfoOnMount: true, storageCapacity: true, volumeLifecycleModes: ['Persistent', 'Ephemeral'] });
    const minimal = c.name('min.copse.io');
    const defaulted = expectOk(await c.api.post('/apis/storage.k8s.io/v1/csidrivers', { metadata: { name: minimal, labels: c.labels() }, spec: {} }), 201);
    expect(defaulted.spec).toMatchObject({
      attachRequired: true,
      podInfoOnMount: false,
      storageCapacity: false,
      requiresRepublish: false,
      fsGroupPolicy: 'ReadWriteOnceWithFSType',
      volumeLifecycleModes: ['Persistent'],
    });
    await storage.deleteCSIDriver({ name: explicit });
    await storage.deleteCSIDriver({ name: minimal });
    expectStatus(await c.api.get(`/apis/storage.k8s.io/v1/csidrivers/${minimal}`), 404, 'NotFound');
  });

  it('create a Node and its CSINode with the driver topology keys', async () => {
    const c = cluster();
    const name = c.name('node');
    const node = await core.createNode({ body: { metadata: { name, labels: c.labels({ 'topology.topolvm.io/node': name }) } } });
    expect(node.metadata?.labels?.['topology.topolvm.io/node']).toBe(name);
    const csiNode = await storage.createCSINode({
      body: {
        metadata: { name, labels: c.labels(), ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: node.metadata?.uid as string }] },
        spec: { drivers: [{ name: 'conformance.copse.io', nodeID: name, topologyKeys: ['topology.topolvm.io/node'], allocatable: { count: 100 } }] },
      },
    });
    expect(csiNode.spec.drivers).toEqual([{ name: 'conformance.copse.io', nodeID: name, topologyKeys: ['topology.topolvm.io/node'], allocatable: { count: 100 } }]);
    const read = await storage.readCSINode({ name });
    expect(read.metadata?.ownerReferences?.[0]?.uid).toBe(node.metadata?.uid);
    await storage.deleteCSINode({ name });
    await core.deleteNode({ name });
    expectStatus(await c.api.get(`/api/v1/nodes/${name}`), 404, 'NotFound');
  });

  it('create a CSIStorageCapacity with its topology and canonical quantities', async () => {
    const c = cluster();
    const name = c.name('cap');
    const created = expectOk(
      await c.api.post(`/apis/storage.k8s.io/v1/namespaces/${ns}/csistoragecapacities`, {
        apiVersion: 'storage.k8s.io/v1',
        kind: 'CSIStorageCapacity',
        metadata: { name, labels: c.labels() },
        storageClassName: 'copse-ssd',
        capacity: '10240Mi',
        maximumVolumeSize: '5Gi',
        nodeTopology: { matchLabels: { 'topology.topolvm.io/node': 'n1' } },
      }),
      201,
    );
    expect(created).toMatchObject({ storageClassName: 'copse-ssd', capacity: '10Gi', maximumVolumeSize: '5Gi', nodeTopology: { matchLabels: { 'topology.topolvm.io/node': 'n1' } } });
    const list = await storage.listNamespacedCSIStorageCapacity({ namespace: ns });
    expect(list.items.map((i) => i.metadata?.name)).toContain(name);
    await storage.deleteNamespacedCSIStorageCapacity({ name, namespace: ns });
  });
});

describe('coordination, events, pods', () => {
  it('keep a Lease MicroTime to the microsecond', async () => {
    const c = cluster();
    const leases = c.kc.makeApiClient(CoordinationV1Api);
    const name = c.name('lease');
    const created = expectOk(
      await c.api.post(`/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`, {
        metadata: { name, labels: c.labels() },
        spec: { holderIdentity: 'copse-a', leaseDurationSeconds: 15, acquireTime: '2025-01-02T03:04:05.123456Z', renewTime: '2025-01-02T03:04:06.000001Z', leaseTransitions: 0 },
      }),
      201,
    );
    expect(created.spec).toEqual({ holderIdentity: 'copse-a', leaseDurationSeconds: 15, acquireTime: '2025-01-02T03:04:05.123456Z', renewTime: '2025-01-02T03:04:06.000001Z', leaseTransitions: 0 });
    // client-node writes its own MicroTime and reads it back
    const lease = await leases.readNamespacedLease({ name, namespace: ns });
    const renewed = await leases.replaceNamespacedLease({
      name,
      namespace: ns,
      body: { ...lease, spec: { ...lease.spec, holderIdentity: 'copse-b', renewTime: new V1MicroTime('2025-01-02T03:05:00.250Z'), leaseTransitions: 1 } },
    });
    expect(renewed.spec?.holderIdentity).toBe('copse-b');
    expect(new Date(renewed.spec?.renewTime as unknown as string).toISOString()).toBe('2025-01-02T03:05:00.250Z');
    const raw = expectOk(await c.api.get(`/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/${name}`));
    expect(raw.spec.renewTime).toBe('2025-01-02T03:05:00.250000Z');
    await leases.deleteNamespacedLease({ name, namespace: ns });
  });

  it('create a core/v1 Event about an object and read it back', async () => {
    const c = cluster();
    const about = await create(c, resourcePath('v1', 'configmaps', ns), { metadata: { name: c.name('about'), labels: c.labels() } });
    const name = c.name('event');
    const created = await core.createNamespacedEvent({
      namespace: ns,
      body: {
        metadata: { name, labels: c.labels() },
        involvedObject: { apiVersion: 'v1', kind: 'ConfigMap', name: about.metadata.name, namespace: ns, uid: about.metadata.uid },
        reason: 'Provisioned',
        message: 'volume provisioned',
        type: 'Normal',
        source: { component: 'copse-conformance' },
        firstTimestamp: new Date('2025-01-02T03:04:05Z'),
        lastTimestamp: new Date('2025-01-02T03:04:05Z'),
        count: 1,
      },
    });
    expect(created).toMatchObject({ reason: 'Provisioned', type: 'Normal', count: 1, involvedObject: { uid: about.metadata.uid } });
    const raw = expectOk(await c.api.get(resourcePath('v1', 'events', ns, name)));
    expect(raw.firstTimestamp).toBe('2025-01-02T03:04:05Z');
    expect(raw.source).toEqual({ component: 'copse-conformance' });
  });

  it('create a Pod object nothing schedules, with the defaults the apiserver fills, and delete it at once', async () => {
    const c = cluster();
    await waitForDefaultServiceAccount(ns);
    const name = c.name('pod');
    const created = await core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name, labels: c.labels() },
        spec: { schedulerName: 'copse-conformance-no-scheduler', containers: [{ name: 'main', image: 'registry.k8s.io/pause:3.9' }] },
      },
    });
    expect(created.status?.phase).toBe('Pending');
    expect(created.spec?.restartPolicy).toBe('Always');
    expect(created.spec?.terminationGracePeriodSeconds).toBe(30);
    expect(created.spec?.containers[0]?.imagePullPolicy).toBe('IfNotPresent');
    expect(created.spec?.nodeName).toBeUndefined();
    await core.deleteNamespacedPod({ name, namespace: ns, gracePeriodSeconds: 0 });
    await waitForDeletion(c.api, resourcePath('v1', 'pods', ns), name);
  });
});

describe('custom resources', () => {
  it('round-trip through create, read, list, update and delete', async () => {
    const c = cluster();
    const name = c.name('w');
    const created = await create(c, widgetKind.path(ns), widget(c, widgetKind, ns, name, { size: 3, nodeName: 'n1' }));
    expect(created).toMatchObject({ apiVersion: widgetKind.apiVersion, kind: 'Widget', metadata: { name, namespace: ns, generation: 1 }, spec: { size: 3, nodeName: 'n1' } });
    expect(created.metadata.uid).toMatch(UUID);
    expect(created.metadata.creationTimestamp).toMatch(RFC3339_SECONDS);

    const read = expectOk(await c.api.get(widgetKind.path(ns, name)));
    expect(read).toEqual(created);

    const list = expectOk(await c.api.get(widgetKind.path(ns)));
    expect(list).toMatchObject({ apiVersion: widgetKind.apiVersion, kind: 'WidgetList' });
    expect(list.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual([name]);
    expect(list.items[0]).toMatchObject({ apiVersion: widgetKind.apiVersion, kind: 'Widget' });

    const updated = expectOk(await c.api.put(widgetKind.path(ns, name), { ...read, spec: { ...read.spec, size: 4 } }));
    expect(updated.spec.size).toBe(4);
    expect(updated.metadata.generation).toBe(2);

    const deleted = expectOk(await c.api.delete(widgetKind.path(ns, name)));
    expect(deleted).toMatchObject({ kind: 'Status', status: 'Success', details: { name, group: widgetKind.group, kind: 'widgets', uid: created.metadata.uid } });
    const gone = expectStatus(await c.api.get(widgetKind.path(ns, name)), 404, 'NotFound');
    expect(gone.message).toBe(`widgets.${widgetKind.group} "${name}" not found`);
    expect(gone.details).toEqual({ name, group: widgetKind.group, kind: 'widgets' });
  });
});

describe("Copse's custom kinds through client-node's generic client", () => {
  it('create, read, list, patch status of and delete a LogicalVolume (the CRD deploy/ ships)', async () => {
    const c = cluster();
    const lv = kindOf(await ensureCrd(c, readCrdFile(LOGICAL_VOLUME_CRD_FILE)));
    const objects = KubernetesObjectApi.makeApiClient(c.kc);
    const name = c.name('lv');
    c.track(lv.path(undefined, name));
    const created = await objects.create({
      apiVersion: lv.apiVersion,
      kind: lv.kind,
      metadata: { name, labels: c.labels() },
      spec: { name: 'pvc-0c1d', nodeName: 'conformance-node-1', size: '10Gi', deviceClass: 'ssd' },
    } as Obj);
    expect(created.metadata?.uid).toMatch(UUID);
    expect(created.metadata?.namespace).toBeUndefined();
    const read = (await objects.read({ apiVersion: lv.apiVersion, kind: lv.kind, metadata: { name } })) as Obj;
    expect(read.spec).toEqual({ name: 'pvc-0c1d', nodeName: 'conformance-node-1', size: '10Gi', deviceClass: 'ssd' });
    const list = await objects.list(lv.apiVersion, lv.kind, undefined, undefined, undefined, undefined, undefined, `conformance.copse.io/run=${c.runId}`);
    expect(list.items.map((i) => i.metadata?.name)).toContain(name);
    const status = expectOk(await c.api.patch(`${lv.path(undefined, name)}/status`, 'application/merge-patch+json', { status: { volumeID: 'v-1', currentSize: '10Gi', code: 0 } }));
    expect(status.status).toEqual({ volumeID: 'v-1', currentSize: '10Gi', code: 0 });
    const relabelled = (await objects.patch({ apiVersion: lv.apiVersion, kind: lv.kind, metadata: { name, labels: { stage: 'ready' } } }, undefined, undefined, undefined, undefined, PatchStrategy.MergePatch)) as Obj;
    expect(relabelled.metadata.labels.stage).toBe('ready');
    expect(relabelled.status.volumeID).toBe('v-1');
    await objects.delete({ apiVersion: lv.apiVersion, kind: lv.kind, metadata: { name } });
    expectStatus(await c.api.get(lv.path(undefined, name)), 404, 'NotFound');
  });

  it('refuses a LogicalVolume its schema rejects, naming the field', async () => {
    const c = cluster();
    const lv = kindOf(await ensureCrd(c, readCrdFile(LOGICAL_VOLUME_CRD_FILE)));
    const name = c.name('lv');
    const res = await c.api.post(lv.path(), {
      apiVersion: lv.apiVersion,
      kind: lv.kind,
      metadata: { name, labels: c.labels() },
      spec: { name: 'pvc-x', nodeName: 'conformance-node-1', size: '1Gi', accessType: 'rwx' },
    });
    c.track(lv.path(undefined, name));
    const status = expectStatus(res, 422, 'Invalid');
    expect(status.details.causes).toEqual([expect.objectContaining({ field: 'spec.accessType', reason: 'FieldValueNotSupported' })]);
  });

  it('create a VolumeSnapshotClass, a VolumeSnapshotContent and a VolumeSnapshot bound to it', async () => {
    const c = cluster();
    const { kinds } = await ensureVolumeSnapshotCrds(c);
    const objects = KubernetesObjectApi.makeApiClient(c.kc);
    const klass = c.name('vsclass');
    const content = c.name('vscontent');
    const snap = c.name('vs');
    const vsc = kinds['VolumeSnapshotClass'] as CustomKind;
    const vscontent = kinds['VolumeSnapshotContent'] as CustomKind;
    const vs = kinds['VolumeSnapshot'] as CustomKind;
    c.track(vsc.path(undefined, klass));
    c.track(vscontent.path(undefined, content));
    c.track(vs.path(ns, snap));
    await objects.create({ apiVersion: vsc.apiVersion, kind: 'VolumeSnapshotClass', metadata: { name: klass, labels: c.labels() }, driver: 'topolvm.cybozu.com', deletionPolicy: 'Delete' } as Obj);
    await objects.create({
      apiVersion: vscontent.apiVersion,
      kind: 'VolumeSnapshotContent',
      metadata: { name: content, labels: c.labels() },
      spec: { deletionPolicy: 'Retain', driver: 'topolvm.cybozu.com', source: { snapshotHandle: 'snap-handle-1' }, volumeSnapshotClassName: klass, volumeSnapshotRef: { name: snap, namespace: ns } },
    } as Obj);
    const created = (await objects.create({
      apiVersion: vs.apiVersion,
      kind: 'VolumeSnapshot',
      metadata: { name: snap, namespace: ns, labels: c.labels() },
      spec: { volumeSnapshotClassName: klass, source: { volumeSnapshotContentName: content } },
    } as Obj)) as Obj;
    expect(created.metadata.namespace).toBe(ns);
    const readClass = (await objects.read({ apiVersion: vsc.apiVersion, kind: 'VolumeSnapshotClass', metadata: { name: klass } })) as Obj;
    expect(readClass).toMatchObject({ driver: 'topolvm.cybozu.com', deletionPolicy: 'Delete' });
    const readContent = (await objects.read({ apiVersion: vscontent.apiVersion, kind: 'VolumeSnapshotContent', metadata: { name: content } })) as Obj;
    expect(readContent.spec.volumeSnapshotRef).toMatchObject({ name: snap, namespace: ns });
    const missingDriver = await c.api.post(vsc.path(), { apiVersion: vsc.apiVersion, kind: 'VolumeSnapshotClass', metadata: { name: c.name('bad'), labels: c.labels() }, deletionPolicy: 'Delete' });
    expect(causeFields(expectStatus(missingDriver, 422, 'Invalid'))).toContain('driver');
  });
});

describe('errors and identity', () => {
  it('answers a missing object with a NotFound Status naming the resource', async () => {
    const c = cluster();
    const status = expectStatus(await c.api.get(resourcePath('v1', 'configmaps', ns, 'no-such-map')), 404, 'NotFound');
    expect(status.message).toBe('configmaps "no-such-map" not found');
    expect(status.details).toEqual({ name: 'no-such-map', kind: 'configmaps' });
    expect(status.metadata).toEqual({});
    expectStatus(await c.api.delete(resourcePath('v1', 'configmaps', ns, 'no-such-map')), 404, 'NotFound');
    expectStatus(await c.api.put(resourcePath('v1', 'configmaps', ns, 'no-such-map'), { metadata: { name: 'no-such-map', resourceVersion: '1' } }), 404, 'NotFound');
  });

  it('answers a second create of a name with AlreadyExists', async () => {
    const c = cluster();
    const name = c.name('dup');
    await create(c, resourcePath('v1', 'configmaps', ns), { metadata: { name, labels: c.labels() } });
    const status = expectStatus(await c.api.post(resourcePath('v1', 'configmaps', ns), { metadata: { name, labels: c.labels() } }), 409, 'AlreadyExists');
    expect(status.message).toBe(`configmaps "${name}" already exists`);
    expect(status.details).toEqual({ name, kind: 'configmaps' });
    const w = c.name('dupw');
    await create(c, widgetKind.path(ns), widget(c, widgetKind, ns, w));
    const again = expectStatus(await c.api.post(widgetKind.path(ns), widget(c, widgetKind, ns, w)), 409, 'AlreadyExists');
    expect(again.details).toEqual({ name: w, group: widgetKind.group, kind: 'widgets' });
  });

  it('answers an invalid name with Invalid naming metadata.name', async () => {
    const c = cluster();
    const status = expectStatus(await c.api.post(resourcePath('v1', 'configmaps', ns), { metadata: { name: 'Not_A_Name', labels: c.labels() } }), 422, 'Invalid');
    expect(status.details).toMatchObject({ name: 'Not_A_Name', kind: 'ConfigMap' });
    expect(status.details.causes).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'metadata.name', reason: 'FieldValueInvalid' })]));
    expect(status.message).toMatch(/^ConfigMap "Not_A_Name" is invalid: metadata.name: Invalid value: "Not_A_Name"/);
  });

  it('names a generateName object with the prefix and five random characters', async () => {
    const c = cluster();
    const prefix = `${c.name('gen')}-`;
    const names = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const created = await create(c, resourcePath('v1', 'configmaps', ns), { metadata: { generateName: prefix, labels: c.labels() } });
      expect(created.metadata.generateName).toBe(prefix);
      expect(created.metadata.name).toMatch(new RegExp(`^${prefix}[bcdfghjklmnpqrstvwxz2456789]{5}$`));
      names.add(created.metadata.name);
    }
    expect(names.size).toBe(3);
    const w = await create(c, widgetKind.path(ns), { apiVersion: widgetKind.apiVersion, kind: 'Widget', metadata: { generateName: 'w-', labels: c.labels() }, spec: { size: 1 } });
    expect(w.metadata.name).toMatch(/^w-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('gives a recreated object a new uid', async () => {
    const c = cluster();
    const name = c.name('re');
    const first = await create(c, resourcePath('v1', 'configmaps', ns), { metadata: { name, labels: c.labels() } });
    expectOk(await c.api.delete(resourcePath('v1', 'configmaps', ns, name)));
    const second = await create(c, resourcePath('v1', 'configmaps', ns), { metadata: { name, labels: c.labels() } });
    expect(second.metadata.uid).toMatch(UUID);
    expect(second.metadata.uid).not.toBe(first.metadata.uid);
  });

  it('ignores the uid, creationTimestamp and generation a create sends', async () => {
    const c = cluster();
    const name = c.name('sys');
    const created = await create(c, widgetKind.path(ns), widget(c, widgetKind, ns, name, { size: 1 }, { uid: '00000000-0000-0000-0000-000000000000', creationTimestamp: '2001-01-01T00:00:00Z', generation: 7 }));
    expect(created.metadata.uid).not.toBe('00000000-0000-0000-0000-000000000000');
    expect(created.metadata.creationTimestamp).not.toBe('2001-01-01T00:00:00Z');
    expect(created.metadata.generation).toBe(1);
  });
});

describe('namespaced and cluster-scoped', () => {
  it('refuses to create in a namespace that does not exist', async () => {
    const c = cluster();
    const missing = c.name('nons');
    const status = expectStatus(await c.api.post(resourcePath('v1', 'configmaps', missing), { metadata: { name: 'x', labels: c.labels() } }), 404, 'NotFound');
    expect(status.details).toMatchObject({ name: missing, kind: 'namespaces' });
  });

  it('refuses a body whose namespace differs from the path', async () => {
    const c = cluster();
    expectStatus(await c.api.post(resourcePath('v1', 'configmaps', ns), { metadata: { name: c.name('mis'), namespace: 'kube-system', labels: c.labels() } }), 400, 'BadRequest');
  });

  it('fills the namespace from the path when the body has none', async () => {
    const c = cluster();
    const created = await create(c, resourcePath('v1', 'configmaps', ns), { metadata: { name: c.name('fill'), labels: c.labels() } });
    expect(created.metadata.namespace).toBe(ns);
  });

  it('drops a namespace sent with a cluster-scoped object', async () => {
    const c = cluster();
    const name = c.name('scns');
    const created = expectOk(
      await c.api.post('/apis/storage.k8s.io/v1/storageclasses', { metadata: { name, namespace: ns, labels: c.labels() }, provisioner: 'conformance.copse.io' }),
      201,
    );
    c.track(`/apis/storage.k8s.io/v1/storageclasses/${name}`);
    expect(created.metadata.namespace).toBeUndefined();
  });

  it('lists a namespaced kind across all namespaces, each item with its namespace', async () => {
    const c = cluster();
    const other = await c.createNamespace('crud2');
    const label = c.name('across');
    await create(c, resourcePath('v1', 'configmaps', ns), { metadata: { name: 'a', labels: c.labels({ across: label }) } });
    await create(c, resourcePath('v1', 'configmaps', other), { metadata: { name: 'a', labels: c.labels({ across: label }) } });
    const all = expectOk(await c.api.get('/api/v1/configmaps', { query: { labelSelector: `across=${label}` } }));
    expect(all.items.map((i: { metadata: { namespace: string } }) => i.metadata.namespace).sort()).toEqual([ns, other].sort());
    const one = expectOk(await c.api.get(resourcePath('v1', 'configmaps', other), { query: { labelSelector: `across=${label}` } }));
    expect(one.items.map((i: { metadata: { namespace: string } }) => i.metadata.namespace)).toEqual([other]);
  });

  it('serves cluster-scoped kinds only at cluster paths', async () => {
    const c = cluster();
    const res = await c.api.get(`/api/v1/namespaces/${ns}/nodes`);
    expect(res.status).toBe(404);
  });

  it('deletes what a namespace holds when the namespace is deleted', async () => {
    const c = cluster();
    const doomed = await c.createNamespace('doomed');
    await create(c, resourcePath('v1', 'configmaps', doomed), { metadata: { name: 'inside', labels: c.labels() } });
    await create(c, widgetKind.path(doomed), widget(c, widgetKind, doomed, 'inside'));
    expectOk(await c.api.delete(`/api/v1/namespaces/${doomed}`));
    await waitForDeletion(c.api, '/api/v1/namespaces', doomed, 120_000);
    const list = expectOk(await c.api.get(widgetKind.path(doomed)));
    expect(list.items).toEqual([]);
    expectStatus(await c.api.get(resourcePath('v1', 'configmaps', doomed, 'inside')), 404, 'NotFound');
  });

  it('refuses new objects in a namespace that is terminating', async () => {
    const c = cluster();
    const closing = await c.createNamespace('closing');
    // a finalizer of our own keeps the namespace Terminating while we try
    await create(c, widgetKind.path(closing), widget(c, widgetKind, closing, 'held', { size: 1 }, { finalizers: ['conformance.copse.io/hold'] }));
    c.track(widgetKind.path(closing, 'held'));
    expectOk(await c.api.delete(`/api/v1/namespaces/${closing}`));
    // A real apiserver's admission reads namespaces from an informer, which may lag the
    // delete by a few milliseconds: a create may slip in before it refuses. Try a few times.
    let res = await c.api.post(resourcePath('v1', 'configmaps', closing), { metadata: { generateName: 'late-', labels: c.labels() } });
    for (let attempt = 1; attempt < 5 && res.status === 201; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      res = await c.api.post(resourcePath('v1', 'configmaps', closing), { metadata: { generateName: 'late-', labels: c.labels() } });
    }
    const status = expectStatus(res, 403, 'Forbidden');
    expect(status.message).toContain('because it is being terminated');
    expect(status.details).toMatchObject({ kind: 'configmaps' });
    expectOk(await c.api.patch(widgetKind.path(closing, 'held'), 'application/merge-patch+json', { metadata: { finalizers: null } }));
    await waitForDeletion(c.api, '/api/v1/namespaces', closing, 120_000);
  });
});
