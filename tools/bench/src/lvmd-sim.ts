// Benchmark of lvmd-http on the simulated lvm2, through its real unix socket:
// list latency with 1000 LVs, create and snapshot latency at concurrency 1 and 32,
// lvm invocations per operation and per idle minute (from lvmd-http's own metrics).
// Run: npm run bench  (prints a Markdown section for docs/benchmarks.md)
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { LvmdClient } from '@copse/lvmd-api';
import { startSimulatedLvmdHttp } from '@copse/testnode';

const root = join(__dirname, '../../..');
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 60_000);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function summary(ms: number[]): { p50: string; p99: string; n: number } {
  const s = [...ms].sort((a, b) => a - b);
  return { p50: percentile(s, 50).toFixed(2), p99: percentile(s, 99).toFixed(2), n: s.length };
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** Runs `count` operations with at most `concurrency` in flight; returns their latencies in ms. */
async function load(count: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        latencies.push(await timed(() => op(i)));
      }
    }),
  );
  return latencies;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'copse-bench-'));
  const socket = join(dir, 'lvmd.sock');
  const daemon = await startSimulatedLvmdHttp({
    workspaceRoot: root,
    configPath: join(root, 'apps/lvmd-http/dev/lvmd.yaml'),
    socket,
    extraArgs: ['--sim-vg-size', '64Ti', '--sim-pool-size', '32Ti', '--log-level', 'warn'],
  });
  try {
    const client = new LvmdClient({ endpoint: `unix:${socket}` });
    const agent = new Agent({ connect: { socketPath: socket } });
    const invocations = async (): Promise<Record<string, number>> => {
      const text = await (await request('http://localhost/metrics', { dispatcher: agent })).body.text();
      const counts: Record<string, number> = {};
      for (const m of text.matchAll(/^lvmd_lvm_invocations_total\{command="([^"]+)",exit_code="[^"]+"\} (\d+)$/gm)) {
        counts[m[1]!] = (counts[m[1]!] ?? 0) + Number(m[2]);
      }
      return counts;
    };
    const total = async () => Object.values(await invocations()).reduce((a, b) => a + b, 0);
    const GiB = 2 ** 30;
    const rows: string[] = [];

    // create at concurrency 1 and 32 (these also populate 1000 LVs for the list)
    let before = await total();
    const c1 = await load(200, 1, (i) => client.createLogicalVolume(`c1-${i}`, { sizeBytes: GiB }));
    const perCreate1 = ((await total()) - before) / 200;
    before = await total();
    const c32 = await load(800, 32, (i) => client.createLogicalVolume(`c32-${i}`, { sizeBytes: GiB }));
    const perCreate32 = ((await total()) - before) / 800;

    before = await total();
    const s1 = await load(200, 1, (i) => client.createSnapshot(`c1-${i}`, { name: `s1-${i}`, accessType: 'ro' }));
    const perSnap1 = ((await total()) - before) / 200;
    before = await total();
    const s32 = await load(200, 32, (i) => client.createSnapshot(`c32-${i}`, { name: `s32-${i}`, accessType: 'rw' }));
    const perSnap32 = ((await total()) - before) / 200;

    // list with 1000 (thin) LVs: delete the 400 snapshots first so that exactly 1000 remain
    await load(200, 8, (i) => client.deleteLogicalVolume(`s1-${i}`));
    await load(200, 8, (i) => client.deleteLogicalVolume(`s32-${i}`));
    const listed = (await client.listLogicalVolumes('thin')).length;
    before = await total();
    const list = await load(500, 1, () => client.listLogicalVolumes('thin'));
    const listInvocations = (await total()) - before;

    before = await total();
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const idle = (await total()) - before;

    const row = (what: string, ms: number[], calls?: number) => {
      const s = summary(ms);
      rows.push(`| ${what} | ${s.n} | ${s.p50} | ${s.p99} | ${calls === undefined ? '' : calls.toFixed(2)} |`);
    };
    row(`list ${listed} LVs (from cache)`, list, listInvocations / 500);
    row('create thin LV, concurrency 1', c1, perCreate1);
    row('create thin LV, concurrency 32', c32, perCreate32);
    row('snapshot ro, concurrency 1', s1, perSnap1);
    row('snapshot rw, concurrency 32', s32, perSnap32);
    const out = [
      `### lvmd-http on the simulated lvm2 (${new Date().toISOString().slice(0, 10)})`,
      '',
      `Machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}.`,
      'Over the unix socket with the typed undici client; lvm invocations from lvmd-http\'s own `lvmd_lvm_invocations_total`.',
      '',
      '| operation | n | p50 ms | p99 ms | lvm invocations per op |',
      '| --- | --- | --- | --- | --- |',
      ...rows,
      '',
      `lvm invocations in an idle ${IDLE_MS / 1000} s (refresh interval 600 s): ${idle}.`,
      `Invocations by command over the whole run: ${JSON.stringify(await invocations())}.`,
    ];
    console.log(out.join('\n'));
    await client.close();
    await agent.close();
  } finally {
    await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
