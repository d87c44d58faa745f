import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { Backoff, sleepUnlessAborted, type BackoffOptions } from '@copse/controller-runtime';
import type { DeviceClass, LogicalVolume, LvmdClient, WatchEvent } from '@copse/lvmd-api';
import type { NodeMetrics } from '../metrics';

export interface LvmdFollowerOptions {
  readonly lvmd: Pick<LvmdClient, 'watch'>;
  readonly log: Logger;
  readonly metrics?: NodeMetrics;
  /** between reconnections; default 500 ms doubling to 30 s, 20 % jitter */
  readonly backoff?: BackoffOptions;
}

const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.2 };

/**
 * Follows lvmd-http's watch stream and keeps what it says: the device classes (capacity)
 * and the logical volumes. One connection at a time; when it ends (an error, lvmd-http
 * restarting, a `close` event) it reconnects after a backoff with Last-Event-ID, so that
 * lvmd-http replays what was missed or, when it cannot (restarted, history expired),
 * starts with a `snapshot` that replaces everything. Applying the events as
 * docs/lvmd-http.md says (upsert, remove, replace) always converges to lvmd-http's state.
 *
 * Emits 'capacity' (DeviceClass[]) after every snapshot or capacity event, 'volume'
 * ({change, volume}) after every volume event, and 'connected' / 'disconnected'.
 */
export class LvmdFollower extends EventEmitter {
  private classes: DeviceClass[] | undefined;
  private readonly volumes = new Map<string, LogicalVolume>();
  private lastEventId: string | undefined;
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;
  private isConnected = false;
  private readonly backoff: Backoff;

  constructor(private readonly o: LvmdFollowerOptions) {
    super();
    this.backoff = new Backoff(o.backoff ?? DEFAULT_BACKOFF);
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  /** The device classes as last reported; undefined until the first snapshot. */
  deviceClasses(): readonly DeviceClass[] | undefined {
    return this.classes;
  }

  /** A logical volume by name (the LogicalVolume object's UID), as last reported. */
  volume(name: string): LogicalVolume | undefined {
    return this.volumes.get(name);
  }

  get connected(): boolean {
    return this.isConnected;
  }

  /** The id of the last event applied (what a reconnection resumes after). */
  get resumeId(): string | undefined {
    return this.lastEventId;
  }

  private async run(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      let ended = 'ended';
      try {
        for await (const event of this.o.lvmd.watch({ lastEventId: this.lastEventId, signal })) {
          this.o.metrics?.watchEvents.inc({ type: event.type });
          if (event.type === 'close') {
            ended = event.reason || 'close';
            this.o.log.info({ reason: event.reason, detail: event.detail }, 'lvmd-http closed the watch stream; reconnecting');
            break;
          }
          this.apply(event);
        }
      } catch (err) {
        if (signal.aborted) break;
        ended = 'error';
        this.o.log.warn({ err: (err as Error).message, resumeFrom: this.lastEventId }, "lvmd-http's watch stream failed");
      }
      this.setConnected(false);
      if (signal.aborted) break;
      const delay = this.backoff.fail();
      this.o.metrics?.watchReconnects.inc({ reason: ended });
      this.o.log.debug({ retryInMs: Math.round(delay), resumeFrom: this.lastEventId }, "reconnecting to lvmd-http's watch stream");
      await sleepUnlessAborted(delay, signal);
    }
    this.setConnected(false);
  }

  private apply(event: Exclude<WatchEvent, { type: 'close' }>): void {
    this.lastEventId = event.id;
    this.backoff.succeed();
    this.setConnected(true);
    switch (event.type) {
      case 'snapshot':
        if (event.reason !== 'initial') this.o.log.info({ reason: event.reason }, 'lvmd-http sent its whole state (could not replay what was missed)');
        this.volumes.clear();
        for (const v of event.logicalVolumes) this.volumes.set(v.name, v);
        this.classes = event.deviceClasses;
        this.emit('capacity', this.classes);
        for (const v of event.logicalVolumes) this.emit('volume', { change: 'snapshot', volume: v });
        return;
      case 'capacity':
        this.classes = event.items;
        this.emit('capacity', this.classes);
        return;
      case 'logical-volume':
        if (event.change === 'deleted') this.volumes.delete(event.volume.name);
        else this.volumes.set(event.volume.name, event.volume);
        this.emit('volume', { change: event.change, volume: event.volume });
        return;
    }
  }

  private setConnected(value: boolean): void {
    if (this.isConnected === value) return;
    this.isConnected = value;
    this.o.metrics?.watchConnected.set(value ? 1 : 0);
    this.emit(value ? 'connected' : 'disconnected');
  }
}
