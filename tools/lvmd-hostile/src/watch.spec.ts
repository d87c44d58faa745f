/**
 * Watch clients that stop reading, against lvmd-http as a process: dozens of streams that
 * send their request and never read, and a few that read in rare bursts, while volumes
 * with large events (32 tags of 120 characters: about 4.5 KiB per volume event) are
 * created and deleted as fast as lvmd-http takes them. lvmd-http must close the
 * stalled streams itself (slow-client or stalled), keep its memory bounded while they
 * stall (keeping every event for every stalled client would cost hundreds of MiB here)
 * and give it back once they are gone, and every bursty client, applying the events as
 * docs/lvmd-http.md says and resuming with Last-Event-ID when closed, must converge to
 * lvmd-http's state.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LogicalVolume } from '@copse/lvmd-api';
import { Daemon, MiB } from './daemon';
import { metricSum } from './probe';
import { RUN, runSeed } from './run-sizes';
import { Rng } from './rng';
import { BurstWatcher, watchRequest } from './watch-client';
import { revisionOf } from './watch-model';
import { connect, type Endpoint } from './wire';

jest.setTimeout(300_000);

const WATCH_BUFFER = '64Ki';
const STALL_TIMEOUT_S = 3;
/** what lvmd-http's resident memory may grow by while the clients stall */
const RSS_GROWTH_LIMIT = 96 * MiB;
const TAGS = Array.from({ length: 32 }, (_v, i) => `${String(i).padStart(2, '0')}${'t'.repeat(118)}`);
/** volumes alive at once at most */
const LIVE = 40;

/** A client that sends its request and never reads a byte. */
function stalledWatcher(e: Endpoint): { destroy: () => void } {
  const socket = connect(e);
  socket.on('error', () => undefined);
  socket.once('connect', () => socket.write(watchRequest()));
  socket.pause();
  return { destroy: () => socket.destroy() };
}

function summary(v: LogicalVolume): string {
  return `${v.volumeGroup}/${v.name} ${v.sizeBytes} ${v.state} ${v.tags.length}`;
}

describe('stalled watch clients', () => {
  let dir: string;
  let d: Daemon;
  const seed = runSeed();

  beforeAll(async () => {
    process.stdout.write(`lvmd-hostile watch: HOSTILE_SEED=${seed}\n`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvmd-hostile-watch-'));
    d = await Daemon.start({ dir, listen: 'unix', args: ['--watch-buffer', WATCH_BUFFER, '--watch-stall-timeout', String(STALL_TIMEOUT_S)] });
  });

  afterAll(async () => {
    await d?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('closes them, keeps memory bounded and returns it, and bursty clients converge', async () => {
    const rng = new Rng(seed);
    const client = d.client();
    const rssBefore = d.rssBytes();
    const fdsBefore = d.fdCount();
    const closedBefore = await metricSum(d, 'lvmd_watch_streams_closed_total');
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, d.rssBytes())), 200);

    const stalled = Array.from({ length: RUN.stalledWatchers }, () => stalledWatcher(d.endpoint));
    const bursty = Array.from({ length: RUN.burstWatchers }, () => new BurstWatcher(d.endpoint, rng));

    // the changes: creates and deletes of volumes with large events, 4 at a time
    const started = Date.now();
    const live: string[] = [];
    let made = 0;
    let changes = 0;
    const worker = async () => {
      while (changes < RUN.watchChanges) {
        changes++;
        if (live.length >= LIVE || (live.length > 0 && rng.chance(0.4))) {
          const name = live.splice(rng.int(0, live.length - 1), 1)[0]!;
          await client.deleteLogicalVolume(name);
        } else {
          const name = `w${made++}`;
          live.push(name);
          await client.createLogicalVolume(name, { sizeBytes: MiB, tags: TAGS });
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: 4 }, worker));
    } finally {
      clearInterval(sampler);
    }
    const changesMs = Date.now() - started;

    // every stalled client was closed by lvmd-http: its streams go down to the bursty clients'
    // (a paused socket does not see its peer close, so this is read on lvmd-http's side)
    const closeDeadline = Date.now() + (STALL_TIMEOUT_S + 5 + 30) * 1000;
    let streams = await metricSum(d, 'lvmd_watch_streams');
    while (streams > bursty.length && Date.now() < closeDeadline) {
      await new Promise((r) => setTimeout(r, 250));
      streams = await metricSum(d, 'lvmd_watch_streams');
    }
    const outcome = streams <= bursty.length ? 'closed' : `${streams} streams open`;
    const closedByServer = (await metricSum(d, 'lvmd_watch_streams_closed_total')) - closedBefore;
    const slowClient = await metricSum(d, 'lvmd_watch_streams_closed_total', { reason: 'slow-client' });
    const stalledReason = await metricSum(d, 'lvmd_watch_streams_closed_total', { reason: 'stalled' });

    // bursty clients read everything now, and must converge to a fresh snapshot's state
    for (const b of bursty) b.readAll();
    const fresh = new BurstWatcher(d.endpoint, rng);
    fresh.readAll();
    const deadline = Date.now() + 60_000;
    while (fresh.model.lastId === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const target = revisionOf(fresh.model.lastId ?? '0-0');
    const caughtUp = () => bursty.every((b) => b.model.lastId !== undefined && revisionOf(b.model.lastId) >= target);
    while (!caughtUp() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const list = (await client.listLogicalVolumes()).map(summary);
    const classes = (await client.listDeviceClasses()).map((c) => `${c.name} ${c.freeBytes}`);
    const views = bursty.map((b) => ({ volumes: b.model.volumeList().map(summary), classes: b.model.deviceClasses.map((c) => `${c.name} ${c.freeBytes}`) }));
    const reconnects = bursty.map((b) => b.connections - 1);
    const burstReasons = bursty.flatMap((b) => b.closeReasons);
    for (const b of [...bursty, fresh]) b.stop();
    for (const s of stalled) s.destroy();
    await client.close();

    // memory returned: after the clients left, and a few seconds for V8
    await new Promise((r) => setTimeout(r, 5000));
    const rssAfter = d.rssBytes();
    let fdsAfter = d.fdCount();
    for (let i = 0; i < 25 && fdsAfter > fdsBefore + 2; i++) {
      await new Promise((r) => setTimeout(r, 200));
      fdsAfter = d.fdCount();
    }
    const streamsAfter = await metricSum(d, 'lvmd_watch_streams');
    const closedAtEnd = (await metricSum(d, 'lvmd_watch_streams_closed_total')) - closedBefore;
    process.stdout.write(
      `lvmd-hostile watch: ${RUN.watchChanges} changes in ${changesMs} ms with ${stalled.length} stalled and ${bursty.length} bursty clients; ` +
        `streams closed by lvmd-http ${closedByServer} (slow-client ${slowClient}, stalled ${stalledReason}); bursty reconnects ${JSON.stringify(reconnects)} reasons ${JSON.stringify(burstReasons.reduce<Record<string, number>>((m, r) => ({ ...m, [r]: (m[r] ?? 0) + 1 }), {}))}; ` +
        `streams closed by lvmd-http by the end ${closedAtEnd}; RSS ${Math.round(rssBefore / MiB)} -> peak ${Math.round(rssPeak / MiB)} -> after ${Math.round(rssAfter / MiB)} MiB; fds ${fdsBefore} -> ${fdsAfter}\n`,
    );

    expect(outcome).toBe('closed');
    expect(closedByServer).toBeGreaterThanOrEqual(stalled.length);
    expect(slowClient + stalledReason).toBeGreaterThanOrEqual(stalled.length);
    expect(caughtUp()).toBe(true);
    for (const v of views) {
      expect(v.volumes).toEqual(list);
      expect(v.classes).toEqual(classes);
    }
    expect(d.alive).toBe(true);
    expect(rssPeak - rssBefore).toBeLessThan(RSS_GROWTH_LIMIT);
    expect(rssAfter - rssBefore).toBeLessThan(RSS_GROWTH_LIMIT);
    expect(rssAfter).toBeLessThanOrEqual(rssPeak);
    expect(streamsAfter).toBe(0);
    // every close a bursty client read, and every stalled client's, is counted
    expect(closedAtEnd).toBeGreaterThanOrEqual(burstReasons.filter((r) => r === 'slow-client' || r === 'stalled').length + stalled.length);
    expect(fdsAfter).toBeLessThanOrEqual(fdsBefore + 2);
  });
});
