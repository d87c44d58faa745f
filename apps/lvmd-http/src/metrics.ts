import type { DeviceClass as DeviceClassView } from '@copse/lvmd-api';

type Labels = Record<string, string>;

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

class Counter {
  private readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels, by = 1): void {
    const key = labelText(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }
  render(): string[] {
    return [
      `# HELP ${this.name} ${this.help}`,
      `# TYPE ${this.name} counter`,
      ...[...this.values].map(([k, v]) => `${this.name}${k} ${v}`),
    ];
  }
}

class Histogram {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  observe(labels: Labels, value: number): void {
    const key = labelText(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels, counts: DURATION_BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    DURATION_BUCKETS.forEach((le, i) => {
      if (value <= le) s.counts[i]! += 1;
    });
    s.sum += value;
    s.count += 1;
  }
  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const s of this.series.values()) {
      DURATION_BUCKETS.forEach((le, i) => lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: String(le) })} ${s.counts[i]}`));
      lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.count}`);
      lines.push(`${this.name}_sum${labelText(s.labels)} ${s.sum}`);
      lines.push(`${this.name}_count${labelText(s.labels)} ${s.count}`);
    }
    return lines;
  }
}

/**
 * Prometheus metrics. Capacity gauges keep TopoLVM's names and labels (node, device_class)
 * so existing dashboards work; request and lvm metrics are ours.
 */
export class Metrics {
  readonly requests = new Counter('lvmd_http_requests_total', 'HTTP requests by route, method and status.');
  readonly requestSeconds = new Histogram('lvmd_http_request_duration_seconds', 'HTTP request latency by route and method.');
  readonly lvmInvocations = new Counter('lvmd_lvm_invocations_total', 'lvm commands run, by command and exit code.');
  readonly lvmSeconds = new Histogram('lvmd_lvm_duration_seconds', 'lvm command latency by command.');

  constructor(private readonly nodeName: string) {}

  render(deviceClasses: DeviceClassView[]): string {
    const gauges: Array<[string, string, (dc: DeviceClassView) => number | undefined]> = [
      ['topolvm_volumegroup_available_bytes', 'Available bytes in the device class (VG free minus spare, or thin overprovisioned free).', (dc) => dc.freeBytes],
      ['topolvm_volumegroup_size_bytes', 'Size of the volume group of the device class.', (dc) => dc.vgSizeBytes],
      ['topolvm_thinpool_size_bytes', 'Size of the thin pool.', (dc) => dc.thinPool?.sizeBytes],
      ['topolvm_thinpool_data_percent', 'Data usage of the thin pool in percent.', (dc) => dc.thinPool?.dataPercent],
      ['topolvm_thinpool_metadata_percent', 'Metadata usage of the thin pool in percent.', (dc) => dc.thinPool?.metadataPercent],
      ['topolvm_thinpool_overprovisioned_available', 'Bytes still available for thin volumes under the overprovision ratio.', (dc) => dc.thinPool?.overprovisionedFreeBytes],
    ];
    const lines: string[] = [];
    for (const [name, help, value] of gauges) {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
      for (const dc of deviceClasses) {
        const v = value(dc);
        if (v !== undefined) lines.push(`${name}${labelText({ node: this.nodeName, device_class: dc.name })} ${v}`);
      }
    }
    lines.push(...this.requests.render(), ...this.requestSeconds.render(), ...this.lvmInvocations.render(), ...this.lvmSeconds.render());
    return `${lines.join('\n')}\n`;
  }
}
