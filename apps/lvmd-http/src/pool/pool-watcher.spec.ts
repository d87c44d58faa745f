import { Dmsetup } from '@copse/lvm-exec';
import { FakePoolDevice, until } from '../../test/fake-pool';
import type { ThinPoolObservation } from './health-source';
import { PoolWatcher, type Logger, type ReadTrigger } from './pool-watcher';

const quiet: Logger = { info() {}, warn() {}, error() {} };

function watcherOf(device: FakePoolDevice, o: { pollIntervalMs?: number; now?: () => number; log?: Logger } = {}) {
  const reads: ReadTrigger[] = [];
  const changes: Array<[ThinPoolObservation | undefined, ThinPoolObservation]> = [];
  const watcher = new PoolWatcher({
    vg: 'vg0',
    pool: 'pool0',
    dmsetup: new Dmsetup(device),
    blockStats: device,
    pollIntervalMs: o.pollIntervalMs ?? 20,
    warningPercent: 80,
    log: o.log ?? quiet,
    now: o.now,
    retryMs: { min: 20, max: 80 },
    onRead: (t) => reads.push(t),
  });
  watcher.on('change', (p, c) => changes.push([p, c]));
  return { watcher, reads, changes };
}

describe('PoolWatcher', () => {
  let device: FakePoolDevice;
  let w: ReturnType<typeof watcherOf>;
  beforeEach(() => {
    device = new FakePoolDevice();
  });
  afterEach(async () => {
    await w?.watcher.stop();
  });

  it('reads the pool at start and then sleeps in dmsetup wait on its event number', async () => {
    device.dataUsed = 384;
    device.events = 7;
    w = watcherOf(device);
    await w.watcher.start();
    expect(w.watcher.current?.health).toMatchObject({ status: 'ok', usage: { dataPercent: 37.5, dataUsedBytes: 24 * 2 ** 20 } });
    await until('the wait', () => device.sleeping === 1);
    expect(device.calls).toEqual([
      ['status', '--noflush', '-v', 'vg0-pool0-tpool'],
      ['wait', 'vg0-pool0-tpool', '7'],
    ]);
  });

  it('costs no dmsetup call while the pool is idle', async () => {
    w = watcherOf(device, { pollIntervalMs: 10 });
    await w.watcher.start();
    await new Promise((r) => setTimeout(r, 300));
    // one status at start, one wait that is still sleeping: nothing else in ~30 polls
    expect(device.calls.map((c) => c[0])).toEqual(['status', 'wait']);
    expect(w.reads).toEqual(['start']);
  });

  it('sees a pool run out of data space through its event, at once', async () => {
    w = watcherOf(device, { pollIntervalMs: 0 });
    await w.watcher.start();
    await until('the wait', () => device.sleeping === 1);
    device.dataUsed = 1024;
    device.mode = 'out_of_data_space';
    device.event();
    await until('out of data space', () => w.watcher.current?.health.status === 'out-of-data-space');
    expect(w.reads).toEqual(['start', 'event']);
    // and sleeps again on the new event number
    await until('the next wait', () => device.sleeping === 1);
    expect(device.calls.at(-1)).toEqual(['wait', 'vg0-pool0-tpool', '1']);
    device.errorIfNoSpace = true;
    device.event();
    await until('error IO', () => w.watcher.current?.health.status === 'error-io');
    device.mode = 'rw';
    device.errorIfNoSpace = false;
    device.dataUsed = 640;
    device.event();
    await until('back to writable', () => w.watcher.current?.health.status === 'ok');
    expect(w.changes.map(([, c]) => c.health.status)).toEqual(['ok', 'out-of-data-space', 'error-io', 'ok']);
  });

  it('sees a gradual fill, which raises no event, through the write counters within a poll interval', async () => {
    w = watcherOf(device, { pollIntervalMs: 20 });
    await w.watcher.start();
    device.write(500);
    await until('50%', () => w.watcher.current?.health.usage?.dataPercent === 48.83);
    device.write(400);
    await until('low water', () => w.watcher.current?.health.status === 'low-water');
    device.write(124);
    await until('full', () => w.watcher.current?.health.status === 'full');
    expect(device.events).toBe(0);
    expect(w.reads.filter((t) => t === 'io').length).toBeGreaterThanOrEqual(3);
  });

  it('keeps "since" while the status stays and restarts it on a new status', async () => {
    let clock = 1000;
    w = watcherOf(device, { pollIntervalMs: 0, now: () => clock });
    await w.watcher.start();
    clock = 2000;
    device.write(100);
    await w.watcher.read('change');
    expect(w.watcher.current).toMatchObject({ since: 1000, observedAt: 2000 });
    clock = 3000;
    device.write(800);
    await w.watcher.read('change');
    expect(w.watcher.current).toMatchObject({ health: { status: 'low-water' }, since: 3000, observedAt: 3000 });
  });

  it('reports an inactive pool, waits for nothing, and follows it again once it is read active', async () => {
    device.exists = false;
    w = watcherOf(device);
    await w.watcher.start();
    expect(w.watcher.current?.health.status).toBe('inactive');
    await new Promise((r) => setTimeout(r, 100));
    // both places the target may be: VG-POOL-tpool, then VG-POOL
    expect(device.calls).toEqual([
      ['status', '--noflush', '-v', 'vg0-pool0-tpool'],
      ['status', '--noflush', '-v', 'vg0-pool0'],
    ]);
    device.exists = true;
    await w.watcher.read('change');
    expect(w.watcher.current?.health.status).toBe('ok');
    await until('the wait', () => device.sleeping === 1);
  });

  it('follows the target from VG-POOL to VG-POOL-tpool when the first thin volume stacks the pool', async () => {
    device.targetName = 'vg0-pool0';
    w = watcherOf(device);
    await w.watcher.start();
    expect(w.watcher.current?.health.status).toBe('ok');
    await until('the wait', () => device.sleeping === 1);
    expect(device.calls.at(-1)).toEqual(['wait', 'vg0-pool0', '0']);
    device.targetName = 'vg0-pool0-tpool';
    device.dataUsed = 10;
    await w.watcher.read('change');
    expect(w.watcher.current?.health.usage?.dataUsedBytes).toBe(10 * 65536);
    device.event();
    await until('the wait on the new name', () => device.calls.some((c) => c[0] === 'wait' && c[1] === 'vg0-pool0-tpool'));
  });

  it('turns to unknown when dmsetup fails, retries with backoff, and recovers', async () => {
    const warnings: string[] = [];
    device.failing = true;
    w = watcherOf(device, { log: { ...quiet, warn: (_o: object, m: string) => void warnings.push(m) } });
    await w.watcher.start();
    expect(w.watcher.current?.health).toMatchObject({ status: 'unknown', reason: expect.stringMatching(/Permission denied/) });
    await until('two retries', () => w.reads.filter((t) => t === 'retry').length >= 2);
    device.failing = false;
    await until('recovered', () => w.watcher.current?.health.status === 'ok');
    await until('the wait', () => device.sleeping === 1);
    expect(warnings).toContain('thin pool health');
  });

  it('reads the pool at every interval when its I/O counters cannot be read, and says so once', async () => {
    const warnings: string[] = [];
    device.statReadable = false;
    w = watcherOf(device, { pollIntervalMs: 20, log: { ...quiet, warn: (_o: object, m: string) => void warnings.push(m) } });
    await w.watcher.start();
    await until('three polls', () => device.statusCalls() >= 4);
    expect(warnings.filter((m) => /cannot read the pool device I\/O counters/.test(m))).toHaveLength(1);
  });

  it('collapses reads asked for during a read into one', async () => {
    w = watcherOf(device, { pollIntervalMs: 0 });
    await w.watcher.start();
    await Promise.all([w.watcher.read('change'), w.watcher.read('change'), w.watcher.read('change'), w.watcher.read('change')]);
    expect(w.reads).toEqual(['start', 'change', 'change']);
  });

  it('kills the sleeping wait on stop and ends its loop', async () => {
    w = watcherOf(device);
    await w.watcher.start();
    await until('the wait', () => device.sleeping === 1);
    await w.watcher.stop();
    expect(device.sleeping).toBe(0);
    device.event();
    await new Promise((r) => setTimeout(r, 50));
    expect(w.reads).toEqual(['start']);
  });
});
