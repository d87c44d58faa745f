import type { EventEmitter } from 'node:events';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { DeviceClass as DeviceClassView } from '@copse/lvmd-api';
import type { FillGuardRefusalEvent } from './service/lvm-service';

const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** TopoLVM's capacity gauges: name, help, and the figure of a device class (none: no series). */
const CAPACITY_GAUGES: ReadonlyArray<readonly [string, string, (dc: DeviceClassView) => number | undefined]> = [
  ['topolvm_volumegroup_available_bytes', 'Available bytes in the device class (VG free minus spare, or thin overprovisioned free).', (dc) => dc.freeBytes],
  ['topolvm_volumegroup_size_bytes', 'Size of the volume group of the device class.', (dc) => dc.vgSizeBytes],
  ['topolvm_thinpool_size_bytes', 'Size of the thin pool.', (dc) => dc.thinPool?.sizeBytes],
  ['topolvm_thinpool_data_percent', 'Data usage of the thin pool in percent.', (dc) => dc.thinPool?.dataPercent],
  ['topolvm_thinpool_metadata_percent', 'Metadata usage of the thin pool in percent.', (dc) => dc.thinPool?.metadataPercent],
  ['topolvm_thinpool_overprovisioned_available', 'Bytes still available for thin volumes under the overprovision ratio.', (dc) => dc.thinPool?.overprovisionedFreeBytes],
  // ours: the thin-pool fill guard, for device classes whose lvmd.yaml sets thin-pool.fill-guard-percent
  [
    'lvmd_thinpool_fill_guard_engaged',
    'Whether the thin pool fill guard is engaged (1: data% or metadata% at or above fill-guard-percent, new thin volumes, snapshots, restores and clones are refused).',
    (dc) => (dc.thinPool?.fillGuard ? Number(dc.thinPool.fillGuard.engaged) : undefined),
  ],
  ['lvmd_thinpool_fill_guard_percent', 'The thin pool fill guard threshold (thin-pool.fill-guard-percent).', (dc) => dc.thinPool?.fillGuard?.percent],
];

/**
 * lvmd-http's Prometheus metrics, in a prom-client Registry that main.ts creates per
 * process (never prom-client's global one) and hands in, so that other parts register
 * their own metrics into the same registry. Capacity gauges keep TopoLVM's names and
 * labels (node, device_class) so existing dashboards work; request and lvm metrics are ours.
 */
export class Metrics {
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly requestSeconds: Histogram<'method' | 'route'>;
  readonly lvmInvocations: Counter<'command' | 'exit_code'>;
  readonly lvmSeconds: Histogram<'command'>;
  readonly watchStreams: Gauge;
  readonly watchStreamsClosed: Counter<'reason'>;
  readonly connectionsRefused: Counter;
  readonly fillGuardRefusals: Counter<'node' | 'device_class' | 'kind'>;

  constructor(
    readonly registry: Registry,
    readonly nodeName: string,
  ) {
    const registers = [registry];
    this.requests = new Counter({
      name: 'lvmd_http_requests_total',
      help: 'HTTP requests by route, method and status.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.requestSeconds = new Histogram({
      name: 'lvmd_http_request_duration_seconds',
      help: 'HTTP request latency by route and method.',
      labelNames: ['method', 'route'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.lvmInvocations = new Counter({
      name: 'lvmd_lvm_invocations_total',
      help: 'lvm commands run, by command and exit code.',
      labelNames: ['command', 'exit_code'],
      registers,
    });
    this.lvmSeconds = new Histogram({
      name: 'lvmd_lvm_duration_seconds',
      help: 'lvm command latency by command.',
      labelNames: ['command'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.watchStreams = new Gauge({ name: 'lvmd_watch_streams', help: 'Open watch (server-sent events) streams.', registers });
    this.watchStreamsClosed = new Counter({
      name: 'lvmd_watch_streams_closed_total',
      help: 'Watch streams the server closed, by reason (slow-client, stalled, shutdown).',
      labelNames: ['reason'],
      registers,
    });
    this.connectionsRefused = new Counter({
      name: 'lvmd_http_connections_refused_total',
      help: 'Connections refused because --max-connections were open.',
      registers,
    });
    this.fillGuardRefusals = new Counter({
      name: 'lvmd_thinpool_fill_guard_refusals_total',
      help: 'Creates the thin pool fill guard refused, by what they would have made (volume, snapshot, restore, clone).',
      labelNames: ['node', 'device_class', 'kind'],
      registers,
    });
  }

  /** Counts the service's 'fill-guard-refusal' events; returns the function that stops. */
  countFillGuardRefusals(service: EventEmitter): () => void {
    const count = (r: FillGuardRefusalEvent) => this.fillGuardRefusals.inc({ node: this.nodeName, device_class: r.deviceClass, kind: r.what });
    service.on('fill-guard-refusal', count);
    return () => service.off('fill-guard-refusal', count);
  }

  /** The capacity gauges, read from `deviceClasses` at every scrape. */
  observeDeviceClasses(deviceClasses: () => DeviceClassView[]): void {
    const node = this.nodeName;
    for (const [name, help, value] of CAPACITY_GAUGES) {
      new Gauge({
        name,
        help,
        labelNames: ['node', 'device_class'],
        registers: [this.registry],
        collect() {
          this.reset();
          for (const dc of deviceClasses()) {
            const v = value(dc);
            if (v !== undefined) this.set({ node, device_class: dc.name }, v);
          }
        },
      });
    }
  }

  /** The text exposition of everything in the registry, and its content type. */
  async exposition(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}
