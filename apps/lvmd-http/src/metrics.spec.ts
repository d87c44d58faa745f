import { Counter, Registry, register as globalRegistry } from 'prom-client';
import { devYamlWithFillGuard, startHarness, type Harness, GiB } from '../test/harness';
import { Metrics } from './metrics';

/** metric name -> its type and the label names of its series (histogram series folded into the base name) */
function catalogue(text: string): Record<string, { type: string; labels: string[] }> {
  const out: Record<string, { type: string; labels: Set<string> }> = {};
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) out[m[1]!] = { type: m[2]!, labels: new Set() };
  for (const m of text.matchAll(/^([a-z_]+?)(?:_bucket|_sum|_count)?(?:\{([^}]*)\})? \S+$/gm)) {
    const name = out[m[1]!] ? m[1]! : m[1]!.replace(/_(bucket|sum|count)$/, '');
    for (const pair of (m[2] ?? '').split(',').filter(Boolean)) {
      const label = pair.split('=')[0]!;
      if (label !== 'le') out[name]?.labels.add(label);
    }
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, { type: v.type, labels: [...v.labels].sort() }]));
}

describe('metrics', () => {
  let h: Harness;
  beforeAll(async () => {
    // a fill guard on the thin class, so that its gauges have series
    h = await startHarness({ yaml: devYamlWithFillGuard(95) });
    // something in every series: a request, an lvm call (through the service), a refused lookup
    await h.app.inject({ method: 'PUT', url: '/v1/logical-volumes/m1', payload: { sizeBytes: GiB } });
    await h.app.inject({ method: 'GET', url: '/v1/logical-volumes/nope' });
  });
  afterAll(() => h.close());

  it("keeps TopoLVM's and our metric names, types and labels", async () => {
    const metrics = new Metrics(new Registry(), 'n1');
    metrics.observeDeviceClasses(() => h.service.listDeviceClasses());
    metrics.requests.inc({ method: 'GET', route: '/x', status: '200' });
    metrics.requestSeconds.observe({ method: 'GET', route: '/x' }, 0.1);
    metrics.lvmInvocations.inc({ command: 'lvs', exit_code: '0' });
    metrics.lvmSeconds.observe({ command: 'lvs' }, 0.1);
    metrics.watchStreamsClosed.inc({ reason: 'stalled' });
    metrics.fillGuardRefusals.inc({ node: 'n1', device_class: 'thin', kind: 'clone' });
    const found = catalogue((await metrics.exposition()).text);
    const capacity = { type: 'gauge', labels: ['device_class', 'node'] };
    expect(found).toEqual({
      topolvm_volumegroup_available_bytes: capacity,
      topolvm_volumegroup_size_bytes: capacity,
      topolvm_thinpool_size_bytes: capacity,
      topolvm_thinpool_data_percent: capacity,
      topolvm_thinpool_metadata_percent: capacity,
      topolvm_thinpool_overprovisioned_available: capacity,
      lvmd_thinpool_fill_guard_engaged: capacity,
      lvmd_thinpool_fill_guard_percent: capacity,
      lvmd_thinpool_fill_guard_refusals_total: { type: 'counter', labels: ['device_class', 'kind', 'node'] },
      lvmd_http_requests_total: { type: 'counter', labels: ['method', 'route', 'status'] },
      lvmd_http_request_duration_seconds: { type: 'histogram', labels: ['method', 'route'] },
      lvmd_lvm_invocations_total: { type: 'counter', labels: ['command', 'exit_code'] },
      lvmd_lvm_duration_seconds: { type: 'histogram', labels: ['command'] },
      lvmd_watch_streams: { type: 'gauge', labels: [] },
      lvmd_watch_streams_closed_total: { type: 'counter', labels: ['reason'] },
      lvmd_http_connections_refused_total: { type: 'counter', labels: [] },
    });
  });

  it("serves TopoLVM's capacity gauges with the node and device_class labels, in that order", async () => {
    const text = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toMatch(/^topolvm_thinpool_size_bytes\{node="test-node",device_class="thin"\} 53687091200$/m);
    expect(text).toMatch(/^topolvm_volumegroup_available_bytes\{node="test-node",device_class="thick"\} \d+$/m);
    // a thick class has no thin pool series
    expect(text).not.toMatch(/^topolvm_thinpool_size_bytes\{[^}]*device_class="thick"/m);
  });

  it('answers in the Prometheus text format', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(r.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it("lives in the registry it is given, never prom-client's global one, so two instances do not collide", async () => {
    const a = new Metrics(new Registry(), 'a');
    const b = new Metrics(new Registry(), 'b');
    a.requests.inc({ method: 'GET', route: '/', status: '200' });
    expect((await b.exposition()).text).not.toMatch(/^lvmd_http_requests_total\{/m);
    expect(globalRegistry.getMetricsAsArray()).toEqual([]);
  });

  it('lets other parts register their metrics into the same registry', async () => {
    const registry = new Registry();
    const metrics = new Metrics(registry, 'n');
    new Counter({ name: 'lvmd_pool_events_total', help: 'x', registers: [registry] }).inc();
    expect((await metrics.exposition()).text).toMatch(/^lvmd_pool_events_total 1$/m);
  });
});
