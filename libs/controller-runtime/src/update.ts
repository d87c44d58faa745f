import { sleep } from './backoff';
import { apiCall, isConflict } from './errors';

/**
 * Optimistic concurrency, client-go's retry.RetryOnConflict shape: read the object, change
 * it, write it with the resourceVersion it was read at; on 409 Conflict (someone wrote in
 * between) read again and re-apply the change. Other errors are thrown typed at once.
 */
export interface UpdateWithRetryOptions<T> {
  /** Reads the current object (from the API, not a cache: a cache may be behind). */
  readonly read: () => Promise<T>;
  /**
   * Returns the object to write, or undefined when it needs no change (then nothing is
   * written and the current object is returned). It may modify and return its argument.
   */
  readonly mutate: (current: T) => T | undefined | Promise<T | undefined>;
  /** Writes the object; it must send the resourceVersion of what it was given. */
  readonly write: (next: T) => Promise<T>;
  /** Attempts in all (default 5, as client-go's DefaultRetry). */
  readonly attempts?: number;
  /** Delay between attempts, ms (default 10, as client-go's DefaultRetry, with 10% jitter). */
  readonly delayMs?: number;
  readonly signal?: AbortSignal;
}

export async function updateWithRetry<T>(options: UpdateWithRetryOptions<T>): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 5);
  const delayMs = options.delayMs ?? 10;
  for (let attempt = 1; ; attempt++) {
    const current = await apiCall(options.read);
    const next = await options.mutate(current);
    if (next === undefined) return current;
    try {
      return await apiCall(() => options.write(next));
    } catch (err) {
      if (!isConflict(err) || attempt >= attempts) throw err;
    }
    await sleep(delayMs * (1 + 0.1 * Math.random()), options.signal);
  }
}
