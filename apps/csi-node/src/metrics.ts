import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { DeviceClass } from '@copse/lvmd-api';

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/**
 * TopoLVM's node gauges (internal/runners/metrics_exporter.go), same names, help meaning
 * and labels (node, device_class), so dashboards built for topolvm-node work. Their
 * figures come from lvmd-http's watch stream: reading them costs no lvm call and no request.
 * Thin-pool gauges exist only for thin device classes, as TopoLVM's.
 */
const TOPOLVM_GAUGES: ReadonlyArray<readonly [string, string, (dc: DeviceClass) => number | undefined]> = [
  ['topolvm_volumegroup_available_bytes', 'LVM VG available bytes under lvmd management', (dc) => dc.freeBytes],
  ['topolvm_volumegroup_size_bytes', 'LVM VG size bytes under lvmd management', (dc) => dc.vgSizeBytes],
  ['topolvm_thinpool_size_bytes', 'LVM VG Thin Pool raw size bytes', (dc) => dc.thinPool?.sizeBytes],
  ['topolvm_thinpool_data_percent', 'LVM VG Thin Pool data usage percent', (dc) => dc.thinPool?.dataPercent],
  ['topolvm_thinpool_metadata_percent', 'LVM VG Thin Pool metadata usage percent', (dc) => dc.thinPool?.metadataPercent],
  ['topolvm_thinpool_overprovisioned_available', 'LVM VG Thin Pool bytes available with overprovisioning', (dc) => dc.thinPool?.overprovisionedFreeBytes],
];

/**
 * csi-node's metrics, in the registry main.ts creates (never prom-client's global one);
 * the CSI server adds its csi_* metrics to the same registry.
 */
export class NodeMetrics {
  /** LogicalVolume operations on lvmd-http, by operation and outcome (OK or the gRPC code name). */
  readonly operations: Counter<'operation' | 'result'>;
  readonly operationSeconds: Histogram<'operation'>;
  /** 1 while the watch stream to lvmd-http is open and has delivered its first event. */
  readonly watchConnected: Gauge;
  readonly watchEvents: Counter<'type'>;
  readonly watchReconnects: Counter<'reason'>;
  /** Writes of the Node's capacity annotations (or finalizer). */
  readonly nodeUpdates: Counter<'result'>;

  constructor(
    private readonly registry: Registry,
    private readonly nodeName: string,
  ) {
    const registers = [registry];
    this.operations = new Counter({
      name: 'copse_node_lvm_operations_total',
      help: 'Operations on logical volumes through lvmd-http, by operation (create, snapshot, resize, delete) and result (OK or the gRPC code).',
      labelNames: ['operation', 'result'],
      registers,
    });
    this.operationSeconds = new Histogram({
      name: 'copse_node_lvm_operation_duration_seconds',
      help: 'Latency of operations on logical volumes through lvmd-http.',
      labelNames: ['operation'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.watchConnected = new Gauge({ name: 'copse_node_lvmd_watch_connected', help: "1 while lvmd-http's watch stream is followed.", registers });
    this.watchEvents = new Counter({
      name: 'copse_node_lvmd_watch_events_total',
      help: "Events received on lvmd-http's watch stream, by type (snapshot, capacity, logical-volume, close).",
      labelNames: ['type'],
      registers,
    });
    this.watchReconnects = new Counter({
      name: 'copse_node_lvmd_watch_reconnects_total',
      help: "Reconnections to lvmd-http's watch stream, by why the last one ended (error, ended, close reasons).",
      labelNames: ['reason'],
      registers,
    });
    this.nodeUpdates = new Counter({
      name: 'copse_node_capacity_updates_total',
      help: "Writes of the Node's capacity annotations, by result (ok, conflict, error).",
      labelNames: ['result'],
      registers,
    });
  }

  /** TopoLVM's capacity gauges, read from `deviceClasses` at every scrape. */
  observeDeviceClasses(deviceClasses: () => readonly DeviceClass[]): void {
    const node = this.nodeName;
    for (const [name, help, value] of TOPOLVM_GAUGES) {
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
}
