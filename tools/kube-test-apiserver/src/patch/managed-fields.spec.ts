import { updateManagedFields, capUpdateManagers, decodeManagedFields, encodeManagedFields, type ManagedFieldsEntry } from './managed-fields';
import { builtinType } from './builtin-types';
import { typeFromOpenAPIV3 } from './openapi';
import { fieldManagerFor, resetFieldsFor } from './options';
import type { Json, JsonObject } from './json';

const T0 = new Date('2026-03-01T10:00:00.900Z');
const T1 = new Date('2026-03-01T11:00:00Z');
const cmType = builtinType('v1', 'ConfigMap')!;
const cmCtx = { type: cmType, apiVersion: 'v1', kind: 'ConfigMap' };

const entries = (o: JsonObject): ManagedFieldsEntry[] => ((o.metadata as JsonObject).managedFields ?? []) as unknown as ManagedFieldsEntry[];
const stored = (o: JsonObject, uid = 'uid-1'): JsonObject => ({ ...o, metadata: { ...(o.metadata as JsonObject), uid, resourceVersion: '1' } });

describe('updateManagedFields: creates', () => {
  it('records the creator of a ConfigMap (kubectl create / client-side apply)', () => {
    const out = updateManagedFields({
      ...cmCtx,
      now: T0,
      live: undefined,
      manager: 'kubectl-client-side-apply',
      object: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'c',
          namespace: 'default',
          annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}\n' },
          finalizers: ['a.example/x', 'b.example/y'],
        },
        data: { a: '1', b: '2' },
      },
    });
    expect(entries(out)).toEqual([
      {
        manager: 'kubectl-client-side-apply',
        operation: 'Update',
        apiVersion: 'v1',
        time: '2026-03-01T10:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:data': { '.': {}, 'f:a': {}, 'f:b': {} },
          'f:metadata': {
            'f:annotations': { '.': {}, 'f:kubectl.kubernetes.io/last-applied-configuration': {} },
            'f:finalizers': { '.': {}, 'v:"a.example/x"': {}, 'v:"b.example/y"': {} },
          },
        },
      },
    ]);
  });

  it('compares a built-in kind against its Go zero value: spec and resources exist already, requests does not', () => {
    const out = updateManagedFields({
      type: builtinType('v1', 'PersistentVolumeClaim')!,
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      resetFields: resetFieldsFor({ kind: 'PersistentVolumeClaim', builtin: true, hasStatusSubresource: true }),
      now: T0,
      live: undefined,
      manager: 'kubectl-create',
      object: {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'c', namespace: 'default' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'topolvm', volumeMode: 'Filesystem' },
        status: { phase: 'Pending' },
      },
    });
    expect(entries(out)[0]!.fieldsV1).toEqual({
      'f:spec': {
        'f:accessModes': {},
        'f:resources': { 'f:requests': { '.': {}, 'f:storage': {} } },
        'f:storageClassName': {},
        'f:volumeMode': {},
      },
    });
  });

  it('records a container list item and its zero-valued resources as a Pod create does', () => {
    const out = updateManagedFields({
      type: builtinType('v1', 'Pod')!,
      apiVersion: 'v1',
      kind: 'Pod',
      resetFields: [['status']],
      now: T0,
      live: undefined,
      manager: 'kubectl-run',
      object: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p', labels: { run: 'p' } },
        spec: { containers: [{ name: 'c', image: 'busybox', ports: [{ containerPort: 80 }] }], restartPolicy: 'Always' },
      },
    });
    expect(entries(out)[0]!.fieldsV1).toEqual({
      'f:metadata': { 'f:labels': { '.': {}, 'f:run': {} } },
      'f:spec': {
        'f:containers': {
          'k:{"name":"c"}': {
            '.': {},
            'f:image': {},
            'f:name': {},
            'f:ports': { '.': {}, 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
            'f:resources': {},
          },
        },
        'f:restartPolicy': {},
      },
    });
  });

  it('records a whole new custom resource spec with "." (its empty object has no spec)', () => {
    const type = typeFromOpenAPIV3({
      type: 'object',
      properties: { spec: { type: 'object', properties: { size: { type: 'string' }, nodeName: { type: 'string' } } } },
    });
    const out = updateManagedFields({
      type,
      apiVersion: 'topolvm.io/v1',
      kind: 'LogicalVolume',
      now: T0,
      live: undefined,
      manager: 'topolvm-controller',
      object: { apiVersion: 'topolvm.io/v1', kind: 'LogicalVolume', metadata: { name: 'lv' }, spec: { size: '1Gi', nodeName: 'n1' } },
    });
    expect(entries(out)[0]!.fieldsV1).toEqual({ 'f:spec': { '.': {}, 'f:nodeName': {}, 'f:size': {} } });
  });
});

describe('updateManagedFields: updates', () => {
  const created = updateManagedFields({
    ...cmCtx,
    now: T0,
    live: undefined,
    manager: 'creator',
    object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1', b: '2' } },
  });
  const live = stored(created);

  it('moves changed fields to the updater, drops removed ones from everyone (the creator keeps owning data itself), and times only the writer', () => {
    const out = updateManagedFields({
      ...cmCtx,
      now: T1,
      live,
      manager: fieldManagerFor(undefined, 'controller/v1.2.3 (linux/amd64)'),
      object: { ...live, data: { a: 'changed', c: '3' } },
    });
    expect(entries(out)).toEqual([
      { manager: 'creator', operation: 'Update', apiVersion: 'v1', time: '2026-03-01T10:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': {} } },
      { manager: 'controller', operation: 'Update', apiVersion: 'v1', time: '2026-03-01T11:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {}, 'f:c': {} } } },
    ]);
  });

  it('leaves an entry and its time alone when the write changes nothing', () => {
    const out = updateManagedFields({ ...cmCtx, now: T1, live, manager: 'creator', object: { ...live } });
    expect(entries(out)).toEqual(entries(live));
  });

  it('keeps an object without managedFields untracked, and [] clears them', () => {
    const untracked = stored({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } });
    const out = updateManagedFields({ ...cmCtx, now: T1, live: untracked, manager: 'x', object: { ...untracked, data: { a: '2' } } });
    expect((out.metadata as JsonObject).managedFields).toBeUndefined();
    const cleared = updateManagedFields({
      ...cmCtx,
      now: T1,
      live,
      manager: 'x',
      object: { ...live, metadata: { ...(live.metadata as JsonObject), managedFields: [] }, data: { a: '2' } },
    });
    expect((cleared.metadata as JsonObject).managedFields).toBeUndefined();
  });

  it('takes managedFields a client sends, and keeps the stored ones when it sends invalid ones', () => {
    const own: Json = [{ manager: 'mine', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} } } }];
    const out = updateManagedFields({ ...cmCtx, now: T1, live, manager: 'x', object: { ...live, metadata: { ...(live.metadata as JsonObject), managedFields: own } } });
    expect(entries(out)).toEqual([{ manager: 'mine', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} } } }]);
    const bad: Json = [{ manager: 'mine', operation: 'Frobnicate', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: {} }];
    const kept = updateManagedFields({ ...cmCtx, now: T1, live, manager: 'x', object: { ...live, metadata: { ...(live.metadata as JsonObject), managedFields: bad } } });
    expect(entries(kept)).toEqual(entries(live));
  });

  it('records writes through /status as their own entry and ignores the managedFields they send', () => {
    const pvcType = builtinType('v1', 'PersistentVolumeClaim')!;
    const ctx = { type: pvcType, apiVersion: 'v1', kind: 'PersistentVolumeClaim' };
    const pvc = stored(
      updateManagedFields({
        ...ctx,
        resetFields: resetFieldsFor({ kind: 'PersistentVolumeClaim', builtin: true, hasStatusSubresource: true }),
        now: T0,
        live: undefined,
        manager: 'creator',
        object: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c' }, spec: { resources: { requests: { storage: '1Gi' } } } },
      }),
    );
    const out = updateManagedFields({
      ...ctx,
      subresource: 'status',
      resetFields: resetFieldsFor({ kind: 'PersistentVolumeClaim', builtin: true, hasStatusSubresource: true, subresource: 'status' }),
      now: T1,
      live: pvc,
      manager: 'csi-resizer',
      object: { ...pvc, metadata: { ...(pvc.metadata as JsonObject), managedFields: [] }, status: { phase: 'Bound', capacity: { storage: '1Gi' } } },
    });
    expect(entries(out)).toEqual([
      entries(pvc)[0],
      {
        manager: 'csi-resizer',
        operation: 'Update',
        apiVersion: 'v1',
        time: '2026-03-01T11:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:status': { 'f:capacity': { '.': {}, 'f:storage': {} }, 'f:phase': {} } },
        subresource: 'status',
      },
    ]);
  });
});

describe('managed fields entries', () => {
  it('are sorted Apply first, then by time, manager, apiVersion, subresource', () => {
    const m = decodeManagedFields([
      { manager: 'b', operation: 'Update', apiVersion: 'v1', time: '2026-01-01T00:00:02Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:x': {} } },
      { manager: 'a', operation: 'Update', apiVersion: 'v1', time: '2026-01-01T00:00:02Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:y': {} } },
      { manager: 'z', operation: 'Apply', apiVersion: 'v1', time: '2026-01-01T00:00:09Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:z': {} } },
      { manager: 'c', operation: 'Update', apiVersion: 'v1', time: '2026-01-01T00:00:01Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:w': {} } },
    ]);
    expect(encodeManagedFields(m)!.map((e) => e.manager)).toEqual(['z', 'c', 'a', 'b']);
  });

  it('reject what the apiserver rejects', () => {
    expect(() => decodeManagedFields([{ manager: 'a', operation: 'Update', fieldsType: 'FieldsV1' }])).toThrow('apiVersion must not be empty');
    expect(() => decodeManagedFields([{ manager: 'a', operation: 'Patch', apiVersion: 'v1' }])).toThrow('operation must be `Apply` or `Update`');
    expect(() => decodeManagedFields([{ manager: 'a', operation: 'Update', apiVersion: 'v1' }])).toThrow('missing fieldsType in managed fields entry 0');
    expect(() => decodeManagedFields([{ manager: 'a', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV2' }])).toThrow(
      'invalid fieldsType "FieldsV2" in managed fields entry 0',
    );
  });

  it('keep at most 10 Update managers: the oldest merge into ancient-changes', () => {
    const raw = Array.from({ length: 12 }, (_, i) => ({
      manager: `m${String(i).padStart(2, '0')}`,
      operation: 'Update',
      apiVersion: 'v1',
      time: `2026-01-01T00:00:${String(i).padStart(2, '0')}Z`,
      fieldsType: 'FieldsV1',
      fieldsV1: { [`f:f${i}`]: {} },
    }));
    const m = decodeManagedFields(raw);
    capUpdateManagers(m);
    const out = encodeManagedFields(m)!;
    expect(out).toHaveLength(10);
    expect(out[0]).toEqual({
      manager: 'ancient-changes',
      operation: 'Update',
      apiVersion: 'v1',
      time: '2026-01-01T00:00:02Z',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:f0': {}, 'f:f1': {}, 'f:f2': {} },
    });
    expect(out.slice(1).map((e) => e.manager)).toEqual(['m03', 'm04', 'm05', 'm06', 'm07', 'm08', 'm09', 'm10', 'm11']);
  });
});
