/**
 * Server-side apply: create on first apply, managedFields per manager and operation,
 * conflicts with other managers (appliers and updaters) as 409 with one cause per field,
 * force to take fields over, shared ownership of equal values, removal of fields a manager
 * stops applying (unless another still owns them), granular ownership of list-map items,
 * apply to /status, the optimistic lock when the applied object names a resourceVersion.
 * (Client-side apply is kubectl's: kubectl.spec.ts.)
 */
import { stringify } from 'yaml';
import { useCluster } from './fixture';
import { installTestKinds, type CustomKind } from './crds';
import { APPLY, expectOk, expectStatus, MERGE, RFC3339_SECONDS, resourcePath, type Obj } from './kube';
import type { Response } from './http';

const cluster = useCluster();
let ns: string;
let widgetKind: CustomKind;

beforeAll(async () => {
  const c = cluster();
  ns = await c.createNamespace('apply');
  ({ widget: widgetKind } = await installTestKinds(c));
});

const cmPath = (name?: string): string => resourcePath('v1', 'configmaps', ns, name);

function configMap(name: string, data: Record<string, string>, extra: Obj = {}): Obj {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...extra }, data };
}

/**
 * Applies as YAML (what kubectl sends), as the given manager. The apiserver reads YAML 1.1,
 * where a bare yes or y is a boolean: strings are written so that it reads them as strings.
 */
async function apply(path: string, body: Obj, manager: string, force = false): Promise<Response> {
  return cluster().api.patch(path, APPLY, stringify(body, { version: '1.1' }), { query: { fieldManager: manager, force: force ? true : undefined } });
}

function entry(obj: Obj, manager: string, subresource?: string): Obj | undefined {
  return (obj.metadata.managedFields as Obj[] | undefined)?.find((e) => e.manager === manager && (e.subresource ?? undefined) === subresource);
}

function owns(obj: Obj, manager: string, ...path: string[]): boolean {
  let node = entry(obj, manager)?.fieldsV1;
  for (const key of path) {
    node = node?.[key];
    if (node === undefined) return false;
  }
  return true;
}

describe('apply', () => {
  it('creates the object, recording the manager as an Apply entry', async () => {
    const c = cluster();
    const name = c.name('cm');
    const res = await apply(cmPath(name), configMap(name, { a: '1' }, { labels: c.labels() }), 'mgr-a');
    const created = expectOk(res, 201);
    expect(created.data).toEqual({ a: '1' });
    const e = entry(created, 'mgr-a');
    expect(e).toMatchObject({ manager: 'mgr-a', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1' });
    expect(e.time).toMatch(RFC3339_SECONDS);
    expect(e.fieldsV1).toMatchObject({ 'f:data': { 'f:a': {} } });
    expect(owns(created, 'mgr-a', 'f:metadata', 'f:labels', 'f:conformance.copse.io/run')).toBe(true);
  });

  it('changes nothing, not even the resourceVersion, when the same configuration is applied again', async () => {
    const c = cluster();
    const name = c.name('cm');
    const first = expectOk(await apply(cmPath(name), configMap(name, { a: '1' }, { labels: c.labels() }), 'mgr-a'), 201);
    const again = expectOk(await apply(cmPath(name), configMap(name, { a: '1' }, { labels: c.labels() }), 'mgr-a'));
    expect(again.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
  });

  it('accepts JSON as well as YAML', async () => {
    const c = cluster();
    const name = c.name('cm');
    const res = await c.api.patch(cmPath(name), APPLY, JSON.stringify(configMap(name, { j: 'son' }, { labels: c.labels() })), { query: { fieldManager: 'mgr-json' } });
    expect(expectOk(res, 201).data).toEqual({ j: 'son' });
  });

  it('requires a fieldManager', async () => {
    const c = cluster();
    const name = c.name('cm');
    const status = expectStatus(await c.api.patch(cmPath(name), APPLY, stringify(configMap(name, { a: '1' }), { version: '1.1' })), 422, 'Invalid');
    expect(status.details.causes).toEqual([expect.objectContaining({ field: 'fieldManager', reason: 'FieldValueRequired' })]);
  });
});

describe('conflicts', () => {
  it('refuses another applier a different value, naming the field and the owner', async () => {
    const c = cluster();
    const name = c.name('cm');
    expectOk(await apply(cmPath(name), configMap(name, { a: '1', b: '1' }, { labels: c.labels() }), 'mgr-a'), 201);
    const status = expectStatus(await apply(cmPath(name), configMap(name, { a: '2' }), 'mgr-b'), 409, 'Conflict');
    expect(status.details.causes).toEqual([{ reason: 'FieldManagerConflict', message: 'conflict with "mgr-a"', field: '.data.a' }]);
    expect(status.message).toBe('Apply failed with 1 conflict: conflict with "mgr-a": .data.a');
    expect(expectOk(await c.api.get(cmPath(name))).data).toEqual({ a: '1', b: '1' });
  });

  it('reports every conflicting field', async () => {
    const c = cluster();
    const name = c.name('cm');
    expectOk(await apply(cmPath(name), configMap(name, { a: '1', b: '1' }, { labels: c.labels() }), 'mgr-a'), 201);
    const status = expectStatus(await apply(cmPath(name), configMap(name, { a: '2', b: '2' }), 'mgr-b'), 409, 'Conflict');
    expect(status.details.causes.map((x: Obj) => x.field).sort()).toEqual(['.data.a', '.data.b']);
    expect(status.message).toMatch(/^Apply failed with 2 conflicts: conflicts with "mgr-a":/);
  });

  it('conflicts with a field an update set, naming the updater and its version', async () => {
    const c = cluster();
    const name = c.name('cm');
    expectOk(await c.api.post(cmPath(), configMap(name, { x: 'from-update' }, { labels: c.labels() }), { query: { fieldManager: 'updater' } }), 201);
    const created = expectOk(await c.api.get(cmPath(name)));
    expect(entry(created, 'updater')).toMatchObject({ operation: 'Update', apiVersion: 'v1' });
    const status = expectStatus(await apply(cmPath(name), configMap(name, { x: 'from-apply' }), 'mgr-a'), 409, 'Conflict');
    expect(status.details.causes).toEqual([expect.objectContaining({ field: '.data.x', message: 'conflict with "updater" using v1' })]);
  });

  it('shares ownership of an equal value, without conflict', async () => {
    const c = cluster();
    const name = c.name('cm');
    expectOk(await apply(cmPath(name), configMap(name, { a: '1' }, { labels: c.labels() }), 'mgr-a'), 201);
    const shared = expectOk(await apply(cmPath(name), configMap(name, { a: '1' }), 'mgr-b'));
    expect(owns(shared, 'mgr-a', 'f:data', 'f:a')).toBe(true);
    expect(owns(shared, 'mgr-b', 'f:data', 'f:a')).toBe(true);
  });

  it('lets force take the field over', async () => {
    const c = cluster();
    const name = c.name('cm');
    expectOk(await apply(cmPath(name), configMap(name, { a: '1', b: '1' }, { labels: c.labels() }), 'mgr-a'), 201);
    const forced = expectOk(await apply(cmPath(name), configMap(name, { a: '2' }), 'mgr-b', true));
    expect(forced.data).toEqual({ a: '2', b: '1' });
    expect(owns(forced, 'mgr-b', 'f:data', 'f:a')).toBe(true);
    expect(owns(forced, 'mgr-a', 'f:data', 'f:a')).toBe(false);
    expect(owns(forced, 'mgr-a', 'f:data', 'f:b')).toBe(true);
  });

  it('lets an update overwrite an applied field, moving its ownership', async () => {
    const c = cluster();
    const name = c.name('cm');
    expectOk(await apply(cmPath(name), configMap(name, { a: '1' }, { labels: c.labels() }), 'mgr-a'), 201);
    const updated = expectOk(await c.api.patch(cmPath(name), MERGE, { data: { a: 'edited' } }, { query: { fieldManager: 'editor' } }));
    expect(updated.data.a).toBe('edited');
    expect(entry(updated, 'editor')).toMatchObject({ operation: 'Update' });
    expect(owns(updated, 'editor', 'f:data', 'f:a')).toBe(true);
    expect(owns(updated, 'mgr-a', 'f:data', 'f:a')).toBe(false);
  });
});

describe('fields no longer applied', () => {
  it('are removed when the manager owned them alone', async () => {
    const c = cluster();
    const name = c.name('cm');
    expectOk(await apply(cmPath(name), configMap(name, { a: '1', b: '1' }, { labels: c.labels({ extra: 'yes' }) }), 'mgr-a'), 201);
    const pruned = expectOk(await apply(cmPath(name), configMap(name, { a: '1' }, { labels: c.labels() }), 'mgr-a'));
    expect(pruned.data).toEqual({ a: '1' });
    expect(pruned.metadata.labels.extra).toBeUndefined();
    expect(owns(pruned, 'mgr-a', 'f:data', 'f:b')).toBe(false);
  });

  it('stay while another manager still owns them', async () => {
    const c = cluster();
    const name = c.name('cm');
    expectOk(await apply(cmPath(name), configMap(name, { a: '1', b: '1' }, { labels: c.labels() }), 'mgr-a'), 201);
    expectOk(await apply(cmPath(name), configMap(name, { b: '1' }), 'mgr-b'));
    const kept = expectOk(await apply(cmPath(name), configMap(name, { a: '1' }, { labels: c.labels() }), 'mgr-a'));
    expect(kept.data).toEqual({ a: '1', b: '1' });
    expect(owns(kept, 'mgr-b', 'f:data', 'f:b')).toBe(true);
  });

  it('stay when an update set them, even if an applier once applied them', async () => {
    const c = cluster();
    const name = c.name('cm');
    expectOk(await apply(cmPath(name), configMap(name, { a: '1', b: '1' }, { labels: c.labels() }), 'mgr-a'), 201);
    expectOk(await c.api.patch(cmPath(name), MERGE, { data: { b: 'edited' } }, { query: { fieldManager: 'editor' } }));
    const kept = expectOk(await apply(cmPath(name), configMap(name, { a: '1' }, { labels: c.labels() }), 'mgr-a'));
    expect(kept.data).toEqual({ a: '1', b: 'edited' });
  });
});

describe('custom resources', () => {
  function w(name: string, spec: Obj, labels?: Record<string, string>): Obj {
    return { apiVersion: widgetKind.apiVersion, kind: 'Widget', metadata: { name, ...(labels ? { labels } : {}) }, spec };
  }

  it('own list-map items by key, so two managers can each keep their own', async () => {
    const c = cluster();
    const name = c.name('w');
    expectOk(await apply(widgetKind.path(ns, name), w(name, { size: 1, ports: [{ name: 'x', port: 1 }] }, c.labels()), 'mgr-a'), 201);
    const both = expectOk(await apply(widgetKind.path(ns, name), w(name, { ports: [{ name: 'y', port: 2 }] }), 'mgr-b'));
    expect(both.spec.ports).toEqual([{ name: 'x', port: 1 }, { name: 'y', port: 2 }]);
    expect(owns(both, 'mgr-b', 'f:spec', 'f:ports', 'k:{"name":"y"}')).toBe(true);
    const dropped = expectOk(await apply(widgetKind.path(ns, name), w(name, { size: 1 }, c.labels()), 'mgr-a'));
    expect(dropped.spec.ports).toEqual([{ name: 'y', port: 2 }]);
    expect(dropped.spec.size).toBe(1);
  });

  it('apply status through /status without touching spec', async () => {
    const c = cluster();
    const name = c.name('w');
    expectOk(await apply(widgetKind.path(ns, name), w(name, { size: 2 }, c.labels()), 'mgr-a'), 201);
    const res = await apply(`${widgetKind.path(ns, name)}/status`, { apiVersion: widgetKind.apiVersion, kind: 'Widget', metadata: { name }, status: { phase: 'Ready' } }, 'controller');
    const withStatus = expectOk(res);
    expect(withStatus.status).toEqual({ phase: 'Ready' });
    expect(withStatus.spec.size).toBe(2);
    expect(entry(withStatus, 'controller', 'status')).toMatchObject({ operation: 'Apply', subresource: 'status' });
    expect(withStatus.metadata.generation).toBe(1);
    // status sent to the main resource is not applied
    const ignored = expectOk(await apply(widgetKind.path(ns, name), { ...w(name, { size: 2 }, c.labels()), status: { phase: 'Hacked' } }, 'mgr-a'));
    expect(ignored.status).toEqual({ phase: 'Ready' });
  });

  it('validate the applied object against the schema', async () => {
    const c = cluster();
    const name = c.name('w');
    const status = expectStatus(await apply(widgetKind.path(ns, name), w(name, { size: 0 }, c.labels()), 'mgr-a'), 422, 'Invalid');
    expect(status.details.causes.map((x: Obj) => x.field)).toContain('spec.size');
    expectStatus(await c.api.get(widgetKind.path(ns, name)), 404, 'NotFound');
  });

  it('take a resourceVersion in the applied object as a precondition', async () => {
    const c = cluster();
    const name = c.name('w');
    const created = expectOk(await apply(widgetKind.path(ns, name), w(name, { size: 1 }, c.labels()), 'mgr-a'), 201);
    expectOk(await apply(widgetKind.path(ns, name), w(name, { size: 2 }, c.labels()), 'mgr-a'));
    const stale = { ...w(name, { size: 3 }, c.labels()), metadata: { name, labels: c.labels(), resourceVersion: created.metadata.resourceVersion } };
    expectStatus(await apply(widgetKind.path(ns, name), stale, 'mgr-a'), 409, 'Conflict');
  });
});
