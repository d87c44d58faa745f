/**
 * The contract scenario on the simulated backend alone (no test node needed): every step
 * still provokes the answer it was written for, and the normalisation hides only what it
 * says it hides.
 */
import { startSimLvmd, VG, type SimLvmd } from './fixture';
import { normalise, normalised, runScenario, SCENARIO } from './scenario';

describe('contract scenario on the simulated lvm2', () => {
  let a: SimLvmd;
  let b: SimLvmd;
  beforeAll(async () => {
    [a, b] = await Promise.all([startSimLvmd(VG.contract), startSimLvmd(VG.contract)]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('answers every step with the status the step was written for, the same on two fresh instances', async () => {
    const first = await runScenario(a.client);
    const second = await runScenario(b.client);
    expect(first.map((r) => [r.label, r.status])).toEqual(SCENARIO.map((s) => [s.label, s.expect]));
    expect(normalised(second)).toEqual(normalised(first));
    // Two runs differ in their uuids, so the normalisation did some work and must keep doing it.
    expect(JSON.stringify(second)).not.toBe(JSON.stringify(first));
  }, 60_000);

  it('covers every status of the contract', () => {
    expect([...new Set(SCENARIO.map((s) => s.expect))].sort()).toEqual([200, 201, 204, 400, 404, 409, 422, 501, 507]);
  });
});

describe('normalise', () => {
  it('hides uuids, request ids and device numbers, and nothing else', () => {
    const body = {
      name: 'vol1',
      uuid: 'VNEaXK-OugT-UuPC-Mt6M-7XVW-h1Ul-FrrpbN',
      major: 253,
      minor: 7,
      sizeBytes: 1,
      dataPercent: 0,
      nested: [{ requestId: 'r-1', instance: '/v1/logical-volumes/x', detail: 'd' }],
    };
    expect(normalise(body)).toEqual({
      name: 'vol1',
      uuid: '<uuid>',
      major: '<n>',
      minor: '<n>',
      sizeBytes: 1,
      dataPercent: 0,
      nested: [{ instance: '/v1/logical-volumes/x', detail: 'd' }],
    });
    expect(normalise({ uuid: 'not a uuid' })).toEqual({ uuid: 'not a uuid' });
  });

  it("hides when a pool was read, not its health", () => {
    const health = { status: 'ok', observedAt: '2026-11-22T04:20:58.235Z', since: '2026-11-22T04:20:58.235Z', dataUsedBytes: 0 };
    expect(normalise({ thinPool: { health } })).toEqual({ thinPool: { health: { status: 'ok', observedAt: '<time>', since: '<time>', dataUsedBytes: 0 } } });
  });
});
