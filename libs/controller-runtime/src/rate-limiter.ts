import { backoffDelay, type BackoffOptions } from './backoff';

/** client-go's RateLimiter: when(key) counts a failure and says how long to wait. */
export interface RateLimiter<K> {
  /** Counts a failure of `key` and returns the delay before it is tried again, ms. */
  when(key: K): number;
  /** Forgets the failures of `key` (it succeeded, or is gone). */
  forget(key: K): void;
  /** Failures counted for `key` since it was last forgotten. */
  numRequeues(key: K): number;
}

/**
 * Per-key exponential backoff (client-go's ItemExponentialFailureRateLimiter): base x 2^n,
 * capped. client-go's controllers default to 5 ms .. 1000 s; Copse caps at 60 s so that a node
 * reconciler failing through an lvmd outage is back within a minute of lvmd.
 */
export class ItemExponentialRateLimiter<K> implements RateLimiter<K> {
  private readonly failures = new Map<K, number>();
  private readonly options: BackoffOptions;

  constructor(options: { baseDelayMs?: number; maxDelayMs?: number } = {}) {
    this.options = { initialMs: options.baseDelayMs ?? 5, maxMs: options.maxDelayMs ?? 60_000, factor: 2 };
  }

  when(key: K): number {
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    return backoffDelay(this.options, n);
  }

  forget(key: K): void {
    this.failures.delete(key);
  }

  numRequeues(key: K): number {
    return this.failures.get(key) ?? 0;
  }
}
