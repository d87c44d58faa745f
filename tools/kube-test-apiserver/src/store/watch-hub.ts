/** Fans store changes out to the watches of each resource. */
import type { ObjectStore, StoreEvent } from './object-store';

export class WatchHub {
  private readonly byResource = new Map<string, Set<(e: StoreEvent) => void>>();
  private readonly closers = new Set<() => void>();

  constructor(store: ObjectStore) {
    store.subscribe((e) => {
      const set = this.byResource.get(e.resource);
      if (set) for (const fn of [...set]) fn(e);
    });
  }

  /** Listens to changes of one storage resource; `close` is called when the hub shuts down. */
  listen(resource: string, fn: (e: StoreEvent) => void, close: () => void): () => void {
    let set = this.byResource.get(resource);
    if (!set) this.byResource.set(resource, (set = new Set()));
    set.add(fn);
    this.closers.add(close);
    return () => {
      set.delete(fn);
      this.closers.delete(close);
    };
  }

  get watchCount(): number {
    return this.closers.size;
  }

  /** Ends every watch (server shutdown). */
  closeAll(): void {
    for (const c of [...this.closers]) c();
    this.closers.clear();
  }
}
