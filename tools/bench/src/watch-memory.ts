// Benchmark (not a test) of lvmd-http's memory under watch clients that stop reading
// (issue 6, finding 5): lvmd-http on the simulated lvm2 as its own process, N watch
// clients on its unix socket that read nothing, and a steady rate of changes (creates
// and deletes, each publishing a volume and a capacity event) for a while; lvmd-http's
// resident memory (VmRSS from /proc) is sampled every second, during the load and after
// the stalled clients left.
//
// A stalled client never reads again, so it does not even notice when lvmd-http closes
// it (a paused socket sees no end of stream), as a hung process would not; "the clients
// leave" destroys their sockets.
//
// Run: npm run bench:watch -w @copse/bench
// Env: BENCH_CLIENTS (20) BENCH_RATE (changes/s, 200) BENCH_SECONDS (60) BENCH_AFTER_SECONDS (30)
//      BENCH_WORKSPACE (a checkout whose apps/lvmd-http/dist/main.js to run; default this one)
// Prints a Markdown section for docs/benchmarks.md.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { LvmdClient } from '@copse/lvmd-api';

const root = join(__dirname, '../../..');
const workspace = process.env.BENCH_WORKSPACE ?? root;
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 20);
const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const AFTER_SECONDS = Number(process.env.BENCH_AFTER_SECONDS ?? 30);
const MiB = 2 ** 20;

function rssMiB(pid: number): number {
  const kb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return kb / 1024;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A watch client that sends its request and then reads nothing. */
function stalledClient(path: string): Socket {
  const socket = connect({ path });
  socket.on('error', () => undefined);
  socket.once('connect', () => {
    socket.write('GET /v1/watch HTTP/1.1\r\nHost: localhost\r\n\r\n');
    socket.pause();
  });
  return socket;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'copse-watch-bench-'));
  const socket = join(dir, 'lvmd.sock');
  const child = spawn(
    process.execPath,
    [
      join(workspace, 'apps/lvmd-http/dist/main.js'),
      '--config', join(root, 'apps/lvmd-http/dev/lvmd.yaml'),
      '--backend', 'sim',
      '--listen', `unix:${socket}`,
      '--log-level', 'warn',
      '--sim-vg-size', '64Ti',
      '--sim-pool-size', '32Ti',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const pid = child.pid!;
  const client = new LvmdClient({ endpoint: `unix:${socket}` });
  const agent = new Agent({ connect: { socketPath: socket } });
  try {
    for (let i = 0; i < 400; i++) {
      try {
        await client.listDeviceClasses();
        break;
      } catch {
        await sleep(25);
      }
    }
    await sleep(1000);
    const samples: Array<{ t: number; rss: number; phase: string }> = [];
    const start = Date.now();
    const sample = (phase: string) => samples.push({ t: (Date.now() - start) / 1000, rss: rssMiB(pid), phase });
    sample('idle');

    const stalled = Array.from({ length: CLIENTS }, () => stalledClient(socket));
    await sleep(500);

    // RATE changes a second: create n, later delete it; at most 100 volumes exist at once
    let changes = 0;
    let failures = 0;
    const created: string[] = [];
    let next = 0;
    const change = async () => {
      try {
        if (created.length >= 100 || (created.length > 0 && changes % 2 === 1)) await client.deleteLogicalVolume(created.shift()!);
        else {
          const name = `w${next++}`;
          await client.createLogicalVolume(name, { sizeBytes: MiB });
          created.push(name);
        }
        changes++;
      } catch {
        failures++;
      }
    };
    const loadStart = Date.now();
    const sampler = setInterval(() => sample('load'), 1000);
    let inFlight = 0;
    while (Date.now() - loadStart < SECONDS * 1000) {
      const due = Math.floor(((Date.now() - loadStart) / 1000) * RATE);
      while (changes + failures + inFlight < due && inFlight < 4) {
        inFlight++;
        void change().finally(() => inFlight--);
      }
      await sleep(2);
    }
    while (inFlight > 0) await sleep(5);
    clearInterval(sampler);
    const loadSeconds = (Date.now() - loadStart) / 1000;
    sample('load');
    const metricsText = await (await request('http://localhost/metrics', { dispatcher: agent })).body.text();
    const closed = Object.fromEntries(
      [...metricsText.matchAll(/^lvmd_watch_streams_closed_total\{reason="([^"]+)"\} (\d+)$/gm)].map((m) => [m[1], Number(m[2])]),
    );
    const open = /^lvmd_watch_streams (\d+)$/m.exec(metricsText)?.[1] ?? 'n/a';
    for (const c of stalled) c.destroy();
    const leftAt = Date.now();
    const after = setInterval(() => sample('after'), 1000);
    await sleep(AFTER_SECONDS * 1000);
    clearInterval(after);

    const during = samples.filter((s) => s.phase === 'load');
    const peak = Math.max(...during.map((s) => s.rss));
    const at = (seconds: number) => samples.find((s) => s.phase === 'after' && s.t >= (leftAt - start) / 1000 + seconds - 0.5)?.rss;
    const end = samples.filter((s) => s.phase === 'after').at(-1)?.rss;
    const row = (label: string, v: number | undefined) => `| ${label} | ${v === undefined ? '-' : v.toFixed(0)} |`;
    const series = during.filter((_, i) => i % 10 === 0 || i === during.length - 1).map((s) => `${s.t.toFixed(0)} s: ${s.rss.toFixed(0)}`);
    console.log(
      [
        `### Stalled watch clients (${new Date().toISOString().slice(0, 10)}, ${workspace === root ? 'this checkout' : workspace})`,
        '',
        `Machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; load average ${loadavg()[0]!.toFixed(2)} at the end.`,
        `${CLIENTS} watch clients that read nothing, ${RATE} changes/s asked (${(changes / loadSeconds).toFixed(0)}/s done, ${failures} failed) for ${SECONDS} s, then the clients leave.`,
        '',
        '| lvmd-http RSS | MiB |',
        '| --- | --- |',
        row('idle, before the clients', samples[0]?.rss),
        row(`peak during the ${SECONDS} s`, peak),
        row('at the end of the load', during.at(-1)?.rss),
        row('5 s after the clients left', at(5)),
        row(`${AFTER_SECONDS} s after the clients left`, end),
        '',
        `During the load (MiB): ${series.join(', ')}.`,
        `Watch streams lvmd-http closed, by reason: ${JSON.stringify(closed)}; still open at the end of the load: ${open}.`,
      ].join('\n'),
    );
  } finally {
    await client.close();
    await agent.close();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
