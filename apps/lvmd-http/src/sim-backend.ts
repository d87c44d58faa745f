import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LvmdConfig, LvmResult, LvmRunOptions, LvmRunner } from '@copse/lvm-model';
import { SimulatedLvm } from '@copse/lvm-sim';

export interface SimBackendOptions {
  readonly config: LvmdConfig;
  readonly vgSizeBytes: number;
  readonly poolSizeBytes: number;
  /** keep the simulated state in this file across restarts */
  readonly statePath?: string;
  /** how long each simulated lvm command takes (benchmarks, cancellation tests) */
  readonly latencyMs?: number;
}

const READ_ONLY_COMMANDS = new Set(['lvs', 'vgs', 'pvs', 'fullreport']);

/**
 * The embedded default backend: a simulated lvm2 holding one disk per configured volume
 * group, set up with the same commands an operator runs on a real node (pvcreate,
 * vgcreate, lvcreate -T), optionally persisted to a state file after every change.
 */
export async function simulatedBackend(o: SimBackendOptions): Promise<LvmRunner> {
  if (o.statePath && existsSync(o.statePath)) {
    return persisted(SimulatedLvm.fromJSON(JSON.parse(readFileSync(o.statePath, 'utf8')), { latencyMs: o.latencyMs }), o.statePath);
  }
  const vgs = [...new Set(o.config.deviceClasses.map((dc) => dc.volumeGroup))];
  const devices = Object.fromEntries(vgs.map((vg) => [`/dev/sim-${vg}`, o.vgSizeBytes]));
  const sim = new SimulatedLvm({ devices, latencyMs: o.latencyMs });
  const pools = new Set<string>();
  const setup: string[][] = [];
  for (const vg of vgs) setup.push(['pvcreate', `/dev/sim-${vg}`], ['vgcreate', vg, `/dev/sim-${vg}`]);
  for (const dc of o.config.deviceClasses) {
    const key = `${dc.volumeGroup}/${dc.thinPool?.name}`;
    if (dc.type === 'thin' && dc.thinPool && !pools.has(key)) {
      pools.add(key);
      setup.push(['lvcreate', '-T', key, '-L', `${o.poolSizeBytes}b`]);
    }
  }
  // runSync: the setup is not what a configured latency stands for
  for (const argv of setup) {
    const r = sim.runSync(argv);
    if (r.exitCode !== 0) throw new Error(`simulated setup "${argv.join(' ')}" failed: ${r.stderr.trim()}`);
  }
  return o.statePath ? persisted(sim, o.statePath) : sim;
}

function persisted(sim: SimulatedLvm, path: string): LvmRunner {
  const save = () => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(`${path}.tmp`, JSON.stringify(sim.toJSON()));
    renameSync(`${path}.tmp`, path);
  };
  save();
  return {
    async run(argv: readonly string[], options?: LvmRunOptions): Promise<LvmResult> {
      const result = await sim.run(argv, options);
      if (!READ_ONLY_COMMANDS.has(argv[0] ?? '')) save();
      return result;
    },
  };
}
