import { ERROR_CODES, PROBLEM_CONTENT_TYPE, isErrorCode, operations } from '@copse/lvmd-api';
import { startHarness, type Harness } from '../../test/harness';
import { concretePath } from '../../test/operations';
import { exchange, listenOnUnixSocket, parseAnswer, type Target } from '../../test/raw-http';
import { DEFAULT_LIMITS } from './limits';


/** Every answer lvmd-http gives is a problem with a code of the registry whose status it carries. */
function expectProblem(text: string, status: number, code: string): Record<string, unknown> {
  const answer = parseAnswer(text);
  expect(answer.status).toBe(status);
  expect(answer.headers['content-type']).toMatch(new RegExp(`^${PROBLEM_CONTENT_TYPE.replace('+', '\\+')}`));
  const problem = JSON.parse(answer.body) as Record<string, unknown>;
  expect(isErrorCode(problem.code)).toBe(true);
  expect(problem).toMatchObject({ code, status, title: ERROR_CODES[code as keyof typeof ERROR_CODES].title });
  expect(typeof problem.requestId).toBe('string');
  return problem;
}

describe('every answer is application/problem+json, below Fastify too', () => {
  let h: Harness;
  let target: Target;
  let cleanup: () => void;
  beforeAll(async () => {
    h = await startHarness({ app: { limits: { ...DEFAULT_LIMITS, headersTimeoutMs: 300, requestTimeoutMs: 600 } } });
    ({ target, cleanup } = await listenOnUnixSocket(h.app));
  });
  afterAll(async () => {
    await h.close();
    cleanup();
  });

  const send = (raw: string | Buffer, waitMs = 3000) => exchange(target, [raw], { waitMs });

  it.each([
    ['a malformed percent-escape', 'GET /v1/logical-volumes/%zz HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'invalid-field', 'url'],
    ['a malformed escape in the query', 'GET /v1/logical-volumes?deviceClass=%E0%A4%A HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'invalid-field', 'query.deviceClass'],
    ['an over-long path parameter', `GET /v1/logical-volumes/${'a'.repeat(3000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 414, 'uri-too-long', 'url'],
    ['oversized headers', `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'headers-too-large', 'headers'],
    ['an over-long request line', `GET /healthz?${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 431, 'headers-too-large', 'headers'],
    ['NUL in a header value', 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n', 400, 'invalid-field', 'headers'],
    ['a header name with a space', 'GET /healthz HTTP/1.1\r\nHost: x\r\nX A: b\r\n\r\n', 400, 'invalid-field', 'headers'],
    ['an unknown method', 'FROB /healthz HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'invalid-field', 'method'],
    ['Content-Length with Transfer-Encoding', 'PUT /v1/logical-volumes/a HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}', 400, 'invalid-field', 'body'],
    ['a bad chunk size', 'PUT /v1/logical-volumes/a HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 400, 'invalid-field', 'body'],
    ['HTTP/2 prior knowledge', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 400, 'invalid-field', 'request'],
    ['CONNECT', 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n', 405, 'method-not-allowed', 'method'],
  ])('%s', async (_title, raw, status, code, field) => {
    const answer = await send(raw);
    expect(expectProblem(answer.text, status, code).field).toBe(field);
    expect(answer.closed || status < 500).toBe(true);
  });

  it('answers a request whose headers never end with 408 and closes the connection', async () => {
    const answer = await send('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    expectProblem(answer.text, 408, 'request-timeout');
    expect(answer.closed).toBe(true);
  });

  it('answers a body that stops arriving with 408 and closes the connection', async () => {
    const answer = await send('PUT /v1/logical-volumes/a HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"size');
    expectProblem(answer.text, 408, 'request-timeout');
    expect(answer.closed).toBe(true);
  });

  it('answers HEAD of the watch with its headers and no stream', async () => {
    const answer = await send('HEAD /v1/watch HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(answer.closed).toBe(true);
    expect(parseAnswer(answer.text)).toMatchObject({ status: 200, headers: { 'content-type': 'text/event-stream' }, body: '' });
  });

  describe('405 with Allow for a method a known path does not have', () => {
    const byPath = new Map<string, Set<string>>();
    for (const op of operations()) byPath.set(op.path, new Set([...(byPath.get(op.path) ?? []), op.method]));
    const cases = [...byPath].flatMap(([path, methods]) =>
      ['GET', 'PUT', 'POST', 'PATCH', 'DELETE', 'OPTIONS']
        .filter((m) => !methods.has(m))
        .map((m) => [m, path, [...methods, ...(methods.has('GET') ? ['HEAD'] : [])].sort().join(', ')] as const),
    );
    it.each(cases)('%s %s allows %s', async (method, path, allow) => {
      const r = await h.app.inject({ method: method as 'GET', url: concretePath(path) });
      expect(r.statusCode).toBe(405);
      expect(r.headers.allow).toBe(allow);
      expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(r.json()).toMatchObject({ code: 'method-not-allowed', field: 'method' });
    });

    // methods node's parser knows that no route has; Fastify has rules of its own for some
    // (QUERY must carry a Content-Type), which must not turn them into anything but a 405
    it.each(['QUERY', 'PROPFIND', 'TRACE', 'SEARCH', 'MKCOL', 'PURGE', 'LOCK', 'REPORT', 'LINK'])('%s on every path is 405 with Allow, over a socket', async (method) => {
      for (const [path, allow] of new Map(cases.map(([, p, a]) => [p, a]))) {
        const answer = await send(`${method} ${concretePath(path)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
        expect([path, expectProblem(answer.text, 405, 'method-not-allowed').field]).toEqual([path, 'method']);
        expect(parseAnswer(answer.text).headers.allow).toBe(allow);
      }
    });

    it('and 404 for a path the document does not have', async () => {
      for (const url of ['/v2/logical-volumes', '/v1/logical-volumes/a/b/c', '/v1/device-classes/a/b', '/']) {
        const r = await h.app.inject({ method: 'DELETE', url });
        expect([url, r.statusCode, r.json().code]).toEqual([url, 404, 'not-found']);
      }
    });
  });
});
