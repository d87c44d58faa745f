import { Writable } from 'node:stream';
import pino from 'pino';
import { operations } from '@copse/lvmd-api';
import { startHarness, type Harness } from '../test/harness';
import { concretePath, VALID_BODY } from '../test/operations';
import { exchange, listenOnTcp, parseAnswer } from '../test/raw-http';
import { MIN_TOKEN_BYTES, tokenProblem } from './auth';

const TOKEN = 'k2v0c8V3oR9yq0o0m3S5cQ0y7YtJ4bq1nW6tX8aZp2E=';

describe('token rules', () => {
  it.each([
    ['a one-character token', 'x', /at least 32/],
    ['a 31-byte token', 'a'.repeat(31), /31 bytes; at least 32/],
    ['a token with a space', `${'a'.repeat(40)} b`, /may hold only/],
    ['a token with a quote', `${'a'.repeat(40)}"`, /may hold only/],
    ['a token with a non-ASCII letter', `${'a'.repeat(40)}é`, /may hold only/],
  ])('refuses %s', (_title, token, why) => {
    expect(tokenProblem(token)).toMatch(why);
  });

  it('accepts 32 bytes and base64 of 32 random bytes', () => {
    expect(tokenProblem('a'.repeat(MIN_TOKEN_BYTES))).toBeUndefined();
    expect(tokenProblem(TOKEN)).toBeUndefined();
  });

  it('refuses to build an app with a short token', async () => {
    await expect(startHarness({ token: 's3cret' })).rejects.toThrow(/at least 32/);
  });
});

describe('bearer token (TCP)', () => {
  let h: Harness;
  const lines: string[] = [];
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    h = await startHarness({ token: TOKEN, app: { loggerInstance: pino({ level: 'info' }, sink) } });
  });
  afterAll(() => h.close());

  it('refuses a request without the token with a 401 problem, a challenge, and Connection: close', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/v1/logical-volumes' });
    expect(r.statusCode).toBe(401);
    expect(r.json()).toMatchObject({ code: 'unauthorized', field: 'headers.authorization' });
    expect(r.headers['www-authenticate']).toBe('Bearer realm="lvmd-http"');
    expect(r.headers.connection).toBe('close');
    expect(r.body).not.toContain(TOKEN);
  });

  it('refuses a wrong token with error="invalid_token", including a prefix or an extension of the right one', async () => {
    for (const token of ['wrong', TOKEN.slice(0, -1), `${TOKEN}x`, TOKEN.toLowerCase()]) {
      const r = await h.app.inject({ method: 'GET', url: '/v1/logical-volumes', headers: { authorization: `Bearer ${token}` } });
      expect([token, r.statusCode]).toEqual([token, 401]);
      expect(r.headers['www-authenticate']).toBe('Bearer realm="lvmd-http", error="invalid_token"');
    }
  });

  it('refuses other schemes and malformed headers as missing credentials', async () => {
    for (const authorization of [`Basic ${TOKEN}`, TOKEN, 'Bearer', 'Bearer ', `Bearer ${TOKEN} extra`, `Bearer\t${TOKEN}`]) {
      const r = await h.app.inject({ method: 'GET', url: '/v1/logical-volumes', headers: { authorization } });
      expect([authorization, r.statusCode, r.headers['www-authenticate']]).toEqual([authorization, 401, 'Bearer realm="lvmd-http"']);
    }
  });

  it('matches the scheme in any case, as RFC 9110 says', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
      const r = await h.app.inject({ method: 'GET', url: '/v1/logical-volumes', headers: { authorization: `${scheme} ${TOKEN}` } });
      expect([scheme, r.statusCode]).toEqual([scheme, 200]);
    }
  });

  it('asks for credentials exactly where the OpenAPI document does, for every operation', async () => {
    const seen: Array<[string, boolean]> = [];
    for (const op of operations()) {
      const body = VALID_BODY[op.operationId];
      const r = await h.app.inject({ method: op.method as 'GET', url: concretePath(op.path), ...(body ? { payload: body } : {}) });
      seen.push([op.operationId, r.statusCode !== 401]);
    }
    expect(seen).toEqual(operations().map((op) => [op.operationId, op.open]));
    // probes stay open; the metrics and the document need the token like the API
    expect(Object.fromEntries(seen)).toMatchObject({ getHealth: true, getReadiness: true, getMetrics: false, getOpenApiDocument: false });
  });

  it('asks for credentials before telling a path or a method exists', async () => {
    for (const [method, url] of [['GET', '/nope'], ['POST', '/v1/device-classes'], ['DELETE', '/healthz/x']] as const) {
      expect((await h.app.inject({ method, url })).statusCode).toBe(401);
    }
  });

  it('refuses a token in the query string and never writes it to the log', async () => {
    for (const q of [`access_token=${TOKEN}`, `token=${TOKEN}`, `x=${encodeURIComponent(TOKEN)}`]) {
      const r = await h.app.inject({ method: 'GET', url: `/v1/logical-volumes?${q}`, headers: { authorization: `Bearer ${TOKEN}` } });
      expect(r.statusCode).toBe(400);
      expect(r.json().code).toBe('invalid-field');
      expect(r.body).not.toContain(TOKEN.slice(0, 20));
    }
    const r = await h.app.inject({ method: 'GET', url: `/healthz?access_token=${TOKEN}` });
    expect(r.statusCode).toBe(400);
    const log = lines.join('');
    expect(log).toContain('access_token=REDACTED');
    expect(log).not.toContain(TOKEN.slice(0, 20));
    expect(log).not.toContain(encodeURIComponent(TOKEN).slice(0, 20));
  });

  it('closes the connection of an unauthenticated request at once', async () => {
    const tcp = await startHarness({ token: TOKEN });
    try {
      const target = await listenOnTcp(tcp.app);
      // keep-alive asked for; the answer must close the connection anyway
      const answer = await exchange(target, ['GET /v1/device-classes HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n'], { waitMs: 2000 });
      expect(parseAnswer(answer.text)).toMatchObject({ status: 401, headers: { connection: 'close' } });
      expect(answer.closed).toBe(true);
    } finally {
      await tcp.close();
    }
  });
});
