import { request } from 'undici';
import { startHarness, type Harness, GiB } from '../test/harness';

/** TopoLVM #1163: a client that gives up must not leave lvm running on its behalf. */
describe('a cancelled request', () => {
  let h: Harness;
  let base: string;
  beforeAll(async () => {
    h = await startHarness({ latencyMs: 400 });
    base = await h.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => h.close());

  it('cancels its lvm command, and the volume is not created', async () => {
    const controller = new AbortController();
    const answer = request(`${base}/v1/logical-volumes/gone`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sizeBytes: GiB }),
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 50);
    await expect(answer).rejects.toThrow();
    // the handler finishes after the cancelled lvcreate and the refresh that follows it
    await new Promise((r) => setTimeout(r, 1500));
    const lvcreates = h.runner.calls.filter((argv) => argv[0] === 'lvcreate');
    expect(lvcreates).toHaveLength(1);
    expect((await h.app.inject({ method: 'GET', url: '/v1/logical-volumes/gone' })).statusCode).toBe(404);
  });
});
