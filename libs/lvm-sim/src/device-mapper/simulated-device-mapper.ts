/**
 * The simulated kernel's device-mapper side of the simulated lvm2's thin pools, with the
 * dmsetup that reads it: `dmsetup status` and a `dmsetup wait` that sleeps until the
 * pool's event counter moves (or its device goes), and the block-layer I/O counters a
 * monitor reads from sysfs. It shares SimulatedLvm's state; SimulatedLvm calls settle()
 * after every lvm command and simulated write, and a timer does at no_space_timeout.
 */
import { LvmCancelledError, type DmsetupRunner, type LvmResult, type LvmRunOptions } from '@copse/lvm-model';
import type { SimState } from '../state';
import { blockStats, findPoolDevice, parseDmsetupArgs, status, waitTarget } from './dmsetup';
import { poolDm } from './pool-kernel';
import { DEFAULT_NO_SPACE_TIMEOUT_MS, nextNoSpaceDeadline, settlePools } from './pool-kernel';

export interface SimulatedDeviceMapperOptions {
  /** dm_thin_pool's no_space_timeout in ms (the kernel's default: 60 s; 0: queue for ever) */
  readonly noSpaceTimeoutMs?: number;
  readonly now?: () => Date;
}

export class SimulatedDeviceMapper implements DmsetupRunner {
  private readonly waiters = new Set<() => void>();
  private timer?: NodeJS.Timeout;
  private timerAt?: number;
  private readonly noSpaceTimeoutMs: number;
  private readonly now: () => number;
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly state: () => SimState,
    options: SimulatedDeviceMapperOptions = {},
  ) {
    this.noSpaceTimeoutMs = options.noSpaceTimeoutMs ?? DEFAULT_NO_SPACE_TIMEOUT_MS;
    const now = options.now ?? (() => new Date());
    this.now = () => now().getTime();
  }

  /** How many times each dmsetup command ran (a wait counts when it starts). */
  get invocations(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.counts);
  }

  /** dmsetup waits sleeping now. */
  get sleeping(): number {
    return this.waiters.size;
  }

  async run(argv: readonly string[], options: LvmRunOptions = {}): Promise<LvmResult> {
    if (options.signal?.aborted) throw new LvmCancelledError(['dmsetup', ...argv]);
    this.settle();
    const parsed = parseDmsetupArgs(argv);
    if ('exitCode' in parsed) return parsed;
    this.counts.set(parsed.command, (this.counts.get(parsed.command) ?? 0) + 1);
    switch (parsed.command) {
      case 'status':
        return status(this.state(), parsed);
      case 'wait': {
        const target = waitTarget(this.state(), parsed);
        if ('exitCode' in target) return target;
        await this.sleep(target.name, target.after, argv, options.signal);
        return { exitCode: 0, stdout: '', stderr: '' };
      }
      default:
        return { exitCode: 1, stdout: '', stderr: `Command ${parsed.command || '(none)'} is not implemented by the simulated dmsetup.\nCommand failed.\n` };
    }
  }

  /** /sys/dev/block/MAJ:MIN/stat of a live pool's -tpool device and of its slaves. */
  blockStats(major: number, minor: number): string[] | undefined {
    return blockStats(this.state(), major, minor);
  }

  /**
   * Brings the pools' device-mapper state up to date (activation, commits, space back,
   * no_space_timeout passed), lets every wait look again, and sets the timer for the next
   * no_space_timeout.
   */
  settle(): void {
    settlePools(this.state(), this.now(), this.noSpaceTimeoutMs);
    // every wait looks again (a write may have raised an event before this settle)
    for (const wake of [...this.waiters]) wake();
    const at = nextNoSpaceDeadline(this.state(), this.noSpaceTimeoutMs);
    if (at === this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = at;
    if (at === undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = undefined;
      this.settle();
    }, Math.max(0, at - this.now()));
    this.timer.unref();
  }

  /**
   * Sleeps until the event counter of the device `name` names NOW is past `after`, or the
   * device goes: like the kernel's wait, it follows the device, not the name (lvm2 renames
   * VG-POOL to VG-POOL-tpool when the first thin LV stacks the pool).
   */
  private sleep(name: string, after: number, argv: readonly string[], signal?: AbortSignal): Promise<void> {
    const device = findPoolDevice(this.state(), name);
    const events = (): number | undefined => {
      if (!device || !device.pool.active || !this.state().vgs.some((vg) => vg.lvs.includes(device.pool))) return undefined;
      return device.top ? 0 : poolDm(device.pool.pool!).events;
    };
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        this.waiters.delete(check);
        signal?.removeEventListener('abort', onAbort);
      };
      const check = () => {
        const now = events();
        if (now === undefined || now > after) {
          done();
          resolve();
        }
      };
      const onAbort = () => {
        done();
        reject(new LvmCancelledError(['dmsetup', ...argv]));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(check);
      check();
    });
  }
}
