/**
 * Issue 6, finding 8: one rule for how every operation finds its device class and its
 * volume (service/locate.ts), through the HTTP API. A thin and a thick class share
 * vg1; a third class is a thin pool on vg2, so that one name can live in two classes.
 */
import { Lvm } from '@copse/lvm-exec';
import { startHarness, type Harness, GiB, MiB } from '../../test/harness';

const YAML = `
device-classes:
  - name: thin
    volume-group: vg1
    default: true
    type: thin
    thin-pool: {name: pool0, overprovision-ratio: 5}
  - name: thick
    volume-group: vg1
    spare-gb: 1
  - name: other
    volume-group: vg2
    type: thin
    thin-pool: {name: pool0, overprovision-ratio: 5}
`;

type Method = 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

describe('the device class rule', () => {
  let h: Harness;
  const call = (method: Method, url: string, payload?: object) => h.app.inject({ method, url, ...(payload ? { payload } : {}) });
  /** LVs as lvs shows them, by "vg/name" */
  const lvs = async () => {
    const lvm = new Lvm(h.runner);
    const all = [...(await lvm.readVg('vg1')).lvs, ...(await lvm.readVg('vg2')).lvs];
    return all.filter((lv) => lv.name !== 'pool0').map((lv) => `${lv.vgName}/${lv.name}`).sort();
  };

  beforeEach(async () => {
    h = await startHarness({ yaml: YAML, vgSizeBytes: 20 * GiB, poolSizeBytes: 4 * GiB });
    expect((await call('PUT', '/v1/logical-volumes/a', { sizeBytes: 64 * MiB })).statusCode).toBe(201);
    expect((await call('PUT', '/v1/logical-volumes/f', { deviceClass: 'thick', sizeBytes: 64 * MiB })).statusCode).toBe(201);
    // the same name in two classes can only be made behind lvmd-http's back (it refuses to make it)
    for (const vg of ['vg1', 'vg2']) {
      expect((await h.runner.run(['lvcreate', '-T', `${vg}/pool0`, '-n', 'dup', '-V', '64m'])).exitCode).toBe(0);
    }
    await h.service.refreshAll();
  });
  afterEach(() => h.close());

  it.each<[string, Method, string, object | undefined, number, string | undefined]>([
    // [title, method, url, body, status, field]
    ['get, class found by lvmd-http', 'GET', '/v1/logical-volumes/f', undefined, 200, undefined],
    ['get in its class', 'GET', '/v1/logical-volumes/f?deviceClass=thick', undefined, 200, undefined],
    ['get, "" is the default class', 'GET', '/v1/logical-volumes/a?deviceClass=', undefined, 200, undefined],
    ['get, 00default is the default class', 'GET', '/v1/logical-volumes/a?deviceClass=00default', undefined, 200, undefined],
    ['get naming another class', 'GET', '/v1/logical-volumes/f?deviceClass=thin', undefined, 400, 'query.deviceClass'],
    ['get naming an unknown class', 'GET', '/v1/logical-volumes/a?deviceClass=nope', undefined, 404, 'query.deviceClass'],
    ['get a name two classes hold', 'GET', '/v1/logical-volumes/dup', undefined, 400, 'query.deviceClass'],
    ['get a name two classes hold, naming one', 'GET', '/v1/logical-volumes/dup?deviceClass=other', undefined, 200, undefined],
    ['get the thin pool (in no class)', 'GET', '/v1/logical-volumes/pool0', undefined, 400, 'params.name'],
    ['get a missing volume', 'GET', '/v1/logical-volumes/none', undefined, 404, 'params.name'],
    ['grow a thick volume, class found', 'PATCH', '/v1/logical-volumes/f', { sizeBytes: 128 * MiB }, 200, undefined],
    ['grow naming another class', 'PATCH', '/v1/logical-volumes/f?deviceClass=thin', { sizeBytes: 128 * MiB }, 400, 'query.deviceClass'],
    ['deactivate a thick volume, class found', 'PUT', '/v1/logical-volumes/f/activation', { active: false }, 200, undefined],
    ['deactivate naming another class', 'PUT', '/v1/logical-volumes/f/activation?deviceClass=other', { active: false }, 400, 'query.deviceClass'],
    ['create in the query class (issue: it made a thin LV)', 'PUT', '/v1/logical-volumes/qt1?deviceClass=thick', { sizeBytes: 512 * MiB }, 201, undefined],
    ['create naming one class in the query and another in the body', 'PUT', '/v1/logical-volumes/qt2?deviceClass=thick', { deviceClass: 'thin', sizeBytes: GiB }, 400, 'query.deviceClass'],
    ['create naming the default class both ways', 'PUT', '/v1/logical-volumes/qt3?deviceClass=', { deviceClass: 'thin', sizeBytes: GiB }, 201, undefined],
    ['create a name another volume group holds', 'PUT', '/v1/logical-volumes/a', { deviceClass: 'other', sizeBytes: 64 * MiB }, 409, undefined],
    ['create a name its volume group holds in another class', 'PUT', '/v1/logical-volumes/a?deviceClass=thick', { sizeBytes: 64 * MiB }, 409, undefined],
    ['snapshot of a thick volume, class not named (issue: 404)', 'POST', '/v1/logical-volumes/f/snapshots', { name: 's', accessType: 'ro' }, 501, 'params.name'],
    ['snapshot of a thick volume in its class', 'POST', '/v1/logical-volumes/f/snapshots', { name: 's', accessType: 'ro', deviceClass: 'thick' }, 501, 'body.deviceClass'],
    ['snapshot naming another class than its source', 'POST', '/v1/logical-volumes/a/snapshots', { name: 's', accessType: 'ro', deviceClass: 'other' }, 400, 'body.deviceClass'],
    ['snapshot of a thin volume, class not named', 'POST', '/v1/logical-volumes/a/snapshots', { name: 's', accessType: 'ro' }, 201, undefined],
  ])('%s: %s %s -> %d', async (_title, method, url, body, status, field) => {
    const r = await call(method, url, body);
    expect(r.statusCode).toBe(status);
    if (status >= 400) expect(r.json().field).toBe(field);
  });

  it('creates in the class the query names (thick, not thin)', async () => {
    const r = await call('PUT', '/v1/logical-volumes/qt1?deviceClass=thick', { sizeBytes: 512 * MiB });
    expect(r.json()).toMatchObject({ deviceClass: 'thick', type: 'thick' });
    expect((await call('PUT', '/v1/logical-volumes/qt1?deviceClass=thick', { sizeBytes: 512 * MiB })).statusCode).toBe(200);
  });

  it('puts a snapshot in its source class', async () => {
    await call('PUT', '/v1/logical-volumes/o1', { deviceClass: 'other', sizeBytes: 64 * MiB });
    const r = await call('POST', '/v1/logical-volumes/o1/snapshots', { name: 'o1snap', accessType: 'ro' });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({ deviceClass: 'other', volumeGroup: 'vg2', origin: 'o1' });
  });

  const NAMES = ['a', 'f', 'dup', 'pool0', 'none'];
  const CLASSES = [undefined, '', 'thin', 'thick', 'other', 'nope'];
  const combos = NAMES.flatMap((name) => CLASSES.map((dc) => [name, dc] as const));

  it.each(combos)('DELETE %s (deviceClass %p) never answers 204 while that volume lives', async (name, dc) => {
    const before = await lvs();
    const r = await call('DELETE', `/v1/logical-volumes/${name}${dc === undefined ? '' : `?deviceClass=${dc}`}`);
    const after = await lvs();
    if (r.statusCode === 204) {
      const vgOf = (c: string) => (c === 'other' ? 'vg2' : 'vg1');
      const stillThere = after.filter((lv) =>
        dc === undefined ? lv.endsWith(`/${name}`) : lv === `${vgOf(dc === '' ? 'thin' : dc)}/${name}`,
      );
      // the one it named is gone; a name in another class stays only when a class was named
      expect(stillThere).toEqual([]);
      expect(before.filter((lv) => !after.includes(lv)).length).toBeLessThanOrEqual(1);
    } else {
      expect(r.statusCode).toBeGreaterThanOrEqual(400);
      expect(r.statusCode).toBeLessThan(500);
      expect(after).toEqual(before);
    }
  });

  it('deletes the thick volume wherever it is, and only then answers 204 (issue: 204 while it lived)', async () => {
    expect((await call('DELETE', '/v1/logical-volumes/f?deviceClass=thin')).statusCode).toBe(400);
    expect(await lvs()).toContain('vg1/f');
    expect((await call('DELETE', '/v1/logical-volumes/f')).statusCode).toBe(204);
    expect(await lvs()).not.toContain('vg1/f');
  });
});
