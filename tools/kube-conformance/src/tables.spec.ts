/**
 * Table output (what `kubectl get` prints): a CRD's printer columns with typed cells (null
 * where the path is missing), Name and Age for a CRD without columns, the built-in columns
 * of the storage kinds, the row object as PartialObjectMetadata / none / the full object,
 * Tables for one object, for pages and for watches, and 406 for a Table version nobody serves.
 */
import { useCluster } from './fixture';
import { create, installTestKinds, widget, type CustomKind } from './crds';
import { expectOk, expectStatus, MERGE, resourcePath, type Obj } from './kube';

const cluster = useCluster();
let ns: string;
let widgetKind: CustomKind;
let gadgetKind: CustomKind;

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';
const KUBECTL_ACCEPT = `${TABLE},application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json`;
const AGE = /^(\d+s|\d+m\d*s?|\d+h\d*m?|\d+d\d*h?|\d+y\d*d?)$/;

beforeAll(async () => {
  const c = cluster();
  ns = await c.createNamespace('table');
  ({ widget: widgetKind, gadget: gadgetKind } = await installTestKinds(c));
});

async function table(path: string, query: Record<string, string | number | undefined> = {}, accept = KUBECTL_ACCEPT): Promise<Obj> {
  const res = await cluster().api.get(path, { accept, query });
  const body = expectOk(res);
  expect(body).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1' });
  expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
  return body;
}

const columnNames = (t: Obj): string[] => (t.columnDefinitions as Obj[]).map((c) => c.name);

/** The row's cells keyed by column name. */
function cellsOf(t: Obj, row: Obj): Record<string, unknown> {
  return Object.fromEntries((t.columnDefinitions as Obj[]).map((c, i) => [c.name, row.cells[i]]));
}

function rowFor(t: Obj, name: string): Obj {
  const row = (t.rows as Obj[]).find((r) => r.cells[0] === name);
  if (!row) throw new Error(`no row for ${name} in ${JSON.stringify(t.rows.map((r: Obj) => r.cells[0]))}`);
  return row;
}

/** Expects the columns to appear in this order (others, which vary by version, may sit between). */
function expectColumnsInOrder(t: Obj, expected: string[]): void {
  const names = columnNames(t);
  const positions = expected.map((n) => names.indexOf(n));
  expect(positions.every((p) => p >= 0)).toBe(true);
  expect([...positions].sort((a, b) => a - b)).toEqual(positions);
}

describe('custom resource tables', () => {
  it('print the printer columns with typed cells, and null where the path is missing', async () => {
    const c = cluster();
    const name = c.name('w');
    await create(c, widgetKind.path(ns), widget(c, widgetKind, ns, name, { size: 3, color: 'red' }));
    const t = await table(widgetKind.path(ns));
    expect(columnNames(t)).toEqual(['Name', 'Size', 'Color', 'Phase', 'Node', 'Age']);
    expect(t.columnDefinitions[0]).toMatchObject({ name: 'Name', type: 'string', format: 'name', priority: 0 });
    expect(t.columnDefinitions[1]).toMatchObject({ name: 'Size', type: 'integer', priority: 0 });
    expect(t.columnDefinitions[4]).toMatchObject({ name: 'Node', type: 'string', priority: 1 });
    expect(t.columnDefinitions[5]).toMatchObject({ name: 'Age', type: 'date' });
    const row = rowFor(t, name);
    const cells = cellsOf(t, row);
    expect(cells).toMatchObject({ Name: name, Size: 3, Color: 'red', Phase: null, Node: null });
    expect(cells['Age']).toMatch(AGE);
    expect(row.object).toMatchObject({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { name, namespace: ns } });
    expect(row.object.spec).toBeUndefined();
    expect(t.metadata.resourceVersion).toEqual(expect.any(String));
  });

  it('follow status and spec changes in their cells', async () => {
    const c = cluster();
    const name = c.name('w');
    await create(c, widgetKind.path(ns), widget(c, widgetKind, ns, name, { size: 1, nodeName: 'node-1' }));
    expectOk(await c.api.patch(`${widgetKind.path(ns, name)}/status`, MERGE, { status: { phase: 'Ready' } }));
    const t = await table(widgetKind.path(ns, name));
    expect(t.rows).toHaveLength(1);
    expect(cellsOf(t, t.rows[0])).toMatchObject({ Name: name, Size: 1, Color: 'green', Phase: 'Ready', Node: 'node-1' });
  });

  it('print Name and Age for a CRD without printer columns', async () => {
    const c = cluster();
    const name = c.name('g');
    await create(c, gadgetKind.path(), { apiVersion: gadgetKind.apiVersion, kind: 'Gadget', metadata: { name, labels: c.labels() }, spec: { value: 'v' } });
    c.track(gadgetKind.path(undefined, name));
    const t = await table(gadgetKind.path(), { labelSelector: `conformance.copse.io/run=${c.runId}` });
    expect(columnNames(t)).toEqual(['Name', 'Age']);
    expect(cellsOf(t, rowFor(t, name))['Age']).toMatch(AGE);
  });

  it('include no row object, or the full object, when asked', async () => {
    const c = cluster();
    const name = c.name('w');
    await create(c, widgetKind.path(ns), widget(c, widgetKind, ns, name, { size: 2 }));
    const none = await table(widgetKind.path(ns, name), { includeObject: 'None' });
    expect(none.rows[0].object ?? null).toBeNull();
    const full = await table(widgetKind.path(ns, name), { includeObject: 'Object' });
    expect(full.rows[0].object).toMatchObject({ kind: 'Widget', apiVersion: widgetKind.apiVersion, spec: { size: 2 } });
  });

  it('page like lists, carrying the continue token', async () => {
    const c = cluster();
    const pageNs = await c.createNamespace('tpage');
    for (const n of ['a', 'b', 'c']) await create(c, widgetKind.path(pageNs), widget(c, widgetKind, pageNs, n));
    const first = await table(widgetKind.path(pageNs), { limit: 2 });
    expect(first.rows.map((r: Obj) => r.cells[0])).toEqual(['a', 'b']);
    expect(first.metadata.continue).toEqual(expect.any(String));
    const second = await table(widgetKind.path(pageNs), { limit: 2, continue: first.metadata.continue });
    expect(second.rows.map((r: Obj) => r.cells[0])).toEqual(['c']);
  });
});

describe('built-in tables', () => {
  it('print a PersistentVolumeClaim as kubectl get pvc does', async () => {
    const c = cluster();
    const name = c.name('pvc');
    const klass = c.name('cls');
    await create(c, resourcePath('v1', 'persistentvolumeclaims', ns), {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name, labels: c.labels() },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: klass, resources: { requests: { storage: '1Gi' } } },
    });
    const t = await table(resourcePath('v1', 'persistentvolumeclaims', ns, name));
    expectColumnsInOrder(t, ['Name', 'Status', 'Volume', 'Capacity', 'Access Modes', 'StorageClass', 'Age']);
    expect(cellsOf(t, t.rows[0])).toMatchObject({ Name: name, Status: 'Pending', Volume: '', Capacity: '', 'Access Modes': '', StorageClass: klass });
  });

  it('print a StorageClass, a PersistentVolume and a CSIDriver with their columns', async () => {
    const c = cluster();
    const sc = c.name('sc');
    expectOk(await c.api.post('/apis/storage.k8s.io/v1/storageclasses', { metadata: { name: sc, labels: c.labels() }, provisioner: 'conformance.copse.io', volumeBindingMode: 'WaitForFirstConsumer', allowVolumeExpansion: true }), 201);
    c.track(`/apis/storage.k8s.io/v1/storageclasses/${sc}`);
    const scTable = await table(`/apis/storage.k8s.io/v1/storageclasses/${sc}`);
    expectColumnsInOrder(scTable, ['Name', 'Provisioner', 'ReclaimPolicy', 'VolumeBindingMode', 'AllowVolumeExpansion', 'Age']);
    const scCells = cellsOf(scTable, scTable.rows[0]);
    expect(scCells).toMatchObject({ Name: sc, Provisioner: 'conformance.copse.io', ReclaimPolicy: 'Delete', VolumeBindingMode: 'WaitForFirstConsumer' });
    expect(String(scCells['AllowVolumeExpansion'])).toBe('true');

    const pv = c.name('pv');
    expectOk(
      await c.api.post('/api/v1/persistentvolumes', {
        metadata: { name: pv, labels: c.labels() },
        spec: { capacity: { storage: '2Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', storageClassName: sc, csi: { driver: 'conformance.copse.io', volumeHandle: pv } },
      }),
      201,
    );
    c.track(`/api/v1/persistentvolumes/${pv}`);
    const pvTable = await table(`/api/v1/persistentvolumes/${pv}`);
    expectColumnsInOrder(pvTable, ['Name', 'Capacity', 'Access Modes', 'Reclaim Policy', 'Status', 'Claim', 'StorageClass', 'Reason', 'Age']);
    const pvCells = cellsOf(pvTable, pvTable.rows[0]);
    expect(pvCells).toMatchObject({ Name: pv, Capacity: '2Gi', 'Access Modes': 'RWO', 'Reclaim Policy': 'Retain', Claim: '', StorageClass: sc });
    expect(['Pending', 'Available']).toContain(pvCells['Status']);

    const driver = c.name('tbl.copse.io');
    expectOk(await c.api.post('/apis/storage.k8s.io/v1/csidrivers', { metadata: { name: driver, labels: c.labels() }, spec: { attachRequired: false, podInfoOnMount: true } }), 201);
    c.track(`/apis/storage.k8s.io/v1/csidrivers/${driver}`);
    const drvTable = await table(`/apis/storage.k8s.io/v1/csidrivers/${driver}`);
    expectColumnsInOrder(drvTable, ['Name', 'AttachRequired', 'PodInfoOnMount', 'Modes', 'Age']);
    const drvCells = cellsOf(drvTable, drvTable.rows[0]);
    expect(drvCells).toMatchObject({ Name: driver, Modes: 'Persistent' });
    expect(String(drvCells['AttachRequired'])).toBe('false');
    expect(String(drvCells['PodInfoOnMount'])).toBe('true');
  });

  it('print namespaces and configmaps', async () => {
    const c = cluster();
    const nsTable = await table(`/api/v1/namespaces/${ns}`);
    expect(columnNames(nsTable)).toEqual(['Name', 'Status', 'Age']);
    expect(nsTable.rows[0].cells.slice(0, 2)).toEqual([ns, 'Active']);
    const name = c.name('cm');
    await create(c, resourcePath('v1', 'configmaps', ns), { metadata: { name, labels: c.labels() }, data: { a: '1', b: '2' } });
    const cmTable = await table(resourcePath('v1', 'configmaps', ns, name));
    expect(columnNames(cmTable)).toEqual(['Name', 'Data', 'Age']);
    expect(cmTable.rows[0].cells.slice(0, 2)).toEqual([name, 2]);
  });
});

describe('negotiation', () => {
  it('streams Tables on a watch, one row per event', async () => {
    const c = cluster();
    const name = c.name('w');
    const created = await create(c, widgetKind.path(ns), widget(c, widgetKind, ns, name));
    const watch = await c.api.watch(widgetKind.path(ns), { fieldSelector: `metadata.name=${name}`, resourceVersion: created.metadata.resourceVersion }, KUBECTL_ACCEPT);
    try {
      expect(watch.status).toBe(200);
      expectOk(await c.api.patch(widgetKind.path(ns, name), MERGE, { spec: { size: 9 } }));
      const event = await watch.next();
      expect(event.type).toBe('MODIFIED');
      expect(event.object).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1' });
      expect(event.object.rows).toHaveLength(1);
      expect(event.object.rows[0].cells.slice(0, 2)).toEqual([name, 9]);
    } finally {
      watch.close();
    }
  });

  it('answers 406 NotAcceptable for a Table version nobody serves', async () => {
    const c = cluster();
    const res = await c.api.get(widgetKind.path(ns), { accept: 'application/json;as=Table;v=v9;g=meta.k8s.io' });
    expectStatus(res, 406, 'NotAcceptable');
  });
});
