import { parseLvmdConfig, type LvmResult, type LvmRunOptions, type LvmRunner, type LvmdConfig } from '@copse/lvm-model';
import { Lvm } from '@copse/lvm-exec';
import { SimulatedLvm } from '@copse/lvm-sim';
import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp, type AppOptions } from '../src/app';
import { Registry } from 'prom-client';
import { Metrics } from '../src/metrics';
import { LvmService } from '../src/service/lvm-service';
import { simulatedBackend } from '../src/sim-backend';

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
  runner: RecordingRunner;
  /** the simulated lvm2 itself, for its test hooks (simulateWrite, simulateOpen) */
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
  } = {},
): Promise<Harness> {
  const config = parseLvmdConfig(o.yaml ?? readFileSync(DEV_CONFIG_PATH, 'utf8'));
  const sim = await simulatedBackend({
    config,
    vgSizeBytes: o.vgSizeBytes ?? 100 * 2 ** 30,
    poolSizeBytes: o.poolSizeBytes ?? 50 * 2 ** 30,
    latencyMs: o.latencyMs,
  });
  if (!(sim instanceof SimulatedLvm)) throw new Error('the harness expects the in-memory simulated lvm2');
  const runner = new RecordingRunner(sim);
  const lvm = new Lvm(runner);
  const service = new LvmService({ config, lvm, log: silentLog, refreshIntervalMs: 0 });
  await service.start();
  const app = await buildApp({ service, metrics: new Metrics(new Registry(), 'test-node'), token: o.token, ...o.app });
  await app.ready();
  return {
    app,
    service,
    runner,
    sim,
    config,
    async close() {
      service.stop();
      await app.close();
    },
  };
}

export const GiB = 2 ** 30;
export const MiB = 2 ** 20;
