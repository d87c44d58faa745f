/**
 * Needs real lvm2: ONE test node for the whole file. A 64 MiB thin pool is filled by
 * writing to its volumes, and lvmd-http (real lvm2, its pool monitor on device-mapper)
 * must show each state in the device-class view, the volumes' health, /readyz, the
 * watch stream and the metrics within 5 s of the pool reaching it:
 * gradual fill (no kernel event) -> low-water -> out of data space (queue IO) -> error IO
 * (dm-thin's no_space_timeout, set to 10 s here) -> space freed by deleting a volume ->
 * healthy again. The kernel logs each mode switch (dmesg); its timestamp is placed on the
 * host's clock through a marker written to the kernel log, and each surface is polled
 * from the host.
 * Then: an idle pool costs no process, and a killed lvmd-http leaves no dmsetup behind.
 *
 * Skips locally without the host dependencies (tools/testnode/install-deps.sh); fails
 * instead with CI=true.
 */
import * as path from 'node:path';
import { LvmdClient, type DeviceClass, type LogicalVolume } from '@copse/lvmd-api';
import { describeWithTestNode, lvmdHttpService, startTestNode, workspaceShares, type TestNode } from '@copse/testnode';

const MiB = 1024 * 1024;
const VG = 'vgfill';
const POOL = 'pool0';
const POOL_BYTES = 64 * MiB;
const PORT = 8081;
const SERVICE = 'lvmd-fill';
const WORKSPACE = path.resolve(__dirname, '..', '..', '..');
/** The readiness check that follows the pool. */
const POOL_CHECK = `thin-pool-health ${VG}/${POOL}`;
/** What a thin volume's health reason says in each state that makes it unhealthy (to tell the states apart). */
const VOLUME_REASON: Record<string, RegExp> = { 'out-of-data-space': /queue IO/, 'error-io': /error IO/ };
/** The bound: the pool's state shows everywhere within this long. */
const WITHIN_MS = 5000;

const YAML = [
  'device-classes:',
  '  - name: thin',
  `    volume-group: ${VG}`,
  '    default: true',
  '    type: thin',
  '    thin-pool:',
  `      name: ${POOL}`,
  '      overprovision-ratio: 10',
  '',
].join('\n');

interface WatchEvent {
  readonly event: string;
  readonly data: { items?: DeviceClass[]; type?: string; volume?: LogicalVolume };
  /** host clock, ms */
  readonly at: number;
}

/** Follows /v1/watch into `events` until the signal fires. */
async function follow(url: string, token: string, signal: AbortSignal, events: WatchEvent[]): Promise<void> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal });
  if (!res.body) throw new Error('watch: no body');
  let buffer = '';
  const decoder = new TextDecoder();
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data), at: Date.now() });
      }
    }
  } catch (e) {
    if (!signal.aborted) throw e;
  }
}

/** A dmsetup process (setpriv execs it, so argv[0] is dmsetup itself). */
function isDmsetup(p: { argv: readonly string[] }): boolean {
  return p.argv[0] === 'dmsetup' || (p.argv[0] ?? '').endsWith('/dmsetup');
}

/** The value of one series in a Prometheus text exposition, undefined when absent. */
function metric(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describeWithTestNode('a thin pool filling by writes, followed by lvmd-http on real lvm2 (one test node)', () => {
  let node: TestNode;
  let api: LvmdClient;
  let token: string;
  let base: string;
  const events: WatchEvent[] = [];
  const watch = new AbortController();
  let watching: Promise<void>;
  /** What each step measured, printed at the end (for docs/benchmarks.md and the report). */
  const measured: string[] = [];

  beforeAll(async () => {
    token = Array.from({ length: 48 }, () => 'abcdef0123456789'[Math.floor(Math.random() * 16)]).join('');
    node = await startTestNode({
      disks: [{ sizeBytes: 512 * MiB }],
      volumeGroups: [{ name: VG, disks: [0], thinPools: [{ name: POOL, sizeBytes: POOL_BYTES }] }],
      shares: workspaceShares(WORKSPACE),
      services: [
        lvmdHttpService({
          name: SERVICE,
          port: PORT,
          configFile: 'lvmd.yaml',
          tokenFile: 'lvmd.token',
          // no periodic re-read: whatever shows the fill is the pool monitor
          extraArgs: ['--refresh-interval', '86400', '--pool-poll-interval', '1', '--node-name', 'fillnode'],
        }),
      ],
      forwards: [PORT],
      files: { 'lvmd.yaml': YAML, 'lvmd.token': `${token}\n` },
      memoryMiB: 1024,
      bootTimeoutMs: 240_000,
    });
    try {
      await node.waitForHttp(PORT, '/readyz', { timeoutMs: 120_000 });
    } catch (e) {
      const logs = await node.logs();
      await node.stop();
      throw new Error(`${(e as Error).message}\n${logs.slice(-6000)}`);
    }
    base = `http://127.0.0.1:${node.hostPort(PORT)}`;
    api = new LvmdClient({ endpoint: base, token, timeoutMs: 120_000 });
    expect(await node.control.setThinNoSpaceTimeout(10)).toBe(60);
    // the stream ends when lvmd-http is killed in the last test: that is no failure
    watching = follow(`${base}/v1/watch`, token, watch.signal, events).catch(() => undefined);
    process.stderr.write(`[pool-fill] test node ${node.pid}: boot ${node.timings.bootMs} ms; the empty pool at start: ${JSON.stringify((await api.getDeviceClass('thin')).thinPool?.health)}\n`);
  }, 400_000);

  afterAll(async () => {
    watch.abort();
    await watching;
    await api?.close();
    await node?.stop();
    if (measured.length > 0) process.stderr.write(`[pool-fill] measured:\n  ${measured.join('\n  ')}\n`);
  }, 60_000);

  const get = async (urlPath: string) => {
    const res = await fetch(`${base}${urlPath}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, text: await res.text() };
  };
  /** The kernel's timestamp (uptime seconds) of the last dmesg line matching `pattern`. */
  const kernelTime = async (pattern: RegExp): Promise<number> => {
    const { dmesg } = await node.control.logs();
    const lines = dmesg.split('\n').filter((l) => pattern.test(l));
    const m = /^\[\s*(\d+\.\d+)\]/.exec(lines.at(-1) ?? '');
    if (!m) throw new Error(`no dmesg line matches ${pattern}:\n${dmesg.split('\n').slice(-20).join('\n')}`);
    return Number(m[1]);
  };
  const poolHealth = async () => (await api.getDeviceClass('thin')).thinPool!;
  const healthIn = (e: WatchEvent) => e.data.items?.find((d) => d.name === 'thin')?.thinPool?.health.status;

  /**
   * The kernel log's clock minus the host's, in seconds, from the fastest of a few round
   * trips (the kernel log's own clock: under TCG it drifts from the guest's uptime).
   */
  const clockOffset = async (): Promise<number> => {
    let best = { rtt: Infinity, offset: 0 };
    for (let i = 0; i < 3; i++) {
      const before = Date.now();
      const seconds = await node.control.kernelClock();
      const after = Date.now();
      if (after - before < best.rtt) best = { rtt: after - before, offset: seconds - (before + after) / 2000 };
    }
    return best.offset;
  };

  /**
   * Polls the four HTTP surfaces together, every 100 ms, and the watch stream's events,
   * until each shows `status`; answers the host time (ms) at which each first did (the
   * arrival of the answer or event: an upper bound of when lvmd-http knew).
   */
  async function firstSeen(status: string, volumesHealthy: boolean, sinceHostMs: number): Promise<Record<string, number>> {
    const seen: Record<string, number> = {};
    const readyWanted = !['full', 'out-of-data-space', 'error-io', 'read-only', 'needs-check', 'failed', 'unknown'].includes(status);
    const words = VOLUME_REASON[status];
    const checks: Array<[string, () => Promise<boolean>]> = [
      ['device class', async () => (await poolHealth()).health.status === status],
      [
        'volume health',
        async () => (await api.listLogicalVolumes('thin')).every((v) => v.health.healthy === volumesHealthy && (!words || words.test(v.health.reason ?? ''))),
      ],
      [
        'readyz',
        async () => {
          const r = await get('/readyz');
          const check = (JSON.parse(r.text) as { checks: Array<{ name: string; ok: boolean; detail?: string }> }).checks.find((c) => c.name === POOL_CHECK);
          return (r.status === 200) === readyWanted && (status === 'ok' ? check?.detail === undefined : (check?.detail ?? '').startsWith(`${status}: `));
        },
      ],
      ['metrics', async () => metric((await get('/metrics')).text, `lvmd_thinpool_health{node="fillnode",device_class="thin",status="${status}"}`) === 1],
    ];
    const deadline = Date.now() + 120_000;
    while (Object.keys(seen).length < 5 && Date.now() < deadline) {
      await Promise.all(
        checks.map(async ([name, check]) => {
          if (seen[name] === undefined && (await check())) seen[name] = Date.now();
        }),
      );
      const event = events.find((e) => e.at >= sinceHostMs && healthIn(e) === status);
      if (seen['watch'] === undefined && event) seen['watch'] = event.at;
      if (Object.keys(seen).length < 5) await new Promise((r) => setTimeout(r, 100));
    }
    expect(Object.keys(seen).sort()).toEqual(['device class', 'metrics', 'readyz', 'volume health', 'watch']);
    return seen;
  }

  /** Asserts every surface showed it within WITHIN_MS of `reachedHostMs`, and records the delays. */
  function expectWithin(status: string, seen: Record<string, number>, reachedHostMs: number, what: string): void {
    const delays = Object.fromEntries(Object.entries(seen).map(([k, t]) => [k, Math.round(t - reachedHostMs)]));
    measured.push(`${status}: shown ${JSON.stringify(delays)} ms after ${what}`);
    for (const [surface, ms] of Object.entries(delays)) {
      expect({ surface, ms, within: ms <= WITHIN_MS }).toEqual({ surface, ms, within: true });
    }
  }

  it('shows a gradual fill, which raises no kernel event, within 5 s: 37.5 %, then low-water', async () => {
    await api.createLogicalVolume('keep', { sizeBytes: 32 * MiB });
    await api.createLogicalVolume('fill', { sizeBytes: 128 * MiB });
    await node.control.writePattern(`/dev/${VG}/keep`, 0, 24 * MiB, 'K');
    const written = Date.now();
    for (let i = 0; (await poolHealth()).dataPercent !== 37.5; i++) {
      if (i > 100) throw new Error(`dataPercent stays ${(await poolHealth()).dataPercent}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const shown = Date.now() - written;
    measured.push(`37.5 % (24 MiB written, no kernel event): shown ${shown} ms after the write returned`);
    expect(shown).toBeLessThanOrEqual(WITHIN_MS);
    expect((await poolHealth()).health).toMatchObject({ status: 'ok', dataUsedBytes: 24 * MiB, dataSizeBytes: POOL_BYTES });

    await node.control.writePattern(`/dev/${VG}/fill`, 0, 28 * MiB, 'F');
    const filled = Date.now();
    expectWithin('low-water', await firstSeen('low-water', true, filled - 2000), filled, 'the write returned');
    const pool = await poolHealth();
    expect(pool).toMatchObject({ dataPercent: 81.25, health: { status: 'low-water', reason: expect.stringMatching(/warning threshold/) } });
    const ready = JSON.parse((await get('/readyz')).text) as { checks: Array<{ name: string; ok: boolean; detail?: string }> };
    expect(ready.checks).toContainEqual({ name: `thin-pool-health ${VG}/${POOL}`, ok: true, detail: expect.stringMatching(/^low-water: /) });
  }, 180_000);

  let pendingWrite: Promise<unknown>;

  it('shows running out of data space (queue IO) within 5 s of the kernel switching, everywhere', async () => {
    // 32 MiB more into fill: 12 MiB beyond the pool; the fsync blocks while the pool queues
    pendingWrite = node.control.writePattern(`/dev/${VG}/fill`, 28 * MiB, 32 * MiB, 'G', { timeoutMs: 300_000 }).then(
      () => 'written',
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    );
    const seen = await firstSeen('out-of-data-space', false, Date.now());
    const switched = (await kernelTime(/switching pool to out-of-data-space \(queue IO\) mode/)) - (await clockOffset());
    expectWithin('out-of-data-space', seen, switched * 1000, 'the kernel switched the pool');
    const pool = await poolHealth();
    expect(pool).toMatchObject({ dataPercent: 100, health: { status: 'out-of-data-space', reason: expect.stringMatching(/queue IO/) } });
    for (const v of await api.listLogicalVolumes('thin')) {
      expect(v.health).toEqual({ healthy: false, reason: expect.stringMatching(new RegExp(`^thin pool ${POOL}: .*queue IO`)) });
    }
    const metrics = (await get('/metrics')).text;
    expect(metric(metrics, 'topolvm_thinpool_data_percent{node="fillnode",device_class="thin"}')).toBe(100);
    expect(events.some((e) => e.event === 'logical-volume' && e.data.type === 'updated' && e.data.volume?.name === 'keep' && !e.data.volume.health.healthy)).toBe(true);
  }, 180_000);

  it('shows the switch to error IO (after no_space_timeout) within 5 s, and the queued write fails', async () => {
    const seen = await firstSeen('error-io', false, Date.now() - 15_000);
    const switched = (await kernelTime(/switching pool to out-of-data-space \(error IO\) mode/)) - (await clockOffset());
    expectWithin('error-io', seen, switched * 1000, 'the kernel switched the pool');
    expect((await api.getLogicalVolume('fill')).health.reason).toMatch(/error IO/);
    expect(await pendingWrite).toMatch(/EIO|I\/O error|500/);
  }, 180_000);

  it('returns to healthy when space is freed by deleting a volume that holds data', async () => {
    const deleting = Date.now();
    await api.deleteLogicalVolume('keep');
    const freed = Date.now();
    expectWithin('ok', await firstSeen('ok', true, deleting), freed, 'the delete returned');
    const switched = (await kernelTime(/switching pool to write mode/)) - (await clockOffset());
    expect(switched * 1000).toBeLessThanOrEqual(freed + 1000);
    expect(await poolHealth()).toMatchObject({ dataPercent: 62.5, health: { status: 'ok', dataUsedBytes: 40 * MiB } });
    expect((await get('/readyz')).status).toBe(200);
    expect(events.some((e) => e.event === 'logical-volume' && e.data.type === 'updated' && e.data.volume?.name === 'fill' && e.data.volume.health.healthy)).toBe(true);
  }, 180_000);

  it('an idle pool costs no process: one sleeping dmsetup wait, no dmsetup or lvm call for 20 s', async () => {
    expect((await poolHealth()).health.status).toBe('ok');
    const calls = async () => {
      const text = (await get('/metrics')).text;
      const sum = (prefix: string) =>
        text
          .split('\n')
          .filter((l) => l.startsWith(prefix))
          .reduce((n, l) => n + Number(l.split(' ').at(-1)), 0);
      return { dmsetup: sum('lvmd_dmsetup_invocations_total{'), lvm: sum('lvmd_lvm_invocations_total{') };
    };
    // (what it costs in CPU is measured by the benchmark, tools/bench/src/pool-monitor.ts)
    const before = await calls();
    await new Promise((r) => setTimeout(r, 20_000));
    expect(await calls()).toEqual(before);
    const { processes } = await node.control.processes();
    const lvmd = processes.find((p) => p.argv.some((a) => a.endsWith('apps/lvmd-http/dist/main.js')));
    const waits = processes.filter(isDmsetup);
    expect(waits.map((p) => p.argv.slice(-3))).toEqual([['wait', `${VG}-${POOL}-tpool`, expect.stringMatching(/^\d+$/)]]);
    expect(waits[0]?.ppid).toBe(lvmd?.pid);
  }, 120_000);

  it('leaves no dmsetup wait behind when SIGKILLed, waits again after a restart, and ends it on SIGTERM', async () => {
    const dmsetups = async () => (await node.control.processes()).processes.filter(isDmsetup);
    expect(await dmsetups()).toHaveLength(1);
    expect(await node.control.killService(SERVICE, 'SIGKILL')).toMatchObject({ running: false });
    for (let i = 0; (await dmsetups()).length > 0; i++) {
      if (i > 50) throw new Error(`left behind: ${JSON.stringify(await dmsetups())}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await node.control.startService(SERVICE);
    await node.waitForHttp(PORT, '/readyz', { timeoutMs: 120_000 });
    expect((await poolHealth()).health.status).toBe('ok');
    for (let i = 0; (await dmsetups()).length !== 1; i++) {
      if (i > 100) throw new Error(`no dmsetup wait after the restart: ${JSON.stringify(await dmsetups())}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await node.control.killService(SERVICE, 'SIGTERM')).toMatchObject({ running: false, exitCode: 0 });
    expect(await dmsetups()).toEqual([]);
  }, 300_000);
});
