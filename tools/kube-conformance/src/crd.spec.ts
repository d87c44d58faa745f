/**
 * CustomResourceDefinitions: a created CRD becomes Established and its kind is served;
 * objects are validated against the structural schema (422 Invalid, one cause per field,
 * naming it), defaulted (on create, on update, and on read after the schema gains a
 * default), and pruned of unknown fields (a Warning, or 400 with fieldValidation=Strict);
 * the CRD itself is validated; deleting it removes its objects and the endpoint.
 */
import { useCluster } from './fixture';
import { create, CRD_PATH, customKind, gadgetCrd, installCrd, installTestKinds, widget, widgetCrd, type CustomKind } from './crds';
import { condition, expectOk, expectStatus, MERGE, waitForDeletion, waitForObject, type Obj } from './kube';

const cluster = useCluster();
let ns: string;
let widgetKind: CustomKind;
let gadgetKind: CustomKind;

beforeAll(async () => {
  const c = cluster();
  ns = await c.createNamespace('crd');
  ({ widget: widgetKind, gadget: gadgetKind } = await installTestKinds(c));
});

function causes(status: Obj): string[] {
  return (status.details.causes as Obj[]).map((x) => `${x.field}:${x.reason}`).sort();
}

describe('a created CRD', () => {
  it('is Established with its names accepted and its version stored', async () => {
    const c = cluster();
    const crd = expectOk(await c.api.get(`${CRD_PATH}/${widgetKind.crdName}`));
    expect(condition(crd, 'Established')).toMatchObject({ status: 'True', reason: 'InitialNamesAccepted' });
    expect(condition(crd, 'NamesAccepted')).toMatchObject({ status: 'True', reason: 'NoConflicts' });
    expect(crd.status.acceptedNames).toMatchObject({ plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList', shortNames: ['widgetx'], categories: ['copse-conformance'] });
    expect(crd.status.storedVersions).toEqual(['v1']);
    expect(crd.metadata.generation).toBe(1);
  });

  it('serves its kind at the group path, namespaced or cluster-scoped as declared', async () => {
    const c = cluster();
    expect(expectOk(await c.api.get(widgetKind.path(ns))).items).toEqual([]);
    expect(expectOk(await c.api.get(`/apis/${widgetKind.apiVersion}/widgets`)).kind).toBe('WidgetList');
    expect(expectOk(await c.api.get(gadgetKind.path())).kind).toBe('GadgetList');
    expect((await c.api.get(`/apis/${gadgetKind.apiVersion}/namespaces/${ns}/gadgets`)).status).toBe(404);
  });
});

describe('schema validation', () => {
  it('refuses a missing required field, naming it', async () => {
    const c = cluster();
    const name = c.name('w');
    const status = expectStatus(await c.api.post(widgetKind.path(ns), widget(c, widgetKind, ns, name, { color: 'red' })), 422, 'Invalid');
    expect(status.details).toMatchObject({ name, group: widgetKind.group, kind: 'Widget' });
    expect(causes(status)).toEqual(['spec.size:FieldValueRequired']);
    expect(status.message).toBe(`Widget.${widgetKind.group} "${name}" is invalid: spec.size: Required value`);
  });

  it('refuses a wrong type, a value outside the enum and one under the minimum, one cause each', async () => {
    const c = cluster();
    const typed = expectStatus(await c.api.post(widgetKind.path(ns), widget(c, widgetKind, ns, c.name('w'), { size: 'big' })), 422, 'Invalid');
    expect(causes(typed)).toEqual(['spec.size:FieldValueTypeInvalid']);
    const all = expectStatus(await c.api.post(widgetKind.path(ns), widget(c, widgetKind, ns, c.name('w'), { size: 0, color: 'purple', tags: 'not-a-list' })), 422, 'Invalid');
    expect(causes(all)).toEqual(['spec.color:FieldValueNotSupported', 'spec.size:FieldValueInvalid', 'spec.tags:FieldValueTypeInvalid']);
    const enumCause = (all.details.causes as Obj[]).find((x) => x.field === 'spec.color');
    expect(enumCause.message).toContain('"purple"');
    expect(enumCause.message).toContain('"red"');
  });

  it('validates updates and merge patches as it validates creates', async () => {
    const c = cluster();
    const name = c.name('w');
    const created = await create(c, widgetKind.path(ns), widget(c, widgetKind, ns, name));
    const put = expectStatus(await c.api.put(widgetKind.path(ns, name), { ...created, spec: { size: -1 } }), 422, 'Invalid');
    expect(causes(put)).toEqual(['spec.size:FieldValueInvalid']);
    const patched = expectStatus(await c.api.patch(widgetKind.path(ns, name), MERGE, { spec: { color: 'black' } }), 422, 'Invalid');
    expect(causes(patched)).toEqual(['spec.color:FieldValueNotSupported']);
  });

  it('validates status on /status', async () => {
    const c = cluster();
    const name = c.name('w');
    await create(c, widgetKind.path(ns), widget(c, widgetKind, ns, name));
    const status = expectStatus(await c.api.patch(`${widgetKind.path(ns, name)}/status`, MERGE, { status: { observedGeneration: 'one' } }), 422, 'Invalid');
    expect(causes(status)).toEqual(['status.observedGeneration:FieldValueTypeInvalid']);
  });

  it('refuses an invalid object name', async () => {
    const c = cluster();
    const status = expectStatus(await c.api.post(widgetKind.path(ns), widget(c, widgetKind, ns, 'Upper_Case')), 422, 'Invalid');
    expect(causes(status)).toContain('metadata.name:FieldValueInvalid');
  });
});

describe('defaulting', () => {
  it('fills defaults on create, including nested ones only where the parent exists', async () => {
    const c = cluster();
    const bare = await create(c, widgetKind.path(ns), widget(c, widgetKind, ns, c.name('w'), { size: 1 }));
    expect(bare.spec).toEqual({ size: 1, color: 'green' });
    const nested = await create(c, widgetKind.path(ns), widget(c, widgetKind, ns, c.name('w'), { size: 1, nested: {} }));
    expect(nested.spec).toEqual({ size: 1, color: 'green', nested: { mode: 'fast' } });
    const explicit = await create(c, widgetKind.path(ns), widget(c, widgetKind, ns, c.name('w'), { size: 1, color: 'blue' }));
    expect(explicit.spec.color).toBe('blue');
  });

  it('fills a default again when a patch removes the field', async () => {
    const c = cluster();
    const name = c.name('w');
    await create(c, widgetKind.path(ns), widget(c, widgetKind, ns, name, { size: 1, color: 'red' }));
    const patched = expectOk(await c.api.patch(widgetKind.path(ns, name), MERGE, { spec: { color: null } }));
    expect(patched.spec.color).toBe('green');
  });

  it('fills a default added to the schema later when reading stored objects', async () => {
    const c = cluster();
    const kind = customKind(`${c.name('late')}.conformance.copse.io`, 'v1', 'Gadget', 'gadgets', false);
    await installCrd(c, gadgetCrd(kind, c.labels()));
    const name = c.name('g');
    await create(c, kind.path(), { apiVersion: kind.apiVersion, kind: 'Gadget', metadata: { name, labels: c.labels() }, spec: { count: 1 } });
    const crd = expectOk(await c.api.get(`${CRD_PATH}/${kind.crdName}`));
    crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.value.default = 'filled-on-read';
    const updated = expectOk(await c.api.put(`${CRD_PATH}/${kind.crdName}`, crd));
    expect(updated.metadata.generation).toBe(2);
    // The new schema takes effect asynchronously and there is nothing to watch for it (the
    // stored object does not change): read until it shows, for at most 30 s.
    const deadline = Date.now() + 30_000;
    let read = expectOk(await c.api.get(kind.path(undefined, name)));
    while (read.spec.value === undefined && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      read = expectOk(await c.api.get(kind.path(undefined, name)));
    }
    expect(read.spec).toEqual({ count: 1, value: 'filled-on-read' });
  });
});

describe('pruning', () => {
  it('drops unknown fields, with a Warning naming each', async () => {
    const c = cluster();
    const body = { ...widget(c, widgetKind, ns, c.name('w'), { size: 1, unknownThing: 1, nested: { stray: true } }), topLevelStray: 'x' };
    const res = await c.api.post(widgetKind.path(ns), body);
    const created = expectOk(res, 201);
    expect(created.spec).toEqual({ size: 1, color: 'green', nested: { mode: 'fast' } });
    expect(created.topLevelStray).toBeUndefined();
    const warning = String(res.headers['warning'] ?? '');
    expect(warning).toContain('unknown field \\"spec.unknownThing\\"');
    expect(warning).toContain('unknown field \\"spec.nested.stray\\"');
    expect(warning).toMatch(/^299 - "/);
  });

  it('keeps unknown fields under x-kubernetes-preserve-unknown-fields', async () => {
    const c = cluster();
    const created = await create(c, widgetKind.path(ns), widget(c, widgetKind, ns, c.name('w'), { size: 1, free: { anything: { goes: [1, 'two'] } } }));
    expect(created.spec.free).toEqual({ anything: { goes: [1, 'two'] } });
  });

  it('refuses unknown fields with 400 under fieldValidation=Strict, and stays silent under Ignore', async () => {
    const c = cluster();
    const body = widget(c, widgetKind, ns, c.name('w'), { size: 1, unknownThing: 1 });
    const strict = expectStatus(await c.api.post(widgetKind.path(ns), body, { query: { fieldValidation: 'Strict' } }), 400, 'BadRequest');
    expect(strict.message).toContain('unknown field "spec.unknownThing"');
    const ignored = await c.api.post(widgetKind.path(ns), body, { query: { fieldValidation: 'Ignore' } });
    expect(expectOk(ignored, 201).spec.unknownThing).toBeUndefined();
    expect(ignored.headers['warning']).toBeUndefined();
  });
});

describe('CRD validation', () => {
  it('refuses a CRD whose name is not plural.group', async () => {
    const c = cluster();
    const kind = customKind(`${c.name('bad')}.conformance.copse.io`, 'v1', 'Widget', 'widgets', true);
    const crd = widgetCrd(kind, c.labels());
    crd.metadata.name = `things.${kind.group}`;
    const status = expectStatus(await c.api.post(CRD_PATH, crd), 422, 'Invalid');
    expect(status.details).toMatchObject({ kind: 'CustomResourceDefinition', group: 'apiextensions.k8s.io' });
    expect(causes(status)).toContain('metadata.name:FieldValueInvalid');
  });

  it('refuses a schema that is not structural', async () => {
    const c = cluster();
    const kind = customKind(`${c.name('ns')}.conformance.copse.io`, 'v1', 'Widget', 'widgets', true);
    const crd = widgetCrd(kind, c.labels());
    delete crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.size.type;
    const status = expectStatus(await c.api.post(CRD_PATH, crd), 422, 'Invalid');
    expect((status.details.causes as Obj[]).some((x) => String(x.field).startsWith('spec.validation.openAPIV3Schema') || String(x.field).startsWith('spec.versions[0].schema.openAPIV3Schema'))).toBe(true);
    expectStatus(await c.api.get(`${CRD_PATH}/${kind.crdName}`), 404, 'NotFound');
  });
});

describe('deleting a CRD', () => {
  it('removes its objects and stops serving its kind', async () => {
    const c = cluster();
    const kind = customKind(`${c.name('gone')}.conformance.copse.io`, 'v1', 'Widget', 'widgets', true);
    await installCrd(c, widgetCrd(kind, c.labels()));
    await create(c, kind.path(ns), widget(c, kind, ns, 'doomed'));
    const res = expectOk(await c.api.delete(`${CRD_PATH}/${kind.crdName}`));
    expect(res.kind).toBe('CustomResourceDefinition');
    expect(res.metadata.deletionTimestamp).toBeDefined();
    await waitForObject(c.api, CRD_PATH, kind.crdName, (crd) => crd === undefined || condition(crd, 'Terminating')?.status === 'True');
    await waitForDeletion(c.api, CRD_PATH, kind.crdName);
    expect((await c.api.get(kind.path(ns, 'doomed'))).status).toBe(404);
    expect((await c.api.get(kind.path(ns))).status).toBe(404);
  });
});
