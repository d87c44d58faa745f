import { EventEmitter } from 'node:events';
import {
  parseBlockStat,
  thinPoolDmNames,
  thinPoolHealth,
  thinPoolHealthReason,
  type ThinPoolHealth,
} from '@copse/lvm-model';
import type { Dmsetup } from '@copse/lvm-exec';
import type { BlockStats } from './block-stats';
import type { ThinPoolObservation } from './health-source';

export interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * Why a pool was read: start, its event counter moved, I/O moved its counters, a change
 * through lvmd-http, a look at a pool that was absent, a retry after an error.
 */
export type ReadTrigger = 'start' | 'event' | 'io' | 'change' | 'recheck' | 'retry';

export interface PoolWatcherOptions {
  readonly vg: string;
  readonly pool: string;
  readonly dmsetup: Dmsetup;
  readonly blockStats: BlockStats;
  /** how often to look at the pool's I/O counters; 0: events and changes only */
  readonly pollIntervalMs: number;
  readonly warningPercent: number;
  readonly log: Logger;
  readonly now?: () => number;
  /** first and longest delay before reading again after a failed read */
  readonly retryMs?: { readonly min: number; readonly max: number };
  readonly onRead?: (trigger: ReadTrigger) => void;
}

interface Device {
  readonly major: number;
  readonly minor: number;
  readonly eventNumber: number;
}

/**
 * Follows one thin pool through device-mapper, with no lvm call and, while the pool is
 * idle, no process started:
 * - a `dmsetup wait` sleeps until the pool's event counter moves (the kernel raises an
 *   event at the low-water mark, on running out of data space and on every mode change:
 *   queue IO, error IO, back to write), then the pool is read again;
 * - every pollIntervalMs the write and discard counters of the pool's devices are read
 *   from sysfs, and the pool is read again only when they moved: a fill by writes between
 *   events raises none, and an idle pool moves none;
 * - lvmd-http's own changes read it again at once (read('change')).
 * A read is one `dmsetup status --noflush -v`. Emits 'change' (previous, current) when the
 * health, its reason or the usage figures differ from the last reading.
 */
export class PoolWatcher extends EventEmitter {
  /** the device carrying the pool's target at the last reading (thinPoolDmNames: VG-POOL-tpool or VG-POOL) */
  private name: string;
  private readonly names: readonly string[];
  private observation?: ThinPoolObservation;
  private device?: Device;
  private stopped = false;
  private readonly abort = new AbortController();
  private running?: Promise<void>;
  private queued?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private retryTimer?: NodeJS.Timeout;
  private retryDelay: number;
  private counters?: string;
  private statUnreadableLogged = false;
  private wake?: () => void;
  private loop?: Promise<void>;
  private readonly now: () => number;

  constructor(private readonly o: PoolWatcherOptions) {
    super();
    this.names = thinPoolDmNames(o.vg, o.pool);
    this.name = this.names[0] as string;
    this.now = o.now ?? Date.now;
    this.retryDelay = o.retryMs?.min ?? 1000;
  }

  get current(): ThinPoolObservation | undefined {
    return this.observation;
  }

  /** Reads the pool once, then follows it. */
  async start(): Promise<void> {
    await this.read('start');
    this.loop = this.waitLoop();
    if (this.o.pollIntervalMs > 0) {
      this.timer = setInterval(() => this.tick(), this.o.pollIntervalMs);
      this.timer.unref();
    }
  }

  /** Ends the sleeping dmsetup wait and any read in flight; resolves when the loop has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.abort.abort();
    this.wake?.();
    await this.loop;
  }

  /**
   * Reads the pool now, or right after the read in flight: reads never overlap, and
   * requests made during one collapse into a single read after it.
   */
  read(trigger: ReadTrigger): Promise<void> {
    if (this.queued) return this.queued;
    if (!this.running) {
      this.running = this.readOnce(trigger).finally(() => (this.running = undefined));
      return this.running;
    }
    this.queued = this.running.then(() => {
      this.queued = undefined;
      return this.read(trigger);
    });
    return this.queued;
  }

  private async readOnce(trigger: ReadTrigger): Promise<void> {
    if (this.stopped) return;
    this.o.onRead?.(trigger);
    // the I/O counters as of this reading (taken before it: a write during it is seen next tick)
    const counters = this.device ? this.statKey(this.device) : undefined;
    let health: ThinPoolHealth;
    let device: Device | undefined;
    try {
      const reading = await this.readEither();
      if (reading) {
        health = thinPoolHealth(reading.status, { warningPercent: this.o.warningPercent });
        device = { major: reading.info.major, minor: reading.info.minor, eventNumber: reading.info.eventNumber };
      } else {
        health = { status: 'inactive', reason: thinPoolHealthReason('inactive') };
      }
      this.retryDelay = this.o.retryMs?.min ?? 1000;
    } catch (e) {
      if (this.stopped) return;
      const message = e instanceof Error ? e.message : String(e);
      health = { status: 'unknown', reason: `${thinPoolHealthReason('unknown')}: ${message}` };
      this.scheduleRetry();
    }
    const moved = device && (device.major !== this.device?.major || device.minor !== this.device?.minor);
    this.device = device;
    this.counters = device && !moved ? counters : device ? this.statKey(device) : undefined;
    this.record(health, trigger);
    if (device) this.wake?.();
  }

  /** The pool's target where it was last, else where else it may be (the other of thinPoolDmNames). */
  private async readEither() {
    for (const name of [this.name, ...this.names.filter((n) => n !== this.name)]) {
      const reading = await this.o.dmsetup.thinPoolStatus(name, this.abort.signal);
      if (reading) {
        this.name = name;
        return reading;
      }
    }
    return undefined;
  }

  private record(health: ThinPoolHealth, trigger: ReadTrigger): void {
    const previous = this.observation;
    const at = this.now();
    const since = previous && previous.health.status === health.status ? previous.since : at;
    this.observation = { health, observedAt: at, since };
    if (!previous || JSON.stringify(previous.health) !== JSON.stringify(health)) {
      const level = health.status === 'ok' || health.status === 'inactive' ? 'info' : 'warn';
      if (previous?.health.status !== health.status) {
        this.o.log[level]({ vg: this.o.vg, pool: this.o.pool, status: health.status, reason: health.reason, usage: health.usage }, 'thin pool health');
      }
      this.emit('change', previous, this.observation, trigger);
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.stopped) return;
    const delay = this.retryDelay;
    this.retryDelay = Math.min(delay * 2, this.o.retryMs?.max ?? 60_000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.read('retry');
    }, delay);
    this.retryTimer.unref();
  }

  /** Sleeps in `dmsetup wait` while the pool's device exists; parks while it does not. */
  private async waitLoop(): Promise<void> {
    while (!this.stopped) {
      const device = this.device;
      if (!device) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      try {
        const r = await this.o.dmsetup.waitEvent(this.name, device.eventNumber, this.abort.signal);
        if (this.stopped) return;
        await this.read('event');
        // A vanished device whose reading still shows it (it came back at once) must not spin.
        if (r === 'gone' && this.device?.eventNumber === device.eventNumber) this.device = undefined;
      } catch (e) {
        if (this.stopped) return;
        this.o.log.warn({ vg: this.o.vg, pool: this.o.pool, err: e instanceof Error ? e.message : String(e) }, 'dmsetup wait failed');
        this.device = undefined;
        this.record({ status: 'unknown', reason: `${thinPoolHealthReason('unknown')}: dmsetup wait failed: ${e instanceof Error ? e.message : String(e)}` }, 'event');
        this.scheduleRetry();
      }
    }
  }

  /** Once per pollIntervalMs: reads the pool again when its devices were written or discarded since the last reading. */
  private tick(): void {
    const device = this.device;
    if (!device || this.running) return;
    const key = this.statKey(device);
    if (key === undefined) {
      if (!this.statUnreadableLogged) {
        this.statUnreadableLogged = true;
        this.o.log.warn(
          { vg: this.o.vg, pool: this.o.pool, file: this.o.blockStats.describe(device.major, device.minor), intervalMs: this.o.pollIntervalMs },
          'cannot read the pool device I/O counters: reading the pool with dmsetup status at every interval instead (mount the host /sys, or set --sysfs)',
        );
      }
      void this.read('io');
    } else if (key !== this.counters) {
      void this.read('io');
    }
  }

  /** The write and discard counters of the pool device and the devices under it; undefined when unreadable. */
  private statKey(device: Device): string | undefined {
    const lines = this.o.blockStats.read(device.major, device.minor);
    if (!lines) return undefined;
    try {
      return lines
        .map(parseBlockStat)
        .map((c) => `${c.writeIos}/${c.writeSectors}/${c.discardIos}/${c.discardSectors}`)
        .join(' ');
    } catch {
      return undefined;
    }
  }
}
