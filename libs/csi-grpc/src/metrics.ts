import { Counter, Gauge, Histogram, type Metric, type Registry } from 'prom-client';

/** From a Probe (a millisecond) to a CreateVolume that waits for a node (tens of seconds). */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/**
 * Metrics of CSI calls, in the registry main.ts creates and hands in (never prom-client's
 * global one). Labels: service (Identity, Controller, Node), method (CreateVolume) and
 * grpc_code (OK, NOT_FOUND, ...: what the caller received). A second server on the same
 * registry (a restart within the process) shares the first one's metrics.
 */
export class CsiCallMetrics {
  readonly calls: Counter<'service' | 'method' | 'grpc_code'>;
  readonly seconds: Histogram<'service' | 'method' | 'grpc_code'>;
  readonly inFlight: Gauge<'service' | 'method'>;

  constructor(registry: Registry) {
    const registers = [registry];
    const labelNames = ['service', 'method', 'grpc_code'] as const;
    const shared = <M extends Metric>(name: string, make: (name: string) => M): M => (registry.getSingleMetric(name) as M | undefined) ?? make(name);
    this.calls = shared('csi_calls_total', (name) => new Counter({ name, help: 'CSI calls answered, by service, method and gRPC code.', labelNames, registers }));
    this.seconds = shared(
      'csi_call_duration_seconds',
      (name) =>
        new Histogram({
          name,
          help: 'CSI call latency until the handler finished, by service, method and gRPC code.',
          labelNames,
          buckets: DURATION_BUCKETS,
          registers,
        }),
    );
    this.inFlight = shared(
      'csi_calls_in_flight',
      (name) => new Gauge({ name, help: 'CSI calls whose handler has not finished, by service and method.', labelNames: ['service', 'method'], registers }),
    );
  }
}
