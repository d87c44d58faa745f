import { request } from 'undici';

/** One server-sent event of /v1/watch, as a client sees it. */
export interface WatchEvent {
  readonly event: string;
  readonly data: Record<string, unknown>;
}

/**
 * Follows GET `url` (a watch stream) into `events` until `signal` fires; resolves when the
 * stream is connected, with a promise that settles when it ends.
 */
export async function followWatch(url: string, signal: AbortSignal, events: WatchEvent[]): Promise<{ ended: Promise<void> }> {
  const res = await request(url, { signal });
  const ended = (async () => {
    let buffer = '';
    try {
      for await (const chunk of res.body) {
        buffer += (chunk as Buffer).toString('utf8');
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) as Record<string, unknown> });
        }
      }
    } catch {
      // aborted: the follower is done
    }
  })();
  return { ended };
}

type ThinDeviceClasses = Array<{ name: string; thinPool?: { health: { status: string } } }>;

/** The thin class's pool health in each snapshot and capacity event, in order. */
export function poolHealthSeen(events: readonly WatchEvent[], deviceClass = 'thin'): Array<string | undefined> {
  return events
    .filter((e) => e.event === 'capacity' || e.event === 'snapshot')
    .map((e) => ((e.data['items'] ?? e.data['deviceClasses']) as ThinDeviceClasses | undefined)?.find((d) => d.name === deviceClass)?.thinPool?.health.status);
}

/** The `updated` logical-volume events' volume names and health, in order. */
export function volumeHealthUpdates(events: readonly WatchEvent[]): Array<{ name: string; healthy: boolean }> {
  return events
    .filter((e) => e.event === 'logical-volume' && e.data['type'] === 'updated')
    .map((e) => {
      const volume = e.data['volume'] as { name: string; health: { healthy: boolean } };
      return { name: volume.name, healthy: volume.health.healthy };
    });
}
