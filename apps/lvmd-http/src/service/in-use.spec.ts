/**
 * Issue 6, finding 4: lvm2 refuses to remove or deactivate an LV whose device is open
 * (exit 5, with the holder it found); that is 409 in-use, not 500 lvm-failed, and the
 * volume is left as it was. The messages are lvm2 2.03.16's (the test node).
 */
import type { LvmRunner } from '@copse/lvm-model';
import { startHarness, type Harness, GiB } from '../../test/harness';

describe('an open device on the simulated lvm2', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    expect((await h.app.inject({ method: 'PUT', url: '/v1/logical-volumes/v1', payload: { sizeBytes: GiB } })).statusCode).toBe(201);
  });
  afterEach(() => h.close());

  it('is 409 in-use for delete and deactivation, leaves the volume, and goes once it is closed', async () => {
    h.sim.simulateOpen('myvg1', 'v1', 'filesystem');
    const del = await h.app.inject({ method: 'DELETE', url: '/v1/logical-volumes/v1' });
    expect(del.statusCode).toBe(409);
    expect(del.json()).toMatchObject({ code: 'in-use', detail: 'lvremove failed (exit 5): Logical volume myvg1/v1 contains a filesystem in use.' });
    const off = await h.app.inject({ method: 'PUT', url: '/v1/logical-volumes/v1/activation', payload: { active: false } });
    expect(off.json()).toMatchObject({ code: 'in-use' });
    // a permission change and a grow of an open device are fine, as on real lvm2
    expect((await h.app.inject({ method: 'PUT', url: '/v1/logical-volumes/v1/activation', payload: { active: true, accessType: 'ro' } })).statusCode).toBe(200);
    expect((await h.app.inject({ method: 'PATCH', url: '/v1/logical-volumes/v1', payload: { sizeBytes: 2 * GiB } })).statusCode).toBe(200);
    expect(h.service.getVolume('v1')).toMatchObject({ active: true, accessType: 'ro', sizeBytes: 2 * GiB });
    h.sim.simulateOpen('myvg1', 'v1', undefined);
    expect((await h.app.inject({ method: 'DELETE', url: '/v1/logical-volumes/v1' })).statusCode).toBe(204);
  });
});

describe('an open device, every message lvm2 has for it', () => {
  let h: Harness;
  let holder: string | undefined;
  beforeEach(async () => {
    holder = undefined;
    h = await startHarness();
    // lvm2's answer for an open LV, on the commands lvm2 checks the open count for
    const inner = h.runner.run.bind(h.runner);
    const refusing: LvmRunner['run'] = (argv, o) => {
      const target = argv[argv.length - 1] ?? '';
      const deactivate = argv[0] === 'lvchange' && argv.includes('-a') && argv[argv.indexOf('-a') + 1] === 'n';
      if (holder && target === 'myvg1/v1' && (argv[0] === 'lvremove' || deactivate)) {
        return Promise.resolve({ exitCode: 5, stdout: '', stderr: `  Logical volume myvg1/v1 ${holder}\n` });
      }
      return inner(argv, o);
    };
    h.runner.run = refusing;
    expect((await h.app.inject({ method: 'PUT', url: '/v1/logical-volumes/v1', payload: { sizeBytes: GiB } })).statusCode).toBe(201);
  });
  afterEach(() => h.close());

  it.each([['in use.'], ['contains a filesystem in use.'], ['is used by another device.']])(
    'delete and deactivate answer 409 in-use when lvm2 says "%s"',
    async (message) => {
      holder = message;
      for (const [method, url, payload] of [
        ['DELETE', '/v1/logical-volumes/v1', undefined],
        ['PUT', '/v1/logical-volumes/v1/activation', { active: false }],
      ] as const) {
        const r = await h.app.inject({ method, url, ...(payload ? { payload } : {}) });
        expect(r.statusCode).toBe(409);
        expect(r.json()).toMatchObject({ code: 'in-use', status: 409, detail: expect.stringContaining(message) });
      }
      expect(h.service.getVolume('v1')).toMatchObject({ active: true, state: 'ready' });
      holder = undefined;
      expect((await h.app.inject({ method: 'DELETE', url: '/v1/logical-volumes/v1' })).statusCode).toBe(204);
    },
  );
});
