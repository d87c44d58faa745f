/**
 * The real-lvm2 pool-fill suite (tools/lvmd-e2e/src/pool-fill.real-lvm.spec.ts) on the
 * simulated backend: the simulated lvm2 fills its pool as dm-thin does, the simulated
 * dmsetup and block counters show it, and lvmd-http's pool monitor follows them into the
 * device-class view, the volumes' health, /readyz, the watch stream and the metrics.
 */
import { until } from '../../test/fake-pool';
import { MiB, startHarness, type Harness } from '../../test/harness';
import { followWatch, poolHealthSeen, volumeHealthUpdates, type WatchEvent } from '../../test/sse';

describe('a simulated 64 MiB pool filled by writes', () => {
  jest.setTimeout(30_000);
  let h: Harness;
  let controller: AbortController;
  const events: WatchEvent[] = [];
  const capacity = () => poolHealthSeen(events);
  const volumeEvents = () => volumeHealthUpdates(events);

  beforeAll(async () => {
    h = await startHarness({ vgSizeBytes: 1024 * MiB, poolSizeBytes: 64 * MiB, noSpaceTimeoutMs: 300, pools: { pollIntervalMs: 20 } });
    const base = await h.app.listen({ host: '127.0.0.1', port: 0 });
    controller = new AbortController();
    await followWatch(`${base}/v1/watch`, controller.signal, events);
  });
  afterAll(async () => {
    controller.abort();
    await h.close();
  });

  const pool = async () => (await h.app.inject({ method: 'GET', url: '/v1/device-classes/thin' })).json().thinPool;
  const volume = async (name: string) => (await h.app.inject({ method: 'GET', url: `/v1/logical-volumes/${name}` })).json();
  const ready = async () => (await h.app.inject({ method: 'GET', url: '/readyz' })).statusCode;
  const metric = async (status: string) =>
    (await h.app.inject({ method: 'GET', url: '/metrics' })).body.includes(`lvmd_thinpool_health{node="test-node",device_class="thin",status="${status}"} 1`);

  it('shows the pool ok with no volume yet (lvm2 leaves it active, its target on VG-POOL)', async () => {
    expect((await pool()).health).toMatchObject({ status: 'ok', dataUsedBytes: 0, dataSizeBytes: 64 * MiB });
  });

  it('follows a gradual fill through the write counters: 37.5 %, then low-water', async () => {
    await h.app.inject({ method: 'PUT', url: '/v1/logical-volumes/keep', payload: { sizeBytes: 32 * MiB } });
    await h.app.inject({ method: 'PUT', url: '/v1/logical-volumes/fill', payload: { sizeBytes: 128 * MiB } });
    h.sim.simulateWrite('myvg1', 'keep', 24 * MiB);
    for (let i = 0; (await pool()).dataPercent !== 37.5; i++) {
      if (i > 200) throw new Error('37.5 % never shown');
      await new Promise((r) => setTimeout(r, 10));
    }
    h.sim.simulateWrite('myvg1', 'fill', 28 * MiB);
    await until('low-water', () => capacity().includes('low-water'));
    expect(await pool()).toMatchObject({ dataPercent: 81.25, health: { status: 'low-water' } });
    expect(await ready()).toBe(200);
    expect(await metric('low-water')).toBe(true);
  });

  it('shows out of data space (queue IO), then error IO after no_space_timeout, everywhere', async () => {
    h.sim.simulateWrite('myvg1', 'fill', 32 * MiB);
    await until('out-of-data-space', () => capacity().includes('out-of-data-space'));
    expect(await pool()).toMatchObject({ dataPercent: 100, health: { status: 'out-of-data-space' } });
    expect((await volume('keep')).health).toEqual({ healthy: false, reason: expect.stringMatching(/^thin pool pool0: .*queue IO/) });
    expect(await ready()).toBe(503);
    expect(await metric('out-of-data-space')).toBe(true);
    expect(volumeEvents()).toContainEqual({ name: 'keep', healthy: false });
    await until('error-io', () => capacity().includes('error-io'));
    expect((await volume('fill')).health.reason).toMatch(/error IO/);
    expect(await metric('error-io')).toBe(true);
  });

  it('returns to healthy when a volume holding data is deleted', async () => {
    await h.app.inject({ method: 'DELETE', url: '/v1/logical-volumes/keep' });
    // read again before the delete answered
    expect(await pool()).toMatchObject({ dataPercent: 62.5, health: { status: 'ok', dataUsedBytes: 40 * MiB } });
    expect((await volume('fill')).health).toEqual({ healthy: true });
    expect(await ready()).toBe(200);
    expect(await metric('ok')).toBe(true);
    await until('the update event', () => volumeEvents().some((e) => e.name === 'fill' && e.healthy));
    expect(capacity().filter((s, i, all) => s !== all[i - 1]).slice(-5)).toEqual(['ok', 'low-water', 'out-of-data-space', 'error-io', 'ok']);
  });
});
