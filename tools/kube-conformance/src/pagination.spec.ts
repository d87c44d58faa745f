/**
 * limit/continue: pages of exactly `limit` items in key order, remainingItemCount when no
 * selector is given, one consistent snapshot across pages (every page at the first page's
 * resourceVersion, later writes invisible), selectors applied before paging, 400 for a token
 * that is not one, 410 Expired for a token whose resourceVersion has been compacted.
 */
import { useCluster } from './fixture';
import { create, installTestKinds, widget, type CustomKind } from './crds';
import { expectOk, expectStatus, MERGE, type Obj } from './kube';

const cluster = useCluster();
let widgetKind: CustomKind;

beforeAll(async () => {
  ({ widget: widgetKind } = await installTestKinds(cluster()));
});

/** A namespace holding exactly the given Widgets (no other kind's objects matter: Widgets are ours). */
async function namespaceWith(names: string[], labels: (name: string) => Record<string, string> = () => ({})): Promise<string> {
  const c = cluster();
  const ns = await c.createNamespace('page');
  for (const name of names) await create(c, widgetKind.path(ns), widget(c, widgetKind, ns, name, { size: 1 }, { labels: labels(name) }));
  return ns;
}

async function page(ns: string, query: Record<string, string | number | undefined>): Promise<Obj> {
  return expectOk(await cluster().api.get(widgetKind.path(ns), { query }));
}

const itemNames = (list: Obj): string[] => list.items.map((i: Obj) => i.metadata.name);

describe('limit and continue', () => {
  const names = ['w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7'];

  it('walks every object once, in key order, in pages of the limit', async () => {
    const ns = await namespaceWith(names);
    const first = await page(ns, { limit: 3 });
    expect(itemNames(first)).toEqual(['w1', 'w2', 'w3']);
    expect(first.metadata.continue).toEqual(expect.any(String));
    expect(first.metadata.continue.length).toBeGreaterThan(0);
    expect(first.metadata.remainingItemCount).toBe(4);

    const second = await page(ns, { limit: 3, continue: first.metadata.continue });
    expect(itemNames(second)).toEqual(['w4', 'w5', 'w6']);
    expect(second.metadata.remainingItemCount).toBe(1);
    expect(second.metadata.resourceVersion).toBe(first.metadata.resourceVersion);

    const last = await page(ns, { limit: 3, continue: second.metadata.continue });
    expect(itemNames(last)).toEqual(['w7']);
    expect(last.metadata.continue ?? '').toBe('');
    expect(last.metadata.remainingItemCount).toBeUndefined();
    expect(last.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
  });

  it('returns everything, without a continue token, when the limit is not reached', async () => {
    const ns = await namespaceWith(['a', 'b']);
    const all = await page(ns, { limit: 5 });
    expect(itemNames(all)).toEqual(['a', 'b']);
    expect(all.metadata.continue ?? '').toBe('');
    const exact = await page(ns, { limit: 2 });
    expect(itemNames(exact)).toEqual(['a', 'b']);
  });

  it('serves later pages from the first page snapshot', async () => {
    const c = cluster();
    const ns = await namespaceWith(names);
    const first = await page(ns, { limit: 3 });
    await create(c, widgetKind.path(ns), widget(c, widgetKind, ns, 'w8'));
    await create(c, widgetKind.path(ns), widget(c, widgetKind, ns, 'w0'));
    expectOk(await c.api.delete(widgetKind.path(ns, 'w5')));
    expectOk(await c.api.patch(widgetKind.path(ns, 'w6'), MERGE, { spec: { size: 6 } }));

    const rest: Obj[] = [];
    let token = first.metadata.continue;
    while (token) {
      const next = await page(ns, { limit: 3, continue: token });
      rest.push(...next.items);
      token = next.metadata.continue;
    }
    expect(rest.map((i) => i.metadata.name)).toEqual(['w4', 'w5', 'w6', 'w7']);
    expect(rest.find((i) => i.metadata.name === 'w6').spec.size).toBe(1);

    const fresh = await page(ns, {});
    expect(itemNames(fresh)).toEqual(['w0', 'w1', 'w2', 'w3', 'w4', 'w6', 'w7', 'w8']);
    expect(fresh.metadata.resourceVersion).not.toBe(first.metadata.resourceVersion);
  });

  it('applies a label selector before paging, and gives no remaining count with one', async () => {
    const ns = await namespaceWith(names, (name) => ({ parity: Number(name.slice(1)) % 2 === 0 ? 'even' : 'odd' }));
    const first = await page(ns, { limit: 2, labelSelector: 'parity=odd' });
    expect(itemNames(first)).toEqual(['w1', 'w3']);
    expect(first.metadata.remainingItemCount).toBeUndefined();
    const second = await page(ns, { limit: 2, labelSelector: 'parity=odd', continue: first.metadata.continue });
    expect(itemNames(second)).toEqual(['w5', 'w7']);
    if (second.metadata.continue) {
      const third = await page(ns, { limit: 2, labelSelector: 'parity=odd', continue: second.metadata.continue });
      expect(itemNames(third)).toEqual([]);
      expect(third.metadata.continue ?? '').toBe('');
    }
  });

  it('pages across namespaces and for built-in kinds too', async () => {
    const c = cluster();
    const label = c.name('pg');
    const nsA = await c.createNamespace('pga');
    const nsB = await c.createNamespace('pgb');
    for (const ns of [nsA, nsB]) {
      for (const name of ['x', 'y']) {
        expectOk(await c.api.post(`/api/v1/namespaces/${ns}/configmaps`, { metadata: { name, labels: c.labels({ pg: label }) } }), 201);
      }
    }
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res = expectOk(await c.api.get('/api/v1/configmaps', { query: { limit: 1, labelSelector: `pg=${label}`, continue: token } }));
      expect(res.items.length).toBeLessThanOrEqual(1);
      seen.push(...res.items.map((i: Obj) => `${i.metadata.namespace}/${i.metadata.name}`));
      token = res.metadata.continue || undefined;
      pages += 1;
    } while (token && pages < 10);
    expect(seen).toEqual([`${nsA}/x`, `${nsA}/y`, `${nsB}/x`, `${nsB}/y`]);
  });
});

describe('continue tokens', () => {
  it('refuses a token that is not one with BadRequest', async () => {
    const ns = await namespaceWith(['a']);
    const res = await cluster().api.get(widgetKind.path(ns), { query: { limit: 1, continue: 'not-a-continue-token' } });
    expectStatus(res, 400, 'BadRequest');
  });

  it('answers 410 Expired for a token whose resourceVersion has been compacted', async () => {
    // The token is opaque to clients, but its form is the apiserver's, stable since 1.8:
    // base64url (unpadded) of {"v":"meta.k8s.io/v1","rv":<revision>,"start":"<key>"}. A token
    // for revision 1 stands for one issued long ago: compacted on any cluster that has run
    // more than a few minutes (kube-apiserver compacts etcd every 5 minutes).
    const ns = await namespaceWith(['a', 'b', 'c']);
    const first = await page(ns, { limit: 1 });
    const decoded = JSON.parse(Buffer.from(first.metadata.continue, 'base64url').toString('utf8'));
    expect(decoded).toMatchObject({ v: 'meta.k8s.io/v1', rv: expect.any(Number), start: expect.any(String) });
    const old = Buffer.from(JSON.stringify({ ...decoded, rv: 1 })).toString('base64url');
    const status = expectStatus(await cluster().api.get(widgetKind.path(ns), { query: { limit: 1, continue: old } }), 410, 'Expired');
    expect(status.message.length).toBeGreaterThan(0);
  });
});
