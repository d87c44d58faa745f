import { FakePoolDevice, until } from '../../test/fake-pool';
import { GiB, startHarness, type Harness } from '../../test/harness';
import { followWatch, poolHealthSeen, volumeHealthUpdates, type WatchEvent } from '../../test/sse';

describe('a thin pool that fills, through the API, /readyz, the watch stream and the metrics', () => {
  jest.setTimeout(30_000);
  let h: Harness;
  let controller: AbortController | undefined;
  let device: FakePoolDevice;
  beforeEach(async () => {
    device = new FakePoolDevice();
    h = await startHarness({ pools: { dmsetup: device, blockStats: device, pollIntervalMs: 20 } });
  });
  afterEach(async () => {
    controller?.abort();
    await h.close();
  });

  const thin = async () => (await h.app.inject({ method: 'GET', url: '/v1/device-classes/thin' })).json();
  const readyz = async () => {
    const r = await h.app.inject({ method: 'GET', url: '/readyz' });
    return { status: r.statusCode, body: r.json() as { status: string; checks: Array<{ name: string; ok: boolean; detail?: string }> } };
  };
  const metrics = async () => (await h.app.inject({ method: 'GET', url: '/metrics' })).body;

  it('shows the pool healthy with the usage device-mapper reports', async () => {
    device.dataUsed = 384;
    await h.monitor!.refresh('myvg1');
    const dc = await thin();
    expect(dc.thinPool).toMatchObject({
      dataPercent: 37.5,
      metadataPercent: 11.04,
      health: { status: 'ok', dataUsedBytes: 384 * 65536, dataSizeBytes: 1024 * 65536, metadataUsedBytes: 113 * 4096, metadataSizeBytes: 1024 * 4096 },
    });
    expect(Date.parse(dc.thinPool.health.observedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(dc.thinPool.health.reason).toBeUndefined();
    expect((await readyz()).body.checks).toContainEqual({ name: 'thin-pool-health myvg1/pool0', ok: true });
  });

  it('follows a fill to out of data space and error IO, and back when space is freed', async () => {
    await h.app.inject({ method: 'PUT', url: '/v1/logical-volumes/v1', payload: { sizeBytes: GiB } });
    await h.app.inject({ method: 'PUT', url: '/v1/logical-volumes/thick1', payload: { sizeBytes: GiB, deviceClass: 'thick' } });
    const base = await h.app.listen({ host: '127.0.0.1', port: 0 });
    const events: WatchEvent[] = [];
    controller = new AbortController();
    const { ended } = await followWatch(`${base}/v1/watch`, controller.signal, events);
    await until('the first capacity event', () => events.length > 0);

    // A gradual fill past the warning threshold: no event from the kernel, the counters move.
    device.write(900);
    await until('low-water', () => poolHealthSeen(events).includes('low-water'));
    expect((await thin()).thinPool.health).toMatchObject({ status: 'low-water', reason: expect.stringMatching(/warning threshold/) });
    expect((await readyz()).status).toBe(200);
    expect((await h.app.inject({ method: 'GET', url: '/v1/logical-volumes/v1' })).json().health).toEqual({ healthy: true });

    // Out of data space: the kernel raises an event.
    device.write(124);
    device.mode = 'out_of_data_space';
    device.event();
    await until('out-of-data-space', () => poolHealthSeen(events).includes('out-of-data-space'));
    const dc = await thin();
    expect(dc.thinPool).toMatchObject({ dataPercent: 100, health: { status: 'out-of-data-space', reason: expect.stringMatching(/queue IO/) } });
    const v1 = (await h.app.inject({ method: 'GET', url: '/v1/logical-volumes/v1' })).json();
    expect(v1.health).toEqual({ healthy: false, reason: expect.stringMatching(/^thin pool pool0: .*out of data space \(queue IO\)/) });
    expect((await h.app.inject({ method: 'GET', url: '/v1/logical-volumes/thick1?deviceClass=thick' })).json().health).toEqual({ healthy: true });
    const listed = (await h.app.inject({ method: 'GET', url: '/v1/logical-volumes' })).json().items as Array<{ name: string; health: { healthy: boolean } }>;
    expect(listed.find((v) => v.name === 'v1')?.health.healthy).toBe(false);
    const notReady = await readyz();
    expect(notReady.status).toBe(503);
    expect(notReady.body.checks).toContainEqual({ name: 'thin-pool-health myvg1/pool0', ok: false, detail: expect.stringMatching(/^out-of-data-space: /) });
    const m = await metrics();
    expect(m).toContain('lvmd_thinpool_health{node="test-node",device_class="thin",status="out-of-data-space"} 1');
    expect(m).toContain('lvmd_thinpool_health{node="test-node",device_class="thin",status="ok"} 0');
    expect(m).toContain('topolvm_thinpool_data_percent{node="test-node",device_class="thin"} 100');
    expect(volumeHealthUpdates(events)).toContainEqual({ name: 'v1', healthy: false });

    device.errorIfNoSpace = true;
    device.event();
    await until('error-io', () => poolHealthSeen(events).includes('error-io'));
    expect((await h.app.inject({ method: 'GET', url: '/v1/logical-volumes/v1' })).json().health.reason).toMatch(/error IO/);

    // Space comes back (an LV holding blocks removed, or the pool extended): back to write mode, an event.
    device.mode = 'rw';
    device.errorIfNoSpace = false;
    device.dataUsed = 300;
    device.event();
    await until('ok again', () => poolHealthSeen(events).at(-1) === 'ok');
    expect((await readyz()).status).toBe(200);
    expect((await h.app.inject({ method: 'GET', url: '/v1/logical-volumes/v1' })).json().health).toEqual({ healthy: true });
    expect(await metrics()).toContain('lvmd_thinpool_health{node="test-node",device_class="thin",status="ok"} 1');
    expect(volumeHealthUpdates(events).filter((u) => u.name === 'v1').map((u) => u.healthy)).toEqual([false, false, true]);
    expect(poolHealthSeen(events).filter((s, i, all) => s !== all[i - 1])).toEqual(['ok', 'low-water', 'out-of-data-space', 'error-io', 'ok']);
    controller.abort();
    await ended;
  });

  it('reads the pool again after a change made through lvmd-http, before answering', async () => {
    const before = device.statusCalls();
    device.dataUsed = 200;
    await h.app.inject({ method: 'DELETE', url: '/v1/logical-volumes/nosuch' });
    expect(device.statusCalls()).toBe(before);
    await h.app.inject({ method: 'PUT', url: '/v1/logical-volumes/v2', payload: { sizeBytes: GiB } });
    expect(device.statusCalls()).toBe(before + 1);
    expect((await thin()).thinPool.dataPercent).toBe(19.53);
  });

  it('does not answer ready while a pool cannot be read', async () => {
    device.failing = true;
    await h.monitor!.refresh('myvg1');
    const r = await readyz();
    expect(r.status).toBe(503);
    expect(r.body.checks).toContainEqual({ name: 'thin-pool-health myvg1/pool0', ok: false, detail: expect.stringMatching(/^unknown: .*Permission denied/) });
    expect((await thin()).thinPool.health.status).toBe('unknown');
  });
});
