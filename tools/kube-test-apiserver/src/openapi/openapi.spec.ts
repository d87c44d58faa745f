import type { RunningTestApiServer } from '../index';
import { client, LV_CRD, start } from '../test-support/http';
import { decodeOpenApiV2 } from './protobuf';

describe('discovery and OpenAPI', () => {
  let server: RunningTestApiServer;
  let api: ReturnType<typeof client>;
  beforeAll(async () => {
    server = await start({ crds: [LV_CRD] });
    api = client(server);
  });
  afterAll(() => server.close());

  test('/openapi/v2 as protobuf decodes to the CRD definition with its group-version-kind', async () => {
    const res = await fetch(`${server.url}/openapi/v2`, { headers: { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' } });
    expect(res.headers.get('content-type')).toBe('application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    const doc = decodeOpenApiV2(new Uint8Array(await res.arrayBuffer())) as { swagger: string; definitions: { additional_properties: { name: string; value: { vendor_extension?: { name: string; value: { yaml: string } }[] } }[] } };
    expect(doc.swagger).toBe('2.0');
    const lvDef = doc.definitions.additional_properties.find((d) => d.name === 'com.cybozu.topolvm.v1.LogicalVolume');
    expect(lvDef?.value.vendor_extension?.find((e) => e.name === 'x-kubernetes-group-version-kind')?.value.yaml).toContain('kind: LogicalVolume');
    expect(doc.definitions.additional_properties.some((d) => d.name === 'io.k8s.api.core.v1.PersistentVolumeClaim')).toBe(true);
  });

  test('/openapi/v3 names each group-version; its PATCH operations take fieldValidation', async () => {
    const index = (await api.get('/openapi/v3')).body;
    const url = index.paths['apis/topolvm.cybozu.com/v1'].serverRelativeURL as string;
    expect(url).toMatch(/^\/openapi\/v3\/apis\/topolvm.cybozu.com\/v1\?hash=[0-9A-F]+$/);
    const doc = (await api.get(url)).body;
    const op = doc.paths['/apis/topolvm.cybozu.com/v1/logicalvolumes/{name}'].patch;
    expect(op['x-kubernetes-group-version-kind']).toEqual({ group: 'topolvm.cybozu.com', kind: 'LogicalVolume', version: 'v1' });
    expect(op.parameters.map((p: { name: string }) => p.name)).toContain('fieldValidation');
  });

  test('aggregated discovery when asked for, legacy otherwise', async () => {
    const agg = await api.get('/apis', { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' });
    expect(agg.headers.get('content-type')).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    const lvGroup = agg.body.items.find((g: { metadata: { name: string } }) => g.metadata.name === 'topolvm.cybozu.com');
    expect(lvGroup.versions[0].resources[0]).toMatchObject({ resource: 'logicalvolumes', scope: 'Cluster', responseKind: { group: 'topolvm.cybozu.com', version: 'v1', kind: 'LogicalVolume' } });
    const legacy = await api.get('/apis');
    expect(legacy.body.kind).toBe('APIGroupList');
    const core = await api.get('/api/v1');
    const pvc = core.body.resources.find((r: { name: string }) => r.name === 'persistentvolumeclaims');
    expect(pvc).toMatchObject({ kind: 'PersistentVolumeClaim', namespaced: true, shortNames: ['pvc'] });
    expect(core.body.resources.some((r: { name: string }) => r.name === 'persistentvolumeclaims/status')).toBe(true);
    expect((await api.get('/version')).body.gitVersion).toMatch(/^v1\.\d+\.\d+/);
  });

  test('built-in tables print the usual columns', async () => {
    await api.post('/api/v1/namespaces/default/persistentvolumeclaims', {
      metadata: { name: 'tbl' },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'topolvm', resources: { requests: { storage: '1Gi' } } },
    });
    const t = (await api.get('/api/v1/namespaces/default/persistentvolumeclaims', { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' })).body;
    expect(t.columnDefinitions.filter((c: { priority: number }) => c.priority === 0).map((c: { name: string }) => c.name)).toEqual([
      'Name', 'Status', 'Volume', 'Capacity', 'Access Modes', 'StorageClass', 'VolumeAttributesClass', 'Age',
    ]);
    expect(t.rows[0].cells.slice(0, 7)).toEqual(['tbl', 'Pending', '', '', '', 'topolvm', '<unset>']);
  });
});
