import request from 'supertest';
import { startHarness, type Harness, GiB } from '../test/harness';
import { listenOnTcp, listenOnUnixSocket } from '../test/raw-http';

const TOKEN = 'Zm9yLXRoZS1zbW9rZS10ZXN0LW9ubHktMzItYnl0ZXMh';

type Api = ReturnType<typeof request>;

/** The everyday path through a listening server, as curl and csi-node take it. */
async function everyday(api: Api, auth: Record<string, string>): Promise<void> {
  const call = (method: 'get' | 'put' | 'post' | 'delete', path: string) => api[method](path).set(auth);
  await call('get', '/v1/device-classes').expect(200).expect('content-type', /application\/json/);
  await call('put', '/v1/logical-volumes/smoke1').send({ sizeBytes: GiB }).expect(201);
  await call('put', '/v1/logical-volumes/smoke1').send({ sizeBytes: GiB }).expect(200);
  await call('post', '/v1/logical-volumes/smoke1/snapshots').send({ name: 'smoke1-snap', accessType: 'ro' }).expect(201);
  const list = await call('get', '/v1/logical-volumes').expect(200);
  expect(list.body.items.map((v: { name: string }) => v.name).sort()).toEqual(['smoke1', 'smoke1-snap']);
  const problem = await call('put', '/v1/logical-volumes/smoke1').send({ sizeBytes: 2 * GiB }).expect(409);
  expect(problem.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(problem.body.code).toBe('conflict');
  await call('delete', '/v1/logical-volumes/smoke1-snap').expect(204);
  await call('delete', '/v1/logical-volumes/smoke1').expect(204);
  await call('get', '/readyz').expect(200);
  const metrics = await call('get', '/metrics').expect(200);
  expect(metrics.text).toMatch(/^lvmd_http_requests_total\{method="PUT",route="\/v1\/logical-volumes\/:name",status="201"\} 1$/m);
}

describe('smoke: a listening lvmd-http through supertest', () => {
  let h: Harness;
  afterEach(() => h.close());

  it('over a unix socket, without credentials', async () => {
    h = await startHarness();
    const { target, cleanup } = await listenOnUnixSocket(h.app);
    try {
      await everyday(request(`http+unix://${encodeURIComponent(target.path)}`), {});
    } finally {
      cleanup();
    }
  });

  it('over TCP with a bearer token, and a 401 problem without it', async () => {
    h = await startHarness({ token: TOKEN });
    const { port } = await listenOnTcp(h.app);
    const base = `http://127.0.0.1:${port}`;
    await everyday(request(base), { authorization: `Bearer ${TOKEN}` });
    const refused = await request(base).get('/v1/device-classes').expect(401);
    expect(refused.headers['www-authenticate']).toBe('Bearer realm="lvmd-http"');
    expect(refused.body.code).toBe('unauthorized');
    await request(base).get('/healthz').expect(200);
  });
});
