/**
 * Watch: events after a resourceVersion, in order, each carrying the version its write
 * returned; synthetic ADDED events when no version (or "0") is given; resuming from the
 * last version seen loses and repeats nothing; a version too old for the server answers
 * 200 with one ERROR event carrying a 410 Expired Status, then ends; bookmarks only when
 * asked for; the server ends a watch at timeoutSeconds; client-node's informer on top.
 */
import { CoreV1Api, makeInformer, type V1ConfigMap } from '@kubernetes/client-node';
import { useCluster } from './fixture';
import { create, installTestKinds, widget, type CustomKind } from './crds';
import type { WatchEvent } from './http';
import { expectOk, MERGE, resourcePath, type Obj } from './kube';

const cluster = useCluster();
let ns: string;
let widgetKind: CustomKind;

beforeAll(async () => {
  const c = cluster();
  ns = await c.createNamespace('watch');
  ({ widget: widgetKind } = await installTestKinds(c));
});

const cmPath = (name?: string): string => resourcePath('v1', 'configmaps', ns, name);

/** A label unique to one test, so a watch sees only that test's objects. */
function scope(): { label: string; selector: string; labels: Record<string, string> } {
  const c = cluster();
  const label = c.name('t');
  return { label, selector: `scope=${label}`, labels: c.labels({ scope: label }) };
}

const summary = (e: WatchEvent): string => `${e.type} ${e.object?.metadata?.name} ${e.object?.metadata?.resourceVersion}`;

describe('watch from a resourceVersion', () => {
  it('delivers every later change, in order, with the versions the writes returned', async () => {
    const c = cluster();
    const s = scope();
    const list = expectOk(await c.api.get(cmPath(), { query: { labelSelector: s.selector } }));
    const watch = await c.api.watch(cmPath(), { labelSelector: s.selector, resourceVersion: list.metadata.resourceVersion });
    try {
      expect(watch.status).toBe(200);
      const a = await create(c, cmPath(), { metadata: { name: 'a', labels: s.labels }, data: { v: '1' } });
      const a2 = expectOk(await c.api.patch(cmPath('a'), MERGE, { data: { v: '2' } }));
      const b = await create(c, cmPath(), { metadata: { name: 'b', labels: s.labels } });
      const del = expectOk(await c.api.delete(cmPath('a')));
      const events = [await watch.next(), await watch.next(), await watch.next(), await watch.next()];
      expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED a', 'MODIFIED a', 'ADDED b', 'DELETED a']);
      expect(events[0]?.object.metadata.resourceVersion).toBe(a.metadata.resourceVersion);
      expect(events[1]?.object.metadata.resourceVersion).toBe(a2.metadata.resourceVersion);
      expect(events[1]?.object.data).toEqual({ v: '2' });
      expect(events[2]?.object.metadata.resourceVersion).toBe(b.metadata.resourceVersion);
      expect(events[3]?.object).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1', data: { v: '2' } });
      expect(events[3]?.object.metadata.uid).toBe(del.details.uid);
      // a deletion is a write of its own: its event carries a new version
      expect(events[3]?.object.metadata.resourceVersion).not.toBe(a2.metadata.resourceVersion);
      expect(await watch.drain(500)).toEqual([]);
    } finally {
      watch.close();
    }
  });

  it('excludes the change at the version it starts from', async () => {
    const c = cluster();
    const s = scope();
    const first = await create(c, cmPath(), { metadata: { name: c.name('x'), labels: s.labels } });
    const watch = await c.api.watch(cmPath(), { labelSelector: s.selector, resourceVersion: first.metadata.resourceVersion });
    try {
      const second = await create(c, cmPath(), { metadata: { name: c.name('y'), labels: s.labels } });
      const event = await watch.next();
      expect(event.type).toBe('ADDED');
      expect(event.object.metadata.name).toBe(second.metadata.name);
    } finally {
      watch.close();
    }
  });

  it('delivers events of custom resources with their apiVersion and kind', async () => {
    const c = cluster();
    const list = expectOk(await c.api.get(widgetKind.path(ns)));
    const watch = await c.api.watch(widgetKind.path(ns), { resourceVersion: list.metadata.resourceVersion });
    try {
      const name = c.name('w');
      await create(c, widgetKind.path(ns), widget(c, widgetKind, ns, name, { size: 2 }));
      const event = await watch.next();
      expect(event).toMatchObject({ type: 'ADDED', object: { apiVersion: widgetKind.apiVersion, kind: 'Widget', metadata: { name }, spec: { size: 2, color: 'green' } } });
    } finally {
      watch.close();
    }
  });

  it('separates namespaces, and sees all of them at the cluster-wide path', async () => {
    const c = cluster();
    const s = scope();
    const other = await c.createNamespace('watch2');
    const list = expectOk(await c.api.get('/api/v1/configmaps', { query: { labelSelector: s.selector } }));
    const mine = await c.api.watch(cmPath(), { labelSelector: s.selector, resourceVersion: list.metadata.resourceVersion });
    const all = await c.api.watch('/api/v1/configmaps', { labelSelector: s.selector, resourceVersion: list.metadata.resourceVersion });
    try {
      await create(c, resourcePath('v1', 'configmaps', other), { metadata: { name: 'there', labels: s.labels } });
      await create(c, cmPath(), { metadata: { name: 'here', labels: s.labels } });
      const seenByAll = [await all.next(), await all.next()].map((e) => `${e.object.metadata.namespace}/${e.object.metadata.name}`);
      expect(seenByAll).toEqual([`${other}/there`, `${ns}/here`]);
      const seenByMine = await mine.next();
      expect(seenByMine.object.metadata.name).toBe('here');
      expect(await mine.drain(300)).toEqual([]);
    } finally {
      mine.close();
      all.close();
    }
  });
});

describe('watch without a resourceVersion', () => {
  it.each([[undefined], ['0']])('with resourceVersion %s starts with a synthetic ADDED for every existing object', async (rv) => {
    const c = cluster();
    const s = scope();
    await create(c, cmPath(), { metadata: { name: c.name('e1'), labels: s.labels } });
    await create(c, cmPath(), { metadata: { name: c.name('e2'), labels: s.labels } });
    const watch = await c.api.watch(cmPath(), { labelSelector: s.selector, resourceVersion: rv });
    try {
      const initial = [await watch.next(), await watch.next()];
      expect(initial.map((e) => e.type)).toEqual(['ADDED', 'ADDED']);
      const later = await create(c, cmPath(), { metadata: { name: c.name('e3'), labels: s.labels } });
      const next = await watch.until((e) => e.type !== 'BOOKMARK');
      expect(next.at(-1)?.object.metadata.name).toBe(later.metadata.name);
    } finally {
      watch.close();
    }
  });
});

describe('resuming a watch', () => {
  it('from the last version seen loses nothing and repeats nothing', async () => {
    const c = cluster();
    const s = scope();
    const name = c.name('counter');
    const created = await create(c, cmPath(), { metadata: { name, labels: s.labels }, data: { n: '0' } });
    const versions: string[] = [];
    const first = await c.api.watch(cmPath(), { labelSelector: s.selector, resourceVersion: created.metadata.resourceVersion });
    let lastSeen: string;
    try {
      for (let n = 1; n <= 5; n++) versions.push(expectOk(await c.api.patch(cmPath(name), MERGE, { data: { n: String(n) } })).metadata.resourceVersion);
      const seen = [await first.next(), await first.next()];
      expect(seen.map((e) => e.object.data.n)).toEqual(['1', '2']);
      lastSeen = seen[1]?.object.metadata.resourceVersion;
    } finally {
      first.close();
    }
    for (let n = 6; n <= 8; n++) versions.push(expectOk(await c.api.patch(cmPath(name), MERGE, { data: { n: String(n) } })).metadata.resourceVersion);
    const resumed = await c.api.watch(cmPath(), { labelSelector: s.selector, resourceVersion: lastSeen });
    try {
      const rest: WatchEvent[] = [];
      for (let i = 0; i < 6; i++) rest.push(await resumed.next());
      expect(rest.map((e) => `${e.type} ${e.object.data.n}`)).toEqual(['MODIFIED 3', 'MODIFIED 4', 'MODIFIED 5', 'MODIFIED 6', 'MODIFIED 7', 'MODIFIED 8']);
      expect(rest.map((e) => e.object.metadata.resourceVersion)).toEqual(versions.slice(2));
      expect((await resumed.drain(500)).map(summary)).toEqual([]);
    } finally {
      resumed.close();
    }
  });

  it('from a version too old answers 200, one ERROR event with a 410 Expired Status, and ends', async () => {
    const c = cluster();
    // revision 1 predates every object of this run; a real apiserver's watch cache (and etcd
    // after compaction) no longer holds it, so it is "too old"
    for (const path of [widgetKind.path(ns), cmPath()]) {
      const watch = await c.api.watch(path, { resourceVersion: '1' });
      try {
        expect(watch.status).toBe(200);
        const event = await watch.next();
        expect(event.type).toBe('ERROR');
        expect(event.object).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410 });
        expect(typeof event.object.message).toBe('string');
        await expect(watch.next(15_000)).rejects.toThrow('the watch ended');
      } finally {
        watch.close();
      }
    }
  });

  it('with a re-list after a 410 picks up the current state', async () => {
    const c = cluster();
    const s = scope();
    await create(c, cmPath(), { metadata: { name: c.name('r'), labels: s.labels } });
    const expired = await c.api.watch(cmPath(), { labelSelector: s.selector, resourceVersion: '1' });
    const event = await expired.next();
    expired.close();
    expect(event.object.code).toBe(410);
    const list = expectOk(await c.api.get(cmPath(), { query: { labelSelector: s.selector } }));
    expect(list.items).toHaveLength(1);
    const watch = await c.api.watch(cmPath(), { labelSelector: s.selector, resourceVersion: list.metadata.resourceVersion });
    try {
      const later = await create(c, cmPath(), { metadata: { name: c.name('r'), labels: s.labels } });
      const next = await watch.next();
      expect(next.object.metadata.resourceVersion).toBe(later.metadata.resourceVersion);
    } finally {
      watch.close();
    }
  });
});

describe('bookmarks and timeouts', () => {
  it('sends a BOOKMARK with the kind and a resumable version when allowWatchBookmarks is set', async () => {
    const c = cluster();
    const name = c.name('bm');
    const created = await create(c, widgetKind.path(ns), widget(c, widgetKind, ns, name));
    const watch = await c.api.watch(widgetKind.path(ns), {
      fieldSelector: `metadata.name=${name}`,
      resourceVersion: created.metadata.resourceVersion,
      allowWatchBookmarks: 'true',
      timeoutSeconds: 6,
    });
    let bookmark: WatchEvent | undefined;
    let modifiedRv: string;
    try {
      const modified = expectOk(await c.api.patch(widgetKind.path(ns, name), MERGE, { spec: { size: 2 } }));
      modifiedRv = modified.metadata.resourceVersion;
      const events = await watch.until((e) => e.type === 'BOOKMARK', 15_000);
      expect(events.filter((e) => e.type !== 'BOOKMARK').map((e) => e.type)).toEqual(['MODIFIED']);
      bookmark = events.at(-1);
      expect(bookmark?.object).toMatchObject({ kind: 'Widget', apiVersion: widgetKind.apiVersion });
      expect(bookmark?.object.metadata.resourceVersion).toEqual(expect.any(String));
    } finally {
      watch.close();
    }
    // resuming from the bookmark repeats nothing and misses nothing
    const resumed = await c.api.watch(widgetKind.path(ns), { fieldSelector: `metadata.name=${name}`, resourceVersion: bookmark?.object.metadata.resourceVersion });
    try {
      const later = expectOk(await c.api.patch(widgetKind.path(ns, name), MERGE, { spec: { size: 3 } }));
      const next = await resumed.next();
      expect(next.type).toBe('MODIFIED');
      expect(next.object.metadata.resourceVersion).toBe(later.metadata.resourceVersion);
      expect(next.object.metadata.resourceVersion).not.toBe(modifiedRv);
    } finally {
      resumed.close();
    }
  });

  it('sends no BOOKMARK unless asked, and ends the watch at timeoutSeconds', async () => {
    const c = cluster();
    const name = c.name('nobm');
    const created = await create(c, widgetKind.path(ns), widget(c, widgetKind, ns, name));
    const started = Date.now();
    const watch = await c.api.watch(widgetKind.path(ns), { fieldSelector: `metadata.name=${name}`, resourceVersion: created.metadata.resourceVersion, timeoutSeconds: 3 });
    try {
      expectOk(await c.api.patch(widgetKind.path(ns, name), MERGE, { spec: { size: 2 } }));
      const events = await watch.drain(15_000);
      expect(events.map((e) => e.type)).toEqual(['MODIFIED']);
      expect(watch.isEnded).toBe(true);
      expect(Date.now() - started).toBeGreaterThanOrEqual(2_500);
    } finally {
      watch.close();
    }
  });
});

describe("client-node's informer", () => {
  it('lists, then follows adds, updates and deletes', async () => {
    const c = cluster();
    const s = scope();
    await create(c, cmPath(), { metadata: { name: 'before', labels: s.labels } });
    const core = c.kc.makeApiClient(CoreV1Api);
    const informer = makeInformer<V1ConfigMap>(c.kc, cmPath(), () => core.listNamespacedConfigMap({ namespace: ns, labelSelector: s.selector }), s.selector);
    const seen: string[] = [];
    let notify: (() => void) | undefined;
    const record = (verb: string) => (obj: V1ConfigMap) => {
      seen.push(`${verb} ${obj.metadata?.name}`);
      notify?.();
    };
    informer.on('add', record('add'));
    informer.on('update', record('update'));
    informer.on('delete', record('delete'));
    const waitFor = async (entry: string): Promise<void> => {
      const deadline = Date.now() + 20_000;
      while (!seen.includes(entry)) {
        if (Date.now() > deadline) throw new Error(`informer never saw "${entry}"; saw ${JSON.stringify(seen)}`);
        await new Promise<void>((resolve) => {
          notify = resolve;
          setTimeout(resolve, 1_000);
        });
      }
    };
    await informer.start();
    try {
      await waitFor('add before');
      await create(c, cmPath(), { metadata: { name: 'after', labels: s.labels } });
      await waitFor('add after');
      expectOk(await c.api.patch(cmPath('after'), MERGE, { data: { k: 'v' } }));
      await waitFor('update after');
      expectOk(await c.api.delete(cmPath('before')));
      await waitFor('delete before');
      expect(informer.list(ns).map((o: Obj) => o.metadata.name)).toEqual(['after']);
      expect(informer.get('after', ns)?.data).toEqual({ k: 'v' });
    } finally {
      await informer.stop();
    }
  });
});
