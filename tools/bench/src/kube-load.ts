// Load generator for the informer benchmark (informer.ts), in its own process so that its
// CPU and memory are neither the API test server's nor the informer's. One JSON line of
// results on stdout per run.
//
//   node dist/kube-load.js populate <count> <concurrency>
//   node dist/kube-load.js list <runs>
//   node dist/kube-load.js update <perSecond> <seconds> <objects>
//   node dist/kube-load.js watch <watchers>      (then the update count on stdin)
//
// KUBECONFIG names the server; LV_GROUP the LogicalVolume API group.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { KubeConfig } from '@kubernetes/client-node';
import { Agent, request } from 'undici';

export const SENT_AT = 'bench.copse.io/sent-at';

/** Wall-clock ms with sub-ms precision, comparable across processes on one machine. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/**
 * A process's main thread (where its JavaScript runs) from the scheduler's side, in seconds:
 * time on a CPU, and time runnable but waiting for one (/proc/PID/schedstat). The second is
 * what the rest of the machine costs it.
 */
export function schedOf(pid: number | 'self'): { run: number; wait: number } {
  const [run, wait] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(' ').map(Number);
  return { run: (run as number) / 1e9, wait: (wait as number) / 1e9 };
}

export function lvName(i: number): string {
  return `bench-${String(i).padStart(5, '0')}`;
}

interface Target {
  base: string;
  headers: Record<string, string>;
  collection: string;
}

async function target(): Promise<Target> {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('no current cluster in KUBECONFIG');
  const options: { headers?: Record<string, string> } = {};
  await kc.applyToHTTPSOptions(options as never);
  const group = process.env['LV_GROUP'];
  if (!group) throw new Error('LV_GROUP is not set');
  return { base: cluster.server, headers: options.headers ?? {}, collection: `/apis/${group}/v1/logicalvolumes` };
}

const agent = new Agent({ connections: 64, pipelining: 1, keepAliveTimeout: 30_000 });

async function call(t: Target, method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown, contentType = 'application/json'): Promise<string> {
  const res = await request(`${t.base}${path}`, {
    method,
    dispatcher: agent,
    headers: { ...t.headers, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': contentType }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 300)}`);
  return text;
}

async function populate(count: number, concurrency: number): Promise<object> {
  const t = await target();
  const group = process.env['LV_GROUP'] as string;
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const name = lvName(i);
        await call(t, 'POST', t.collection, {
          apiVersion: `${group}/v1`,
          kind: 'LogicalVolume',
          metadata: { name, labels: { [`${group}/node`]: `node-${i % 100}` } },
          spec: { name, nodeName: `node-${i % 100}`, size: '1Gi', deviceClass: 'thin' },
        });
        // what a node writes once the LV exists, so that objects are their real size
        await call(
          t,
          'PATCH',
          `${t.collection}/${name}/status`,
          { status: { volumeID: `3f0c2a9e-${String(i).padStart(4, '0')}-4a51-9b7e-1c2d3e4f5a6b`, currentSize: '1Gi' } },
          'application/merge-patch+json',
        );
      }
    }),
  );
  return { created: count, seconds: (performance.now() - started) / 1000 };
}

async function list(runs: number): Promise<object> {
  const t = await target();
  const full: number[] = [];
  const paged: number[] = [];
  let bytes = 0;
  let items = 0;
  for (let r = 0; r < runs; r++) {
    let s = performance.now();
    const text = await call(t, 'GET', t.collection);
    full.push(performance.now() - s);
    bytes = text.length;
    items = (JSON.parse(text) as { items: unknown[] }).items.length;
    s = performance.now();
    let token: string | undefined;
    do {
      const page = JSON.parse(await call(t, 'GET', `${t.collection}?limit=500${token ? `&continue=${encodeURIComponent(token)}` : ''}`)) as {
        metadata: { continue?: string };
      };
      token = page.metadata.continue || undefined;
    } while (token);
    paged.push(performance.now() - s);
  }
  full.sort((a, b) => a - b);
  paged.sort((a, b) => a - b);
  return { items, bytes, fullMs: percentile(full, 50), pagedMs: percentile(paged, 50), runs };
}

const MAX_INFLIGHT = 64;

/**
 * Merge-patches random objects at a steady rate, stamping each with the time it was sent: the
 * moment the request goes to undici (which writes a request with a string body to its socket
 * within the call when a connection is free; there are 64 connections for at most 64 in
 * flight, so nothing queues in the client), not the moment the schedule named. A late writer (its own process waiting for a CPU) therefore adds nothing to
 * the latency measured downstream; how late it was is reported apart (`lagP50`, `lagP99`:
 * its own waits for a CPU, and the cap on writes in flight once the server falls behind).
 */
async function updateAtRate(t: Target, perSecond: number, seconds: number, objects: number): Promise<{ sent: number; failed: number; writeMs: number[]; lagMs: number[] }> {
  const total = Math.round(perSecond * seconds);
  const writeMs: number[] = [];
  /** Per write: sent minus due by the schedule (the writer's own lateness, not in the stamp). */
  const lagMs: number[] = [];
  let failed = 0;
  let sent = 0;
  const start = performance.now();
  const inflight = new Set<Promise<void>>();
  while (sent < total) {
    // send what the schedule says is due by now
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * perSecond) + 1);
    // at most MAX_INFLIGHT writes outstanding: a server slower than the schedule slows the sender
    while (sent < due && inflight.size < MAX_INFLIGHT) {
      const name = lvName(Math.floor(Math.random() * objects));
      const s = performance.now();
      lagMs.push(s - start - (sent / perSecond) * 1000);
      const p = call(t, 'PATCH', `${t.collection}/${name}`, { metadata: { annotations: { [SENT_AT]: nowMs().toFixed(3) } } }, 'application/merge-patch+json')
        .then(() => {
          writeMs.push(performance.now() - s);
        })
        .catch(() => {
          failed += 1;
        })
        .finally(() => inflight.delete(p));
      inflight.add(p);
      sent += 1;
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  await Promise.all(inflight);
  return { sent, failed, writeMs, lagMs };
}

async function update(perSecond: number, seconds: number, objects: number): Promise<object> {
  const t = await target();
  const started = performance.now();
  const sched0 = schedOf('self');
  const { sent, failed, writeMs, lagMs } = await updateAtRate(t, perSecond, seconds, objects);
  const elapsed = (performance.now() - started) / 1000;
  const sched1 = schedOf('self');
  writeMs.sort((a, b) => a - b);
  lagMs.sort((a, b) => a - b);
  return {
    sent,
    failed,
    perSecond: sent / elapsed,
    writeP50: percentile(writeMs, 50),
    writeP99: percentile(writeMs, 99),
    lagP50: percentile(lagMs, 50),
    lagP99: percentile(lagMs, 99),
    cpu: (sched1.run - sched0.run) / elapsed,
    cpuWait: (sched1.wait - sched0.wait) / elapsed,
  };
}

/**
 * `watchers` watches of the whole collection, from the current resourceVersion, in this process
 * (the updates come from another): prints {"ready":true} once every stream is open, then reads
 * "<count>" on stdin (how many updates were sent) and answers when every watcher has had that
 * many, or after 30 s. Each line is read for its type and sent-at stamp only (no JSON.parse), so
 * that the client costs little next to the server's fan-out it measures.
 */
async function watch(watchers: number): Promise<object> {
  const t = await target();
  const listed = JSON.parse(await call(t, 'GET', `${t.collection}?limit=1`)) as { metadata: { resourceVersion: string } };
  const rv = listed.metadata.resourceVersion;
  const latencies: number[] = [];
  const received = new Array<number>(watchers).fill(0);
  const stamp = new RegExp(`"${SENT_AT.replace(/[.]/g, '\\.')}":"([0-9.]+)"`);
  const streams = await Promise.all(
    Array.from({ length: watchers }, async (_, w) => {
      const abort = new AbortController();
      const res = await request(`${t.base}${t.collection}?watch=true&resourceVersion=${rv}`, {
        dispatcher: agent,
        headers: { ...t.headers, accept: 'application/json' },
        signal: abort.signal,
      });
      let buffer = '';
      const done = (async () => {
        try {
          for await (const chunk of res.body) {
            const at = nowMs();
            buffer += chunk.toString();
            let nl: number;
            while ((nl = buffer.indexOf('\n')) >= 0) {
              const line = buffer.slice(0, nl);
              buffer = buffer.slice(nl + 1);
              const sentAt = line.startsWith('{"type":"MODIFIED"') ? stamp.exec(line)?.[1] : undefined;
              if (sentAt) {
                latencies.push(at - Number(sentAt));
                received[w] = (received[w] as number) + 1;
              }
            }
          }
        } catch {
          // aborted at the end
        }
      })();
      return { abort, done };
    }),
  );
  const sched0 = schedOf('self');
  const started = performance.now();
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  const expected = await new Promise<number>((resolve) => {
    let input = '';
    process.stdin.on('data', (d: Buffer) => {
      input += d.toString();
      if (input.includes('\n')) resolve(Number(input.trim()));
    });
  });
  process.stdin.destroy();
  const deadline = Date.now() + 30_000;
  while (received.some((n) => n < expected) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const elapsed = (performance.now() - started) / 1000;
  const sched1 = schedOf('self');
  for (const s of streams) s.abort.abort();
  await Promise.all(streams.map((s) => s.done));
  latencies.sort((a, b) => a - b);
  return {
    watchers,
    updates: expected,
    delivered: received.reduce((a, b) => a + b, 0),
    expected: watchers * expected,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpu: (sched1.run - sched0.run) / elapsed,
  };
}

async function main(argv: string[]): Promise<void> {
  const [mode, ...args] = argv;
  const n = args.map(Number);
  let result: object;
  switch (mode) {
    case 'populate':
      result = await populate(n[0] ?? 10_000, n[1] ?? 32);
      break;
    case 'list':
      result = await list(n[0] ?? 5);
      break;
    case 'update':
      result = await update(n[0] ?? 1000, n[1] ?? 30, n[2] ?? 10_000);
      break;
    case 'watch':
      result = await watch(n[0] ?? 20);
      break;
    default:
      throw new Error(`unknown mode ${mode}`);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
  await agent.close();
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`kube-load: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
