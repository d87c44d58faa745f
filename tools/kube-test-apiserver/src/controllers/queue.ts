/**
 * A tiny deduplicating queue for the server's own controllers: work runs on a later turn of
 * the event loop, never inside a store write (so watchers see events in revision order).
 */
export class ControllerQueue {
  private readonly pending = new Map<string, () => void>();
  private scheduled = false;
  private stopped = false;

  constructor(private readonly onError: (key: string, err: unknown) => void) {}

  add(key: string, work: () => void): void {
    if (this.stopped) return;
    this.pending.set(key, work);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  }

  private drain(): void {
    this.scheduled = false;
    const batch = [...this.pending];
    this.pending.clear();
    for (const [key, work] of batch) {
      if (this.stopped) return;
      try {
        work();
      } catch (err) {
        this.onError(key, err);
      }
    }
  }

  /** Resolves once nothing is queued (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.pending.size > 0 || this.scheduled) await new Promise((r) => setImmediate(r));
  }

  stop(): void {
    this.stopped = true;
    this.pending.clear();
  }
}
