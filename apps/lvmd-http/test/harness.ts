import { parseLvmdConfig, type DmsetupRunner, type LvmResult, type LvmRunOptions, type LvmRunner, type LvmdConfig } from '@copse/lvm-model';
import { Dmsetup, Lvm } from '@copse/lvm-exec';
import type { BlockStats } from '../src/pool/block-stats';
import { PoolMonitor } from '../src/pool/pool-monitor';
import { registerPoolMetrics } from '../src/pool/pool-metrics';
import { forwardPoolChanges } from '../src/pool/service-events';
import type { SimulatedLvm } from '@copse/lvm-sim';
import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp, type AppOptions } from '../src/app';
import { Registry } from 'prom-client';
import { Metrics } from '../src/metrics';
import { LvmService } from '../src/service/lvm-service';
import { simulatedNode } from '../src/sim-backend';

export const DEV_CONFIG_PATH = join(__dirname, '../dev/lvmd.yaml');

/** Counts and records every argv that reaches the (simulated) lvm. */
export class RecordingRunner implements LvmRunner {
  readonly calls: string[][] = [];
  constructor(private readonly inner: LvmRunner) {}
  run(argv: readonly string[], options?: LvmRunOptions): Promise<LvmResult> {
    this.calls.push([...argv]);
    return this.inner.run(argv, options);
  }
}

export const silentLog = { info() {}, warn() {}, error() {} };

export interface Harness {
  app: FastifyInstance;
  service: LvmService;
  monitor?: PoolMonitor;
  runner: RecordingRunner;
  /** the simulated lvm2 itself, for its test hooks (simulateWrite fills its pools, simulateOpen) */
  sim: SimulatedLvm;
  config: LvmdConfig;
  close(): Promise<void>;
}

export async function startHarness(
  o: {
    token?: string;
    yaml?: string;
    poolSizeBytes?: number;
    vgSizeBytes?: number;
    latencyMs?: number;
    /** more options for buildApp (limits, watch, logger, ...) */
    app?: Partial<AppOptions>;
    /** the simulated dm-thin's no_space_timeout (ms) */
    noSpaceTimeoutMs?: number;
    /**
     * The pool monitor: by default it follows the simulated pools through the simulated
     * dmsetup; give another dmsetup and I/O counters, or false for none (health from lvs).
     */
    pools?: false | { dmsetup?: DmsetupRunner; blockStats?: BlockStats; pollIntervalMs?: number; warningPercent?: number };
  } = {},
): Promise<Harness> {
  const config = parseLvmdConfig(o.yaml ?? readFileSync(DEV_CONFIG_PATH, 'utf8'));
  const node = await simulatedNode({
    config,
    vgSizeBytes: o.vgSizeBytes ?? 100 * 2 ** 30,
    poolSizeBytes: o.poolSizeBytes ?? 50 * 2 ** 30,
    latencyMs: o.latencyMs,
    noSpaceTimeoutMs: o.noSpaceTimeoutMs,
  });
  const runner = new RecordingRunner(node.lvm);
  const lvm = new Lvm(runner);
  const registry = new Registry();
  let monitor: PoolMonitor | undefined;
  const poolMetrics = registerPoolMetrics(registry, { nodeName: 'test-node', monitor: () => monitor });
  if (o.pools !== false) {
    const pools = o.pools ?? {};
    monitor = new PoolMonitor({
      config,
      dmsetup: new Dmsetup(pools.dmsetup ?? node.dmsetup, { onInvocation: (i) => poolMetrics.dmsetupInvocation(i) }),
      blockStats: pools.blockStats ?? node.blockStats,
      pollIntervalMs: pools.pollIntervalMs ?? 20,
      warningPercent: pools.warningPercent ?? 80,
      log: silentLog,
      retryMs: { min: 20, max: 200 },
      onRead: (ref, trigger) => poolMetrics.poolRead(ref, trigger),
    });
    await monitor.start();
  }
  const service = new LvmService({ config, lvm, log: silentLog, refreshIntervalMs: 0, pools: monitor });
  await service.start();
  const unforward = monitor ? forwardPoolChanges(monitor, service, config) : () => {};
  const app = await buildApp({ service, metrics: new Metrics(registry, 'test-node'), token: o.token, ...o.app });
  await app.ready();
  return {
    app,
    service,
    monitor,
    runner,
    sim: node.sim,
    config,
    async close() {
      unforward();
      service.stop();
      await monitor?.stop();
      await app.close();
    },
  };
}

export const GiB = 2 ** 30;
export const MiB = 2 ** 20;
