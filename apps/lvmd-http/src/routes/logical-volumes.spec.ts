import { startHarness, type Harness, GiB, MiB } from '../../test/harness';

const json = (payload: object) => ({ payload, headers: { 'content-type': 'application/json' } });

describe('logical volume routes', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  const create = (name: string, body: object) => h.app.inject({ method: 'PUT', url: `/v1/logical-volumes/${name}`, ...json(body) });
  const snapshot = (source: string, body: object) =>
    h.app.inject({ method: 'POST', url: `/v1/logical-volumes/${source}/snapshots`, ...json(body) });

  describe('createLogicalVolume', () => {
    it('creates a thin LV in the default class, rounded up to the extent size', async () => {
      const r = await create('vol1', { sizeBytes: 10 * MiB + 1, tags: ['owner=copse'] });
      expect(r.statusCode).toBe(201);
      expect(r.json()).toMatchObject({
        name: 'vol1',
        deviceClass: 'thin',
        type: 'thin',
        thinPool: 'pool0',
        sizeBytes: 12 * MiB,
        tags: ['owner=copse'],
        active: true,
        accessType: 'rw',
        activationSkip: false,
        devicePath: '/dev/myvg1/vol1',
        origin: '',
        health: { healthy: true },
      });
    });

    it('creates a thick LV in the thick class', async () => {
      const r = await create('fat1', { deviceClass: 'thick', sizeBytes: 50 * MiB });
      expect(r.statusCode).toBe(201);
      expect(r.json()).toMatchObject({ type: 'thick', deviceClass: 'thick', sizeBytes: 52 * MiB });
      expect(r.json().thinPool).toBeUndefined();
    });

    it('answers a repeat with the same parameters with 200 and the existing LV', async () => {
      const first = await create('vol1', { sizeBytes: GiB });
      const again = await create('vol1', { sizeBytes: GiB });
      expect(again.statusCode).toBe(200);
      expect(again.json().uuid).toBe(first.json().uuid);
    });

    it('answers a repeat with another size with 409 conflict', async () => {
      await create('vol1', { sizeBytes: GiB });
      const r = await create('vol1', { sizeBytes: 2 * GiB });
      expect(r.statusCode).toBe(409);
      expect(r.json()).toMatchObject({ code: 'conflict' });
      expect(r.json().detail).toMatch(/other parameters.*size/);
    });

    it('answers a repeat in another device class with 409 conflict', async () => {
      await create('vol1', { sizeBytes: GiB });
      const r = await create('vol1', { deviceClass: 'thick', sizeBytes: GiB });
      expect(r.statusCode).toBe(409);
    });
  });

  describe('getLogicalVolume', () => {
    it('answers an existing LV and 404 for a missing one', async () => {
      await create('vol1', { sizeBytes: GiB });
      expect((await h.app.inject({ method: 'GET', url: '/v1/logical-volumes/vol1' })).json()).toMatchObject({ name: 'vol1', sizeBytes: GiB });
      const missing = await h.app.inject({ method: 'GET', url: '/v1/logical-volumes/nope' });
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toMatchObject({ code: 'not-found', field: 'params.name' });
    });

    it('finds a thick LV without its class, and refuses naming another class', async () => {
      await create('fat1', { deviceClass: 'thick', sizeBytes: GiB });
      expect((await h.app.inject({ method: 'GET', url: '/v1/logical-volumes/fat1' })).json()).toMatchObject({ deviceClass: 'thick' });
      expect((await h.app.inject({ method: 'GET', url: '/v1/logical-volumes/fat1?deviceClass=thick' })).statusCode).toBe(200);
      const wrong = await h.app.inject({ method: 'GET', url: '/v1/logical-volumes/fat1?deviceClass=thin' });
      expect(wrong.statusCode).toBe(400);
      expect(wrong.json()).toMatchObject({ code: 'invalid-field', field: 'query.deviceClass', detail: 'logical volume "fat1" is in device class thick, not thin' });
    });
  });

  describe('listLogicalVolumes', () => {
    it('lists every class, or one, and never the thin pool', async () => {
      await create('vol1', { sizeBytes: GiB });
      await create('fat1', { deviceClass: 'thick', sizeBytes: GiB });
      const names = async (q: string) =>
        (await h.app.inject({ method: 'GET', url: `/v1/logical-volumes${q}` })).json().items.map((v: { name: string }) => v.name).sort();
      expect(await names('')).toEqual(['fat1', 'vol1']);
      expect(await names('?deviceClass=thin')).toEqual(['vol1']);
      expect(await names('?deviceClass=thick')).toEqual(['fat1']);
    });
  });

  describe('createSnapshot', () => {
    beforeEach(async () => {
      expect((await create('origin', { sizeBytes: GiB })).statusCode).toBe(201);
    });

    it('makes a read-only, active snapshot without the activation-skip flag', async () => {
      const r = await snapshot('origin', { name: 'snap1', accessType: 'ro' });
      expect(r.statusCode).toBe(201);
      expect(r.json()).toMatchObject({ name: 'snap1', origin: 'origin', accessType: 'ro', active: true, activationSkip: false, sizeBytes: GiB });
    });

    it('restores a snapshot read-write and clones a live LV read-write', async () => {
      await snapshot('origin', { name: 'snap1', accessType: 'ro' });
      const restore = await snapshot('snap1', { name: 'restore1', accessType: 'rw' });
      expect(restore.statusCode).toBe(201);
      expect(restore.json()).toMatchObject({ origin: 'snap1', accessType: 'rw', active: true });
      const clone = await snapshot('origin', { name: 'clone1', accessType: 'rw' });
      expect(clone.json()).toMatchObject({ origin: 'origin', accessType: 'rw', active: true });
    });

    it('grows a restore that asks for more than the source', async () => {
      const r = await snapshot('origin', { name: 'big', accessType: 'rw', sizeBytes: 2 * GiB + 1 });
      expect(r.statusCode).toBe(201);
      expect(r.json().sizeBytes).toBe(2 * GiB + 4 * MiB);
    });

    it('is idempotent by name, and a different source is a conflict', async () => {
      const first = await snapshot('origin', { name: 'snap1', accessType: 'ro' });
      const again = await snapshot('origin', { name: 'snap1', accessType: 'ro' });
      expect(again.statusCode).toBe(200);
      expect(again.json().uuid).toBe(first.json().uuid);
      await create('other', { sizeBytes: GiB });
      expect((await snapshot('other', { name: 'snap1', accessType: 'ro' })).statusCode).toBe(409);
      expect((await snapshot('origin', { name: 'snap1', accessType: 'rw' })).statusCode).toBe(409);
    });

    it('keeps snapshots and clones when the origin is deleted', async () => {
      await snapshot('origin', { name: 'snap1', accessType: 'ro' });
      await snapshot('origin', { name: 'clone1', accessType: 'rw' });
      expect((await h.app.inject({ method: 'DELETE', url: '/v1/logical-volumes/origin' })).statusCode).toBe(204);
      const items = (await h.app.inject({ method: 'GET', url: '/v1/logical-volumes' })).json().items;
      expect(items.map((v: { name: string; origin: string }) => [v.name, v.origin]).sort()).toEqual([
        ['clone1', ''],
        ['snap1', ''],
      ]);
    });

    it('refuses a snapshot the pool may not overprovision, leaving nothing behind', async () => {
      const small = await startHarness({ poolSizeBytes: GiB });
      try {
        // ratio 5 x 1 GiB pool: 5 GiB of virtual size in all
        const inject = (method: 'PUT' | 'POST', url: string, body: object) => small.app.inject({ method, url, ...json(body) });
        expect((await inject('PUT', '/v1/logical-volumes/a', { sizeBytes: 3 * GiB })).statusCode).toBe(201);
        const r = await inject('POST', '/v1/logical-volumes/a/snapshots', { name: 'b', accessType: 'rw' });
        expect(r.statusCode).toBe(507);
        expect(r.json()).toMatchObject({ code: 'no-space' });
        expect(small.service.listVolumes().map((v) => v.name)).toEqual(['a']);
      } finally {
        await small.close();
      }
    });
  });

  describe('resizeLogicalVolume', () => {
    it('grows, treats the same size as done, and refuses to shrink', async () => {
      await create('vol1', { sizeBytes: GiB });
      const grow = await h.app.inject({ method: 'PATCH', url: '/v1/logical-volumes/vol1', ...json({ sizeBytes: 2 * GiB }) });
      expect(grow.statusCode).toBe(200);
      expect(grow.json().sizeBytes).toBe(2 * GiB);
      const calls = h.runner.calls.length;
      const same = await h.app.inject({ method: 'PATCH', url: '/v1/logical-volumes/vol1', ...json({ sizeBytes: 2 * GiB }) });
      expect(same.statusCode).toBe(200);
      expect(h.runner.calls.length).toBe(calls);
      const shrink = await h.app.inject({ method: 'PATCH', url: '/v1/logical-volumes/vol1', ...json({ sizeBytes: GiB }) });
      expect(shrink.statusCode).toBe(422);
      expect(shrink.json()).toMatchObject({ code: 'out-of-range', field: 'body.sizeBytes' });
    });
  });

  describe('setActivation', () => {
    it('deactivates, reactivates read-only, and repeats at no cost', async () => {
      await create('vol1', { sizeBytes: GiB });
      const off = await h.app.inject({ method: 'PUT', url: '/v1/logical-volumes/vol1/activation', ...json({ active: false }) });
      expect(off.json()).toMatchObject({ active: false });
      const on = await h.app.inject({ method: 'PUT', url: '/v1/logical-volumes/vol1/activation', ...json({ active: true, accessType: 'ro' }) });
      expect(on.json()).toMatchObject({ active: true, accessType: 'ro' });
      const calls = h.runner.calls.length;
      const again = await h.app.inject({ method: 'PUT', url: '/v1/logical-volumes/vol1/activation', ...json({ active: true, accessType: 'ro' }) });
      expect(again.statusCode).toBe(200);
      expect(h.runner.calls.length).toBe(calls);
    });
  });

  describe('deleteLogicalVolume', () => {
    it('deletes, and a missing LV counts as done', async () => {
      await create('vol1', { sizeBytes: GiB });
      expect((await h.app.inject({ method: 'DELETE', url: '/v1/logical-volumes/vol1' })).statusCode).toBe(204);
      expect((await h.app.inject({ method: 'GET', url: '/v1/logical-volumes/vol1' })).statusCode).toBe(404);
      expect((await h.app.inject({ method: 'DELETE', url: '/v1/logical-volumes/vol1' })).statusCode).toBe(204);
    });
  });
});
