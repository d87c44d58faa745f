import { startHarness, type Harness, GiB } from '../../test/harness';

describe('device class routes', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ vgSizeBytes: 100 * GiB, poolSizeBytes: 50 * GiB });
  });
  afterEach(() => h.close());

  describe('listDeviceClasses', () => {
    it('reports both classes with capacity figures', async () => {
      const r = await h.app.inject({ method: 'GET', url: '/v1/device-classes' });
      expect(r.statusCode).toBe(200);
      const [thin, thick] = r.json().items;
      expect(thin).toMatchObject({
        name: 'thin',
        type: 'thin',
        default: true,
        volumeGroup: 'myvg1',
        thinPool: { name: 'pool0', sizeBytes: 50 * GiB, overprovisionRatio: 5, virtualSizeBytes: 0, overprovisionedFreeBytes: 250 * GiB },
        freeBytes: 250 * GiB,
      });
      expect(thick).toMatchObject({ name: 'thick', type: 'thick', default: false, spareBytes: 10 * GiB });
      expect(thick.freeBytes).toBe(thick.vgFreeBytes - 10 * GiB);
      expect(thick.vgFreeBytes).toBeLessThan(thick.vgSizeBytes - 50 * GiB + 1);
    });
  });

  describe('getDeviceClass', () => {
    it('follows thin LV creation in the overprovisioned free bytes', async () => {
      await h.app.inject({ method: 'PUT', url: '/v1/logical-volumes/v1', payload: { sizeBytes: 10 * GiB } });
      const r = await h.app.inject({ method: 'GET', url: '/v1/device-classes/thin' });
      expect(r.json().thinPool).toMatchObject({ virtualSizeBytes: 10 * GiB, overprovisionedFreeBytes: 240 * GiB });
    });

    it('follows thick LV creation in the VG free bytes', async () => {
      const before = (await h.app.inject({ method: 'GET', url: '/v1/device-classes/thick' })).json();
      await h.app.inject({ method: 'PUT', url: '/v1/logical-volumes/f1', payload: { deviceClass: 'thick', sizeBytes: GiB } });
      const after = (await h.app.inject({ method: 'GET', url: '/v1/device-classes/thick' })).json();
      expect(before.vgFreeBytes - after.vgFreeBytes).toBe(GiB);
    });
  });
});
