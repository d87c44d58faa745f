import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { DeviceClass, LogicalVolume } from './client';

/**
 * The events of `GET /v1/watch` (docs/lvmd-http.md, "The watch stream"), typed. The
 * OpenAPI document describes the stream in prose (OpenAPI has no schema for
 * server-sent events); these types follow it.
 */

/** Why the stream starts with the whole state instead of the events missed. */
export type WatchSnapshotReason = 'initial' | 'restarted' | 'expired' | 'invalid-id';

export type WatchEvent =
  /** The whole state as of `id`: replaces whatever the client knew. */
  | {
      readonly type: 'snapshot';
      readonly id: string;
      readonly reason: WatchSnapshotReason;
      readonly deviceClasses: DeviceClass[];
      readonly logicalVolumes: LogicalVolume[];
    }
  /** Every device class, after every change and every refresh. */
  | { readonly type: 'capacity'; readonly id: string; readonly items: DeviceClass[] }
  /** One volume created, updated or deleted. */
  | {
      readonly type: 'logical-volume';
      readonly id: string;
      readonly change: 'created' | 'updated' | 'deleted';
      readonly volume: LogicalVolume;
    }
  /** lvmd-http ends the stream (slow-client, stalled, shutdown): reconnect with the last id. */
  | { readonly type: 'close'; readonly reason: string; readonly detail?: string };

/** Turns one parsed server-sent event into a WatchEvent; undefined for an event this client does not know. */
export function toWatchEvent(message: EventSourceMessage): WatchEvent | undefined {
  const data = JSON.parse(message.data) as Record<string, unknown>;
  const id = message.id ?? '';
  switch (message.event) {
    case 'snapshot':
      return {
        type: 'snapshot',
        id,
        reason: data['reason'] as WatchSnapshotReason,
        deviceClasses: (data['deviceClasses'] ?? []) as DeviceClass[],
        logicalVolumes: (data['logicalVolumes'] ?? []) as LogicalVolume[],
      };
    case 'capacity':
      return { type: 'capacity', id, items: (data['items'] ?? []) as DeviceClass[] };
    case 'logical-volume':
      return {
        type: 'logical-volume',
        id,
        change: data['type'] as 'created' | 'updated' | 'deleted',
        volume: data['volume'] as LogicalVolume,
      };
    case 'close':
      return { type: 'close', reason: String(data['reason'] ?? ''), detail: data['detail'] === undefined ? undefined : String(data['detail']) };
    default:
      return undefined; // a newer server's event: ignored, as EventSource clients do
  }
}

/**
 * The events of one connection's body, in order, as they arrive. Ends when the body
 * ends (the server closed the stream); throws what reading the body throws.
 */
export async function* watchEvents(body: AsyncIterable<Buffer | string>): AsyncGenerator<WatchEvent> {
  const pending: WatchEvent[] = [];
  const parser = createParser({
    onEvent(message) {
      const event = toWatchEvent(message);
      if (event) pending.push(event);
    },
  });
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    while (pending.length > 0) yield pending.shift() as WatchEvent;
  }
}
