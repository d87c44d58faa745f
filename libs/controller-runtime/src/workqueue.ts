import { ItemExponentialRateLimiter, type RateLimiter } from './rate-limiter';

/**
 * A keyed work queue with client-go's workqueue semantics (Add/Get/Done/Forget, delaying and
 * rate-limited adds), made asynchronous: get() returns a promise instead of blocking.
 *
 * - A key added while it waits in the queue is not added twice (duplicates collapse).
 * - A key is handed to one worker at a time: added while a worker holds it, it is marked
 *   dirty and queued again when that worker calls done(), so the latest state is always
 *   processed once more, never concurrently.
 * - addRateLimited() re-adds after the key's own exponential backoff; forget() resets it.
 * - shutDown() stops accepting keys; get() still hands out what is queued, then resolves
 *   undefined. shutDownWithDrain() also waits for every key being processed to be done.
 *   Unlike client-go, a key added while it was being processed is not queued again once
 *   the queue is shutting down: its newer state is left to whoever runs next.
 *
 * client-node has nothing like it (its informers call handlers directly).
 */
export interface WorkQueueOptions<K> {
  readonly rateLimiter?: RateLimiter<K>;
}

export class WorkQueue<K = string> {
  private readonly rateLimiter: RateLimiter<K>;
  /** FIFO of keys ready to be handed out; `head` indexes the next one. */
  private queue: K[] = [];
  private head = 0;
  /** Keys that need processing: queued, or added again while being processed. */
  private readonly dirty = new Set<K>();
  /** Keys a worker holds (between get() and done()). */
  private readonly processing = new Set<K>();
  /** Keys waiting out a delay, with their timers. */
  private readonly waiting = new Map<K, { at: number; timer: NodeJS.Timeout }>();
  /** get() calls waiting for a key. */
  private readonly getters: ((key: K | undefined) => void)[] = [];
  private drainWaiters: (() => void)[] = [];
  private stopping = false;

  constructor(options: WorkQueueOptions<K> = {}) {
    this.rateLimiter = options.rateLimiter ?? new ItemExponentialRateLimiter<K>();
  }

  /** Marks `key` for processing. Ignored after shutDown(). */
  add(key: K): void {
    if (this.stopping || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // queued again by done()
    this.push(key);
  }

  /** add(key) after `delayMs`; a key already waiting keeps the earlier of the two times. */
  addAfter(key: K, delayMs: number): void {
    if (this.stopping) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = Date.now() + delayMs;
    const existing = this.waiting.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.waiting.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref?.();
    this.waiting.set(key, { at, timer });
  }

  /** add(key) after the key's own backoff, which grows with each call until forget(key). */
  addRateLimited(key: K): void {
    this.addAfter(key, this.rateLimiter.when(key));
  }

  /** Resets the key's backoff (call it when processing succeeded). */
  forget(key: K): void {
    this.rateLimiter.forget(key);
  }

  /** How many times the key was re-added by addRateLimited() since the last forget(). */
  numRequeues(key: K): number {
    return this.rateLimiter.numRequeues(key);
  }

  /**
   * The next key to process, once there is one; the caller must call done(key) after. Resolves
   * undefined once the queue is shut down and empty.
   */
  get(): Promise<K | undefined> {
    const key = this.take();
    if (key !== undefined || this.stopping) return Promise.resolve(key);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** Ends processing of `key`; if it was added meanwhile, it is queued again. */
  done(key: K): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      if (!this.stopping) {
        this.push(key);
        return;
      }
      // shutting down: the key's newer state is left to whoever runs next
      this.dirty.delete(key);
    }
    this.settleDrain();
  }

  /** Keys queued and ready (not counting those being processed or waiting out a delay). */
  len(): number {
    return this.queue.length - this.head;
  }

  /** Keys being processed right now. */
  processingCount(): number {
    return this.processing.size;
  }

  isShuttingDown(): boolean {
    return this.stopping;
  }

  /**
   * Stops accepting keys and drops delayed ones; queued keys are still handed out, unless
   * `discard` drops them too.
   */
  shutDown({ discard = false }: { discard?: boolean } = {}): void {
    if (discard) {
      for (const key of this.queue.slice(this.head)) this.dirty.delete(key);
      this.queue = [];
      this.head = 0;
    }
    if (this.stopping) {
      if (discard) this.releaseGetters();
      this.settleDrain();
      return;
    }
    this.stopping = true;
    for (const { timer } of this.waiting.values()) clearTimeout(timer);
    this.waiting.clear();
    if (this.len() === 0) this.releaseGetters();
    if (this.processing.size === 0 && this.len() === 0) this.settleDrain();
  }

  /** shutDown(), then resolves once every queued key is handed out and every held key is done. */
  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0 && this.len() === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private push(key: K): void {
    const getter = this.getters.shift();
    if (getter) {
      this.dirty.delete(key);
      this.processing.add(key);
      getter(key);
      return;
    }
    this.queue.push(key);
  }

  private take(): K | undefined {
    if (this.head >= this.queue.length) return undefined;
    const key = this.queue[this.head] as K;
    this.head += 1;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.dirty.delete(key);
    this.processing.add(key);
    if (this.stopping && this.len() === 0) this.releaseGetters();
    return key;
  }

  private releaseGetters(): void {
    for (const getter of this.getters.splice(0)) getter(undefined);
  }

  private settleDrain(): void {
    if (!this.stopping || this.len() > 0 || this.processing.size > 0) return;
    for (const resolve of this.drainWaiters.splice(0)) resolve();
  }
}
