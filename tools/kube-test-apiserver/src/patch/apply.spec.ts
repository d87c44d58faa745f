import { serverSideApply, LAST_APPLIED_ANNOTATION } from './apply';
import { updateManagedFields, type ManagedFieldsEntry } from './managed-fields';
import { applyStrategicMergePatch } from './strategic-merge-patch';
import { applyJsonPatch } from './json-patch';
import { builtinType } from './builtin-types';
import { typeFromOpenAPIV3 } from './openapi';
import { resetFieldsFor } from './options';
import { PatchError } from './errors';
import type { JsonObject } from './json';

const T0 = new Date('2026-03-01T10:00:00Z');
const T1 = new Date('2026-03-01T11:00:00Z');
const T2 = new Date('2026-03-01T12:00:00Z');
const cm = { type: builtinType('v1', 'ConfigMap')!, apiVersion: 'v1', kind: 'ConfigMap' };

const md = (o: JsonObject): JsonObject => o.metadata as JsonObject;
const entries = (o: JsonObject): ManagedFieldsEntry[] => (md(o).managedFields ?? []) as unknown as ManagedFieldsEntry[];
const fieldsOf = (o: JsonObject, manager: string): unknown => entries(o).find((e) => e.manager === manager)?.fieldsV1;
const stored = (o: JsonObject): JsonObject => ({ ...o, metadata: { ...md(o), uid: 'uid-1', resourceVersion: '1' } });
const thrown = (f: () => unknown): PatchError => {
  try {
    f();
  } catch (e) {
    return e as PatchError;
  }
  throw new Error('expected an error');
};

// The body kubectl 1.32 sends for `kubectl apply --server-side` (fieldManager=kubectl).
const kubectlBody =
  '{"apiVersion":"v1","data":{"a":"one"},"kind":"ConfigMap","metadata":{"finalizers":["a.example/x","c.example/z"],"labels":{"app":"demo"},"name":"c","namespace":"default"}}\n';

describe('serverSideApply: kubectl apply --server-side of a ConfigMap', () => {
  const created = stored(serverSideApply({ ...cm, now: T0, live: undefined, body: kubectlBody, manager: 'kubectl', force: false }));

  it('creates the object and records the applied fields as operation Apply', () => {
    expect({ ...created, metadata: { ...md(created), managedFields: undefined } }).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'c',
        namespace: 'default',
        finalizers: ['a.example/x', 'c.example/z'],
        labels: { app: 'demo' },
        uid: 'uid-1',
        resourceVersion: '1',
        managedFields: undefined,
      },
      data: { a: 'one' },
    });
    expect(entries(created)).toEqual([
      {
        manager: 'kubectl',
        operation: 'Apply',
        apiVersion: 'v1',
        time: '2026-03-01T10:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:data': { 'f:a': {} },
          'f:metadata': { 'f:finalizers': { 'v:"a.example/x"': {}, 'v:"c.example/z"': {} }, 'f:labels': { 'f:app': {} } },
        },
      },
    ]);
  });

  it('answers a second manager changing an owned field with a 409 naming the owner and the field', () => {
    const err = thrown(() =>
      serverSideApply({ ...cm, now: T1, live: created, body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: two\n', manager: 'other', force: false }),
    );
    expect(err.code).toBe(409);
    expect(err.toStatus()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Apply failed with 1 conflict: conflict with "kubectl": .data.a',
      reason: 'Conflict',
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl"', field: '.data.a' }] },
      code: 409,
    });
  });

  it('lets the second manager take the field with force (--force-conflicts)', () => {
    const out = serverSideApply({ ...cm, now: T1, live: created, body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: two\n', manager: 'other', force: true });
    expect(out.data).toEqual({ a: 'two' });
    expect(fieldsOf(out, 'kubectl')).toEqual({ 'f:metadata': { 'f:finalizers': { 'v:"a.example/x"': {}, 'v:"c.example/z"': {} }, 'f:labels': { 'f:app': {} } } });
    expect(fieldsOf(out, 'other')).toEqual({ 'f:data': { 'f:a': {} } });
    expect(entries(out).find((e) => e.manager === 'other')!.time).toBe('2026-03-01T11:00:00Z');
  });

  it('lists every conflict, grouped by manager, in the message', () => {
    const shared = stored(
      serverSideApply({ ...cm, now: T1, live: created, body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: one\n  b: x\n', manager: 'second', force: false }),
    );
    const err = thrown(() =>
      serverSideApply({ ...cm, now: T2, live: shared, body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: three\n  b: y\n', manager: 'third', force: false }),
    );
    expect(err.message).toBe('Apply failed with 3 conflicts: conflicts with "kubectl":\n- .data.a\nconflicts with "second":\n- .data.a\n- .data.b');
    expect(err.details!.causes).toHaveLength(3);
  });

  it('removes a field the applier no longer applies, unless another manager also owns it', () => {
    const shared = stored(
      serverSideApply({
        ...cm,
        now: T1,
        live: created,
        body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels: {app: demo}\n',
        manager: 'labeller',
        force: false,
      }),
    );
    const out = serverSideApply({
      ...cm,
      now: T2,
      live: shared,
      body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: default\n  finalizers: [a.example/x]\n',
      manager: 'kubectl',
      force: false,
    });
    expect(out.data).toBeUndefined();
    expect(md(out).finalizers).toEqual(['a.example/x']);
    expect(md(out).labels).toEqual({ app: 'demo' });
    expect(fieldsOf(out, 'kubectl')).toEqual({ 'f:metadata': { 'f:finalizers': { 'v:"a.example/x"': {} } } });
  });

  it('changes nothing, not even the time, when the same configuration is applied again', () => {
    const again = serverSideApply({ ...cm, now: T2, live: created, body: kubectlBody, manager: 'kubectl', force: false });
    expect(again).toEqual(created);
  });
});

describe('serverSideApply after client-side apply (the kubectl upgrade path)', () => {
  const last = '{"apiVersion":"v1","data":{"a":"1"},"kind":"ConfigMap","metadata":{"annotations":{},"name":"c","namespace":"default"}}\n';
  const csa = stored(
    updateManagedFields({
      ...cm,
      now: T0,
      live: undefined,
      manager: 'kubectl-client-side-apply',
      object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default', annotations: { [LAST_APPLIED_ANNOTATION]: last } }, data: { a: '1' } },
    }),
  );

  it('allows kubectl to take over fields still as last applied, and updates the annotation', () => {
    const out = serverSideApply({ ...cm, now: T1, live: csa, body: kubectlBody, manager: 'kubectl', force: false });
    expect(out.data).toEqual({ a: 'one' });
    expect(fieldsOf(out, 'kubectl-client-side-apply')).toEqual({ 'f:data': {}, 'f:metadata': { 'f:annotations': { '.': {}, [`f:${LAST_APPLIED_ANNOTATION}`]: {} } } });
    expect(md(out).annotations).toEqual({
      [LAST_APPLIED_ANNOTATION]:
        '{"apiVersion":"v1","data":{"a":"one"},"kind":"ConfigMap","metadata":{"finalizers":["a.example/x","c.example/z"],"labels":{"app":"demo"},"name":"c","namespace":"default"}}\n',
    });
  });

  it('still reports conflicts for fields changed since the last client-side apply', () => {
    const edited = stored({ ...csa, data: { a: 'edited' } });
    const err = thrown(() => serverSideApply({ ...cm, now: T1, live: edited, body: kubectlBody, manager: 'kubectl', force: false }));
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .data.a');
  });

  it('does not allow other managers the same', () => {
    const err = thrown(() => serverSideApply({ ...cm, now: T1, live: csa, body: kubectlBody, manager: 'helm', force: false }));
    expect(err.code).toBe(409);
  });

  it('lets a later client-side apply patch and record its fields as an Update', () => {
    const patched = applyStrategicMergePatch(csa, JSON.stringify({ data: { a: 'two' } }), cm.type);
    const out = updateManagedFields({ ...cm, now: T1, live: csa, object: patched, manager: 'kubectl-client-side-apply' });
    expect(entries(out).map((e) => [e.manager, e.operation, e.time])).toEqual([['kubectl-client-side-apply', 'Update', '2026-03-01T11:00:00Z']]);
  });
});

describe('the whole sequence kubectl 1.32 sends for apply --server-side over client-side apply', () => {
  it('applies, hands the annotation to kubectl-last-applied, migrates the managers with a JSON patch, and re-applies', () => {
    const last = '{"apiVersion":"v1","data":{"a":"one"},"kind":"ConfigMap","metadata":{"annotations":{},"name":"c","namespace":"default"}}\n';
    const csa = stored(
      updateManagedFields({
        ...cm,
        now: T0,
        live: undefined,
        manager: 'kubectl-client-side-apply',
        object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default', annotations: { [LAST_APPLIED_ANNOTATION]: last } }, data: { a: 'one' } },
      }),
    );
    const body = '{"apiVersion":"v1","data":{"a":"one"},"kind":"ConfigMap","metadata":{"name":"c","namespace":"default"}}\n';
    // 1. PATCH apply-patch+yaml ?fieldManager=kubectl&force=false
    const applied = stored(serverSideApply({ ...cm, now: T1, live: csa, body, manager: 'kubectl', force: false }));
    const annotation = (md(applied).annotations as JsonObject)[LAST_APPLIED_ANNOTATION] as string;
    expect(annotation).toBe(body);
    // 2. PATCH apply-patch+yaml ?fieldManager=kubectl-last-applied with the annotation only
    const lastBody = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { annotations: { [LAST_APPLIED_ANNOTATION]: annotation }, name: 'c', namespace: 'default' } });
    const handed = stored(serverSideApply({ ...cm, now: T1, live: applied, body: lastBody, manager: 'kubectl-last-applied', force: false }));
    expect(entries(handed).map((e) => `${e.manager}/${e.operation}`)).toEqual(['kubectl/Apply', 'kubectl-last-applied/Apply', 'kubectl-client-side-apply/Update']);
    // 3. PATCH json-patch+json: kubectl replaces managedFields, folding the client-side-apply manager into its own
    const migrated = [
      { manager: 'kubectl', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: fieldsOf(handed, 'kubectl-client-side-apply') },
      { manager: 'kubectl-last-applied', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: fieldsOf(handed, 'kubectl-last-applied') },
    ];
    const patched = applyJsonPatch(handed, JSON.stringify([{ op: 'replace', path: '/metadata/managedFields', value: migrated }]));
    const upgraded = stored(updateManagedFields({ ...cm, now: T2, live: handed, object: patched, manager: 'kubectl' }));
    expect(entries(upgraded).map((e) => `${e.manager}/${e.operation}`)).toEqual(['kubectl/Apply', 'kubectl-last-applied/Apply']);
    // 4. the apply again: kubectl now owns exactly its configuration; the annotation stays (kubectl-last-applied owns it)
    const final = serverSideApply({ ...cm, now: T2, live: upgraded, body, manager: 'kubectl', force: false });
    expect(final.data).toEqual({ a: 'one' });
    expect((md(final).annotations as JsonObject)[LAST_APPLIED_ANNOTATION]).toBe(body);
    expect(fieldsOf(final, 'kubectl')).toEqual({ 'f:data': { 'f:a': {} } });
  });
});

describe('serverSideApply: lists and maps', () => {
  const pod = { type: builtinType('v1', 'Pod')!, apiVersion: 'v1', kind: 'Pod', resetFields: resetFieldsFor({ kind: 'Pod', builtin: true, hasStatusSubresource: true }) };
  const podBody = (containers: string): string => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n${containers}`;

  it('keys containers by name and ports by containerPort and the defaulted protocol', () => {
    const out = serverSideApply({
      ...pod,
      now: T0,
      live: undefined,
      body: podBody('  - name: app\n    image: app:1\n    ports:\n    - containerPort: 80\n    env:\n    - {name: A, value: "1"}\n'),
      manager: 'm',
      force: false,
    });
    expect(fieldsOf(out, 'm')).toEqual({
      'f:spec': {
        'f:containers': {
          'k:{"name":"app"}': {
            '.': {},
            'f:env': { 'k:{"name":"A"}': { '.': {}, 'f:name': {}, 'f:value': {} } },
            'f:image': {},
            'f:name': {},
            'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
          },
        },
      },
    });
  });

  it('merges list items of two appliers and keeps both orders', () => {
    const one = stored(serverSideApply({ ...pod, now: T0, live: undefined, body: podBody('  - {name: a, image: a}\n  - {name: b, image: b}\n'), manager: 'one', force: false }));
    const two = serverSideApply({ ...pod, now: T1, live: one, body: podBody('  - {name: c, image: c}\n  - {name: a, image: a}\n'), manager: 'two', force: false });
    expect(((two.spec as JsonObject).containers as JsonObject[]).map((c) => c.name)).toEqual(['c', 'a', 'b']);
    const three = serverSideApply({ ...pod, now: T2, live: stored(two), body: podBody('  - {name: b, image: b}\n'), manager: 'one', force: false });
    // "a" stays because "two" owns it too
    expect(((three.spec as JsonObject).containers as JsonObject[]).map((c) => c.name)).toEqual(['c', 'a', 'b']);
  });

  it('replaces atomic lists and maps whole (tolerations, nodeSelector)', () => {
    const one = stored(
      serverSideApply({
        ...pod,
        now: T0,
        live: undefined,
        body: podBody('  - {name: a, image: a}\n  tolerations: [{key: k1, operator: Exists}]\n  nodeSelector: {x: "1"}\n'),
        manager: 'one',
        force: true,
      }),
    );
    expect(fieldsOf(one, 'one')).toEqual({
      'f:spec': { 'f:containers': { 'k:{"name":"a"}': { '.': {}, 'f:image': {}, 'f:name': {} } }, 'f:nodeSelector': {}, 'f:tolerations': {} },
    });
    const err = thrown(() =>
      serverSideApply({ ...pod, now: T1, live: one, body: 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  nodeSelector: {y: "2"}\n', manager: 'two', force: false }),
    );
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "one": .spec.nodeSelector');
  });

  it('ignores status in an apply to the main resource and records /status applies apart', () => {
    const main = serverSideApply({
      ...pod,
      now: T0,
      live: undefined,
      body: podBody('  - {name: a, image: a}\nstatus:\n  phase: Running\n'),
      manager: 'm',
      force: false,
    });
    expect(fieldsOf(main, 'm')).toEqual({ 'f:spec': { 'f:containers': { 'k:{"name":"a"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } });
    const status = serverSideApply({
      ...pod,
      subresource: 'status',
      resetFields: resetFieldsFor({ kind: 'Pod', builtin: true, hasStatusSubresource: true, subresource: 'status' }),
      now: T1,
      live: stored(main),
      body: 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nstatus:\n  conditions:\n  - {type: Ready, status: "True"}\n',
      manager: 'kubelet',
      force: false,
    });
    expect(entries(status).find((e) => e.manager === 'kubelet')).toEqual({
      manager: 'kubelet',
      operation: 'Apply',
      apiVersion: 'v1',
      time: '2026-03-01T11:00:00Z',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:status': { 'f:conditions': { 'k:{"type":"Ready"}': { '.': {}, 'f:status': {}, 'f:type': {} } } } },
      subresource: 'status',
    });
  });

  describe('custom resources, typed from their CRD schema', () => {
    const schema = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            size: { type: 'string' },
            targets: {
              type: 'array',
              'x-kubernetes-list-type': 'map',
              'x-kubernetes-list-map-keys': ['node', 'port'],
              items: { type: 'object', properties: { node: { type: 'string' }, port: { type: 'integer', default: 3260 }, weight: { type: 'integer' } } },
            },
            tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
            args: { type: 'array', items: { type: 'string' } },
            selector: { type: 'object', 'x-kubernetes-map-type': 'atomic', additionalProperties: { type: 'string' } },
            extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          },
        },
      },
    };
    const ctx = { type: typeFromOpenAPIV3(schema), apiVersion: 'example.com/v1', kind: 'Widget' };
    const body = (spec: string): string => `apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n${spec}`;

    it('records list-map keys (with defaults), set values, atomic lists and maps, untyped maps', () => {
      const out = serverSideApply({
        ...ctx,
        now: T0,
        live: undefined,
        body: body('  size: 1Gi\n  targets: [{node: n1, weight: 1}]\n  tags: [a, b]\n  args: [x]\n  selector: {k: v}\n  extra: {deep: {x: 1}}\n'),
        manager: 'm',
        force: false,
      });
      expect(fieldsOf(out, 'm')).toEqual({
        'f:spec': {
          'f:args': {},
          'f:extra': { 'f:deep': { '.': {}, 'f:x': {} } },
          'f:selector': {},
          'f:size': {},
          'f:tags': { 'v:"a"': {}, 'v:"b"': {} },
          'f:targets': { 'k:{"node":"n1","port":3260}': { '.': {}, 'f:node': {}, 'f:weight': {} } },
        },
      });
    });

    it('rejects fields the schema does not declare, and duplicate keys, as the apiserver does (500)', () => {
      const undeclared = thrown(() => serverSideApply({ ...ctx, now: T0, live: undefined, body: body('  nope: 1\n'), manager: 'm', force: false }));
      expect(undeclared.code).toBe(500);
      expect(undeclared.message).toBe('failed to create typed patch object (/w; example.com/v1, Kind=Widget): .spec.nope: field not declared in schema');
      const dup = thrown(() => serverSideApply({ ...ctx, now: T0, live: undefined, body: body('  tags: [a, a]\n'), manager: 'm', force: false }));
      expect(dup.message).toBe('failed to create typed patch object (/w; example.com/v1, Kind=Widget): .spec.tags: duplicate entries for key [="a"]');
    });
  });
});

describe('serverSideApply: bad requests', () => {
  const cases: { name: string; body: string; code: number; message: string }[] = [
    { name: 'another kind', body: 'apiVersion: v1\nkind: Secret\nmetadata: {name: c}\n', code: 400, message: 'invalid object type: /v1, Kind=Secret' },
    { name: 'another version', body: 'apiVersion: v2\nkind: ConfigMap\nmetadata: {name: c}\n', code: 400, message: 'invalid object type: /v2, Kind=ConfigMap' },
    { name: 'no apiVersion or kind', body: 'metadata: {name: c}\n', code: 400, message: 'invalid object type: /, Kind=' },
    {
      name: 'managedFields in the configuration',
      body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  managedFields: []\n',
      code: 400,
      message: 'metadata.managedFields must be nil',
    },
    { name: 'not YAML', body: 'a: [b\n', code: 400, message: '' },
    { name: 'a list', body: '- a\n', code: 400, message: '' },
  ];
  it.each(cases)('$name', ({ body, code, message }) => {
    const err = thrown(() => serverSideApply({ ...cm, now: T0, live: undefined, body, manager: 'm', force: false }));
    expect(err.code).toBe(code);
    if (message !== '') expect(err.message).toBe(message);
    else expect(err.message).toMatch(/^error decoding YAML: /);
  });

  it('reads YAML 1.1 as the apiserver does (yes is true)', () => {
    const lease = { type: builtinType('coordination.k8s.io/v1', 'Lease')!, apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' };
    const out = serverSideApply({
      ...lease,
      now: T0,
      live: undefined,
      body: 'apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: {name: l}\nspec:\n  holderIdentity: yes\n',
      manager: 'm',
      force: false,
    });
    expect((out.spec as JsonObject).holderIdentity).toBe(true);
  });
});
