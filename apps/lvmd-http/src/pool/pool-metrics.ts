import { Counter, Gauge, type Registry } from 'prom-client';
import { THIN_POOL_HEALTH_STATUSES } from '@copse/lvm-model';
import type { DmsetupInvocation } from '@copse/lvm-exec';
import type { PoolMonitor, PoolRef } from './pool-monitor';
import type { ReadTrigger } from './pool-watcher';

export interface PoolMetrics {
  /** feed Dmsetup's onInvocation */
  dmsetupInvocation(invocation: DmsetupInvocation): void;
  /** feed PoolMonitor's onRead */
  poolRead(pool: PoolRef, trigger: ReadTrigger): void;
}

/**
 * The pool monitor's metrics, registered into the process's registry (labels node and
 * device_class like TopoLVM's; the TopoLVM gauges themselves, topolvm_thinpool_data_percent
 * and friends, follow the device-class view and so the monitor):
 * - lvmd_thinpool_health{status}: 1 for the pool's current status, 0 for the others;
 * - lvmd_thinpool_health_since_seconds: since when (unix time) the pool has had it;
 * - lvmd_thinpool_reads_total{trigger}: dmsetup status reads, by why (event, io, change, ...);
 * - lvmd_dmsetup_invocations_total{command, exit_code}: every dmsetup run (the sleeping
 *   wait counts when it returns).
 */
export function registerPoolMetrics(registry: Registry, o: { nodeName: string; monitor: () => PoolMonitor | undefined }): PoolMetrics {
  const node = o.nodeName;
  const registers = [registry];
  new Gauge({
    name: 'lvmd_thinpool_health',
    help: 'Thin pool health as the pool monitor last read it: 1 for the current status, 0 for the others.',
    labelNames: ['node', 'device_class', 'status'],
    registers,
    collect() {
      this.reset();
      const monitor = o.monitor();
      if (!monitor) return;
      for (const ref of monitor.pools) {
        const current = monitor.observation(ref.vg, ref.pool)?.health.status;
        for (const status of THIN_POOL_HEALTH_STATUSES) this.set({ node, device_class: ref.deviceClass, status }, status === current ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'lvmd_thinpool_health_since_seconds',
    help: 'Since when (unix time, seconds) the thin pool has had its current health status.',
    labelNames: ['node', 'device_class'],
    registers,
    collect() {
      this.reset();
      const monitor = o.monitor();
      if (!monitor) return;
      for (const ref of monitor.pools) {
        const observation = monitor.observation(ref.vg, ref.pool);
        if (observation) this.set({ node, device_class: ref.deviceClass }, observation.since / 1000);
      }
    },
  });
  const reads = new Counter({
    name: 'lvmd_thinpool_reads_total',
    help: 'dmsetup status reads of a thin pool, by trigger (start, event, io, change, recheck, retry).',
    labelNames: ['node', 'device_class', 'trigger'],
    registers,
  });
  const invocations = new Counter({
    name: 'lvmd_dmsetup_invocations_total',
    help: 'dmsetup commands run, by command and exit code.',
    labelNames: ['command', 'exit_code'],
    registers,
  });
  return {
    dmsetupInvocation: (inv) => invocations.inc({ command: inv.argv[0] ?? '', exit_code: String(inv.exitCode) }),
    poolRead: (ref, trigger) => reads.inc({ node, device_class: ref.deviceClass, trigger }),
  };
}
