/**
 * Discovery as kubectl and client-node read it: /version, /api, /apis (legacy, or aggregated
 * when the server offers it: clusters differ, so either answer is checked for what it must
 * hold), the resource lists of the groups Copse uses, a CRD's group appearing with its
 * resources and subresources, and the OpenAPI documents (v2 and v3) describing built-in
 * and custom kinds.
 */
import { useCluster } from './fixture';
import { installTestKinds, type CustomKind } from './crds';
import { expectOk, type Obj } from './kube';

const cluster = useCluster();
let widgetKind: CustomKind;
let gadgetKind: CustomKind;

beforeAll(async () => {
  ({ widget: widgetKind, gadget: gadgetKind } = await installTestKinds(cluster()));
});

/**
 * Discovery and OpenAPI follow a new CRD asynchronously on a real apiserver and offer
 * nothing to watch: read until the predicate holds, for at most 30 s.
 */
async function eventually(path: string, predicate: (body: Obj) => boolean, accept?: string): Promise<Obj> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await cluster().api.get(path, { accept });
    if (res.status === 200 && predicate(res.json)) return res;
    if (Date.now() > deadline) throw new Error(`${path} never satisfied the expectation; last answer ${res.status} ${res.text.slice(0, 300)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const resource = (list: Obj, name: string): Obj | undefined => (list.resources as Obj[]).find((r) => r.name === name);

describe('versions and groups', () => {
  it('/version names the server version', async () => {
    const v = expectOk(await cluster().api.get('/version'));
    expect(v).toMatchObject({ major: expect.any(String), minor: expect.any(String), gitVersion: expect.stringMatching(/^v\d+\.\d+\.\d+/), platform: expect.any(String) });
  });

  it('/api lists v1', async () => {
    const api = expectOk(await cluster().api.get('/api'));
    expect(api).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    expect(Array.isArray(api.serverAddressByClientCIDRs)).toBe(true);
  });

  it('/apis lists the groups Copse uses, with their preferred versions', async () => {
    const apis = expectOk(await cluster().api.get('/apis'));
    expect(apis).toMatchObject({ kind: 'APIGroupList', apiVersion: 'v1' });
    const groups = new Map<string, Obj>((apis.groups as Obj[]).map((g) => [g.name, g]));
    for (const name of ['storage.k8s.io', 'coordination.k8s.io', 'apiextensions.k8s.io']) {
      expect(groups.get(name)?.preferredVersion).toEqual({ groupVersion: `${name}/v1`, version: 'v1' });
      expect(groups.get(name)?.versions).toContainEqual({ groupVersion: `${name}/v1`, version: 'v1' });
    }
  });

  it('/apis lists a CRD group once the CRD is established', async () => {
    const res = await eventually('/apis', (body) => (body.groups as Obj[]).some((g) => g.name === widgetKind.group));
    const group = (res.json.groups as Obj[]).find((g) => g.name === widgetKind.group);
    expect(group).toEqual({ name: widgetKind.group, versions: [{ groupVersion: widgetKind.apiVersion, version: 'v1' }], preferredVersion: { groupVersion: widgetKind.apiVersion, version: 'v1' } });
  });

  it('offers aggregated discovery, or falls back to the legacy list, as kubectl asks', async () => {
    const accept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
    const res = await eventually(
      '/apis',
      (body) => (body.kind === 'APIGroupDiscoveryList' ? (body.items as Obj[]).some((g) => g.metadata.name === widgetKind.group) : (body.groups as Obj[]).some((g) => g.name === widgetKind.group)),
      accept,
    );
    const contentType = String(res.headers['content-type']);
    if (res.json.kind === 'APIGroupDiscoveryList') {
      expect(contentType).toMatch(/as=APIGroupDiscoveryList/);
      expect(res.json.apiVersion).toMatch(/^apidiscovery\.k8s\.io\/v2(beta1)?$/);
      const group = (res.json.items as Obj[]).find((g) => g.metadata.name === widgetKind.group);
      const version = (group.versions as Obj[]).find((v) => v.version === 'v1');
      const widgets = (version.resources as Obj[]).find((r) => r.resource === 'widgets');
      expect(widgets).toMatchObject({
        resource: 'widgets',
        responseKind: { group: widgetKind.group, version: 'v1', kind: 'Widget' },
        scope: 'Namespaced',
        singularResource: 'widget',
        shortNames: ['widgetx'],
        categories: ['copse-conformance'],
      });
      expect([...widgets.verbs].sort()).toEqual(['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
      expect(widgets.subresources).toEqual([expect.objectContaining({ subresource: 'status', responseKind: { group: widgetKind.group, version: 'v1', kind: 'Widget' } })]);
      const storage = (res.json.items as Obj[]).find((g) => g.metadata.name === 'storage.k8s.io');
      const sv1 = (storage.versions as Obj[]).find((v) => v.version === 'v1');
      expect((sv1.resources as Obj[]).find((r) => r.resource === 'csinodes')).toMatchObject({ scope: 'Cluster', responseKind: { kind: 'CSINode' } });
    } else {
      expect(res.json.kind).toBe('APIGroupList');
      expect(contentType).toMatch(/^application\/json/);
    }
  });
});

describe('resource lists', () => {
  it('/api/v1 describes the core kinds Copse touches', async () => {
    const list = expectOk(await cluster().api.get('/api/v1'));
    expect(list).toMatchObject({ kind: 'APIResourceList', groupVersion: 'v1' });
    const expected: Array<[string, string, boolean, string[]]> = [
      ['namespaces', 'Namespace', false, ['ns']],
      ['nodes', 'Node', false, ['no']],
      ['persistentvolumes', 'PersistentVolume', false, ['pv']],
      ['persistentvolumeclaims', 'PersistentVolumeClaim', true, ['pvc']],
      ['pods', 'Pod', true, ['po']],
      ['configmaps', 'ConfigMap', true, ['cm']],
      ['secrets', 'Secret', true, []],
      ['events', 'Event', true, ['ev']],
    ];
    for (const [name, kind, namespaced, shortNames] of expected) {
      const r = resource(list, name);
      expect(r).toMatchObject({ name, kind, namespaced, singularName: kind.toLowerCase() });
      expect(r.shortNames ?? []).toEqual(shortNames);
      expect(r.verbs).toEqual(expect.arrayContaining(['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']));
    }
    for (const sub of ['persistentvolumeclaims/status', 'persistentvolumes/status', 'nodes/status', 'pods/status', 'namespaces/status']) {
      expect(resource(list, sub)).toMatchObject({ name: sub, verbs: expect.arrayContaining(['get', 'patch', 'update']) });
    }
  });

  it('/apis/storage.k8s.io/v1 and /apis/coordination.k8s.io/v1 describe their kinds', async () => {
    const storage = expectOk(await cluster().api.get('/apis/storage.k8s.io/v1'));
    expect(storage).toMatchObject({ kind: 'APIResourceList', groupVersion: 'storage.k8s.io/v1' });
    expect(resource(storage, 'storageclasses')).toMatchObject({ kind: 'StorageClass', namespaced: false, shortNames: ['sc'] });
    expect(resource(storage, 'csidrivers')).toMatchObject({ kind: 'CSIDriver', namespaced: false });
    expect(resource(storage, 'csinodes')).toMatchObject({ kind: 'CSINode', namespaced: false });
    expect(resource(storage, 'csistoragecapacities')).toMatchObject({ kind: 'CSIStorageCapacity', namespaced: true });
    const coordination = expectOk(await cluster().api.get('/apis/coordination.k8s.io/v1'));
    expect(resource(coordination, 'leases')).toMatchObject({ kind: 'Lease', namespaced: true });
  });

  it("a CRD's group version describes its kinds and the status subresource", async () => {
    const res = await eventually(`/apis/${widgetKind.apiVersion}`, (body) => body.kind === 'APIResourceList' && resource(body, 'gadgets') !== undefined);
    const list = res.json;
    expect(list.groupVersion).toBe(widgetKind.apiVersion);
    const widgets = resource(list, 'widgets');
    expect(widgets).toMatchObject({ name: 'widgets', singularName: 'widget', namespaced: true, kind: 'Widget', shortNames: ['widgetx'], categories: ['copse-conformance'] });
    expect([...widgets.verbs].sort()).toEqual(['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
    expect(resource(list, 'widgets/status')).toMatchObject({ namespaced: true, kind: 'Widget', verbs: expect.arrayContaining(['get', 'patch', 'update']) });
    expect(resource(list, 'gadgets')).toMatchObject({ namespaced: false, kind: 'Gadget', singularName: 'gadget' });
    expect(resource(list, 'gadgets/status')).toBeUndefined();
  });

  it('answers 404 for a group nobody serves', async () => {
    expect((await cluster().api.get('/apis/nothing.conformance.copse.io/v1')).status).toBe(404);
    expect((await cluster().api.get(`/apis/${widgetKind.group}/v9`)).status).toBe(404);
  });
});

describe('OpenAPI', () => {
  const hasWidget = (definitions: Obj): boolean =>
    Object.values(definitions ?? {}).some((d: Obj) => (d['x-kubernetes-group-version-kind'] as Obj[] | undefined)?.some((g) => g.group === widgetKind.group && g.kind === 'Widget'));

  it('v2 describes built-in kinds and the CRD kind with its schema', async () => {
    const res = await eventually('/openapi/v2', (body) => hasWidget(body.definitions), 'application/json');
    const doc = res.json;
    expect(doc.swagger).toBe('2.0');
    expect(doc.definitions['io.k8s.api.core.v1.PersistentVolumeClaim']['x-kubernetes-group-version-kind']).toEqual([{ group: '', kind: 'PersistentVolumeClaim', version: 'v1' }]);
    expect(doc.definitions['io.k8s.api.storage.v1.StorageClass']).toBeDefined();
    const widget = Object.values(doc.definitions).find((d: Obj) => (d['x-kubernetes-group-version-kind'] as Obj[] | undefined)?.some((g) => g.group === widgetKind.group && g.kind === 'Widget')) as Obj;
    expect(widget.properties.spec.properties.size.type).toBe('integer');
    expect(widget.properties.spec.required).toEqual(['size']);
  });

  it('v3 indexes every group version and serves the CRD group document', async () => {
    const key = `apis/${widgetKind.apiVersion}`;
    const res = await eventually('/openapi/v3', (body) => body.paths?.[key] !== undefined);
    const index = res.json;
    expect(index.paths['api/v1'].serverRelativeURL).toMatch(/^\/openapi\/v3\/api\/v1/);
    expect(index.paths['apis/storage.k8s.io/v1']).toBeDefined();
    const doc = expectOk(await cluster().api.get(index.paths[key].serverRelativeURL));
    expect(doc.openapi).toMatch(/^3\./);
    const schemas = Object.values(doc.components.schemas) as Obj[];
    const widget = schemas.find((s) => (s['x-kubernetes-group-version-kind'] as Obj[] | undefined)?.some((g) => g.kind === 'Widget'));
    expect(widget?.properties.spec.properties.color.enum).toEqual(['red', 'green', 'blue']);
    expect(Object.keys(doc.paths)).toContain(`/apis/${widgetKind.apiVersion}/namespaces/{namespace}/widgets/{name}`);
    expect(Object.keys(doc.paths)).toContain(`/apis/${gadgetKind.apiVersion}/gadgets/{name}`);
  });
});
