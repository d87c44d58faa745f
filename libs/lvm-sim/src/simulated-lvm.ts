/**
 * A simulated lvm2 2.03.16 that answers the argv Copse's command layer produces, in
 * process: same exit codes, same stdout/stderr lines, same JSON reports. It is the
 * daemon's embedded default backend and the fast backend for tests; a contract test
 * checks it against real lvm2.
 *
 * Behaviour was learned from lvm2's sources (tools/, lib/metadata/) and from the captured
 * session in shared/reference/lvm2-2.03.16-capture.txt; the code is our own. As in lvm2,
 * each command lives in its own file (commands/); this class holds the state, runs a
 * command line through commands/dispatch.ts and offers the test hooks.
 */
import { LVM_EXIT, LvmCancelledError, type LvmResult, type LvmRunner, type LvmRunOptions } from '@copse/lvm-model';
import { dispatch } from './commands/dispatch';
import { lvmTime, type SimContext } from './context';
import { findVg } from './lookup';
import { Exit, Output } from './output';
import type { DeviceHolder, SimState } from './state';
import { nextUuid, type UuidOption } from './uuid';
import { SimulatedDeviceMapper } from './device-mapper/simulated-device-mapper';
import { writeToPool } from './device-mapper/pool-kernel';

export interface SimulatedLvmOptions {
  /** Block devices the machine has, path -> size in bytes. */
  readonly devices?: Readonly<Record<string, number>>;
  /** Milliseconds each command takes, to mimic lvm's cost in benchmarks (default 0). */
  readonly latencyMs?: number;
  /** uuids: random (default), a deterministic sequence, or your own generator. */
  readonly uuids?: UuidOption;
  /** Clock for lv_time and the thin pools' no_space_timeout (default: the real one). */
  readonly now?: () => Date;
  /** dm_thin_pool's no_space_timeout in ms: how long a full pool queues writes before it errors them (default 60 s; 0: for ever). */
  readonly noSpaceTimeoutMs?: number;
}

export class SimulatedLvm implements LvmRunner {
  private state: SimState;
  private readonly latencyMs: number;
  private readonly uuidOption: UuidOption;
  private readonly now: () => Date;
  private readonly counts = new Map<string, number>();
  /** The simulated kernel's device-mapper and its dmsetup (status, wait, the pools' I/O counters). */
  readonly deviceMapper: SimulatedDeviceMapper;

  constructor(options: SimulatedLvmOptions = {}, state?: SimState) {
    this.latencyMs = options.latencyMs ?? 0;
    this.uuidOption = options.uuids ?? 'random';
    this.now = options.now ?? (() => new Date());
    this.state = state
      ? (JSON.parse(JSON.stringify(state)) as SimState)
      : { format: 'copse-lvm-sim/1', devices: { ...(options.devices ?? {}) }, pvs: {}, vgs: [], uuidCounter: 0 };
    if (state && options.devices) Object.assign(this.state.devices, options.devices);
    this.deviceMapper = new SimulatedDeviceMapper(() => this.state, { now: this.now, noSpaceTimeoutMs: options.noSpaceTimeoutMs });
    this.deviceMapper.settle();
  }

  /** How many times each lvm command ran, by name (lvs, lvcreate, ...). */
  get invocations(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.counts);
  }

  resetInvocations(): void {
    this.counts.clear();
  }

  toJSON(): SimState {
    return JSON.parse(JSON.stringify(this.state)) as SimState;
  }

  static fromJSON(state: SimState, options: Omit<SimulatedLvmOptions, 'devices'> & { devices?: Record<string, number> } = {}): SimulatedLvm {
    if (!state || state.format !== 'copse-lvm-sim/1') throw new Error('not a copse-lvm-sim/1 state');
    return new SimulatedLvm(options, state);
  }

  /**
   * Test and benchmark hook: pretends `bytes` were written to a thin LV (its mapped
   * size grows, at most to its size) or straight into a pool; the pool's data usage
   * grows by what was newly mapped, at most to the pool's size. Writes that need blocks
   * the pool no longer has run it out of data space, as dm-thin does (device-mapper/
   * pool-kernel.ts): they wait for space (queue IO) or, after no_space_timeout, fail.
   * Returns the bytes newly allocated in the pool.
   */
  simulateWrite(vgName: string, lvName: string, bytes: number): number {
    const vg = findVg(this.state, vgName);
    const lv = vg?.lvs.find((l) => l.name === lvName);
    if (!vg || !lv) throw new Error(`no LV ${vgName}/${lvName}`);
    const pool = lv.type === 'thin-pool' ? lv : lv.type === 'thin' ? vg.lvs.find((l) => l.name === lv.poolLv) : undefined;
    if (!pool?.pool) throw new Error(`${vgName}/${lvName} is not a thin LV or pool`);
    const granted = writeToPool(vg, lv, pool, bytes, this.now().getTime());
    this.deviceMapper.settle();
    return granted;
  }

  /**
   * Test hook: something holds the active LV's device open (a process, a mounted
   * filesystem, a device stacked on it), or nothing does (undefined). lv_attr shows 'o'
   * while it is held; lvremove and lvchange -an refuse it as lvm2 does (in-use.ts).
   */
  simulateOpen(vgName: string, lvName: string, holder: DeviceHolder | undefined): void {
    const vg = findVg(this.state, vgName);
    const lv = vg?.lvs.find((l) => l.name === lvName);
    if (!vg || !lv) throw new Error(`no LV ${vgName}/${lvName}`);
    if (holder && !lv.active) throw new Error(`${vgName}/${lvName} is not active: its device cannot be opened`);
    if (holder) lv.holder = holder;
    else delete lv.holder;
  }

  /** Like the real runner: a fired signal rejects with LvmCancelledError and the command is not applied. */
  async run(argv: readonly string[], options: LvmRunOptions = {}): Promise<LvmResult> {
    const { signal } = options;
    if (signal?.aborted) throw new LvmCancelledError(argv);
    if (this.latencyMs > 0) {
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          clearTimeout(timer);
          reject(new LvmCancelledError(argv));
        };
        const timer = setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, this.latencyMs);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
    return this.runSync(argv);
  }

  /** run() without latency, for callers that want a synchronous answer. */
  runSync(argv: readonly string[]): LvmResult {
    const out = new Output();
    let code: number = LVM_EXIT.OK;
    try {
      const args = Array.isArray(argv) ? argv.map((a) => String(a)) : [];
      const rest = args[0] === 'lvm' ? args.slice(1) : args;
      const name = rest[0] ?? '';
      this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
      dispatch(name, rest.slice(1), this.context(out));
    } catch (e) {
      if (e instanceof Exit) code = e.code;
      else {
        out.error(`Internal error: simulated lvm2 failed: ${e instanceof Error ? e.message : String(e)}`);
        code = LVM_EXIT.FAILED;
      }
    }
    this.deviceMapper.settle();
    return { exitCode: code, stdout: out.stdout.join(''), stderr: out.stderr.join('') };
  }

  private context(out: Output): SimContext {
    const state = this.state;
    return { state, out, uuid: () => nextUuid(this.uuidOption, state), time: () => lvmTime(this.now()) };
  }
}
