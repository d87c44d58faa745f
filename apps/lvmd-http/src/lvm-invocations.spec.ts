import { startHarness, type Harness, GiB } from '../test/harness';

/** How many lvm commands each operation costs (TopoLVM #1221: ~40 a minute at 100 volumes). */
describe('lvm invocations per operation', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    for (let i = 0; i < 50; i++) {
      expect((await h.app.inject({ method: 'PUT', url: `/v1/logical-volumes/bg${i}`, payload: { sizeBytes: GiB } })).statusCode).toBe(201);
    }
    // 50 creates: well within 5 s alone, not on a machine running several test suites at once
  }, 60_000);
  afterAll(() => h.close());

  async function cost(method: 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object): Promise<string[]> {
    const before = h.runner.calls.length;
    const r = await h.app.inject({ method, url, ...(payload ? { payload } : {}) });
    expect(r.statusCode).toBeLessThan(300);
    return h.runner.calls.slice(before).map((argv) => argv[0]!);
  }

  it.each([
    // every create: lvcreate with the incomplete marker, its other steps, then lvchange --deltag of the marker
    ['create thin', 'PUT', '/v1/logical-volumes/a', { sizeBytes: GiB }, ['lvcreate', 'lvchange', 'lvs']],
    ['create thick', 'PUT', '/v1/logical-volumes/t', { deviceClass: 'thick', sizeBytes: GiB }, ['lvcreate', 'lvchange', 'lvs']],
    ['snapshot ro', 'POST', '/v1/logical-volumes/a/snapshots', { name: 's', accessType: 'ro' }, ['lvcreate', 'lvchange', 'lvs']],
    ['restore rw, larger', 'POST', '/v1/logical-volumes/s/snapshots', { name: 'r', accessType: 'rw', sizeBytes: 2 * GiB }, ['lvcreate', 'lvresize', 'lvchange', 'lvs']],
    ['repeat of a create', 'PUT', '/v1/logical-volumes/a', { sizeBytes: GiB }, []],
    ['list', 'GET', '/v1/logical-volumes', undefined, []],
    ['get', 'GET', '/v1/logical-volumes/a', undefined, []],
    ['capacity', 'GET', '/v1/device-classes', undefined, []],
    ['grow', 'PATCH', '/v1/logical-volumes/a', { sizeBytes: 2 * GiB }, ['lvresize', 'lvs']],
    ['delete thin', 'DELETE', '/v1/logical-volumes/r', undefined, ['lvremove', 'lvs']],
    ['delete thick', 'DELETE', '/v1/logical-volumes/t?deviceClass=thick', undefined, ['lvremove', 'vgs']],
    ['delete thick, its class found by lvmd-http', 'PUT', '/v1/logical-volumes/t2', { deviceClass: 'thick', sizeBytes: GiB }, ['lvcreate', 'lvchange', 'lvs']],
    ['(and deleted)', 'DELETE', '/v1/logical-volumes/t2', undefined, ['lvremove', 'vgs']],
    ['delete an origin (its snapshots change)', 'DELETE', '/v1/logical-volumes/a', undefined, ['lvremove', 'lvs']],
    ['delete a missing LV', 'DELETE', '/v1/logical-volumes/a', undefined, []],
  ] as const)('%s', async (_title, method, url, payload, expected) => {
    expect(await cost(method, url, payload)).toEqual(expected);
  });

  it('re-reads only what a change touched, yet agrees with a full re-read', async () => {
    const partial = JSON.stringify(h.service.listVolumes());
    await h.service.refreshAll();
    expect(JSON.stringify(h.service.listVolumes())).toBe(partial);
  });
});
