/**
 * The status subresource split and metadata.generation: for kinds with a status subresource,
 * the main resource ignores status and /status ignores everything but status; generation
 * counts changes of everything but metadata (and, with the split, status).
 */
import { useCluster } from './fixture';
import { create, installTestKinds, widget, type CustomKind } from './crds';
import { expectOk, expectStatus, MERGE, resourcePath } from './kube';

const cluster = useCluster();
let ns: string;
let widgetKind: CustomKind;
let gadgetKind: CustomKind;

beforeAll(async () => {
  const c = cluster();
  ns = await c.createNamespace('status');
  ({ widget: widgetKind, gadget: gadgetKind } = await installTestKinds(c));
});

describe('a custom resource with a status subresource', () => {
  it('drops status sent on create and starts at generation 1', async () => {
    const c = cluster();
    const name = c.name('w');
    const created = await create(c, widgetKind.path(ns), { ...widget(c, widgetKind, ns, name), status: { phase: 'Ready' } });
    expect(created.status).toBeUndefined();
    expect(created.metadata.generation).toBe(1);
  });

  it('ignores status on the main resource, and counts the spec change in generation', async () => {
    const c = cluster();
    const name = c.name('w');
    const created = await create(c, widgetKind.path(ns), widget(c, widgetKind, ns, name));
    const withStatus = expectOk(await c.api.put(widgetKind.path(ns, name, ) + '/status', { ...created, status: { phase: 'Ready' } }));
    expect(withStatus.status).toEqual({ phase: 'Ready' });
    const updated = expectOk(await c.api.put(widgetKind.path(ns, name), { ...withStatus, spec: { size: 2 }, status: { phase: 'Hacked' } }));
    expect(updated.spec.size).toBe(2);
    expect(updated.status).toEqual({ phase: 'Ready' });
    expect(updated.metadata.generation).toBe(2);
    const patched = expectOk(await c.api.patch(widgetKind.path(ns, name), MERGE, { status: { phase: 'Patched' } }));
    expect(patched.status).toEqual({ phase: 'Ready' });
    expect(patched.metadata.resourceVersion).toBe(updated.metadata.resourceVersion);
  });

  it('ignores spec and metadata on /status, and keeps generation', async () => {
    const c = cluster();
    const name = c.name('w');
    const created = await create(c, widgetKind.path(ns), widget(c, widgetKind, ns, name));
    const res = await c.api.put(`${widgetKind.path(ns, name)}/status`, {
      ...created,
      metadata: { ...created.metadata, labels: { ...created.metadata.labels, sneaky: 'yes' } },
      spec: { size: 99 },
      status: { phase: 'Ready', observedGeneration: 1 },
    });
    const updated = expectOk(res);
    expect(updated.spec).toEqual(created.spec);
    expect(updated.metadata.labels.sneaky).toBeUndefined();
    expect(updated.status).toEqual({ phase: 'Ready', observedGeneration: 1 });
    expect(updated.metadata.generation).toBe(1);
    expect(updated.metadata.resourceVersion).not.toBe(created.metadata.resourceVersion);
  });

  it('merge-patches status through /status and serves the whole object there', async () => {
    const c = cluster();
    const name = c.name('w');
    await create(c, widgetKind.path(ns), widget(c, widgetKind, ns, name, { size: 3 }));
    const patched = expectOk(await c.api.patch(`${widgetKind.path(ns, name)}/status`, MERGE, { status: { phase: 'Creating', message: 'lvcreate' } }));
    expect(patched.status).toEqual({ phase: 'Creating', message: 'lvcreate' });
    const again = expectOk(await c.api.patch(`${widgetKind.path(ns, name)}/status`, MERGE, { status: { message: null, phase: 'Ready' } }));
    expect(again.status).toEqual({ phase: 'Ready' });
    const read = expectOk(await c.api.get(`${widgetKind.path(ns, name)}/status`));
    expect(read).toMatchObject({ kind: 'Widget', apiVersion: widgetKind.apiVersion, metadata: { name }, spec: { size: 3 }, status: { phase: 'Ready' } });
  });

  it('refuses a stale status update with Conflict', async () => {
    const c = cluster();
    const name = c.name('w');
    const created = await create(c, widgetKind.path(ns), widget(c, widgetKind, ns, name));
    expectOk(await c.api.put(`${widgetKind.path(ns, name)}/status`, { ...created, status: { phase: 'A' } }));
    expectStatus(await c.api.put(`${widgetKind.path(ns, name)}/status`, { ...created, status: { phase: 'B' } }), 409, 'Conflict');
  });

  it('keeps generation on label and annotation changes', async () => {
    const c = cluster();
    const name = c.name('w');
    await create(c, widgetKind.path(ns), widget(c, widgetKind, ns, name));
    const labelled = expectOk(await c.api.patch(widgetKind.path(ns, name), MERGE, { metadata: { labels: { extra: 'x' }, annotations: { note: 'y' } } }));
    expect(labelled.metadata.generation).toBe(1);
    const spec = expectOk(await c.api.patch(widgetKind.path(ns, name), MERGE, { spec: { size: 7 } }));
    expect(spec.metadata.generation).toBe(2);
    const same = expectOk(await c.api.patch(widgetKind.path(ns, name), MERGE, { spec: { size: 7 } }));
    expect(same.metadata.generation).toBe(2);
  });

  it('ignores a generation the client sends', async () => {
    const c = cluster();
    const name = c.name('w');
    const created = await create(c, widgetKind.path(ns), widget(c, widgetKind, ns, name));
    const updated = expectOk(await c.api.put(widgetKind.path(ns, name), { ...created, metadata: { ...created.metadata, generation: 42 }, spec: { size: 2 } }));
    expect(updated.metadata.generation).toBe(2);
  });
});

describe('a custom resource without a status subresource', () => {
  it('keeps status on create and counts a status change in generation', async () => {
    const c = cluster();
    const name = c.name('g');
    const created = await create(c, gadgetKind.path(), {
      apiVersion: gadgetKind.apiVersion,
      kind: 'Gadget',
      metadata: { name, labels: c.labels() },
      spec: { value: 'a' },
      status: { phase: 'New' },
    });
    c.track(gadgetKind.path(undefined, name));
    expect(created.status).toEqual({ phase: 'New' });
    expect(created.metadata.generation).toBe(1);
    const updated = expectOk(await c.api.put(gadgetKind.path(undefined, name), { ...created, status: { phase: 'Ready' } }));
    expect(updated.status).toEqual({ phase: 'Ready' });
    expect(updated.metadata.generation).toBe(2);
  });

  it('has no /status endpoint', async () => {
    const c = cluster();
    const name = c.name('g');
    await create(c, gadgetKind.path(), { apiVersion: gadgetKind.apiVersion, kind: 'Gadget', metadata: { name, labels: c.labels() }, spec: { value: 'a' } });
    c.track(gadgetKind.path(undefined, name));
    const res = await c.api.get(`${gadgetKind.path(undefined, name)}/status`);
    expect(res.status).toBe(404);
  });
});

describe('a PersistentVolumeClaim', () => {
  const pvcPath = (name?: string): string => resourcePath('v1', 'persistentvolumeclaims', ns, name);

  async function createClaim(name: string): Promise<Record<string, unknown> & { metadata: Record<string, unknown>; spec: Record<string, unknown> }> {
    const c = cluster();
    return create(c, pvcPath(), {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name, labels: c.labels() },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: c.name('no-such-class'), resources: { requests: { storage: '1Gi' } } },
      status: { phase: 'Bound' },
    });
  }

  it('drops status on create and ignores it on the main resource', async () => {
    const c = cluster();
    const name = c.name('pvc');
    const created = await createClaim(name);
    expect(created.status).toEqual({ phase: 'Pending' });
    const updated = expectOk(
      await c.api.put(pvcPath(name), { ...created, metadata: { ...created.metadata, annotations: { touched: 'yes' } }, status: { phase: 'Pending', conditions: [{ type: 'FileSystemResizePending', status: 'True' }] } }),
    );
    expect(updated.metadata.annotations.touched).toBe('yes');
    expect(updated.status.conditions).toBeUndefined();
  });

  it('takes status through /status and ignores spec there', async () => {
    const c = cluster();
    const name = c.name('pvc');
    const created = await createClaim(name);
    const patched = expectOk(
      await c.api.patch(`${pvcPath(name)}/status`, MERGE, {
        spec: { resources: { requests: { storage: '5Gi' } } },
        status: { conditions: [{ type: 'FileSystemResizePending', status: 'True', message: 'waiting for the node' }] },
      }),
    );
    expect(patched.spec.resources.requests.storage).toBe('1Gi');
    expect(patched.status.phase).toBe('Pending');
    expect(patched.status.conditions).toEqual([expect.objectContaining({ type: 'FileSystemResizePending', status: 'True', message: 'waiting for the node' })]);
    const read = expectOk(await c.api.get(pvcPath(name)));
    expect(read.status.conditions[0].type).toBe('FileSystemResizePending');
    expect(read.metadata.uid).toBe(created.metadata.uid);
  });
});
