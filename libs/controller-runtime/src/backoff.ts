/**
 * Capped exponential backoff and an abortable sleep, the two timing primitives the rest of
 * the library shares.
 */

export interface BackoffOptions {
  /** First delay, ms. */
  readonly initialMs: number;
  /** No delay exceeds this, ms. */
  readonly maxMs: number;
  /** Each failure multiplies the delay by this (default 2). */
  readonly factor?: number;
  /**
   * Up to this fraction of the delay is added at random (client-go's jitter), so that many
   * clients failing together do not retry together. Default 0: deterministic.
   */
  readonly jitter?: number;
}

/** The delay after `failures` consecutive failures (1 = the first): initial x factor^(failures-1), capped. */
export function backoffDelay(options: BackoffOptions, failures: number, random: () => number = Math.random): number {
  const { initialMs, maxMs, factor = 2, jitter = 0 } = options;
  if (failures <= 0) return 0;
  // exponent capped so that the power never overflows to Infinity before the cap applies
  const exponent = Math.min(failures - 1, 1000);
  const base = Math.min(maxMs, initialMs * Math.pow(factor, exponent));
  const delay = jitter > 0 ? base + base * jitter * random() : base;
  return Math.min(delay, maxMs * (1 + jitter));
}

/** A failure counter with its backoff: fail() gives the next delay, succeed() resets. */
export class Backoff {
  private failures = 0;

  constructor(
    private readonly options: BackoffOptions,
    private readonly random: () => number = Math.random,
  ) {}

  /** Counts a failure and returns how long to wait before the next attempt. */
  fail(): number {
    this.failures += 1;
    return backoffDelay(this.options, this.failures, this.random);
  }

  succeed(): void {
    this.failures = 0;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }
}

/** The reason an aborted signal carries, as an Error. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const err = new Error(typeof reason === 'string' ? reason : 'The operation was aborted');
  err.name = 'AbortError';
  return err;
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Resolves after `ms` or when the signal aborts, whichever is first; never rejects. */
export function sleepUnlessAborted(ms: number, signal?: AbortSignal): Promise<void> {
  return sleep(ms, signal).catch(() => undefined);
}
