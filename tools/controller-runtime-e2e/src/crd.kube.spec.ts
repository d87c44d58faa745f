/**
 * The LogicalVolume CRD as a Kubernetes API serves it: what its schema refuses, the server
 * refuses with 422 naming the same field validateLogicalVolume names; TopoLVM's objects are
 * accepted; the printer columns come back in the Table kubectl prints.
 */
import { apiCall, InvalidError } from '@copse/controller-runtime';
import { validateLogicalVolume, withReadyCondition, type LogicalVolume } from '@copse/k8s-crd';
import { getJson, useCluster } from './cluster';

const cluster = useCluster();

function variant(spec: Record<string, unknown>): LogicalVolume {
  const lv = cluster().logicalVolume('schema');
  return { ...lv, spec: { ...lv.spec, ...spec } as LogicalVolume['spec'] };
}

async function create(lv: LogicalVolume): Promise<unknown> {
  try {
    return await cluster().createLogicalVolume(lv);
  } catch (err) {
    return err;
  }
}

describe('the LogicalVolume CRD on the server', () => {
  it("accepts TopoLVM's objects: a plain volume and a restore from a snapshot", async () => {
    for (const lv of [variant({ deviceClass: 'ssd', lvcreateOptionClass: 'striped' }), variant({ size: 1073741824, source: 'snap-1', accessType: 'rw' })]) {
      expect(validateLogicalVolume(lv)).toEqual([]);
      const created = (await create(lv)) as LogicalVolume;
      expect(created.metadata?.uid).toBeTruthy();
    }
  });

  it.each([
    ['a negative size', { size: '-1Gi' }, 'spec.size'],
    ['a size that is not a quantity', { size: '1 GiB' }, 'spec.size'],
    ['an unknown accessType', { accessType: 'RW', source: 'snap-1' }, 'spec.accessType'],
    ['a name with a control character CSI bans', { name: 'pvc\u0001' }, 'spec.name'],
    ['a node name with a slash', { nodeName: 'node/1' }, 'spec.nodeName'],
    ['a device class of 64 characters', { deviceClass: 'd'.repeat(64) }, 'spec.deviceClass'],
    ['no nodeName', { nodeName: undefined }, 'spec.nodeName'],
  ])('refuses %s with 422, naming the field as validateLogicalVolume does', async (_what, spec, field) => {
    const lv = variant(spec);
    expect(validateLogicalVolume(JSON.parse(JSON.stringify(lv))).map((e) => e.field)).toContain(field);
    const err = await create(lv);
    expect(err).toBeInstanceOf(InvalidError);
    expect((err as InvalidError).causes.map((c) => c.field)).toContain(field);
  });

  it('shows the printer columns, READY computed from the Ready condition', async () => {
    const c = cluster();
    const lv = await c.createLogicalVolume(variant({ deviceClass: 'thin', source: 'vol-1', accessType: 'ro', size: '2Gi' }));
    const { group, version, plural } = c.names.logicalVolumes;
    const name = lv.metadata!.name!;
    await apiCall(() =>
      c.custom.patchClusterCustomObjectStatus({
        group,
        version,
        plural,
        name,
        body: [{ op: 'add', path: '/status', value: withReadyCondition({ volumeID: 'uid-1', currentSize: '2Gi' }) }],
      }),
    );
    // what kubectl get asks for
    const table = (await getJson(c.kc, `/apis/${group}/${version}/${plural}/${name}`, 'application/json;as=Table;v=v1;g=meta.k8s.io')) as {
      columnDefinitions: { name: string }[];
      rows: { cells: unknown[] }[];
    };
    const cells = Object.fromEntries(table.columnDefinitions.map((col, i) => [col.name, table.rows[0]?.cells[i]]));
    expect(cells).toMatchObject({ Name: name, Node: 'node-a', DeviceClass: 'thin', Size: '2Gi', Source: 'vol-1', Access: 'ro', Ready: 'True', VolumeID: 'uid-1' });
  });
});
