/**
 * The three classic patch types: JSON patch (RFC 6902, with its test op), JSON merge patch
 * (RFC 7386: null deletes, lists replaced whole), and strategic merge patch on built-in
 * kinds (lists merged by their patch strategy: finalizers as a set, ownerReferences by uid,
 * containers by name; $patch and $deleteFromPrimitiveList directives), which custom
 * resources refuse with 415.
 */
import { useCluster } from './fixture';
import { create, installTestKinds, widget, type CustomKind } from './crds';
import { expectOk, expectStatus, JSON_PATCH, MERGE, resourcePath, STRATEGIC, waitForObject, type Obj } from './kube';

const cluster = useCluster();
let ns: string;
let widgetKind: CustomKind;

beforeAll(async () => {
  const c = cluster();
  ns = await c.createNamespace('patch');
  ({ widget: widgetKind } = await installTestKinds(c));
});

const cmPath = (name?: string): string => resourcePath('v1', 'configmaps', ns, name);

async function newWidget(spec: Obj = { size: 1, tags: ['a', 'b'], ports: [{ name: 'x', port: 1 }] }): Promise<string> {
  const c = cluster();
  const name = c.name('w');
  await create(c, widgetKind.path(ns), widget(c, widgetKind, ns, name, spec));
  return name;
}

describe('JSON patch', () => {
  it('adds, replaces and removes, on objects and list elements', async () => {
    const c = cluster();
    const name = await newWidget();
    const patched = expectOk(
      await c.api.patch(widgetKind.path(ns, name), JSON_PATCH, [
        { op: 'replace', path: '/spec/size', value: 5 },
        { op: 'add', path: '/spec/tags/1', value: 'inserted' },
        { op: 'add', path: '/spec/tags/-', value: 'last' },
        { op: 'remove', path: '/spec/tags/0' },
        { op: 'add', path: '/metadata/labels/team', value: 'storage' },
        { op: 'add', path: '/spec/nodeName', value: 'n1' },
      ]),
    );
    expect(patched.spec.size).toBe(5);
    expect(patched.spec.tags).toEqual(['inserted', 'b', 'last']);
    expect(patched.spec.nodeName).toBe('n1');
    expect(patched.metadata.labels.team).toBe('storage');
    expect(patched.metadata.generation).toBe(2);
  });

  it('applies when its test op holds, and refuses the whole patch with 422 when one fails', async () => {
    const c = cluster();
    const name = await newWidget();
    expectOk(await c.api.patch(widgetKind.path(ns, name), JSON_PATCH, [{ op: 'test', path: '/spec/size', value: 1 }, { op: 'replace', path: '/spec/size', value: 2 }]));
    const res = await c.api.patch(widgetKind.path(ns, name), JSON_PATCH, [
      { op: 'replace', path: '/spec/nodeName', value: 'should-not-stick' },
      { op: 'test', path: '/spec/size', value: 1 },
    ]);
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({ kind: 'Status', status: 'Failure', code: 422 });
    const read = expectOk(await c.api.get(widgetKind.path(ns, name)));
    expect(read.spec.size).toBe(2);
    expect(read.spec.nodeName).toBeUndefined();
  });

  it('refuses to remove a path that does not exist with 422', async () => {
    const c = cluster();
    const name = await newWidget();
    const res = await c.api.patch(widgetKind.path(ns, name), JSON_PATCH, [{ op: 'remove', path: '/spec/nodeName' }]);
    expect(res.status).toBe(422);
  });

  it('refuses a body that is not a JSON patch with BadRequest', async () => {
    const c = cluster();
    const name = await newWidget();
    expectStatus(await c.api.patch(widgetKind.path(ns, name), JSON_PATCH, { spec: { size: 3 } }), 400, 'BadRequest');
  });

  it('patches a ConfigMap key with a slash through the ~1 escape', async () => {
    const c = cluster();
    const name = c.name('cm');
    await create(c, cmPath(), { metadata: { name, labels: c.labels() }, data: { plain: 'x' } });
    const patched = expectOk(
      await c.api.patch(cmPath(name), JSON_PATCH, [
        { op: 'add', path: '/metadata/annotations', value: {} },
        { op: 'add', path: '/metadata/annotations/topolvm.io~1resize', value: 'true' },
        { op: 'move', from: '/data/plain', path: '/data/moved' },
      ]),
    );
    expect(patched.metadata.annotations).toEqual({ 'topolvm.io/resize': 'true' });
    expect(patched.data).toEqual({ moved: 'x' });
  });

  it('answers NotFound for an object that does not exist', async () => {
    const c = cluster();
    expectStatus(await c.api.patch(cmPath('no-such-map'), JSON_PATCH, [{ op: 'add', path: '/data', value: {} }]), 404, 'NotFound');
  });
});

describe('merge patch', () => {
  it('merges objects, deletes with null, and replaces lists whole', async () => {
    const c = cluster();
    const name = await newWidget({ size: 1, tags: ['a', 'b'], nested: { mode: 'slow', level: 2 }, ports: [{ name: 'x', port: 1 }, { name: 'y', port: 2 }] });
    const patched = expectOk(
      await c.api.patch(widgetKind.path(ns, name), MERGE, { spec: { tags: ['c'], nested: { level: null }, ports: [{ name: 'z', port: 3 }] }, metadata: { annotations: { a: '1' } } }),
    );
    expect(patched.spec).toEqual({ size: 1, color: 'green', tags: ['c'], nested: { mode: 'slow' }, ports: [{ name: 'z', port: 3 }] });
    expect(patched.metadata.annotations).toEqual({ a: '1' });
  });

  it('replaces the finalizers list of a built-in kind', async () => {
    const c = cluster();
    const name = c.name('cm');
    await create(c, cmPath(), { metadata: { name, labels: c.labels(), finalizers: ['conformance.copse.io/a'] } });
    c.track(cmPath(name));
    const patched = expectOk(await c.api.patch(cmPath(name), MERGE, { metadata: { finalizers: ['conformance.copse.io/b'] } }));
    expect(patched.metadata.finalizers).toEqual(['conformance.copse.io/b']);
  });

  it('refuses a body that is not JSON with BadRequest', async () => {
    const c = cluster();
    const name = await newWidget();
    expectStatus(await c.api.patch(widgetKind.path(ns, name), MERGE, '{"spec": '), 400, 'BadRequest');
  });

  it('answers NotFound for an object that does not exist', async () => {
    const c = cluster();
    expectStatus(await c.api.patch(widgetKind.path(ns, 'no-such-widget'), MERGE, { spec: { size: 2 } }), 404, 'NotFound');
  });
});

describe('strategic merge patch', () => {
  it('merges finalizers as a set', async () => {
    const c = cluster();
    const name = c.name('cm');
    await create(c, cmPath(), { metadata: { name, labels: c.labels(), finalizers: ['conformance.copse.io/a'] } });
    c.track(cmPath(name));
    const added = expectOk(await c.api.patch(cmPath(name), STRATEGIC, { metadata: { finalizers: ['conformance.copse.io/b', 'conformance.copse.io/a'] } }));
    expect([...added.metadata.finalizers].sort()).toEqual(['conformance.copse.io/a', 'conformance.copse.io/b']);
    const removed = expectOk(await c.api.patch(cmPath(name), STRATEGIC, { metadata: { '$deleteFromPrimitiveList/finalizers': ['conformance.copse.io/a'] } }));
    expect(removed.metadata.finalizers).toEqual(['conformance.copse.io/b']);
  });

  it('merges ownerReferences by uid, and deletes one with $patch: delete', async () => {
    const c = cluster();
    const o1 = await create(c, cmPath(), { metadata: { name: c.name('o1'), labels: c.labels() } });
    const o2 = await create(c, cmPath(), { metadata: { name: c.name('o2'), labels: c.labels() } });
    const ref = (o: Obj): Obj => ({ apiVersion: 'v1', kind: 'ConfigMap', name: o.metadata.name, uid: o.metadata.uid });
    const name = c.name('dep');
    await create(c, cmPath(), { metadata: { name, labels: c.labels(), ownerReferences: [ref(o1)] } });
    const both = expectOk(await c.api.patch(cmPath(name), STRATEGIC, { metadata: { ownerReferences: [ref(o2)] } }));
    expect(both.metadata.ownerReferences.map((r: Obj) => r.uid).sort()).toEqual([o1.metadata.uid, o2.metadata.uid].sort());
    const one = expectOk(await c.api.patch(cmPath(name), STRATEGIC, { metadata: { ownerReferences: [{ uid: o1.metadata.uid, $patch: 'delete' }] } }));
    expect(one.metadata.ownerReferences).toEqual([ref(o2)]);
  });

  it('merges Pod containers by name', async () => {
    const c = cluster();
    const v1 = expectOk(await c.api.get('/api/v1'));
    if (v1.resources.some((r: Obj) => r.name === 'serviceaccounts')) {
      await waitForObject(c.api, resourcePath('v1', 'serviceaccounts', ns), 'default', (sa) => sa !== undefined);
    }
    const name = c.name('pod');
    await create(c, resourcePath('v1', 'pods', ns), {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: c.labels() },
      spec: {
        schedulerName: 'copse-conformance-no-scheduler',
        containers: [
          { name: 'a', image: 'registry.k8s.io/pause:3.9' },
          { name: 'b', image: 'registry.k8s.io/pause:3.9' },
        ],
      },
    });
    const patched = expectOk(await c.api.patch(resourcePath('v1', 'pods', ns, name), STRATEGIC, { spec: { containers: [{ name: 'b', image: 'registry.k8s.io/pause:3.10' }] } }));
    expect(patched.spec.containers.map((x: Obj) => `${x.name}=${x.image}`)).toEqual(['a=registry.k8s.io/pause:3.9', 'b=registry.k8s.io/pause:3.10']);
    expectOk(await c.api.delete(resourcePath('v1', 'pods', ns, name), { query: { gracePeriodSeconds: 0 } }));
  });

  it('merges maps like a merge patch (labels, data), null deleting a key', async () => {
    const c = cluster();
    const name = c.name('cm');
    await create(c, cmPath(), { metadata: { name, labels: c.labels({ a: '1', b: '2' }) }, data: { x: '1', y: '2' } });
    const patched = expectOk(await c.api.patch(cmPath(name), STRATEGIC, { metadata: { labels: { b: null, c: '3' } }, data: { y: null, z: '3' } }));
    expect(patched.metadata.labels).toEqual(c.labels({ a: '1', c: '3' }));
    expect(patched.data).toEqual({ x: '1', z: '3' });
  });

  it('is refused for a custom resource with 415 UnsupportedMediaType', async () => {
    const c = cluster();
    const name = await newWidget();
    const status = expectStatus(await c.api.patch(widgetKind.path(ns, name), STRATEGIC, { spec: { size: 2 } }), 415, 'UnsupportedMediaType');
    expect(status.message).toContain('application/merge-patch+json');
    expect(expectOk(await c.api.get(widgetKind.path(ns, name))).spec.size).toBe(1);
  });
});

describe('patch content types', () => {
  it('refuses a PATCH with a content type that is no patch type with 415', async () => {
    const c = cluster();
    const name = c.name('cm');
    await create(c, cmPath(), { metadata: { name, labels: c.labels() } });
    expectStatus(await c.api.patch(cmPath(name), 'application/json', { data: { a: '1' } }), 415, 'UnsupportedMediaType');
  });

  it('accepts a charset parameter on the content type', async () => {
    const c = cluster();
    const name = c.name('cm');
    await create(c, cmPath(), { metadata: { name, labels: c.labels() } });
    const patched = expectOk(await c.api.patch(cmPath(name), `${MERGE}; charset=utf-8`, { data: { a: '1' } }));
    expect(patched.data).toEqual({ a: '1' });
  });

  it('refuses force on a patch that is not apply', async () => {
    const c = cluster();
    const name = c.name('cm');
    await create(c, cmPath(), { metadata: { name, labels: c.labels() } });
    const status = expectStatus(await c.api.patch(cmPath(name), MERGE, { data: { a: '1' } }, { query: { force: true } }), 422, 'Invalid');
    expect(status.details.causes).toEqual([expect.objectContaining({ field: 'force', reason: 'FieldValueForbidden' })]);
  });
});
