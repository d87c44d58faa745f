import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { DeviceClass, LogicalVolume } from '@copse/lvmd-api';
import type { VolumeEvent } from '../service/lvm-service';

/**
 * What the log follows: LvmService's 'capacity' (DeviceClass[]) and 'volume'
 * (VolumeEvent) events, and its current state.
 */
export interface WatchSource extends Pick<EventEmitter, 'on' | 'off'> {
  listDeviceClasses(): DeviceClass[];
  listVolumes(): LogicalVolume[];
}

/** One published event, serialized once for every client. */
export interface WatchEvent {
  readonly revision: number;
  /** `<epoch>-<revision>` */
  readonly id: string;
  /** later events with the same key supersede this one: `capacity`, or `lv:<vg>/<name>` */
  readonly key: string;
  /** the event as it goes on the stream (id, event and data lines) */
  readonly text: string;
}

/** Why a client gets the whole state instead of the events it missed. */
export type SnapshotReason = 'initial' | 'restarted' | 'expired' | 'invalid-id';

export type Resume = { readonly kind: 'replay'; readonly events: WatchEvent[] } | { readonly kind: 'snapshot'; readonly reason: SnapshotReason };

const ID = /^([0-9a-f]{12})-(\d{1,15})$/;

/**
 * Gives the service's changes resumable ids and keeps a bounded history of them.
 *
 * Every capacity and volume event gets the next revision of a counter that only grows
 * for the life of this process; its id is `<epoch>-<revision>`, the epoch being random
 * per process, so an id from before a restart is recognised as such. A client that
 * reconnects with the id of the last event it saw gets the events after it from the
 * history, or, when they are no longer all there (or the id is from another epoch), a
 * snapshot of the whole state as of the latest revision. Emits 'event' (WatchEvent)
 * for every event it publishes.
 */
export class WatchLog extends EventEmitter {
  readonly epoch: string;
  private revision = 0;
  /** ring buffer of the last `historySize` events, oldest at `start` */
  private readonly ring: WatchEvent[] = [];
  private start = 0;
  private snapshotCache?: { revision: number; json: string };
  private readonly onCapacity = (items: DeviceClass[]) => this.publish('capacity', 'capacity', { items });
  private readonly onVolume = (e: VolumeEvent) => this.publish('logical-volume', `lv:${e.volume.volumeGroup}/${e.volume.name}`, e);

  constructor(
    private readonly source: WatchSource,
    private readonly historySize: number,
    epoch = randomBytes(6).toString('hex'),
  ) {
    super();
    if (!/^[0-9a-f]{12}$/.test(epoch)) throw new Error(`watch epoch must be 12 hex digits, not ${epoch}`);
    this.epoch = epoch;
    this.setMaxListeners(0);
    source.on('capacity', this.onCapacity);
    source.on('volume', this.onVolume);
  }

  close(): void {
    this.source.off('capacity', this.onCapacity);
    this.source.off('volume', this.onVolume);
    this.removeAllListeners();
  }

  /** The id of the latest event (what a snapshot taken now is consistent with). */
  get latestId(): string {
    return `${this.epoch}-${this.revision}`;
  }

  /** What a client that last saw `lastEventId` (none: a new client) needs to catch up. */
  resume(lastEventId: string | undefined): Resume {
    if (lastEventId === undefined || lastEventId === '') return { kind: 'snapshot', reason: 'initial' };
    const m = ID.exec(lastEventId);
    if (!m) return { kind: 'snapshot', reason: 'invalid-id' };
    if (m[1] !== this.epoch) return { kind: 'snapshot', reason: 'restarted' };
    const seen = Number(m[2]);
    if (seen > this.revision) return { kind: 'snapshot', reason: 'invalid-id' };
    const history = this.history();
    const oldest = history[0]?.revision ?? this.revision + 1;
    if (seen < oldest - 1) return { kind: 'snapshot', reason: 'expired' };
    return { kind: 'replay', events: history.filter((e) => e.revision > seen) };
  }

  /**
   * The whole state as one `snapshot` event with the latest id. The state is serialized
   * once per revision, however many clients ask for it.
   */
  snapshot(reason: SnapshotReason): WatchEvent {
    if (this.snapshotCache?.revision !== this.revision) {
      const state = { deviceClasses: this.source.listDeviceClasses(), logicalVolumes: this.source.listVolumes() };
      this.snapshotCache = { revision: this.revision, json: JSON.stringify(state).slice(1) };
    }
    const data = `{"reason":${JSON.stringify(reason)},${this.snapshotCache.json}`;
    return { revision: this.revision, id: this.latestId, key: 'snapshot', text: `id: ${this.latestId}\nevent: snapshot\ndata: ${data}\n\n` };
  }

  /** The events still kept, oldest first. */
  history(): WatchEvent[] {
    return [...this.ring.slice(this.start), ...this.ring.slice(0, this.start)];
  }

  private publish(event: string, key: string, data: unknown): void {
    const revision = ++this.revision;
    const id = `${this.epoch}-${revision}`;
    const e: WatchEvent = { revision, id, key, text: `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n` };
    if (this.ring.length < this.historySize) this.ring.push(e);
    else {
      this.ring[this.start] = e;
      this.start = (this.start + 1) % this.historySize;
    }
    this.emit('event', e);
  }
}
