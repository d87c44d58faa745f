import { openApiDocument } from '@copse/lvmd-api';
import { readFileSync } from 'node:fs';
import { Lvm } from '@copse/lvm-exec';
import { parseLvmdConfig } from '@copse/lvm-model';
import { DEV_CONFIG_PATH, GiB, silentLog, startHarness, type Harness } from '../../test/harness';
import { LvmService } from '../service/lvm-service';
import { simulatedBackend } from '../sim-backend';

describe('operation routes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  describe('getHealth', () => {
    it('answers ok', async () => {
      const r = await h.app.inject({ method: 'GET', url: '/healthz' });
      expect(r.json()).toEqual({ status: 'ok', checks: [] });
    });
  });

  describe('getReadiness', () => {
    it('checks lvm, the volume group, the thin pool and its health', async () => {
      const r = await h.app.inject({ method: 'GET', url: '/readyz' });
      expect(r.statusCode).toBe(200);
      // the thin and the thick class share myvg1: it is checked once
      expect(r.json().checks).toEqual([
        { name: 'lvm', ok: true },
        { name: 'volume-group myvg1', ok: true },
        { name: 'thin-pool myvg1/pool0', ok: true },
        { name: 'thin-pool-health myvg1/pool0', ok: true },
      ]);
    });

    it('answers 503 naming a thin pool that went away', async () => {
      const own = await startHarness();
      const r = await own.runner.run(['lvremove', '-f', 'myvg1/pool0']);
      expect(r.exitCode).toBe(0);
      await own.service.refreshAll();
      const res = await own.app.inject({ method: 'GET', url: '/readyz' });
      await own.close();
      expect(res.statusCode).toBe(503);
      expect(res.json().checks.filter((c: { ok: boolean }) => !c.ok)).toEqual([
        { name: 'thin-pool myvg1/pool0', ok: false, detail: 'thin pool myvg1/pool0 of device class thin not found' },
      ]);
    });
  });

  describe('start', () => {
    it('refuses to start when a configured thin pool does not exist', async () => {
      const config = parseLvmdConfig(readFileSync(DEV_CONFIG_PATH, 'utf8'));
      const sim = await simulatedBackend({ config, vgSizeBytes: 100 * GiB, poolSizeBytes: 10 * GiB });
      const other = parseLvmdConfig(
        'device-classes:\n  - name: thin\n    volume-group: myvg1\n    default: true\n    type: thin\n    thin-pool: {name: poolX, overprovision-ratio: 2}\n',
      );
      const service = new LvmService({ config: other, lvm: new Lvm(sim), log: silentLog, refreshIntervalMs: 0 });
      await expect(service.start()).rejects.toThrow('thin pool myvg1/poolX of device class thin not found');
    });
  });

  describe('getMetrics', () => {
    it("exposes TopoLVM's capacity metrics with node and device_class labels", async () => {
      const text = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
      for (const name of [
        'topolvm_volumegroup_available_bytes',
        'topolvm_volumegroup_size_bytes',
        'topolvm_thinpool_size_bytes',
        'topolvm_thinpool_data_percent',
        'topolvm_thinpool_metadata_percent',
        'topolvm_thinpool_overprovisioned_available',
      ]) {
        expect(text).toMatch(new RegExp(`^${name}\\{node="test-node",device_class="thin"\\} \\d`, 'm'));
      }
      expect(text).toMatch(/^topolvm_volumegroup_available_bytes\{node="test-node",device_class="thick"\} \d+$/m);
    });

    it('counts requests by route and status', async () => {
      await h.app.inject({ method: 'GET', url: '/v1/logical-volumes/nope' });
      const text = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(text).toMatch(/lvmd_http_requests_total\{method="GET",route="\/v1\/logical-volumes\/:name",status="404"\} 1/);
    });
  });

  describe('getOpenApiDocument', () => {
    it('serves the document', async () => {
      const r = await h.app.inject({ method: 'GET', url: '/openapi.json' });
      expect(r.json()).toEqual(openApiDocument);
    });
  });
});
