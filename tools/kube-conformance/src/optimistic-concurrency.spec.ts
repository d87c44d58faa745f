/**
 * resourceVersion as the optimistic lock: 409 Conflict on a stale write (update, patch,
 * delete precondition), exactly one winner of a race, unconditional updates where the kind
 * allows them (ConfigMap) and not where it does not (custom resources), and no new version
 * for a write that changes nothing.
 */
import { useCluster } from './fixture';
import { create, installTestKinds, widget, type CustomKind } from './crds';
import { expectOk, expectStatus, MERGE, resourcePath } from './kube';

const cluster = useCluster();
let ns: string;
let widgetKind: CustomKind;

beforeAll(async () => {
  const c = cluster();
  ns = await c.createNamespace('occ');
  ({ widget: widgetKind } = await installTestKinds(c));
});

const cmPath = (name?: string): string => resourcePath('v1', 'configmaps', ns, name);

describe('stale writes', () => {
  it('refuses an update carrying an old resourceVersion with Conflict', async () => {
    const c = cluster();
    const name = c.name('cm');
    const v1 = await create(c, cmPath(), { metadata: { name, labels: c.labels() }, data: { a: '1' } });
    const v2 = expectOk(await c.api.put(cmPath(name), { ...v1, data: { a: '2' } }));
    expect(v2.metadata.resourceVersion).not.toBe(v1.metadata.resourceVersion);
    const status = expectStatus(await c.api.put(cmPath(name), { ...v1, data: { a: '3' } }), 409, 'Conflict');
    expect(status.message).toBe(
      `Operation cannot be fulfilled on configmaps "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    );
    expect(status.details).toEqual({ name, kind: 'configmaps' });
    expect(expectOk(await c.api.get(cmPath(name))).data).toEqual({ a: '2' });
  });

  it('refuses a stale update of a custom resource with Conflict naming its group', async () => {
    const c = cluster();
    const name = c.name('w');
    const v1 = await create(c, widgetKind.path(ns), widget(c, widgetKind, ns, name));
    expectOk(await c.api.put(widgetKind.path(ns, name), { ...v1, spec: { size: 2 } }));
    const status = expectStatus(await c.api.put(widgetKind.path(ns, name), { ...v1, spec: { size: 3 } }), 409, 'Conflict');
    expect(status.details).toEqual({ name, group: widgetKind.group, kind: 'widgets' });
    expect(status.message).toContain(`widgets.${widgetKind.group} "${name}"`);
  });

  it('lets exactly one of two writers of the same version win', async () => {
    const c = cluster();
    const name = c.name('race');
    const base = await create(c, cmPath(), { metadata: { name, labels: c.labels() }, data: { writer: 'none' } });
    const results = await Promise.all(
      ['a', 'b', 'c'].map((writer) => c.api.put(cmPath(name), { ...base, data: { writer } })),
    );
    const codes = results.map((r) => r.status).sort();
    expect(codes).toEqual([200, 409, 409]);
    const winner = results.find((r) => r.status === 200)?.json;
    expect(expectOk(await c.api.get(cmPath(name))).data).toEqual(winner.data);
  });

  it('refuses a merge patch that carries a stale resourceVersion, and applies one that carries the current one', async () => {
    const c = cluster();
    const name = c.name('patch');
    const v1 = await create(c, cmPath(), { metadata: { name, labels: c.labels() }, data: { a: '1' } });
    const v2 = expectOk(await c.api.patch(cmPath(name), MERGE, { data: { a: '2' } }));
    expectStatus(await c.api.patch(cmPath(name), MERGE, { metadata: { resourceVersion: v1.metadata.resourceVersion }, data: { a: 'stale' } }), 409, 'Conflict');
    const v3 = expectOk(await c.api.patch(cmPath(name), MERGE, { metadata: { resourceVersion: v2.metadata.resourceVersion }, data: { a: '3' } }));
    expect(v3.data).toEqual({ a: '3' });
  });

  it('checks delete preconditions on resourceVersion and uid', async () => {
    const c = cluster();
    const name = c.name('del');
    const v1 = await create(c, cmPath(), { metadata: { name, labels: c.labels() }, data: { a: '1' } });
    const v2 = expectOk(await c.api.patch(cmPath(name), MERGE, { data: { a: '2' } }));
    const stale = { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { resourceVersion: v1.metadata.resourceVersion } };
    expectStatus(await c.api.delete(cmPath(name), { body: stale }), 409, 'Conflict');
    const wrongUid = { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: '6f0c2b9e-0000-4000-8000-000000000000' } };
    expectStatus(await c.api.delete(cmPath(name), { body: wrongUid }), 409, 'Conflict');
    expectOk(await c.api.get(cmPath(name)));
    const current = { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: v1.metadata.uid, resourceVersion: v2.metadata.resourceVersion } };
    expectOk(await c.api.delete(cmPath(name), { body: current }));
    expectStatus(await c.api.get(cmPath(name)), 404, 'NotFound');
  });
});

describe('updates without a resourceVersion', () => {
  it('are unconditional for a ConfigMap', async () => {
    const c = cluster();
    const name = c.name('uncond');
    const v1 = await create(c, cmPath(), { metadata: { name, labels: c.labels() }, data: { a: '1' } });
    expectOk(await c.api.patch(cmPath(name), MERGE, { data: { a: '2' } }));
    const updated = expectOk(await c.api.put(cmPath(name), { metadata: { name, labels: c.labels() }, data: { a: 'last-writer-wins' } }));
    expect(updated.data).toEqual({ a: 'last-writer-wins' });
    expect(updated.metadata.uid).toBe(v1.metadata.uid);
  });

  it('are refused for a custom resource: metadata.resourceVersion must be specified', async () => {
    const c = cluster();
    const name = c.name('nocond');
    await create(c, widgetKind.path(ns), widget(c, widgetKind, ns, name));
    const body = widget(c, widgetKind, ns, name, { size: 5 });
    const status = expectStatus(await c.api.put(widgetKind.path(ns, name), body), 422, 'Invalid');
    expect(status.details.causes).toEqual([expect.objectContaining({ field: 'metadata.resourceVersion', reason: 'FieldValueInvalid' })]);
    expect(status.message).toContain('must be specified for an update');
  });
});

describe('versions', () => {
  it('keeps the resourceVersion, and sends no watch event, for an update that changes nothing', async () => {
    const c = cluster();
    const name = c.name('noop');
    const v1 = await create(c, cmPath(), { metadata: { name, labels: c.labels() }, data: { a: '1' } });
    const watch = await c.api.watch(cmPath(), { resourceVersion: v1.metadata.resourceVersion, fieldSelector: `metadata.name=${name}` });
    try {
      const same = expectOk(await c.api.put(cmPath(name), v1));
      expect(same.metadata.resourceVersion).toBe(v1.metadata.resourceVersion);
      const samePatch = expectOk(await c.api.patch(cmPath(name), MERGE, { data: { a: '1' } }));
      expect(samePatch.metadata.resourceVersion).toBe(v1.metadata.resourceVersion);
      const changed = expectOk(await c.api.patch(cmPath(name), MERGE, { data: { a: '2' } }));
      const event = await watch.next();
      expect(event.type).toBe('MODIFIED');
      expect(event.object.metadata.resourceVersion).toBe(changed.metadata.resourceVersion);
      expect(event.object.data).toEqual({ a: '2' });
    } finally {
      watch.close();
    }
  });

  it('refuses an update whose name differs from the URL', async () => {
    const c = cluster();
    const name = c.name('named');
    const v1 = await create(c, cmPath(), { metadata: { name, labels: c.labels() } });
    expectStatus(await c.api.put(cmPath(name), { ...v1, metadata: { ...v1.metadata, name: `${name}-other` } }), 400, 'BadRequest');
  });

  it('reads an object at the version a write returned', async () => {
    const c = cluster();
    const name = c.name('rv');
    const v1 = await create(c, cmPath(), { metadata: { name, labels: c.labels() }, data: { a: '1' } });
    const v2 = expectOk(await c.api.patch(cmPath(name), MERGE, { data: { a: '2' } }));
    const read = expectOk(await c.api.get(cmPath(name)));
    expect(read.metadata.resourceVersion).toBe(v2.metadata.resourceVersion);
    expect(read.metadata.resourceVersion).not.toBe(v1.metadata.resourceVersion);
  });
});
