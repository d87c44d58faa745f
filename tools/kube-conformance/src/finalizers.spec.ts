/**
 * Finalizers and deletionTimestamp: a delete of an object with finalizers marks it
 * (deletionTimestamp, deletionGracePeriodSeconds 0, generation + 1 for kinds that count
 * generations) and keeps it until the last finalizer is removed; nothing may add a
 * finalizer to it meanwhile; watchers see the mark, then the deletion.
 */
import { useCluster } from './fixture';
import { create, installTestKinds, widget, type CustomKind } from './crds';
import { expectOk, expectStatus, MERGE, resourcePath, RFC3339_SECONDS, type Obj } from './kube';

const cluster = useCluster();
let ns: string;
let widgetKind: CustomKind;
const FINALIZER = 'conformance.copse.io/cleanup';
const OTHER = 'conformance.copse.io/other';

beforeAll(async () => {
  const c = cluster();
  ns = await c.createNamespace('fin');
  ({ widget: widgetKind } = await installTestKinds(c));
});

async function createHeld(name: string, finalizers: string[] = [FINALIZER]): Promise<Obj> {
  const c = cluster();
  const created = await create(c, widgetKind.path(ns), widget(c, widgetKind, ns, name, { size: 1 }, { finalizers }));
  c.track(widgetKind.path(ns, name));
  return created;
}

describe('deleting an object with finalizers', () => {
  it('marks it with a deletionTimestamp, answers 200 with the object, and keeps it', async () => {
    const c = cluster();
    const name = c.name('w');
    const created = await createHeld(name);
    const res = await c.api.delete(widgetKind.path(ns, name));
    const marked = expectOk(res);
    expect(marked.kind).toBe('Widget');
    expect(marked.metadata.deletionTimestamp).toMatch(RFC3339_SECONDS);
    expect(marked.metadata.deletionGracePeriodSeconds).toBe(0);
    expect(marked.metadata.finalizers).toEqual([FINALIZER]);
    expect(marked.metadata.generation).toBe(created.metadata.generation + 1);
    const read = expectOk(await c.api.get(widgetKind.path(ns, name)));
    expect(read.metadata.deletionTimestamp).toBe(marked.metadata.deletionTimestamp);
    expect(read.metadata.resourceVersion).toBe(marked.metadata.resourceVersion);
  });

  it('answers a second delete with the object again, its deletionTimestamp unchanged', async () => {
    const c = cluster();
    const name = c.name('w');
    await createHeld(name);
    const first = expectOk(await c.api.delete(widgetKind.path(ns, name)));
    const second = expectOk(await c.api.delete(widgetKind.path(ns, name)));
    expect(second.kind).toBe('Widget');
    expect(second.metadata.deletionTimestamp).toBe(first.metadata.deletionTimestamp);
    expect(second.metadata.generation).toBe(first.metadata.generation);
  });

  it('refuses a new finalizer while deleting, but takes other changes', async () => {
    const c = cluster();
    const name = c.name('w');
    await createHeld(name);
    const marked = expectOk(await c.api.delete(widgetKind.path(ns, name)));
    const status = expectStatus(
      await c.api.put(widgetKind.path(ns, name), { ...marked, metadata: { ...marked.metadata, finalizers: [FINALIZER, OTHER] } }),
      422,
      'Invalid',
    );
    expect(status.details.causes).toEqual([expect.objectContaining({ field: 'metadata.finalizers', reason: 'FieldValueForbidden' })]);
    expect(status.message).toContain('no new finalizers can be added if the object is being deleted');
    const relabelled = expectOk(await c.api.patch(widgetKind.path(ns, name), MERGE, { metadata: { labels: { state: 'draining' } }, spec: { size: 2 } }));
    expect(relabelled.metadata.labels.state).toBe('draining');
    expect(relabelled.spec.size).toBe(2);
    expect(relabelled.metadata.deletionTimestamp).toBe(marked.metadata.deletionTimestamp);
  });

  it('removes the object when its last finalizer goes, not before', async () => {
    const c = cluster();
    const name = c.name('w');
    await createHeld(name, [FINALIZER, OTHER]);
    const marked = expectOk(await c.api.delete(widgetKind.path(ns, name)));
    const watch = await c.api.watch(widgetKind.path(ns), { resourceVersion: marked.metadata.resourceVersion, fieldSelector: `metadata.name=${name}` });
    try {
      const one = expectOk(await c.api.put(widgetKind.path(ns, name), { ...marked, metadata: { ...marked.metadata, finalizers: [OTHER] } }));
      expect(one.metadata.finalizers).toEqual([OTHER]);
      expectOk(await c.api.get(widgetKind.path(ns, name)));
      const last = expectOk(await c.api.put(widgetKind.path(ns, name), { ...one, metadata: { ...one.metadata, finalizers: [] } }));
      expect(last.metadata.name).toBe(name);
      expectStatus(await c.api.get(widgetKind.path(ns, name)), 404, 'NotFound');

      const modified = await watch.next();
      expect(modified.type).toBe('MODIFIED');
      expect(modified.object.metadata.finalizers).toEqual([OTHER]);
      const deleted = await watch.next();
      expect(deleted.type).toBe('DELETED');
      expect(deleted.object.metadata.name).toBe(name);
      expect(deleted.object.metadata.deletionTimestamp).toBe(marked.metadata.deletionTimestamp);
      // the DELETED event carries the last state stored, not the emptied update
      expect(deleted.object.metadata.finalizers).toEqual([OTHER]);
    } finally {
      watch.close();
    }
  });

  it('shows watchers the mark, then the deletion, for a built-in kind', async () => {
    const c = cluster();
    const name = c.name('cm');
    const path = resourcePath('v1', 'configmaps', ns);
    const created = await create(c, path, { metadata: { name, labels: c.labels(), finalizers: [FINALIZER] }, data: { a: '1' } });
    c.track(resourcePath('v1', 'configmaps', ns, name));
    const watch = await c.api.watch(path, { resourceVersion: created.metadata.resourceVersion, fieldSelector: `metadata.name=${name}` });
    try {
      const marked = expectOk(await c.api.delete(resourcePath('v1', 'configmaps', ns, name)));
      expect(marked.kind).toBe('ConfigMap');
      expect(marked.metadata.deletionTimestamp).toMatch(RFC3339_SECONDS);
      const mark = await watch.next();
      expect(mark.type).toBe('MODIFIED');
      expect(mark.object.metadata.deletionTimestamp).toBe(marked.metadata.deletionTimestamp);
      expectOk(await c.api.patch(resourcePath('v1', 'configmaps', ns, name), MERGE, { metadata: { finalizers: null } }));
      const gone = await watch.next();
      expect(gone.type).toBe('DELETED');
      expect(gone.object.metadata.uid).toBe(created.metadata.uid);
    } finally {
      watch.close();
    }
  });

  it('deletes an object without finalizers at once', async () => {
    const c = cluster();
    const name = c.name('w');
    await create(c, widgetKind.path(ns), widget(c, widgetKind, ns, name));
    const status = expectOk(await c.api.delete(widgetKind.path(ns, name)));
    expect(status).toMatchObject({ kind: 'Status', status: 'Success' });
    expectStatus(await c.api.get(widgetKind.path(ns, name)), 404, 'NotFound');
  });
});

describe('deletionTimestamp', () => {
  it('cannot be set by an update', async () => {
    const c = cluster();
    const name = c.name('w');
    const created = await createHeld(name);
    const status = expectStatus(
      await c.api.put(widgetKind.path(ns, name), { ...created, metadata: { ...created.metadata, deletionTimestamp: '2030-01-01T00:00:00Z' } }),
      422,
      'Invalid',
    );
    expect(status.details.causes).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'metadata.deletionTimestamp' })]));
    const read = expectOk(await c.api.get(widgetKind.path(ns, name)));
    expect(read.metadata.deletionTimestamp).toBeUndefined();
  });
});
