/**
 * client-go's EventCorrelator (tools/record/events_cache.go), as a pure function of what it
 * has seen, so that it is tested without a server:
 *
 * - aggregation: events alike but for their message (same source, object, type and reason)
 *   seen `maxSimilar` times within `windowMs` with different messages are folded into one
 *   whose message says "(combined from similar events): <latest message>";
 * - deduplication: an event identical to one recorded within `windowMs` (or to the folded
 *   one) does not make a new Event object: the existing one gets count + 1 and a new
 *   lastTimestamp.
 *
 * Both caches are bounded (least recently used first out), as client-go's LRUs.
 */

export interface EventInput {
  readonly involvedObject: {
    readonly apiVersion?: string;
    readonly kind?: string;
    readonly namespace?: string;
    readonly name?: string;
    readonly uid?: string;
  };
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  readonly source: { readonly component: string; readonly host?: string };
}

export type CorrelatorDecision =
  /** Create a new Event object. */
  | { readonly action: 'create'; readonly key: string; readonly message: string }
  /** Raise count and lastTimestamp of the Event object recorded under `key`. */
  | { readonly action: 'update'; readonly key: string; readonly message: string; readonly count: number; readonly firstTimestamp: number };

export interface CorrelatorOptions {
  /** client-go: 10 minutes (defaultAggregateIntervalInSeconds). */
  readonly windowMs?: number;
  /** client-go: 10 (defaultAggregateMaxEvents). */
  readonly maxSimilar?: number;
  /** client-go: 4096 (maxLruCacheEntries). */
  readonly maxEntries?: number;
}

export const COMBINED_PREFIX = '(combined from similar events): ';

interface Seen {
  count: number;
  firstTimestamp: number;
  lastTimestamp: number;
}

interface Similar {
  messages: Set<string>;
  lastTimestamp: number;
}

/** A Map used as an LRU: reads move an entry to the end, writes evict from the front. */
class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}

  get(key: string): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }

  delete(key: string): void {
    this.map.delete(key);
  }
}

function similarKey(e: EventInput): string {
  const o = e.involvedObject;
  return JSON.stringify([e.source.component, e.source.host ?? '', o.kind, o.namespace, o.name, o.uid, o.apiVersion, e.type, e.reason]);
}

export class EventCorrelator {
  private readonly windowMs: number;
  private readonly maxSimilar: number;
  private readonly similar: Lru<Similar>;
  private readonly seen: Lru<Seen>;

  constructor(options: CorrelatorOptions = {}) {
    this.windowMs = options.windowMs ?? 10 * 60_000;
    this.maxSimilar = options.maxSimilar ?? 10;
    this.similar = new Lru(options.maxEntries ?? 4096);
    this.seen = new Lru(options.maxEntries ?? 4096);
  }

  /** What to do with an event recorded at `now` (ms). */
  observe(event: EventInput, now: number): CorrelatorDecision {
    const similarKeyOf = similarKey(event);
    let message = event.message;
    let key = `${similarKeyOf}${JSON.stringify(event.message)}`;

    // aggregation
    let similar = this.similar.get(similarKeyOf);
    if (!similar || now - similar.lastTimestamp > this.windowMs) similar = { messages: new Set(), lastTimestamp: now };
    similar.messages.add(event.message);
    similar.lastTimestamp = now;
    this.similar.set(similarKeyOf, similar);
    if (similar.messages.size >= this.maxSimilar) {
      key = similarKeyOf;
      message = `${COMBINED_PREFIX}${event.message}`;
    }

    // deduplication
    const previous = this.seen.get(key);
    if (previous && now - previous.lastTimestamp <= this.windowMs) {
      previous.count += 1;
      previous.lastTimestamp = now;
      return { action: 'update', key, message, count: previous.count, firstTimestamp: previous.firstTimestamp };
    }
    this.seen.set(key, { count: 1, firstTimestamp: now, lastTimestamp: now });
    return { action: 'create', key, message };
  }

  /** Forgets `key` (its Event object is gone), so the next occurrence creates a new one. */
  forget(key: string): void {
    this.seen.delete(key);
  }
}
