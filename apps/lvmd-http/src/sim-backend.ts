import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DmsetupRunner, LvmdConfig, LvmResult, LvmRunOptions, LvmRunner } from '@copse/lvm-model';
import { SimulatedLvm } from '@copse/lvm-sim';
import type { BlockStats } from './pool/block-stats';

export interface SimBackendOptions {
  readonly config: LvmdConfig;
  readonly vgSizeBytes: number;
  readonly poolSizeBytes: number;
  /** keep the simulated state in this file across restarts */
  readonly statePath?: string;
  /** how long each simulated lvm command takes (benchmarks, cancellation tests) */
  readonly latencyMs?: number;
  /** the simulated dm-thin's no_space_timeout in ms (default 60 s, the kernel's) */
  readonly noSpaceTimeoutMs?: number;
}

/** The simulated machine: lvm2, dmsetup and the pools' block-layer counters over one simulated state. */
export interface SimulatedNode {
  readonly lvm: LvmRunner;
  readonly dmsetup: DmsetupRunner;
  readonly blockStats: BlockStats;
  /** the simulation itself, for test hooks (simulateWrite) */
  readonly sim: SimulatedLvm;
}

const READ_ONLY_COMMANDS = new Set(['lvs', 'vgs', 'pvs', 'fullreport']);

/**
 * The embedded default backend: a simulated lvm2 holding one disk per configured volume
 * group, set up with the same commands an operator runs on a real node (pvcreate,
 * vgcreate, lvcreate -T), optionally persisted to a state file after every change.
 */
export async function simulatedBackend(o: SimBackendOptions): Promise<LvmRunner> {
  return (await simulatedNode(o)).lvm;
}

/** simulatedBackend with the simulated dmsetup and block counters that the pool monitor follows. */
export async function simulatedNode(o: SimBackendOptions): Promise<SimulatedNode> {
  const sim = await simulatedLvm(o);
  return {
    sim,
    lvm: o.statePath ? persisted(sim, o.statePath) : sim,
    dmsetup: sim.deviceMapper,
    blockStats: {
      read: (major, minor) => sim.deviceMapper.blockStats(major, minor),
      describe: (major, minor) => `the simulated /sys/dev/block/${major}:${minor}/stat`,
    },
  };
}

async function simulatedLvm(o: SimBackendOptions): Promise<SimulatedLvm> {
  const options = { latencyMs: o.latencyMs, noSpaceTimeoutMs: o.noSpaceTimeoutMs };
  if (o.statePath && existsSync(o.statePath)) return SimulatedLvm.fromJSON(JSON.parse(readFileSync(o.statePath, 'utf8')), options);
  const vgs = [...new Set(o.config.deviceClasses.map((dc) => dc.volumeGroup))];
  const devices = Object.fromEntries(vgs.map((vg) => [`/dev/sim-${vg}`, o.vgSizeBytes]));
  const sim = new SimulatedLvm({ devices, ...options });
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
  return sim;
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
