/**
 * Label selectors (equality, inequality, set-based, existence) and field selectors
 * (metadata.name, metadata.namespace; spec.nodeName for Pods; involvedObject.* for Events),
 * on lists and on watches, where an object that stops matching is seen as DELETED (with its
 * last matching content at the new resourceVersion) and one that starts matching as ADDED.
 */
import { useCluster } from './fixture';
import { create, installTestKinds, widget, type CustomKind } from './crds';
import { expectOk, expectStatus, MERGE, resourcePath, waitForObject, type Obj } from './kube';

const cluster = useCluster();
let ns: string;
let widgetKind: CustomKind;
let set: string;

const cmPath = (name?: string): string => resourcePath('v1', 'configmaps', ns, name);

beforeAll(async () => {
  const c = cluster();
  ns = await c.createNamespace('sel');
  ({ widget: widgetKind } = await installTestKinds(c));
  set = c.name('set');
  const objects: Array<[string, Record<string, string>]> = [
    ['prod-db', { env: 'prod', tier: 'db' }],
    ['prod-web', { env: 'prod', tier: 'web' }],
    ['dev-db', { env: 'dev', tier: 'db' }],
    ['test-web', { env: 'test', tier: 'web' }],
    ['unlabelled', {}],
  ];
  for (const [name, labels] of objects) {
    await create(c, cmPath(), { metadata: { name, labels: c.labels({ set, ...labels }) } });
  }
});

async function names(labelSelector: string, fieldSelector?: string): Promise<string[]> {
  const c = cluster();
  const list = expectOk(await c.api.get(cmPath(), { query: { labelSelector: `set=${set},${labelSelector}`.replace(/,$/, ''), fieldSelector } }));
  return list.items.map((i: Obj) => i.metadata.name).sort();
}

describe('label selectors', () => {
  it.each([
    ['env=prod', ['prod-db', 'prod-web']],
    ['env==prod', ['prod-db', 'prod-web']],
    ['env!=prod', ['dev-db', 'test-web', 'unlabelled']],
    ['env in (prod,dev)', ['dev-db', 'prod-db', 'prod-web']],
    ['env notin (prod,dev)', ['test-web', 'unlabelled']],
    ['env', ['dev-db', 'prod-db', 'prod-web', 'test-web']],
    ['!env', ['unlabelled']],
    ['env=prod,tier=db', ['prod-db']],
    ['env in (prod),tier notin (db)', ['prod-web']],
    ['env=staging', []],
  ])('%s', async (selector, expected) => {
    expect(await names(selector)).toEqual(expected);
  });

  it('apply to custom resources', async () => {
    const c = cluster();
    await create(c, widgetKind.path(ns), widget(c, widgetKind, ns, 'a', { size: 1 }, { labels: { pool: 'ssd' } }));
    await create(c, widgetKind.path(ns), widget(c, widgetKind, ns, 'b', { size: 1 }, { labels: { pool: 'hdd' } }));
    const list = expectOk(await c.api.get(widgetKind.path(ns), { query: { labelSelector: 'pool in (ssd)' } }));
    expect(list.items.map((i: Obj) => i.metadata.name)).toEqual(['a']);
  });

  it('refuses a malformed selector with BadRequest', async () => {
    const c = cluster();
    expectStatus(await c.api.get(cmPath(), { query: { labelSelector: 'env in prod' } }), 400, 'BadRequest');
    expectStatus(await c.api.get(cmPath(), { query: { labelSelector: '=novalue' } }), 400, 'BadRequest');
  });
});

describe('field selectors', () => {
  it('select by metadata.name, equal and not equal', async () => {
    expect(await names('', 'metadata.name=dev-db')).toEqual(['dev-db']);
    expect(await names('', 'metadata.name!=dev-db')).toEqual(['prod-db', 'prod-web', 'test-web', 'unlabelled']);
    expect(await names('env=prod', 'metadata.name=dev-db')).toEqual([]);
  });

  it('select by metadata.namespace across namespaces', async () => {
    const c = cluster();
    const list = expectOk(await c.api.get('/api/v1/configmaps', { query: { labelSelector: `set=${set}`, fieldSelector: `metadata.namespace=${ns}` } }));
    expect(list.items).toHaveLength(5);
    const none = expectOk(await c.api.get('/api/v1/configmaps', { query: { labelSelector: `set=${set}`, fieldSelector: `metadata.namespace!=${ns}` } }));
    expect(none.items).toHaveLength(0);
  });

  it('select custom resources by metadata.name', async () => {
    const c = cluster();
    await create(c, widgetKind.path(ns), widget(c, widgetKind, ns, 'fs-one'));
    await create(c, widgetKind.path(ns), widget(c, widgetKind, ns, 'fs-two'));
    const list = expectOk(await c.api.get(widgetKind.path(ns), { query: { fieldSelector: 'metadata.name=fs-two' } }));
    expect(list.items.map((i: Obj) => i.metadata.name)).toEqual(['fs-two']);
  });

  it('select Pods by spec.nodeName, including the unscheduled ones by an empty value', async () => {
    const c = cluster();
    const v1 = expectOk(await c.api.get('/api/v1'));
    if (v1.resources.some((r: Obj) => r.name === 'serviceaccounts')) {
      await waitForObject(c.api, resourcePath('v1', 'serviceaccounts', ns), 'default', (sa) => sa !== undefined);
    }
    const pod = (name: string, nodeName?: string): Obj => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: c.labels() },
      spec: { schedulerName: 'copse-conformance-no-scheduler', nodeName, terminationGracePeriodSeconds: 0, containers: [{ name: 'main', image: 'registry.k8s.io/pause:3.9' }] },
    });
    const podPath = resourcePath('v1', 'pods', ns);
    const nodeA = c.name('node-a');
    await create(c, podPath, pod('on-a', nodeA));
    await create(c, podPath, pod('on-b', c.name('node-b')));
    await create(c, podPath, pod('nowhere'));
    const onA = expectOk(await c.api.get(podPath, { query: { fieldSelector: `spec.nodeName=${nodeA}` } }));
    expect(onA.items.map((i: Obj) => i.metadata.name)).toEqual(['on-a']);
    const unscheduled = expectOk(await c.api.get(podPath, { query: { fieldSelector: 'spec.nodeName=' } }));
    expect(unscheduled.items.map((i: Obj) => i.metadata.name)).toEqual(['nowhere']);
    const all = expectOk(await c.api.get('/api/v1/pods', { query: { fieldSelector: `spec.nodeName=${nodeA},metadata.namespace=${ns}` } }));
    expect(all.items.map((i: Obj) => i.metadata.name)).toEqual(['on-a']);
    for (const name of ['on-a', 'on-b', 'nowhere']) {
      expectOk(await c.api.delete(resourcePath('v1', 'pods', ns, name), { query: { gracePeriodSeconds: 0 } }));
    }
  });

  it('select Events by the object they are about, as kubectl describe does', async () => {
    const c = cluster();
    const about = await create(c, cmPath(), { metadata: { name: c.name('about'), labels: c.labels() } });
    const event = (name: string, involved: Obj, reason: string): Obj => ({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, labels: c.labels() },
      involvedObject: involved,
      reason,
      message: reason,
      type: 'Normal',
      source: { component: 'copse-conformance' },
      firstTimestamp: '2025-01-02T03:04:05Z',
      lastTimestamp: '2025-01-02T03:04:05Z',
      count: 1,
    });
    const mine = { apiVersion: 'v1', kind: 'ConfigMap', name: about.metadata.name, namespace: ns, uid: about.metadata.uid };
    const evPath = resourcePath('v1', 'events', ns);
    await create(c, evPath, event('e1', mine, 'Created'));
    await create(c, evPath, event('e2', mine, 'Resized'));
    await create(c, evPath, event('e3', { ...mine, name: 'someone-else', uid: '11111111-2222-4333-8444-555555555555' }, 'Created'));
    const describe = `involvedObject.name=${about.metadata.name},involvedObject.namespace=${ns},involvedObject.uid=${about.metadata.uid}`;
    const list = expectOk(await c.api.get(evPath, { query: { fieldSelector: describe } }));
    expect(list.items.map((i: Obj) => i.metadata.name).sort()).toEqual(['e1', 'e2']);
    const byReason = expectOk(await c.api.get(evPath, { query: { fieldSelector: `reason=Created,involvedObject.kind=ConfigMap` } }));
    expect(byReason.items.map((i: Obj) => i.metadata.name).sort()).toEqual(['e1', 'e3']);
  });

  it('refuse a field a kind does not index with BadRequest', async () => {
    const c = cluster();
    expectStatus(await c.api.get(cmPath(), { query: { fieldSelector: 'data.a=1' } }), 400, 'BadRequest');
    expectStatus(await c.api.get(widgetKind.path(ns), { query: { fieldSelector: 'spec.size=1' } }), 400, 'BadRequest');
  });
});

describe('watches with selectors', () => {
  it('see an object leave the label selection as DELETED and enter it as ADDED', async () => {
    const c = cluster();
    const name = c.name('mover');
    const group = c.name('grp');
    const created = await create(c, cmPath(), { metadata: { name, labels: c.labels({ group, state: 'in' }) } });
    const watch = await c.api.watch(cmPath(), { labelSelector: `group=${group},state=in`, resourceVersion: created.metadata.resourceVersion });
    try {
      const out = expectOk(await c.api.patch(cmPath(name), MERGE, { metadata: { labels: { state: 'out' } } }));
      const left = await watch.next();
      expect(left.type).toBe('DELETED');
      expect(left.object.metadata.name).toBe(name);
      expect(left.object.metadata.resourceVersion).toBe(out.metadata.resourceVersion);
      // the previous content (the last that matched) at the new resourceVersion
      expect(left.object.metadata.labels.state).toBe('in');
      expectOk(await c.api.patch(cmPath(name), MERGE, { data: { unseen: 'change' } }));
      const back = expectOk(await c.api.patch(cmPath(name), MERGE, { metadata: { labels: { state: 'in' } } }));
      const entered = await watch.next();
      expect(entered.type).toBe('ADDED');
      expect(entered.object.metadata.resourceVersion).toBe(back.metadata.resourceVersion);
      expect(entered.object.data).toEqual({ unseen: 'change' });
    } finally {
      watch.close();
    }
  });

  it('see only the named object with a metadata.name field selector', async () => {
    const c = cluster();
    const a = await create(c, cmPath(), { metadata: { name: c.name('wa'), labels: c.labels() } });
    const b = await create(c, cmPath(), { metadata: { name: c.name('wb'), labels: c.labels() } });
    const watch = await c.api.watch(cmPath(), { fieldSelector: `metadata.name=${b.metadata.name}`, resourceVersion: b.metadata.resourceVersion });
    try {
      expectOk(await c.api.patch(cmPath(a.metadata.name), MERGE, { data: { x: '1' } }));
      const bChanged = expectOk(await c.api.patch(cmPath(b.metadata.name), MERGE, { data: { x: '2' } }));
      const event = await watch.next();
      expect(event.type).toBe('MODIFIED');
      expect(event.object.metadata.name).toBe(b.metadata.name);
      expect(event.object.metadata.resourceVersion).toBe(bChanged.metadata.resourceVersion);
    } finally {
      watch.close();
    }
  });
});
