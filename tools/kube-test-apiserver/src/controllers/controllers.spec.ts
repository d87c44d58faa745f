/** The server's own controllers: garbage collection, CRD deletion, namespace and PVC protection. */
import type { RunningTestApiServer } from '../index';
import { client, LV_CRD, lv, start } from '../test-support/http';

const CMS = '/api/v1/namespaces/default/configmaps';
const LVS = '/apis/topolvm.cybozu.com/v1/logicalvolumes';

async function until(fn: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('kube-test-apiserver controllers', () => {
  let server: RunningTestApiServer;
  let api: ReturnType<typeof client>;
  beforeAll(async () => {
    server = await start({ crds: [LV_CRD] });
    api = client(server);
  });
  afterAll(() => server.close());

  async function ownerAndDependent(suffix: string, blockOwnerDeletion = false) {
    const owner = (await api.post(CMS, { metadata: { name: `owner-${suffix}` } })).body;
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: owner.metadata.name, uid: owner.metadata.uid, blockOwnerDeletion };
    const dep = (await api.post(CMS, { metadata: { name: `dep-${suffix}`, ownerReferences: [ref] } })).body;
    return { owner, dep };
  }

  test('background: dependents go once their owner is gone', async () => {
    await ownerAndDependent('bg');
    await api.del(`${CMS}/owner-bg`);
    await until(async () => (await api.get(`${CMS}/dep-bg`)).status === 404);
  });

  test('foreground: the owner waits, with the foregroundDeletion finalizer, for blocking dependents', async () => {
    await ownerAndDependent('fg', true);
    const d = await api.del(`${CMS}/owner-fg`, { propagationPolicy: 'Foreground' });
    expect(d.body.metadata.finalizers).toEqual(['foregroundDeletion']);
    await until(async () => (await api.get(`${CMS}/owner-fg`)).status === 404);
    expect((await api.get(`${CMS}/dep-fg`)).status).toBe(404);
  });

  test('orphan: dependents stay and lose the owner reference', async () => {
    await ownerAndDependent('or');
    await api.del(`${CMS}/owner-or`, { propagationPolicy: 'Orphan' });
    await until(async () => (await api.get(`${CMS}/owner-or`)).status === 404);
    const dep = await api.get(`${CMS}/dep-or`);
    expect(dep.status).toBe(200);
    expect(dep.body.metadata.ownerReferences).toBeUndefined();
  });

  test('a dependent whose owner never existed is collected', async () => {
    await api.post(CMS, { metadata: { name: 'dangling', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'ghost', uid: '00000000-0000-0000-0000-000000000000' }] } });
    await until(async () => (await api.get(`${CMS}/dangling`)).status === 404);
  });

  test('deleting a CRD deletes its objects (waiting for their finalizers), then stops serving the kind', async () => {
    const crd = { ...structuredClone(LV_CRD), metadata: { name: 'logicalvolumes.topolvm.io' } };
    crd.spec.group = 'topolvm.io';
    expect((await api.post('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd)).status).toBe(201);
    await server.settle();
    const established = (await api.get('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/logicalvolumes.topolvm.io')).body;
    expect(established.status.conditions.map((c: { type: string; status: string }) => `${c.type}=${c.status}`)).toEqual(['NamesAccepted=True', 'Established=True']);
    const path = '/apis/topolvm.io/v1/logicalvolumes';
    await api.post(path, { ...lv('held'), apiVersion: 'topolvm.io/v1', metadata: { name: 'held', finalizers: ['topolvm.io/logicalvolume'] } });
    const d = await api.del('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/logicalvolumes.topolvm.io');
    expect(d.body.metadata.finalizers).toContain('customresourcecleanup.apiextensions.k8s.io');
    await server.settle();
    const refused = await api.post(path, { ...lv('late'), apiVersion: 'topolvm.io/v1' });
    expect(refused.status).toBe(405);
    expect((await api.get(`${path}/held`)).body.metadata.deletionTimestamp).toBeDefined();
    await api.patch(`${path}/held`, { metadata: { finalizers: null } }, 'application/merge-patch+json');
    await until(async () => (await api.get('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/logicalvolumes.topolvm.io')).status === 404);
    expect((await api.get(path)).status).toBe(404);
    expect((await api.get(LVS)).status).toBe(200);
  });

  test('a PVC in use by a pod keeps kubernetes.io/pvc-protection until the pod goes', async () => {
    const pvcs = '/api/v1/namespaces/default/persistentvolumeclaims';
    await api.post(pvcs, { metadata: { name: 'used' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
    await api.post('/api/v1/namespaces/default/pods', {
      metadata: { name: 'user' },
      spec: { containers: [{ name: 'c', image: 'busybox' }], volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'used' } }] },
    });
    const d = await api.del(`${pvcs}/used`);
    expect(d.body.metadata.finalizers).toEqual(['kubernetes.io/pvc-protection']);
    await server.settle();
    expect((await api.get(`${pvcs}/used`)).status).toBe(200);
    await api.del('/api/v1/namespaces/default/pods/user');
    await until(async () => (await api.get(`${pvcs}/used`)).status === 404);
  });

  test('events written through events.k8s.io/v1 read back as core/v1 Events', async () => {
    const e = await api.post('/apis/events.k8s.io/v1/namespaces/default/events', {
      metadata: { name: 'ev1' },
      eventTime: '2025-01-02T03:04:05.123456Z',
      reportingController: 'copse.io/controller',
      reportingInstance: 'copse-1',
      action: 'Provision',
      reason: 'Provisioned',
      type: 'Normal',
      note: 'made it',
      regarding: { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'x' },
    });
    expect(e.status).toBe(201);
    const core = (await api.get('/api/v1/namespaces/default/events/ev1')).body;
    expect(core).toMatchObject({ kind: 'Event', apiVersion: 'v1', message: 'made it', reportingComponent: 'copse.io/controller', involvedObject: { kind: 'PersistentVolumeClaim', name: 'x' } });
    expect(core.eventTime).toBe('2025-01-02T03:04:05.123456Z');
    const sel = await api.get('/api/v1/namespaces/default/events?fieldSelector=' + encodeURIComponent('involvedObject.name=x,reason=Provisioned'));
    expect(sel.body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['ev1']);
  });
});
