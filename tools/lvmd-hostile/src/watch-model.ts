/**
 * A watch client's view of lvmd-http, built only from the events it received, applied as
 * docs/lvmd-http.md says a client must: `snapshot` replaces everything, `capacity` the
 * device classes, `logical-volume` created/updated upserts and deleted removes. The
 * suites compare it with a fresh list to prove that a client converges.
 */
import type { DeviceClass, LogicalVolume } from '@copse/lvmd-api';

export interface SseEvent {
  readonly id?: string;
  readonly event: string;
  readonly data: string;
}

/** The whole events in `text` (an event ends with a blank line); comments and `retry:` are skipped. */
export function parseEvents(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  const blocks = text.split('\n\n');
  blocks.pop(); // unfinished
  for (const block of blocks) {
    let id: string | undefined;
    let event = 'message';
    const data: string[] = [];
    let any = false;
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') id = value;
      else if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else continue;
      any = true;
    }
    if (any && (data.length > 0 || id !== undefined)) events.push({ id, event, data: data.join('\n') });
  }
  return events;
}

/** The revision of an event id `<epoch>-<revision>`. */
export function revisionOf(id: string): number {
  return Number(id.split('-')[1]);
}

export class WatchModel {
  deviceClasses: DeviceClass[] = [];
  readonly volumes = new Map<string, LogicalVolume>();
  lastId?: string;
  /** the close event, when the server ended the stream with one */
  closed?: { reason: string; detail: string };
  /** the reasons of the snapshots received, in order */
  readonly snapshots: string[] = [];

  apply(e: SseEvent): void {
    const data = JSON.parse(e.data) as Record<string, unknown>;
    switch (e.event) {
      case 'snapshot': {
        this.snapshots.push(data.reason as string);
        this.deviceClasses = data.deviceClasses as DeviceClass[];
        this.volumes.clear();
        for (const v of data.logicalVolumes as LogicalVolume[]) this.volumes.set(key(v), v);
        break;
      }
      case 'capacity':
        this.deviceClasses = data.items as DeviceClass[];
        break;
      case 'logical-volume': {
        const v = data.volume as LogicalVolume;
        if (data.type === 'deleted') this.volumes.delete(key(v));
        else this.volumes.set(key(v), v);
        break;
      }
      case 'close':
        this.closed = data as { reason: string; detail: string };
        return;
      default:
        throw new Error(`unknown watch event ${e.event}`);
    }
    if (e.id !== undefined) this.lastId = e.id;
  }

  /** The volumes, sorted as the list answers them (by volume group, then name). */
  volumeList(): LogicalVolume[] {
    return [...this.volumes.values()].sort((a, b) => key(a).localeCompare(key(b)));
  }
}

function key(v: LogicalVolume): string {
  return `${v.volumeGroup}/${v.name}`;
}
