/**
 * Connection floods against lvmd-http as a process: over the unix socket, over TCP with
 * a token and over TCP without one, thousands of connections that send nothing, stop in
 * the middle of their headers or of their body, or (without a token) send a whole
 * request. lvmd-http must keep its connection cap (its open descriptors stay bounded),
 * answer every connection past the cap with 503 too-many-connections, every dawdler with
 * 408 request-timeout and every unauthenticated request with 401, each as
 * application/problem+json, close every one of them itself, keep answering legitimate
 * clients (200, or 503 while the cap is reached), and come back to where it started
 * once the flood has passed: descriptors, nothing created, no lvm run.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ErrorCode } from '@copse/lvmd-api';
import { violations, type Contract } from './contract';
import { Daemon, MiB } from './daemon';
import { exchange, hold, parseAnswer, type Endpoint, type HeldConnection } from './wire';
import { metricSum, servedContract } from './probe';
import { RUN } from './run-sizes';

jest.setTimeout(300_000);

/** lvmd-http's limits in this suite: small, so that the flood passes them quickly */
const MAX_CONNECTIONS = 64;
const HEADERS_TIMEOUT_S = 2;
const REQUEST_TIMEOUT_S = 4;
/** how long after the last connection was opened every one must have been closed by lvmd-http: its request timeout, its once-a-second check, and a loaded machine */
const DRAIN_DEADLINE_MS = (REQUEST_TIMEOUT_S + 30) * 1000;
/** how long lvmd-http keeps a refused socket for its client to read the answer (LINGER_MS of apps/lvmd-http/src/http/client-errors.ts) */
const LINGER_MS = 250;
/**
 * Descriptors lvmd-http may hold beyond those it had: the cap, the refused sockets of
 * twice the linger at the rate the flood came (timers run late on a busy machine), and
 * some slack for its pipes. Keeping the flood's connections until their timeouts would
 * hold nearly all of them.
 */
function fdAllowance(floodPerSecond: number): number {
  return MAX_CONNECTIONS + Math.ceil((floodPerSecond * 2 * LINGER_MS) / 1000) + 64;
}
const RSS_GROWTH_LIMIT = 96 * MiB;

type Kind = 'silent' | 'partial-headers' | 'partial-body' | 'unauthenticated';

/** What each kind of connection may be answered, besides 503 too-many-connections. */
const ANSWERS: Readonly<Record<Kind, readonly ErrorCode[]>> = {
  silent: ['request-timeout'],
  'partial-headers': ['request-timeout'],
  'partial-body': ['request-timeout'],
  unauthenticated: ['unauthorized'],
};

function opening(kind: Kind, i: number, authorization: string | undefined): { method: string; path: string; bytes: string } {
  const auth = authorization ? `Authorization: ${authorization}\r\n` : '';
  switch (kind) {
    case 'silent':
      return { method: 'GET', path: '/', bytes: '' };
    case 'partial-headers':
      return { method: 'GET', path: '/v1/device-classes', bytes: `GET /v1/device-classes HTTP/1.1\r\nHost: localhost\r\n${auth}X-Slow: ${i}` };
    case 'partial-body':
      return {
        method: 'PUT',
        path: `/v1/logical-volumes/flood-${i}`,
        bytes: `PUT /v1/logical-volumes/flood-${i} HTTP/1.1\r\nHost: localhost\r\n${auth}Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"sizeBytes":`,
      };
    case 'unauthenticated':
      return { method: 'GET', path: '/v1/logical-volumes', bytes: 'GET /v1/logical-volumes HTTP/1.1\r\nHost: localhost\r\n\r\n' };
  }
}

interface Flooded {
  readonly kind: Kind;
  readonly method: string;
  readonly path: string;
  readonly conn: HeldConnection;
}

describe('connection floods', () => {
  const dirs: string[] = [];
  const daemons: Daemon[] = [];
  let unix: Daemon;
  let tcp: Daemon;
  let contract: Contract;

  beforeAll(async () => {
    const args = ['--max-connections', String(MAX_CONNECTIONS), '--headers-timeout', String(HEADERS_TIMEOUT_S), '--request-timeout', String(REQUEST_TIMEOUT_S)];
    const dir = (name: string) => {
      const d = fs.mkdtempSync(path.join(os.tmpdir(), `lvmd-hostile-${name}-`));
      dirs.push(d);
      return d;
    };
    [unix, tcp] = await Promise.all([Daemon.start({ dir: dir('funix'), listen: 'unix', args }), Daemon.start({ dir: dir('ftcp'), listen: 'tcp', args })]);
    daemons.push(unix, tcp);
    contract = (await servedContract(unix)).contract;
  });

  afterAll(async () => {
    await Promise.all(daemons.map((d) => d.stop()));
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  const cases: Array<[string, () => Daemon, boolean, readonly Kind[]]> = [
    ['the unix socket', () => unix, true, ['silent', 'partial-headers', 'partial-body']],
    ['TCP with a token', () => tcp, true, ['silent', 'partial-headers', 'partial-body']],
    ['TCP without a token', () => tcp, false, ['unauthenticated', 'partial-headers', 'silent']],
  ];

  it.each(cases)('over %s: the cap holds, every connection is answered with a problem and closed by lvmd-http, legitimate clients get through, and it all comes back', async (title, daemon, withToken, kinds) => {
    const d = daemon();
    const authorization = withToken ? d.authorization : undefined;
    const stateBefore = d.stateText();
    const lvmBefore = await metricSum(d, 'lvmd_lvm_invocations_total');
    const refusedBefore = await metricSum(d, 'lvmd_http_connections_refused_total');
    const fdsBefore = d.fdCount();
    const rssBefore = d.rssBytes();
    let fdPeak = fdsBefore;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      if (!d.alive) return;
      fdPeak = Math.max(fdPeak, d.fdCount());
      rssPeak = Math.max(rssPeak, d.rssBytes());
    }, 100);

    // legitimate clients all along: a probe and (with the token) an API read
    const legit: Array<{ method: string; path: string; answer: Awaited<ReturnType<typeof exchange>> | Error }> = [];
    let flooding = true;
    const legitimate = (async () => {
      const tokenHeader = d.authorization ? `Authorization: ${d.authorization}\r\n` : '';
      for (let i = 0; flooding; i++) {
        const p = i % 2 === 0 ? '/healthz' : '/v1/device-classes';
        const answer = await exchange(d.endpoint, `GET ${p} HTTP/1.1\r\nHost: localhost\r\n${tokenHeader}Connection: close\r\n\r\n`, { timeoutMs: 20_000, closeWaitMs: 0 }).catch((e: Error) => e);
        legit.push({ method: 'GET', path: p, answer });
        await new Promise((r) => setTimeout(r, 50));
      }
    })();

    const flooded: Flooded[] = [];
    const started = Date.now();
    let openedMs = 0;
    let drainedMs = 0;
    let drained: 'drained' | 'deadline' = 'deadline';
    try {
    for (let i = 0; i < RUN.flood; i += 100) {
      const wave = await Promise.all(
        Array.from({ length: Math.min(100, RUN.flood - i) }, async (_v, j) => {
          const kind = kinds[(i + j) % kinds.length]!;
          const o = opening(kind, i + j, authorization);
          return { kind, method: o.method, path: o.path, conn: await hold(d.endpoint as Endpoint, o.bytes) };
        }),
      );
      flooded.push(...wave);
    }
    openedMs = Date.now() - started;
    const allClosed = Promise.all(flooded.map((f) => f.conn.closed));
    const deadline = new Promise<'deadline'>((r) => setTimeout(() => r('deadline'), DRAIN_DEADLINE_MS).unref());
    drained = await Promise.race([allClosed.then(() => 'drained' as const), deadline]);
    drainedMs = Date.now() - started;
    } finally {
      flooding = false;
      await legitimate;
      clearInterval(sampler);
      for (const f of flooded) f.conn.destroy();
    }

    // every flood connection: closed by lvmd-http, with a problem it may give that kind
    const wrong: string[] = [];
    const statuses: Record<string, number> = {};
    let answered503 = 0;
    for (const f of flooded) {
      if (!f.conn.closedByServer()) wrong.push(`${f.kind}: still open after ${DRAIN_DEADLINE_MS} ms`);
      const bytes = f.conn.received();
      if (bytes.length === 0) {
        // a connection that never sent a byte may be closed without an answer
        if (f.kind !== 'silent') wrong.push(`${f.kind}: closed without an answer`);
        statuses[`${f.kind} none`] = (statuses[`${f.kind} none`] ?? 0) + 1;
        continue;
      }
      const parsed = parseAnswer(bytes, { closed: true });
      if (!parsed) {
        wrong.push(`${f.kind}: an unfinished answer ${JSON.stringify(bytes.subarray(0, 200).toString('latin1'))}`);
        continue;
      }
      statuses[`${f.kind} ${parsed.status}`] = (statuses[`${f.kind} ${parsed.status}`] ?? 0) + 1;
      const code = parsed.status === 503 ? 'too-many-connections' : parsed.status === 401 ? 'unauthorized' : 'request-timeout';
      if (parsed.status === 503) answered503++;
      if (code !== 'too-many-connections' && !ANSWERS[f.kind].includes(code)) wrong.push(`${f.kind}: ${parsed.status}`);
      const problems = violations(contract, f.method, f.path, { ...parsed, closed: true }, { kind: 'problem', code }, { allow503: ['too-many-connections'] });
      if (problems.length > 0) wrong.push(`${f.kind}: ${problems.join('; ')}`);
    }

    // legitimate clients: a 200 as the document says, or 503 too-many-connections while the cap is reached
    const legitStatuses: Record<string, number> = {};
    let unanswered = 0;
    for (const l of legit) {
      if (l.answer instanceof Error) {
        // refused at the cap by a server that waited LINGER_MS for a request that this
        // (busy) client had not written yet: tolerated now and then, counted below
        if (/closed the connection without a whole answer; received ""/.test(l.answer.message)) unanswered++;
        else wrong.push(`legitimate GET ${l.path}: ${l.answer.message}`);
        continue;
      }
      legitStatuses[l.answer.status] = (legitStatuses[l.answer.status] ?? 0) + 1;
      const problems = violations(contract, l.method, l.path, l.answer, { kind: 'any' }, { allow503: ['too-many-connections'] });
      if (problems.length > 0) wrong.push(`legitimate GET ${l.path}: ${problems.join('; ')}`);
    }

    // back where it started
    let fdsAfter = d.fdCount();
    for (let i = 0; i < 50 && fdsAfter > fdsBefore + 2; i++) {
      await new Promise((r) => setTimeout(r, 200));
      fdsAfter = d.fdCount();
    }
    const client = d.client();
    const classes = await client.listDeviceClasses().finally(() => client.close());
    const refused = (await metricSum(d, 'lvmd_http_connections_refused_total')) - refusedBefore;
    process.stdout.write(
      `lvmd-hostile flood over ${title}: ${flooded.length} connections opened in ${openedMs} ms, all closed by lvmd-http after ${drainedMs} ms (${drained}); ` +
        `answers ${JSON.stringify(statuses)}; refused by the cap ${refused}; legitimate ${JSON.stringify(legitStatuses)} and ${unanswered} closed unanswered; ` +
        `fds ${fdsBefore} -> peak ${fdPeak} -> ${fdsAfter}; RSS ${Math.round(rssBefore / MiB)} -> peak ${Math.round(rssPeak / MiB)} MiB\n`,
    );

    expect(wrong.slice(0, 20)).toEqual([]);
    expect(drained).toBe('drained');
    expect(d.alive).toBe(true);
    expect(fdPeak).toBeLessThanOrEqual(fdsBefore + fdAllowance((flooded.length * 1000) / Math.max(openedMs, 1)));
    expect(fdPeak).toBeLessThan(fdsBefore + flooded.length / 2);
    expect(fdsAfter).toBeLessThanOrEqual(fdsBefore + 2);
    expect(rssPeak - rssBefore).toBeLessThan(RSS_GROWTH_LIMIT);
    // the flood passed the cap, and lvmd-http counted what it refused
    expect(answered503).toBeGreaterThan(0);
    expect(refused).toBeGreaterThanOrEqual(answered503);
    // legitimate clients were answered all along (a 503 while the cap is reached is an answer)
    expect(legit.length).toBeGreaterThan(0);
    expect(unanswered).toBeLessThanOrEqual(Math.ceil(legit.length / 10));
    expect(classes.map((c) => c.name).sort()).toEqual(['thick', 'thin']);
    expect(d.stateText()).toBe(stateBefore);
    expect(await metricSum(d, 'lvmd_lvm_invocations_total')).toBe(lvmBefore);
  });
});
