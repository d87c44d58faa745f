// Benchmark of libs/controller-runtime against the API test server: an informer (with a
// controller's queue and 4 workers behind it) syncing 10,000 LogicalVolumes, then 1,000
// updates a second. Three processes, so that each figure belongs to one of them: the API test
// server, the load generator (kube-load.ts), and this one, which is the controller measured.
// Also the server's own figures (a list of 10,000; a watch fan-out to 20 watchers).
// Run: npx nx run @copse/bench:bench-informer   (prints a Markdown section for docs/benchmarks.md)
// Environment: BENCH_RUNS ("1000x30,300x20": rate/s x seconds), BENCH_OBJECTS, BENCH_CPU_PROF (a
// directory for the server's and load generator's CPU profiles), BENCH_SERVER_FIGURES=0,
// BENCH_SERVER_CLI (another build of the server's cli.js, for before/after comparisons), BENCH_SERVER_NODE_ARGS
// (node flags for the server; default --max-semi-space-size=64, "" for V8's defaults).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { Controller, informerFor } from '@copse/controller-runtime';
import { nameSet, type LogicalVolume } from '@copse/k8s-crd';
import { nowMs, percentile, schedOf, SENT_AT } from './kube-load';

const root = join(__dirname, '../../..');
const OBJECTS = Number(process.env['BENCH_OBJECTS'] ?? 10_000);
/** Update phases as rate/s x seconds: the target rate, then one the server keeps up with. */
const RUNS: [number, number][] = (process.env['BENCH_RUNS'] ?? '1000x30,300x20').split(',').map((r) => r.split('x').map(Number) as [number, number]);
const names = nameSet();
/** A directory for V8 CPU profiles of the server and load generator (node --cpu-prof); profile this process with `node --cpu-prof dist/informer.js`. */
const CPU_PROF = process.env['BENCH_CPU_PROF'];
/** BENCH_SERVER_FIGURES=0 skips the server's own figures (list, fan-out): quicker runs while profiling. */
const SERVER_FIGURES = process.env['BENCH_SERVER_FIGURES'] !== '0';

function profArgs(): string[] {
  return CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : [];
}

/**
 * V8 flags for the server's process. At 1,000 writes a second the server allocates some 150 MB
 * a second (about 150 KB per merge patch); with V8's default young generation (16 MB
 * semi-spaces) that is a scavenge every 60 to 100 ms, each a pause of 4 to 20 ms (and far more when the machine is busy: a parallel
 * scavenge waits for its helper threads), which every request in flight waits out. A larger
 * young generation makes them rare; the work per scavenge (copying what survives) stays the
 * same. BENCH_SERVER_NODE_ARGS overrides ("" for V8's defaults).
 */
const SERVER_NODE_ARGS = (process.env['BENCH_SERVER_NODE_ARGS'] ?? '--max-semi-space-size=64').split(' ').filter(Boolean);


function mb(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(0);
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function startServer(dir: string): Promise<{ child: ChildProcess; kubeconfig: string }> {
  const kubeconfig = join(dir, 'kubeconfig');
  // BENCH_SERVER_CLI: another build of the server (say, of an older commit) to compare with
  const cli = process.env['BENCH_SERVER_CLI'] ?? join(root, 'tools/kube-test-apiserver/dist/cli.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: build @copse/kube-test-apiserver first`);
  const crd = join(root, 'deploy/crds', names.group, 'logicalvolumes.yaml');
  const child = spawn(process.execPath, [...SERVER_NODE_ARGS, ...profArgs(), cli, '--port', '0', '--kubeconfig', kubeconfig, '--no-snapshot-crds', '--crd', crd, '--log-level', 'warn'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the API test server exited with ${child.exitCode}`);
    if (existsSync(kubeconfig) && readFileSync(kubeconfig, 'utf8').includes('server:')) {
      const kc = new KubeConfig();
      kc.loadFromFile(kubeconfig);
      try {
        const res = await fetch(`${kc.getCurrentCluster()?.server}/apis/${names.group}/v1/logicalvolumes?limit=1`);
        if (res.ok) break;
      } catch {
        // not listening yet
      }
    }
    if (Date.now() > deadline) throw new Error('the API test server did not come up');
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, kubeconfig };
}

function load(kubeconfig: string, ...args: (string | number)[]): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...profArgs(), join(__dirname, 'kube-load.js'), ...args.map(String)],
      { env: { ...process.env, KUBECONFIG: kubeconfig, LV_GROUP: names.group, OBJECTS: String(OBJECTS) }, maxBuffer: 1 << 20 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`kube-load ${args.join(' ')}: ${err.message}\n${stderr}`));
        else resolve(JSON.parse(stdout.trim().split('\n').at(-1) as string) as Record<string, number>);
      },
    );
  });
}

/**
 * The server's watch fan-out: `watchers` watches in one load-generator process, the updates
 * (`rate` a second for `seconds`) from another, so that neither side's client work is in the
 * other's way. Answers the watch process's figures and the updater's.
 */
async function fanOut(kubeconfig: string, watchers: number, rate: number, seconds: number): Promise<Record<string, number>> {
  const child = spawn(process.execPath, [...profArgs(), join(__dirname, 'kube-load.js'), 'watch', String(watchers)], {
    env: { ...process.env, KUBECONFIG: kubeconfig, LV_GROUP: names.group, OBJECTS: String(OBJECTS) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  let buffered = '';
  let wake: () => void = () => undefined;
  child.stdout?.on('data', (d: Buffer) => {
    buffered += d.toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      lines.push(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
    }
    wake();
  });
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  const nextLine = async (): Promise<Record<string, number>> => {
    while (lines.length === 0) {
      if (child.exitCode !== null) throw new Error(`kube-load watch exited with ${child.exitCode}`);
      await Promise.race([new Promise<void>((r) => (wake = r)), exited]);
    }
    return JSON.parse(lines.shift() as string) as Record<string, number>;
  };
  await nextLine(); // every stream is open
  const sent = await load(kubeconfig, 'update', rate, seconds, OBJECTS);
  child.stdin?.end(`${Number(sent['sent']) - Number(sent['failed'])}\n`);
  const result = await nextLine();
  await exited;
  return { ...result, updaterCpu: Number(sent['cpu']) };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'copse-bench-informer-'));
  const load0 = loadavg()[0] as number;
  const { child: server, kubeconfig } = await startServer(dir);
  try {
    const populated = await load(kubeconfig, 'populate', OBJECTS, 32);
    const listed = SERVER_FIGURES ? await load(kubeconfig, 'list', 5) : {};
    const fan = SERVER_FIGURES ? await fanOut(kubeconfig, 20, 1000, 1) : {};

    // --- the controller under test, in this process
    gc();
    const baseline = process.memoryUsage();
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    const informer = informerFor<LogicalVolume>(kc, names.logicalVolumes);
    let measuring = false;
    let reconciles = 0;
    /** When the informer delivered each object's latest update (its handlers run as the event is parsed). */
    const received = new Map<string, number>();
    let sample = { endToEnd: [] as number[], queue: [] as number[], delivery: [] as number[] };
    const controller = new Controller<string>({
      name: 'bench',
      concurrency: 4,
      reconcile: async (key) => {
        reconciles += 1;
        const now = nowMs();
        const sentAt = Number(informer.get(key)?.metadata?.annotations?.[SENT_AT]);
        const receivedAt = received.get(key);
        if (!measuring || !sentAt || receivedAt === undefined) return;
        sample.endToEnd.push(now - sentAt);
        sample.queue.push(now - receivedAt);
        sample.delivery.push(receivedAt - sentAt);
        received.delete(key);
      },
    });
    informer.on('update', (lv) => {
      if (measuring) received.set(lv.metadata?.name as string, nowMs());
    });
    controller.watch(informer);
    controller.start();
    const started = performance.now();
    informer.start();
    await informer.waitForSync();
    const syncedMs = performance.now() - started;
    const atSync = process.memoryUsage();
    while (controller.queue.len() > 0 || controller.queue.processingCount() > 0) await new Promise((r) => setTimeout(r, 5));
    const drainedMs = performance.now() - started;
    const initialReconciles = reconciles;
    gc();
    const afterGc = process.memoryUsage();

    let peakRss = 0;
    let peakHeap = 0;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    }, 100);
    const runs: { rate: number; seconds: number; sent: Record<string, number>; sample: typeof sample; cpu: { server: number; serverWait: number; informer: number; informerWait: number }; load: number[] }[] = [];
    for (const [rate, seconds] of RUNS) {
      sample = { endToEnd: [], queue: [], delivery: [] };
      received.clear();
      measuring = true;
      const loadBefore = loadavg()[0] as number;
      const server0 = schedOf(server.pid as number);
      const own0 = schedOf('self');
      const wall0 = performance.now();
      const sent = await load(kubeconfig, 'update', rate, seconds, OBJECTS);
      const wall = (performance.now() - wall0) / 1000;
      const server1 = schedOf(server.pid as number);
      const own1 = schedOf('self');
      const cpu = {
        server: (server1.run - server0.run) / wall,
        serverWait: (server1.wait - server0.wait) / wall,
        informer: (own1.run - own0.run) / wall,
        informerWait: (own1.wait - own0.wait) / wall,
      };
      await new Promise((r) => setTimeout(r, 1000)); // the last events
      measuring = false;
      for (const list of Object.values(sample)) list.sort((a, b) => a - b);
      runs.push({ rate, seconds, sent, sample, cpu, load: [loadBefore, loadavg()[0] as number] });
    }
    clearInterval(sampler);
    const end = process.memoryUsage();
    await controller.stop();
    await informer.stop();
    const ms = (sorted: number[]) => `${percentile(sorted, 50).toFixed(1)} / ${percentile(sorted, 99).toFixed(1)} ms`;
    const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
    const updateRows = runs.flatMap(({ rate, seconds, sent, sample: s, cpu, load: [l0, l1] }) => [
      `| **${rate}/s for ${seconds} s** (load average ${l0?.toFixed(2)} before, ${l1?.toFixed(2)} after): updates sent | ${sent['sent']} at ${Number(sent['perSecond']).toFixed(0)}/s (${sent['failed']} failed); the server acknowledged each write in p50 ${Number(sent['writeP50']).toFixed(1)} ms, p99 ${Number(sent['writeP99']).toFixed(1)} ms | ${rate === 1000 ? '1000/s' : ''} |`,
      `| how far behind its schedule the writer sent (its own waits for a CPU, and its cap of 64 writes in flight when the server falls behind; not in the latencies below, which start when each update is sent), p50 / p99 | ${Number(sent['lagP50']).toFixed(1)} / ${Number(sent['lagP99']).toFixed(1)} ms | |`,
      `| update sent -> reconcile ran, p50 / p99 (n = ${s.endToEnd.length}) | ${ms(s.endToEnd)} | ${rate === 1000 ? 'p99 < 50 ms' : ''} |`,
      `| of which: sent -> informer handler (server, network, client-node's parse) | ${ms(s.delivery)} | |`,
      `| of which: informer handler -> reconcile (queue and workers: Copse) | ${ms(s.queue)} | |`,
      `| main thread on a CPU, share of the time: the server / the load generator / the informer's process | ${pct(cpu.server)} / ${pct(Number(sent['cpu']))} / ${pct(cpu.informer)} | |`,
      `| main thread runnable but waiting for a CPU (other processes), share of the time: the server / the load generator / the informer's process | ${pct(cpu.serverWait)} / ${pct(Number(sent['cpuWait']))} / ${pct(cpu.informerWait)} | |`,
    ]);
    const date = new Date().toISOString();
    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    const lines = [
      `## Informer and controller queue (libs/controller-runtime, \`npx nx run @copse/bench:bench-informer\`)`,
      '',
      `Measured ${date} with \`tools/bench/src/informer.ts\`: ${cpus().length} x ${cpu}, ${mb(totalmem())} MiB, Node ${process.version};`,
      `load average ${load0.toFixed(2)} at the start (other work on the machine), ${(loadavg()[0] as number).toFixed(2)} at the end.`,
      `Three processes: the API test server (node ${SERVER_NODE_ARGS.join(' ') || 'with V8 defaults'}), the load generator (kube-load.ts, its own process), and the controller measured`,
      `(an informer on LogicalVolumes with a 4-worker controller queue behind it; reconcile reads the object from the cache).`,
      '',
      '| figure | measured | target |',
      '| --- | --- | --- |',
      `| time to synced, ${OBJECTS} LogicalVolumes (paginated list of 500) | ${(syncedMs / 1000).toFixed(2)} s | < 3 s |`,
      `| time until the ${initialReconciles} initial reconciles are done | ${(drainedMs / 1000).toFixed(2)} s | |`,
      `| RSS at sync / after GC / peak during updates | ${mb(atSync.rss)} / ${mb(afterGc.rss)} / ${mb(peakRss)} MiB (before the informer: ${mb(baseline.rss)} MiB) | < 200 MB |`,
      `| heap used at sync / after GC / peak during updates | ${mb(atSync.heapUsed)} / ${mb(afterGc.heapUsed)} / ${mb(peakHeap)} MiB (before the informer: ${mb(baseline.heapUsed)} MiB) | |`,
      ...updateRows,
      `| RSS at the end | ${mb(end.rss)} MiB | |`,
      '',
      'The API test server alone (same run, before the informer started):',
      '',
      '| figure | measured |',
      '| --- | --- |',
      `| create ${OBJECTS} LogicalVolumes and set their status (32 at once) | ${Number(populated['seconds']).toFixed(1)} s |`,
      ...(SERVER_FIGURES ? [`| list of ${listed['items']} (${(Number(listed['bytes']) / 2 ** 20).toFixed(1)} MiB), one request, p50 of ${listed['runs']} | ${Number(listed['fullMs']).toFixed(0)} ms |`,
      `| the same in pages of 500, p50 of ${listed['runs']} | ${Number(listed['pagedMs']).toFixed(0)} ms |`,
      `| watch fan-out: ${fan['updates']} updates at 1000/s to ${fan['watchers']} watchers (in another process than the updates), sent -> received p50 / p99 | ${Number(fan['p50']).toFixed(1)} / ${Number(fan['p99']).toFixed(1)} ms (${fan['delivered']} of ${fan['expected']} events delivered; the watchers' process on a CPU ${pct(Number(fan['cpu']))} of the time, the updater's ${pct(Number(fan['updaterCpu']))}) |`] : []),
      '',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
