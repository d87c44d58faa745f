import { applyStrategicMergePatch } from './strategic-merge-patch';
import { builtinType } from './builtin-types';
import { PatchError } from './errors';
import type { JsonObject } from './json';

const pod = builtinType('v1', 'Pod')!;
const cm = builtinType('v1', 'ConfigMap')!;
const csiNode = builtinType('storage.k8s.io/v1', 'CSINode')!;
const pvc = builtinType('v1', 'PersistentVolumeClaim')!;

const livePod = (): JsonObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'p',
    labels: { app: 'a', tier: 'db' },
    finalizers: ['f/one', 'f/two'],
    ownerReferences: [
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'o1', uid: 'u1' },
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'o2', uid: 'u2' },
    ],
  },
  spec: {
    containers: [
      { name: 'app', image: 'app:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], args: ['x', 'y'] },
      { name: 'side', image: 'side:1' },
    ],
    volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'c1' } }],
    tolerations: [{ key: 'k', operator: 'Exists' }],
  },
});

const spec = (o: JsonObject): JsonObject => o.spec as JsonObject;
const meta = (o: JsonObject): JsonObject => o.metadata as JsonObject;

describe('applyStrategicMergePatch on built-in kinds', () => {
  const cases: { name: string; patch: unknown; check: (o: JsonObject) => void }[] = [
    {
      name: 'merges a container by name, keeping the others and their order',
      patch: { spec: { containers: [{ name: 'side', image: 'side:2' }] } },
      check: (o) =>
        expect(spec(o).containers).toEqual([
          { name: 'app', image: 'app:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], args: ['x', 'y'] },
          { name: 'side', image: 'side:2' },
        ]),
    },
    {
      name: 'a new container goes before the server-only ones, as the apiserver orders it',
      patch: { spec: { containers: [{ name: 'new', image: 'n:1' }] } },
      check: (o) => expect((spec(o).containers as JsonObject[]).map((c) => c.name)).toEqual(['new', 'app', 'side']),
    },
    {
      name: 'merges env by name inside a container; null deletes a field',
      patch: { spec: { containers: [{ name: 'app', env: [{ name: 'B', value: '3' }, { name: 'C', value: '4' }], image: null }] } },
      check: (o) => {
        const app = (spec(o).containers as JsonObject[])[0]!;
        expect(app.image).toBeUndefined();
        expect(app.env).toEqual([
          { name: 'A', value: '1' },
          { name: 'B', value: '3' },
          { name: 'C', value: '4' },
        ]);
      },
    },
    {
      name: '$patch: delete removes a list item by its merge key',
      patch: { spec: { containers: [{ name: 'side', $patch: 'delete' }] } },
      check: (o) => expect((spec(o).containers as JsonObject[]).map((c) => c.name)).toEqual(['app']),
    },
    {
      name: '$patch: replace in a list replaces the list',
      patch: { spec: { containers: [{ name: 'only', image: 'o:1' }, { $patch: 'replace' }] } },
      check: (o) => expect(spec(o).containers).toEqual([{ name: 'only', image: 'o:1' }]),
    },
    {
      name: '$patch: replace on a map replaces the map',
      patch: { metadata: { labels: { $patch: 'replace', fresh: 'yes' } } },
      check: (o) => expect(meta(o).labels).toEqual({ fresh: 'yes' }),
    },
    {
      name: '$patch: delete on an existing map leaves it empty',
      patch: { metadata: { labels: { $patch: 'delete' } } },
      check: (o) => expect(meta(o).labels).toEqual({}),
    },
    {
      name: 'lists without a strategy (args, tolerations) are replaced',
      patch: { spec: { tolerations: [{ key: 'other', operator: 'Exists' }], containers: [{ name: 'app', args: ['z'] }] } },
      check: (o) => {
        expect(spec(o).tolerations).toEqual([{ key: 'other', operator: 'Exists' }]);
        expect((spec(o).containers as JsonObject[])[0]!.args).toEqual(['z']);
      },
    },
    {
      name: 'finalizers are a union (kubectl patch -p {"metadata":{"finalizers":["f/three"]}})',
      patch: { metadata: { finalizers: ['f/three'] } },
      check: (o) => expect(meta(o).finalizers).toEqual(['f/three', 'f/one', 'f/two']),
    },
    {
      name: '$deleteFromPrimitiveList removes finalizers',
      patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['f/one'] } },
      check: (o) => expect(meta(o).finalizers).toEqual(['f/two']),
    },
    {
      name: 'ownerReferences merge by uid; $patch delete by uid',
      patch: { metadata: { ownerReferences: [{ uid: 'u1', $patch: 'delete' }, { apiVersion: 'v1', kind: 'Secret', name: 's', uid: 'u3' }] } },
      check: (o) => expect((meta(o).ownerReferences as JsonObject[]).map((r) => r.uid)).toEqual(['u3', 'u2']),
    },
    {
      name: '$setElementOrder orders the merged list',
      patch: { spec: { '$setElementOrder/containers': [{ name: 'side' }, { name: 'app' }] } },
      check: (o) => expect((spec(o).containers as JsonObject[]).map((c) => c.name)).toEqual(['side', 'app']),
    },
    {
      name: '$retainKeys keeps only the listed keys of a volume (changing its source)',
      patch: { spec: { volumes: [{ name: 'data', $retainKeys: ['name', 'emptyDir'], emptyDir: {} }] } },
      check: (o) => expect(spec(o).volumes).toEqual([{ name: 'data', emptyDir: {} }]),
    },
    {
      name: 'a new map value drops its nulls and directives',
      patch: { spec: { nodeSelector: { a: 'b', gone: null }, securityContext: { runAsUser: 1, x: { $patch: 'delete' } } } },
      check: (o) => {
        expect(spec(o).nodeSelector).toEqual({ a: 'b' });
        expect(spec(o).securityContext).toEqual({ runAsUser: 1 });
      },
    },
    {
      name: 'a null patch changes nothing',
      patch: null,
      check: (o) => expect(o).toEqual(livePod()),
    },
  ];
  it.each(cases)('$name', ({ patch, check }) => {
    const live = livePod();
    check(applyStrategicMergePatch(live, JSON.stringify(patch), pod));
    expect(live).toEqual(livePod());
  });

  it('merges CSINode drivers by name', () => {
    const live: JsonObject = {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'CSINode',
      metadata: { name: 'n1' },
      spec: { drivers: [{ name: 'a.csi', nodeID: 'n1', topologyKeys: ['k1'] }] },
    };
    const out = applyStrategicMergePatch(live, JSON.stringify({ spec: { drivers: [{ name: 'topolvm.io', nodeID: 'n1', topologyKeys: ['topology.topolvm.io/node'] }] } }), csiNode);
    expect(((out.spec as JsonObject).drivers as JsonObject[]).map((d) => d.name)).toEqual(['topolvm.io', 'a.csi']);
  });

  it('merges PVC status conditions by type', () => {
    const live: JsonObject = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c' }, status: { conditions: [{ type: 'Resizing', status: 'True' }] } };
    const out = applyStrategicMergePatch(live, JSON.stringify({ status: { conditions: [{ type: 'Resizing', status: 'False' }, { type: 'X', status: 'True' }] } }), pvc);
    expect((out.status as JsonObject).conditions).toEqual([
      { type: 'Resizing', status: 'False' },
      { type: 'X', status: 'True' },
    ]);
  });
});

describe('applyStrategicMergePatch: what kubectl 1.32 sends for client-side apply', () => {
  // kubectl apply -f of a ConfigMap created by a previous kubectl apply, then changed: data.b and
  // the finalizer b.example/y removed, data.a changed, a label and a finalizer added. The body is
  // the one kubectl sent to a recording server.
  const last1 =
    '{"apiVersion":"v1","data":{"a":"1","b":"2"},"kind":"ConfigMap","metadata":{"annotations":{},"finalizers":["a.example/x","b.example/y"],"name":"c","namespace":"default"}}\n';
  const last2 =
    '{"apiVersion":"v1","data":{"a":"one"},"kind":"ConfigMap","metadata":{"annotations":{},"finalizers":["a.example/x","c.example/z"],"labels":{"app":"demo"},"name":"c","namespace":"default"}}\n';
  const live: JsonObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'c',
      namespace: 'default',
      uid: 'u1',
      resourceVersion: '1',
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': last1 },
      finalizers: ['a.example/x', 'b.example/y'],
    },
    data: { a: '1', b: '2' },
  };
  const body =
    '{"data":{"a":"one","b":null},"metadata":{"$deleteFromPrimitiveList/finalizers":["b.example/y"],"$setElementOrder/finalizers":["a.example/x","c.example/z"],' +
    `"annotations":{"kubectl.kubernetes.io/last-applied-configuration":${JSON.stringify(last2)}},"finalizers":["c.example/z"],"labels":{"app":"demo"}}}`;

  it('yields the applied configuration, finalizers in the applied order', () => {
    expect(applyStrategicMergePatch(live, body, cm)).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'c',
        namespace: 'default',
        uid: 'u1',
        resourceVersion: '1',
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': last2 },
        finalizers: ['a.example/x', 'c.example/z'],
        labels: { app: 'demo' },
      },
      data: { a: 'one' },
    });
  });
});

describe('applyStrategicMergePatch: errors as the apiserver answers them', () => {
  const cases: { name: string; live?: JsonObject; body: string; code: number; reason: string; message: string }[] = [
    { name: 'not JSON', body: '{"a":', code: 400, reason: 'BadRequest', message: '' },
    { name: 'a list body', body: '[1]', code: 400, reason: 'BadRequest', message: 'json: cannot unmarshal array into Go value of type map[string]interface {}' },
    {
      name: 'a $deleteFromPrimitiveList key without a field',
      body: '{"metadata":{"$deleteFromPrimitiveList":["x"]}}',
      code: 400,
      reason: 'BadRequest',
      message: 'invalid patch format of primitive list',
    },
    {
      name: 'a $retainKeys that is not a list',
      body: '{"spec":{"volumes":[{"name":"data","$retainKeys":"name"}]}}',
      code: 400,
      reason: 'BadRequest',
      message: 'invalid patch format of retainKeys',
    },
    {
      name: 'a patch key missing from $retainKeys',
      body: '{"spec":{"volumes":[{"name":"data","$retainKeys":["name"],"emptyDir":{}}]}}',
      code: 400,
      reason: 'BadRequest',
      message: 'invalid patch format of retainKeys',
    },
    {
      name: 'a $setElementOrder key without a field',
      body: '{"spec":{"$setElementOrder":[]}}',
      code: 400,
      reason: 'BadRequest',
      message: 'invalid patch format of setElementOrder list',
    },
    {
      name: 'items of another type than the live list',
      body: '{"metadata":{"finalizers":[["x"]]}}',
      code: 500,
      reason: '',
      message: 'list element types are not identical: [[f/one f/two] [[x]]]',
    },
    {
      name: 'a list of lists where the live list is empty',
      live: { metadata: { finalizers: [] } },
      body: '{"metadata":{"finalizers":[["x"]]}}',
      code: 422,
      reason: 'Invalid',
      message: 'the server rejected our request due to an error in our request',
    },
    {
      name: 'a merging list item without its merge key',
      body: '{"spec":{"containers":[{"image":"x"}]}}',
      code: 500,
      reason: '',
      message: 'map: map[image:x] does not contain declared merge key: name',
    },
    {
      name: 'an unknown $patch directive',
      body: '{"metadata":{"labels":{"$patch":"frobnicate"}}}',
      code: 500,
      reason: '',
      message: 'unknown patch type: frobnicate in map: map[$patch:frobnicate]',
    },
    {
      name: '$patch: merge inside a list',
      body: '{"spec":{"containers":[{"name":"app","$patch":"merge"}]}}',
      code: 500,
      reason: '',
      message: 'merging lists cannot yet be specified in the patch',
    },
    {
      name: 'a $setElementOrder that contradicts the patch list',
      body: '{"spec":{"$setElementOrder/containers":[{"name":"app"}],"containers":[{"name":"side","image":"s"}]}}',
      code: 500,
      reason: '',
      message: "The order in patch list:\n[map[image:s name:side]]\n doesn't match $setElementOrder list:\n[map[name:app]]\n",
    },
  ];
  it.each(cases)('$name', ({ live, body, code, reason, message }) => {
    let err: PatchError | undefined;
    try {
      applyStrategicMergePatch(live ?? livePod(), body, pod);
    } catch (e) {
      err = e as PatchError;
    }
    expect(err).toBeInstanceOf(PatchError);
    expect(err!.code).toBe(code);
    expect(err!.reason).toBe(reason);
    if (message !== '') expect(err!.message).toBe(message);
  });
});
