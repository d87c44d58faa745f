import type { Socket } from 'node:net';
import { startHarness, type Harness } from '../../test/harness';
import { exchange, listenOnTcp, listenOnUnixSocket, open, parseAnswer, type Target } from '../../test/raw-http';
import { DEFAULT_LIMITS, type ServerLimits } from './limits';

const GET_HEALTH = 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n';

/** Resolves with what arrived when the socket closes, or with undefined if it is still open after `ms`. */
function closesWithin(socket: Socket, ms: number): Promise<string | undefined> {
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(text);
    });
  });
}

describe.each([
  ['unix socket', 'unix'],
  ['TCP', 'tcp'],
] as const)('connection limits over a %s', (_title, kind) => {
  let h: Harness;
  let target: Target;
  let cleanup = () => undefined as void;
  const limits: ServerLimits = { ...DEFAULT_LIMITS, maxConnections: 4, keepAliveTimeoutMs: 300, headersTimeoutMs: 5000, requestTimeoutMs: 5000, idleTimeoutMs: 600 };
  const opened: Socket[] = [];

  beforeAll(async () => {
    h = await startHarness({ app: { limits, watch: { limits: { heartbeatMs: 100 } } } });
    if (kind === 'unix') ({ target, cleanup } = await listenOnUnixSocket(h.app));
    else target = await listenOnTcp(h.app);
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) s.destroy();
    // the server counts a connection until it sees it close
    await new Promise((r) => setTimeout(r, 100));
  });
  afterAll(async () => {
    await h.close();
    cleanup();
  });

  const connect = async () => {
    const s = await open(target);
    s.on('error', () => undefined);
    opened.push(s);
    return s;
  };

  it('answers a connection over --max-connections with 503 too-many-connections, then serves again once one closes', async () => {
    const held = await Promise.all(Array.from({ length: limits.maxConnections }, connect));
    await new Promise((r) => setTimeout(r, 50));
    const over = await exchange(target, [GET_HEALTH], { waitMs: 2000 });
    expect(over.closed).toBe(true);
    const answer = parseAnswer(over.text);
    expect(answer).toMatchObject({ status: 503, headers: { 'content-type': 'application/problem+json', 'retry-after': '1' } });
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'too-many-connections' });
    const metrics = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/^lvmd_http_connections_refused_total [1-9]/m);

    held[0]!.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(parseAnswer((await exchange(target, [GET_HEALTH])).text).status).toBe(200);
  });

  it('lets every client over the cap read its 503, however fast it writes its request', async () => {
    await Promise.all(Array.from({ length: limits.maxConnections }, connect));
    await new Promise((r) => setTimeout(r, 50));
    // clients that write at once (as undici does) raced the server's close, and most read
    // nothing (EPIPE); each must read an answer (503, or 200 once the idle timeout freed a place)
    const answers = await Promise.all(
      Array.from({ length: 60 }, async () => {
        const s = await connect();
        const text = closesWithin(s, 5000);
        s.write(GET_HEALTH);
        return text;
      }),
    );
    const statusLines = answers.map((t) => t?.split('\r\n')[0]);
    expect(statusLines.filter((l) => l !== 'HTTP/1.1 503 Service Unavailable' && l !== 'HTTP/1.1 200 OK')).toEqual([]);
    expect(statusLines).toContain('HTTP/1.1 503 Service Unavailable');
  });

  it('closes a kept-alive connection that stays idle past the keep-alive timeout', async () => {
    const s = await connect();
    s.write(GET_HEALTH);
    const text = await closesWithin(s, 3000);
    expect(text).toMatch(/^HTTP\/1\.1 200/);
  });

  it('closes a connection that sends nothing', async () => {
    const s = await connect();
    expect(await closesWithin(s, 3000)).toBe('');
  });

  it('keeps a watch stream open past the idle and keep-alive timeouts, and counts it against the cap', async () => {
    const watchers = await Promise.all(Array.from({ length: limits.maxConnections }, connect));
    const received = watchers.map((s) => {
      let text = '';
      s.on('data', (d: Buffer) => (text += d.toString()));
      s.write('GET /v1/watch HTTP/1.1\r\nHost: x\r\n\r\n');
      return () => text;
    });
    await new Promise((r) => setTimeout(r, limits.idleTimeoutMs * 2));
    expect(watchers.map((s) => s.destroyed)).toEqual(watchers.map(() => false));
    for (const text of received) expect(text()).toMatch(/event: snapshot[\s\S]*: keep-alive/);
    const over = await exchange(target, [GET_HEALTH], { waitMs: 2000 });
    expect(parseAnswer(over.text).status).toBe(503);
  });
});
