/**
 * The thin-pool fill guard through the API, on the simulated backend: its pool fills by
 * simulated writes, the pool monitor follows it through the simulated dmsetup, and the
 * guard judges those live figures (docs/lvmd-http.md, "Thin-pool fill guard").
 */
import type { InjectOptions } from 'fastify';
import { FakePoolDevice, until } from '../../test/fake-pool';
import { devYamlWithFillGuard, MiB, startHarness, type Harness } from '../../test/harness';
import { followWatch, type WatchEvent } from '../../test/sse';

type Inject = Harness['app']['inject'];
type ThinClass = {
  freeBytes: number;
  thinPool: { dataPercent: number; metadataPercent: number; overprovisionedFreeBytes: number; fillGuard?: { percent: number; engaged: boolean; reason?: string } };
};

/** Polls until the thin class's view satisfies `predicate` (the monitor reads the pool every 20 ms). */
async function thinUntil(inject: Inject, what: string, predicate: (dc: ThinClass) => boolean): Promise<ThinClass> {
  for (let i = 0; ; i++) {
    const dc = (await inject({ method: 'GET', url: '/v1/device-classes/thin' })).json() as ThinClass;
    if (predicate(dc)) return dc;
    if (i > 500) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(dc.thinPool)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const metricLine = (text: string, series: string) => text.split('\n').find((l) => l.startsWith(`${series} `));

describe('without fill-guard-percent (a TopoLVM lvmd.yaml) the guard is off', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ vgSizeBytes: 1024 * MiB, poolSizeBytes: 64 * MiB });
  });
  afterAll(() => h.close());

  it('shows no guard, and creates in a 95 % full pool as TopoLVM would', async () => {
    expect((await h.app.inject({ method: 'PUT', url: '/v1/logical-volumes/big', payload: { sizeBytes: 128 * MiB } })).statusCode).toBe(201);
    h.sim.simulateWrite('myvg1', 'big', 61 * MiB);
    const dc = await thinUntil(h.app.inject.bind(h.app), '95.31 %', (d) => d.thinPool.dataPercent === 95.31);
    expect(dc.thinPool).not.toHaveProperty('fillGuard');
    expect(dc.freeBytes).toBe(dc.thinPool.overprovisionedFreeBytes);
    expect((await h.app.inject({ method: 'PUT', url: '/v1/logical-volumes/more', payload: { sizeBytes: 32 * MiB } })).statusCode).toBe(201);
    expect((await h.app.inject({ method: 'POST', url: '/v1/logical-volumes/big/snapshots', payload: { name: 'snap', accessType: 'ro' } })).statusCode).toBe(201);
    expect((await h.app.inject({ method: 'GET', url: '/metrics' })).body).not.toMatch(/^lvmd_thinpool_fill_guard_engaged\{/m);
  });
});

describe('a thin pool at or above fill-guard-percent (80) refuses new thin volumes, snapshots, restores and clones', () => {
  jest.setTimeout(30_000);
  let h: Harness;
  let inject: Inject;
  const events: WatchEvent[] = [];
  const watch = new AbortController();

  beforeAll(async () => {
    h = await startHarness({ yaml: devYamlWithFillGuard(80), vgSizeBytes: 16 * 1024 * MiB, poolSizeBytes: 64 * MiB, pools: { pollIntervalMs: 20 } });
    inject = h.app.inject.bind(h.app);
    const base = await h.app.listen({ host: '127.0.0.1', port: 0 });
    await followWatch(`${base}/v1/watch`, watch.signal, events);
  });
  afterAll(async () => {
    watch.abort();
    await h.close();
  });

  const guardsSeen = () =>
    events
      .filter((e) => e.event === 'capacity')
      .map((e) => (e.data['items'] as Array<{ name: string; freeBytes: number; thinPool?: ThinClass['thinPool'] }>).find((d) => d.name === 'thin'))
      .map((d) => ({ engaged: d?.thinPool?.fillGuard?.engaged, zero: d?.freeBytes === 0 }));
  const names = async () => ((await inject({ method: 'GET', url: '/v1/logical-volumes' })).json().items as Array<{ name: string }>).map((v) => v.name).sort();
  const metrics = async () => (await inject({ method: 'GET', url: '/metrics' })).body;

  /** Runs a request the guard must refuse, and checks that it reached no lvm command and created nothing. */
  async function refused(request: InjectOptions, kind: string, name: string) {
    const before = { calls: h.runner.calls.length, names: await names() };
    const r = await inject(request);
    expect(h.runner.calls.slice(before.calls)).toEqual([]);
    expect(await names()).toEqual(before.names);
    expect(await names()).not.toContain(name);
    expect(r.statusCode).toBe(507);
    expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = r.json();
    expect(problem).toMatchObject({ code: 'thin-pool-fill-guard', status: 507, type: 'urn:copse:lvmd:problem:thin-pool-fill-guard' });
    expect(problem.detail).toMatch(new RegExp(`^refused to create the ${kind} "${name}": thin pool myvg1/pool0 \\(device class thin\\) is at data 81\\.25%, metadata [\\d.]+%, at or above its fill guard of 80%`));
    return problem;
  }

  it('shows the guard released while the pool is below it, with the full overprovisioned free bytes', async () => {
    const dc = await thinUntil(inject, 'the first reading', (d) => d.thinPool.dataPercent === 0);
    expect(dc.thinPool.fillGuard).toEqual({ percent: 80, engaged: false });
    expect(dc.freeBytes).toBe(5 * 64 * MiB);
    const text = await metrics();
    expect(metricLine(text, 'lvmd_thinpool_fill_guard_engaged{node="test-node",device_class="thin"}')).toMatch(/ 0$/);
    expect(metricLine(text, 'lvmd_thinpool_fill_guard_percent{node="test-node",device_class="thin"}')).toMatch(/ 80$/);
    // only thin classes with a guard have the series
    expect(text).not.toMatch(/^lvmd_thinpool_fill_guard_engaged\{[^}]*device_class="thick"/m);
  });

  it('engages when writes take the pool to 81.25 %: freeBytes 0, the reason, the metric, a capacity event', async () => {
    for (const [name, size] of [['keep', 32], ['fill', 128]] as const) {
      expect((await inject({ method: 'PUT', url: `/v1/logical-volumes/${name}`, payload: { sizeBytes: size * MiB } })).statusCode).toBe(201);
    }
    expect((await inject({ method: 'POST', url: '/v1/logical-volumes/keep/snapshots', payload: { name: 'snap0', accessType: 'ro' } })).statusCode).toBe(201);
    h.sim.simulateWrite('myvg1', 'keep', 24 * MiB);
    h.sim.simulateWrite('myvg1', 'fill', 28 * MiB);
    const dc = await thinUntil(inject, 'the guard engaged', (d) => d.thinPool.fillGuard?.engaged === true);
    expect(dc.thinPool).toMatchObject({ dataPercent: 81.25, fillGuard: { percent: 80, engaged: true, reason: 'data 81.25% >= 80%' } });
    expect(dc.freeBytes).toBe(0);
    expect(dc.thinPool.overprovisionedFreeBytes).toBe(5 * 64 * MiB - (32 + 128 + 32) * MiB);
    expect(metricLine(await metrics(), 'lvmd_thinpool_fill_guard_engaged{node="test-node",device_class="thin"}')).toMatch(/ 1$/);
    expect(metricLine(await metrics(), 'topolvm_volumegroup_available_bytes{node="test-node",device_class="thin"}')).toMatch(/ 0$/);
    await until('a capacity event with the guard engaged', () => guardsSeen().some((g) => g.engaged === true && g.zero));
  });

  it('refuses a new thin volume, snapshot, clone and restore with 507 thin-pool-fill-guard, creating nothing', async () => {
    const volume = await refused({ method: 'PUT', url: '/v1/logical-volumes/new1', payload: { sizeBytes: 32 * MiB } }, 'thin volume', 'new1');
    expect(volume.detail).toContain('(lvmd.yaml thin-pool.fill-guard-percent)');
    expect(volume.detail).toContain('deletes, activation and expansion of existing volumes still work');
    await refused({ method: 'POST', url: '/v1/logical-volumes/keep/snapshots', payload: { name: 'snap1', accessType: 'ro' } }, 'snapshot', 'snap1');
    await refused({ method: 'POST', url: '/v1/logical-volumes/keep/snapshots', payload: { name: 'clone1', accessType: 'rw' } }, 'clone', 'clone1');
    await refused(
      { method: 'POST', url: '/v1/logical-volumes/snap0/snapshots', payload: { name: 'restore1', accessType: 'rw', sizeBytes: 64 * MiB } },
      'restore',
      'restore1',
    );
    const text = await metrics();
    for (const kind of ['volume', 'snapshot', 'clone', 'restore']) {
      expect(metricLine(text, `lvmd_thinpool_fill_guard_refusals_total{node="test-node",device_class="thin",kind="${kind}"}`)).toMatch(/ 1$/);
    }
  });

  it('still answers bad input as bad input, and a conflicting repeat as a conflict', async () => {
    expect((await inject({ method: 'PUT', url: '/v1/logical-volumes/snapshot1', payload: { sizeBytes: MiB } })).json().code).toBe('invalid-field');
    expect((await inject({ method: 'PUT', url: '/v1/logical-volumes/keep', payload: { sizeBytes: 64 * MiB } })).json().code).toBe('conflict');
    expect((await inject({ method: 'POST', url: '/v1/logical-volumes/keep/snapshots', payload: { name: 'x', accessType: 'ro', sizeBytes: MiB } })).json().code).toBe(
      'out-of-range',
    );
  });

  it('answers a repeat of a create that already made its volume, and completes an interrupted one', async () => {
    const repeat = await inject({ method: 'PUT', url: '/v1/logical-volumes/keep', payload: { sizeBytes: 32 * MiB } });
    expect([repeat.statusCode, repeat.json().name]).toEqual([200, 'keep']);
    // a create lvmd-http was killed in: the LV exists, still marked incomplete
    h.sim.runSync(['lvcreate', '-T', 'myvg1/pool0', '-n', 'half', '-V', `${32 * MiB}b`, '--addtag', `copse.lvmd/creating=${32 * MiB}`]);
    await h.service.refreshAll();
    const completed = await inject({ method: 'PUT', url: '/v1/logical-volumes/half', payload: { sizeBytes: 32 * MiB } });
    expect([completed.statusCode, completed.json().state]).toEqual([201, 'ready']);
  });

  it('lets existing volumes grow, be deactivated and activated, and leaves thick classes alone', async () => {
    const grown = await inject({ method: 'PATCH', url: '/v1/logical-volumes/keep', payload: { sizeBytes: 48 * MiB } });
    expect([grown.statusCode, grown.json().sizeBytes]).toEqual([200, 48 * MiB]);
    const off = await inject({ method: 'PUT', url: '/v1/logical-volumes/snap0/activation', payload: { active: false } });
    expect([off.statusCode, off.json().active]).toEqual([200, false]);
    const on = await inject({ method: 'PUT', url: '/v1/logical-volumes/snap0/activation', payload: { active: true, accessType: 'ro' } });
    expect([on.statusCode, on.json().active]).toEqual([200, true]);
    expect((await inject({ method: 'PUT', url: '/v1/logical-volumes/fat1', payload: { sizeBytes: 32 * MiB, deviceClass: 'thick' } })).statusCode).toBe(201);
    expect((await thinUntil(inject, 'still engaged', () => true)).thinPool.fillGuard?.engaged).toBe(true);
  });

  it('releases when a delete frees space below the threshold: creates work again', async () => {
    expect((await inject({ method: 'DELETE', url: '/v1/logical-volumes/fill' })).statusCode).toBe(204);
    // the pool is read again before the delete answers
    const dc = (await inject({ method: 'GET', url: '/v1/device-classes/thin' })).json() as ThinClass;
    expect(dc.thinPool).toMatchObject({ dataPercent: 37.5, fillGuard: { percent: 80, engaged: false } });
    expect(dc.freeBytes).toBe(dc.thinPool.overprovisionedFreeBytes);
    expect(dc.freeBytes).toBeGreaterThan(0);
    expect((await inject({ method: 'PUT', url: '/v1/logical-volumes/new1', payload: { sizeBytes: 32 * MiB } })).statusCode).toBe(201);
    expect((await inject({ method: 'POST', url: '/v1/logical-volumes/keep/snapshots', payload: { name: 'clone1', accessType: 'rw' } })).statusCode).toBe(201);
    expect(metricLine(await metrics(), 'lvmd_thinpool_fill_guard_engaged{node="test-node",device_class="thin"}')).toMatch(/ 0$/);
    await until('a capacity event with the guard released', () => guardsSeen().at(-1)?.engaged === false);
    const transitions = guardsSeen()
      .map((g) => g.engaged)
      .filter((g, i, all) => g !== all[i - 1]);
    expect(transitions).toEqual([false, true, false]);
  });
});

describe('the fill guard judges metadata% too', () => {
  let h: Harness;
  const device = new FakePoolDevice();
  beforeAll(async () => {
    h = await startHarness({ yaml: devYamlWithFillGuard(90), pools: { dmsetup: device, blockStats: device, pollIntervalMs: 20 } });
  });
  afterAll(() => h.close());

  it('engages at metadata 90 % with data at 10 %, and says so', async () => {
    device.dataUsed = 102;
    device.metaUsed = 922;
    await h.monitor!.refresh('myvg1');
    const dc = (await h.app.inject({ method: 'GET', url: '/v1/device-classes/thin' })).json() as ThinClass;
    expect(dc.thinPool).toMatchObject({ dataPercent: 9.96, metadataPercent: 90.04, fillGuard: { percent: 90, engaged: true, reason: 'metadata 90.04% >= 90%' } });
    const r = await h.app.inject({ method: 'PUT', url: '/v1/logical-volumes/v1', payload: { sizeBytes: MiB } });
    expect([r.statusCode, r.json().code]).toEqual([507, 'thin-pool-fill-guard']);
    expect(r.json().detail).toMatch(/thin pool myvg1\/pool0 \(device class thin\) is at data 9\.96%, metadata 90\.04%, at or above its fill guard of 90%/);
  });
});
