import { startHarness, type Harness } from '../test/harness';

describe('bearer token (TCP)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ token: 's3cret-token' });
  });
  afterAll(() => h.close());

  it('refuses a request without the token with a 401 problem', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/v1/logical-volumes' });
    expect(r.statusCode).toBe(401);
    expect(r.json()).toMatchObject({ code: 'unauthorized', field: 'headers.authorization' });
    expect(r.body).not.toContain('s3cret');
  });

  it('refuses a wrong token, including one that is a prefix of the right one', async () => {
    for (const token of ['wrong', 's3cret', 's3cret-token-and-more']) {
      const r = await h.app.inject({ method: 'GET', url: '/v1/logical-volumes', headers: { authorization: `Bearer ${token}` } });
      expect(r.statusCode).toBe(401);
    }
  });

  it('accepts the token', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/v1/logical-volumes', headers: { authorization: 'Bearer s3cret-token' } });
    expect(r.statusCode).toBe(200);
  });

  it('keeps health and readiness open for probes', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await h.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });
});
