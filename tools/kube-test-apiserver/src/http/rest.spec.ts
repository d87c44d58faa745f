import type { RunningTestApiServer } from '../index';
import { client, LV_CRD, lv, start, watchEvents } from '../test-support/http';

const LVS = '/apis/topolvm.cybozu.com/v1/logicalvolumes';
const CMS = '/api/v1/namespaces/default/configmaps';

describe('kube-test-apiserver REST', () => {
  let server: RunningTestApiServer;
  let api: ReturnType<typeof client>;

  beforeAll(async () => {
    server = await start({ crds: [LV_CRD], bookmarkIntervalMs: 60_000 });
    api = client(server);
  });
  afterAll(() => server.close());

  test('create fills uid, creationTimestamp, resourceVersion and generation; get returns it', async () => {
    const r = await api.post(LVS, lv('create-1'));
    expect(r.status).toBe(201);
    expect(r.body.metadata).toMatchObject({ name: 'create-1', generation: 1 });
    expect(r.body.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.body.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(r.body.spec.deviceClass).toBe('ssd');
    const g = await api.get(`${LVS}/create-1`);
    expect(g.body).toEqual(r.body);
  });

  test('NotFound and AlreadyExists are Status objects with the real messages', async () => {
    const nf = await api.get(`${LVS}/missing`);
    expect(nf.status).toBe(404);
    expect(nf.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'logicalvolumes.topolvm.cybozu.com "missing" not found',
      reason: 'NotFound',
      details: { name: 'missing', group: 'topolvm.cybozu.com', kind: 'logicalvolumes' },
      code: 404,
    });
    await api.post(LVS, lv('dup'));
    const dup = await api.post(LVS, lv('dup'));
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ reason: 'AlreadyExists', message: 'logicalvolumes.topolvm.cybozu.com "dup" already exists' });
  });

  test('a stale resourceVersion on update answers 409 Conflict', async () => {
    const created = (await api.post(CMS, { metadata: { name: 'rv' }, data: { a: '1' } })).body;
    const first = await api.put(`${CMS}/rv`, { ...created, data: { a: '2' } });
    expect(first.status).toBe(200);
    expect(Number(first.body.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
    const stale = await api.put(`${CMS}/rv`, { ...created, data: { a: '3' } });
    expect(stale.status).toBe(409);
    expect(stale.body.message).toBe('Operation cannot be fulfilled on configmaps "rv": the object has been modified; please apply your changes to the latest version and try again');
    expect(stale.body.reason).toBe('Conflict');
  });

  test('schema validation answers 422 with kube-openapi messages and causes', async () => {
    const r = await api.post(LVS, { apiVersion: 'topolvm.cybozu.com/v1', kind: 'LogicalVolume', metadata: { name: 'bad' }, spec: { name: 'x', size: '1Gi', accessType: 'xx' } });
    expect(r.status).toBe(422);
    expect(r.body.message).toBe('LogicalVolume.topolvm.cybozu.com "bad" is invalid: [spec.nodeName: Required value, spec.accessType: Unsupported value: "xx": supported values: "ro", "rw"]');
    expect(r.body.details.causes).toEqual([
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.nodeName' },
      { reason: 'FieldValueNotSupported', message: 'Unsupported value: "xx": supported values: "ro", "rw"', field: 'spec.accessType' },
    ]);
    const t = await api.post(LVS, lv('badtype', { nodeName: 3 }));
    expect(t.body.message).toBe('LogicalVolume.topolvm.cybozu.com "badtype" is invalid: spec.nodeName: Invalid value: "integer": spec.nodeName in body must be of type string: "integer"');
  });

  test('unknown fields are pruned, warned about, or refused per fieldValidation', async () => {
    const body = { ...lv('prune'), spec: { ...lv('prune').spec, extra: 1 } };
    const warn = await api.post(LVS, body);
    expect(warn.status).toBe(201);
    expect(warn.body.spec.extra).toBeUndefined();
    expect(warn.headers.get('warning')).toBe('299 - "unknown field \\"spec.extra\\""');
    const strict = await api.post(`${LVS}?fieldValidation=Strict`, { ...body, metadata: { name: 'prune2' } });
    expect(strict.status).toBe(400);
    expect(strict.body.message).toBe('strict decoding error: unknown field "spec.extra"');
  });

  test('status subresource: spec ignored on /status, status ignored on the main resource; generation follows spec only', async () => {
    const c = (await api.post(LVS, { ...lv('split'), status: { volumeID: 'dropped' } })).body;
    expect(c.status).toBeUndefined();
    const s = await api.put(`${LVS}/split/status`, { ...c, spec: { ...c.spec, nodeName: 'other' }, status: { volumeID: 'v1' } });
    expect(s.status).toBe(200);
    expect(s.body.spec.nodeName).toBe('node1');
    expect(s.body.status.volumeID).toBe('v1');
    expect(s.body.metadata.generation).toBe(1);
    const m = await api.put(`${LVS}/split`, { ...s.body, spec: { ...s.body.spec, size: '2Gi' }, status: { volumeID: 'ignored' } });
    expect(m.body.status.volumeID).toBe('v1');
    expect(m.body.metadata.generation).toBe(2);
    const meta = await api.put(`${LVS}/split`, { ...m.body, metadata: { ...m.body.metadata, labels: { a: 'b' } } });
    expect(meta.body.metadata.generation).toBe(2);
  });

  test('a no-op update writes nothing (same resourceVersion)', async () => {
    const c = (await api.post(CMS, { metadata: { name: 'noop' }, data: { a: '1' } })).body;
    const u = await api.put(`${CMS}/noop`, c);
    expect(u.body.metadata.resourceVersion).toBe(c.metadata.resourceVersion);
  });

  test('finalizers: delete marks deletionTimestamp; removing the last finalizer deletes; new finalizers are refused', async () => {
    await api.post(LVS, { ...lv('fin'), metadata: { name: 'fin', finalizers: ['topolvm.cybozu.com/logicalvolume'] } });
    const d = await api.del(`${LVS}/fin`);
    expect(d.status).toBe(200);
    expect(d.body.metadata.deletionTimestamp).toBeDefined();
    expect(d.body.metadata.deletionGracePeriodSeconds).toBe(0);
    expect(d.body.metadata.generation).toBe(2);
    const add = await api.patch(`${LVS}/fin`, { metadata: { finalizers: ['topolvm.cybozu.com/logicalvolume', 'example.com/more'] } }, 'application/merge-patch+json');
    expect(add.status).toBe(422);
    expect(add.body.message).toContain('no new finalizers can be added if the object is being deleted');
    const rm = await api.patch(`${LVS}/fin`, [{ op: 'remove', path: '/metadata/finalizers' }], 'application/json-patch+json');
    expect(rm.status).toBe(200);
    expect((await api.get(`${LVS}/fin`)).status).toBe(404);
  });

  test('delete preconditions answer 409 with the real text', async () => {
    await api.post(CMS, { metadata: { name: 'pre' } });
    const r = await api.del(`${CMS}/pre`, { preconditions: { uid: 'nope' } });
    expect(r.status).toBe(409);
    expect(r.body.message).toMatch(/^Operation cannot be fulfilled on configmaps "pre": Precondition failed: UID in precondition: nope, UID in object meta: [0-9a-f-]+$/);
    const ok = await api.del(`${CMS}/pre`);
    expect(ok.body).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'pre', kind: 'configmaps' } });
  });

  test('namespaces: creates need an existing namespace; deleting one removes its content', async () => {
    const nf = await api.post('/api/v1/namespaces/nowhere/configmaps', { metadata: { name: 'x' } });
    expect(nf.status).toBe(404);
    expect(nf.body.message).toBe('namespaces "nowhere" not found');
    await api.post('/api/v1/namespaces', { metadata: { name: 'doomed' } });
    await api.post('/api/v1/namespaces/doomed/configmaps', { metadata: { name: 'c1' } });
    const d = await api.del('/api/v1/namespaces/doomed');
    expect(d.body.status.phase).toBe('Terminating');
    const refused = await api.post('/api/v1/namespaces/doomed/configmaps', { metadata: { name: 'c2' } });
    expect([403, 404]).toContain(refused.status);
    await server.settle();
    expect((await api.get('/api/v1/namespaces/doomed/configmaps/c1')).status).toBe(404);
    expect((await api.get('/api/v1/namespaces/doomed')).status).toBe(404);
  });

  test('label and field selectors, including a CRD selectable field', async () => {
    for (const [n, node, tier] of [['sel-a', 'n1', 'gold'], ['sel-b', 'n2', 'silver'], ['sel-c', 'n1', 'bronze']] as const)
      await api.post(LVS, { ...lv(n, { nodeName: node }), metadata: { name: n, labels: { tier, app: 'sel' } } });
    const names = async (q: string) => ((await api.get(`${LVS}?${q}`)).body.items as { metadata: { name: string } }[]).map((i) => i.metadata.name);
    expect(await names('labelSelector=' + encodeURIComponent('app=sel,tier in (gold,bronze)'))).toEqual(['sel-a', 'sel-c']);
    expect(await names('labelSelector=' + encodeURIComponent('app==sel,tier!=gold'))).toEqual(['sel-b', 'sel-c']);
    expect(await names('labelSelector=' + encodeURIComponent('app,tier notin (gold)'))).toEqual(['sel-b', 'sel-c']);
    expect(await names('labelSelector=' + encodeURIComponent('!nosuch,app=sel'))).toEqual(['sel-a', 'sel-b', 'sel-c']);
    expect(await names('fieldSelector=' + encodeURIComponent('spec.nodeName=n1') + '&labelSelector=app%3Dsel')).toEqual(['sel-a', 'sel-c']);
    expect(await names('fieldSelector=' + encodeURIComponent('metadata.name=sel-b'))).toEqual(['sel-b']);
    const bad = await api.get(`${LVS}?fieldSelector=spec.size%3D1`);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('field label not supported: spec.size');
  });

  test('limit/continue pages through a consistent snapshot; an expired token answers 410', async () => {
    for (let i = 0; i < 5; i++) await api.post(CMS, { metadata: { name: `page-${i}`, labels: { page: 'yes' } } });
    const p1 = await api.get(`${CMS}?labelSelector=page%3Dyes&limit=2`);
    expect(p1.body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['page-0', 'page-1']);
    expect(p1.body.metadata.continue).toBeTruthy();
    await api.del(`${CMS}/page-3`);
    const p2 = await api.get(`${CMS}?labelSelector=page%3Dyes&limit=2&continue=${p1.body.metadata.continue}`);
    expect(p2.body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['page-2', 'page-3']);
    expect(p2.body.metadata.resourceVersion).toBe(p1.body.metadata.resourceVersion);
    const all = await api.get(`${CMS}?limit=1`);
    expect(all.body.metadata.remainingItemCount).toBeGreaterThan(0);
    server.compact();
    const gone = await api.get(`${CMS}?labelSelector=page%3Dyes&limit=2&continue=${p2.body.metadata.continue}`);
    expect(gone.status).toBe(410);
    expect(gone.body.reason).toBe('Expired');
    expect(gone.body.metadata.continue).toBeTruthy();
  });

  test('watch from a resourceVersion replays changes; a compacted one gets an ERROR 410 event', async () => {
    const c = (await api.post(CMS, { metadata: { name: 'w1' } })).body;
    await api.put(`${CMS}/w1`, { ...c, data: { x: 'y' } });
    await api.del(`${CMS}/w1`);
    const ev = await watchEvents(`${server.url}${CMS}?watch=true&resourceVersion=${c.metadata.resourceVersion}&fieldSelector=metadata.name%3Dw1`, 2);
    expect(ev.map((e) => e.type)).toEqual(['MODIFIED', 'DELETED']);
    server.compact();
    const old = await watchEvents(`${server.url}${CMS}?watch=true&resourceVersion=${c.metadata.resourceVersion}`, 2);
    expect(old).toHaveLength(1);
    expect(old[0]?.type).toBe('ERROR');
    expect(old[0]?.object).toMatchObject({ kind: 'Status', reason: 'Expired', code: 410 });
    expect(old[0]?.object.message).toMatch(/^too old resource version: \d+ \(\d+\)$/);
  });

  test('watch with a selector sees an object leave it as DELETED and enter it as ADDED', async () => {
    const c = (await api.post(CMS, { metadata: { name: 'moving', labels: { in: 'yes' } } })).body;
    const events = watchEvents(`${server.url}${CMS}?watch=1&labelSelector=in%3Dyes&resourceVersion=${c.metadata.resourceVersion}`, 2);
    await new Promise((r) => setTimeout(r, 100));
    const out = await api.patch(`${CMS}/moving`, { metadata: { labels: { in: 'no' } } }, 'application/merge-patch+json');
    await api.patch(`${CMS}/moving`, { metadata: { labels: { in: 'yes' } } }, 'application/merge-patch+json');
    const ev = await events;
    expect(ev.map((e) => e.type)).toEqual(['DELETED', 'ADDED']);
    expect(ev[0]?.object.metadata.resourceVersion).toBe(out.body.metadata.resourceVersion);
  });

  test('one change fanned out to several watchers: each gets the event in its own form and type', async () => {
    const c = (await api.post(CMS, { metadata: { name: 'fanned', labels: { in: 'no' } } })).body;
    const from = `resourceVersion=${c.metadata.resourceVersion}&fieldSelector=metadata.name%3Dfanned`;
    const plain = [1, 2, 3].map(() => watchEvents(`${server.url}${CMS}?watch=1&${from}`, 2));
    const selected = watchEvents(`${server.url}${CMS}?watch=1&${from}&labelSelector=in%3Dyes`, 2);
    const table = watchEvents(`${server.url}${CMS}?watch=1&${from}`, 2, 5000, { accept: 'application/json;as=Table;g=meta.k8s.io;v=v1' });
    const partial = watchEvents(`${server.url}${CMS}?watch=1&${from}`, 2, 5000, { accept: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1' });
    await new Promise((r) => setTimeout(r, 200));
    const moved = (await api.patch(`${CMS}/fanned`, { metadata: { labels: { in: 'yes' } }, data: { k: 'v' } }, 'application/merge-patch+json')).body;
    const changed = (await api.patch(`${CMS}/fanned`, { data: { k: 'w' } }, 'application/merge-patch+json')).body;
    for (const ev of await Promise.all(plain)) {
      expect(ev.map((e) => e.type)).toEqual(['MODIFIED', 'MODIFIED']);
      expect(ev.map((e) => e.object)).toEqual([moved, changed]);
    }
    // the same stored object, sent as ADDED to the watcher whose selector it entered
    const sel = await selected;
    expect(sel.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED']);
    expect(sel.map((e) => e.object)).toEqual([moved, changed]);
    const tab = await table;
    expect(tab.map((e) => e.object.kind)).toEqual(['Table', 'Table']);
    expect(tab[1]?.object.rows[0].object.metadata.resourceVersion).toBe(changed.metadata.resourceVersion);
    const part = await partial;
    expect(part.map((e) => e.object.kind)).toEqual(['PartialObjectMetadata', 'PartialObjectMetadata']);
    expect(part[0]?.object.data).toBeUndefined();
  });

  test('bookmarks come 2 s before timeoutSeconds, and the stream ends at the timeout', async () => {
    const t0 = Date.now();
    const ev = await watchEvents(`${server.url}${CMS}?watch=1&allowWatchBookmarks=true&timeoutSeconds=3&resourceVersion=${(await api.get(CMS)).body.metadata.resourceVersion}`, 10, 8000);
    expect(ev.map((e) => e.type)).toEqual(['BOOKMARK']);
    expect(ev[0]?.object).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2900);
  });

  test('sendInitialEvents ends the initial list with an annotated bookmark', async () => {
    await api.post(CMS, { metadata: { name: 'initial', labels: { init: 'y' } } });
    const ev = await watchEvents(`${server.url}${CMS}?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&labelSelector=init%3Dy`, 2);
    expect(ev.map((e) => e.type)).toEqual(['ADDED', 'BOOKMARK']);
    expect(ev[1]?.object.metadata.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
  });

  test('Table responses carry the CRD printer columns', async () => {
    await api.post(LVS, lv('table-1'));
    const t = await api.get(`${LVS}/table-1`, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
    expect(t.body.kind).toBe('Table');
    expect(t.body.columnDefinitions.map((c: { name: string }) => c.name)).toEqual(['Name', 'Node', 'Size', 'Age']);
    expect(t.body.rows[0].cells.slice(0, 3)).toEqual(['table-1', 'node1', '1Gi']);
    expect(t.body.rows[0].object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 'table-1' } });
  });

  test('strategic merge patch on a custom resource answers 415', async () => {
    const r = await api.patch(`${LVS}/create-1`, { spec: {} }, 'application/strategic-merge-patch+json');
    expect(r.status).toBe(415);
    expect(r.body.reason).toBe('UnsupportedMediaType');
  });

  test('dryRun=All validates and answers without storing', async () => {
    const r = await api.post(`${CMS}?dryRun=All`, { metadata: { name: 'dry' } });
    expect(r.status).toBe(201);
    expect((await api.get(`${CMS}/dry`)).status).toBe(404);
  });

  test('unknown paths and verbs answer Status objects', async () => {
    const r = await api.get('/apis/nope.example.com/v1/things');
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ kind: 'Status', reason: 'NotFound', message: 'the server could not find the requested resource' });
    const log = await api.get('/api/v1/namespaces/default/pods/x/log');
    expect(log.status).toBe(405);
    expect(log.body.message).toContain('not supported by kube-test-apiserver');
  });
});

describe('kube-test-apiserver auth', () => {
  test('a bearer token is required when configured', async () => {
    const server = await start({ token: 's3cret' });
    try {
      const anon = await client(server).get('/api/v1/namespaces');
      expect(anon.status).toBe(401);
      expect(anon.body).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
      expect((await client(server, 's3cret').get('/api/v1/namespaces')).status).toBe(200);
      expect(server.kubeconfigYaml()).toContain('token: s3cret');
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await server.close();
    }
  });
});
