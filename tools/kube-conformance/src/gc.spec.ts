/**
 * ownerReferences and the garbage collector: dependents of a deleted owner go (background
 * propagation, the default), across kinds and from a cluster-scoped owner to namespaced
 * dependents; an owner is matched by uid, so a reference to an owner that does not exist
 * collects its dependent; a dependent with another live owner stays and loses only the
 * dangling reference; Orphan propagation leaves dependents without the reference.
 *
 * The collector works asynchronously in a real cluster (kube-controller-manager): every
 * expectation here waits, by watching, for what the collector must end up doing.
 */
import { useCluster } from './fixture';
import { create, installTestKinds, widget, type CustomKind } from './crds';
import { expectOk, resourcePath, waitForDeletion, waitForObject, type Obj } from './kube';

const cluster = useCluster();
let ns: string;
let widgetKind: CustomKind;
let gadgetKind: CustomKind;

beforeAll(async () => {
  const c = cluster();
  ns = await c.createNamespace('gc');
  ({ widget: widgetKind, gadget: gadgetKind } = await installTestKinds(c));
});

const cmPath = (name?: string): string => resourcePath('v1', 'configmaps', ns, name);

function ownerRef(owner: Obj, extra: Obj = {}): Obj {
  return { apiVersion: owner.apiVersion ?? 'v1', kind: owner.kind ?? 'ConfigMap', name: owner.metadata.name, uid: owner.metadata.uid, ...extra };
}

async function configMap(name: string, ownerReferences: Obj[] = []): Promise<Obj> {
  const c = cluster();
  return create(c, cmPath(), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: c.labels(), ownerReferences } });
}

describe('background propagation', () => {
  it('deletes the dependents of a deleted owner, of any kind', async () => {
    const c = cluster();
    const owner = await configMap(c.name('owner'));
    const cm = await configMap(c.name('dep'), [ownerRef(owner, { controller: true, blockOwnerDeletion: true })]);
    const w = await create(c, widgetKind.path(ns), widget(c, widgetKind, ns, c.name('depw'), { size: 1 }, { ownerReferences: [ownerRef(owner)] }));
    expect(cm.metadata.ownerReferences).toEqual([ownerRef(owner, { controller: true, blockOwnerDeletion: true })]);

    expectOk(await c.api.delete(cmPath(owner.metadata.name)));
    await waitForDeletion(c.api, cmPath(), cm.metadata.name);
    await waitForDeletion(c.api, widgetKind.path(ns), w.metadata.name);
  });

  it('deletes namespaced dependents of a cluster-scoped owner', async () => {
    const c = cluster();
    const owner = await create(c, gadgetKind.path(), { apiVersion: gadgetKind.apiVersion, kind: 'Gadget', metadata: { name: c.name('gowner'), labels: c.labels() }, spec: { value: 'x' } });
    c.track(gadgetKind.path(undefined, owner.metadata.name));
    const dep = await configMap(c.name('gdep'), [ownerRef(owner)]);
    expectOk(await c.api.delete(gadgetKind.path(undefined, owner.metadata.name)));
    await waitForDeletion(c.api, cmPath(), dep.metadata.name);
  });

  it('collects a dependent whose owner, matched by uid, does not exist', async () => {
    const c = cluster();
    const live = await configMap(c.name('live'));
    const ghost = { ...live, metadata: { ...live.metadata, uid: 'a3c5e7f9-0000-4000-8000-00000000abcd' } };
    const dep = await configMap(c.name('orphaned'), [ownerRef(ghost)]);
    await waitForDeletion(c.api, cmPath(), dep.metadata.name);
    expectOk(await c.api.get(cmPath(live.metadata.name)));
  });

  it('keeps a dependent that has another live owner, dropping only the reference to the deleted one', async () => {
    const c = cluster();
    const first = await configMap(c.name('first'));
    const second = await configMap(c.name('second'));
    const dep = await configMap(c.name('shared'), [ownerRef(first), ownerRef(second)]);
    expectOk(await c.api.delete(cmPath(first.metadata.name)));
    const after = await waitForObject(c.api, cmPath(), dep.metadata.name, (obj) => obj === undefined || obj.metadata.ownerReferences?.length !== 2);
    expect(after).toBeDefined();
    expect(after.metadata.ownerReferences).toEqual([ownerRef(second)]);
  });
});

describe('orphan propagation', () => {
  it('removes the owner and leaves its dependents without the reference', async () => {
    const c = cluster();
    const owner = await configMap(c.name('oowner'));
    const dep = await configMap(c.name('odep'), [ownerRef(owner)]);
    const res = await c.api.delete(cmPath(owner.metadata.name), { body: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Orphan' } });
    const marked = expectOk(res);
    expect(marked.metadata.finalizers).toContain('orphan');
    expect(marked.metadata.deletionTimestamp).toBeDefined();
    await waitForDeletion(c.api, cmPath(), owner.metadata.name);
    const kept = expectOk(await c.api.get(cmPath(dep.metadata.name)));
    expect(kept.metadata.ownerReferences ?? []).toEqual([]);
  });
});
