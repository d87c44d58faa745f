import type { KubernetesObject } from '@kubernetes/client-node';
import { silentLogger, type Logger } from './logger';
import { WorkQueue } from './workqueue';

/**
 * STYLE.md's controller shape, client-go's: informer events enqueue keys; `concurrency`
 * workers take keys from a collapsing queue and call reconcile(key), which re-reads the
 * object (from the informer's cache) and treats "not found" as done. A failure re-queues
 * the key with its own exponential backoff; success forgets it.
 */

/** What reconcile may ask for besides success. */
export interface ReconcileResult {
  /** Reconcile this key again after so many ms (e.g. to poll something outside Kubernetes). */
  readonly requeueAfterMs?: number;
}

/**
 * Brings the world in line with the object `key` names. Throwing re-queues the key with
 * backoff. `signal` aborts when the controller is stopped without draining (e.g. on loss of
 * leadership): long operations should pass it on.
 */
export type Reconciler<K = string> = (key: K, signal: AbortSignal) => Promise<ReconcileResult | void>;

export interface ControllerOptions<K> {
  /** For logs. */
  readonly name: string;
  readonly reconcile: Reconciler<K>;
  /** Keys reconciled at once; a key is never reconciled twice at the same time. Default 1. */
  readonly concurrency?: number;
  readonly queue?: WorkQueue<K>;
  readonly logger?: Logger;
}

/** A source of objects whose changes enqueue keys: an Informer, or client-node's ListWatch. */
export interface EventSource<T> {
  on(verb: 'add' | 'update' | 'delete', cb: (obj: T) => void): void;
}

/** client-go's MetaNamespaceKeyFunc: "namespace/name", or "name" for cluster-scoped objects. */
export function objectKey(obj: KubernetesObject): string {
  const name = obj.metadata?.name ?? '';
  const namespace = obj.metadata?.namespace;
  return namespace ? `${namespace}/${name}` : name;
}

/** The inverse of objectKey. */
export function splitKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export class Controller<K = string> {
  readonly queue: WorkQueue<K>;
  private readonly options: ControllerOptions<K>;
  private readonly logger: Logger;
  private readonly abort = new AbortController();
  private workers: Promise<void>[] = [];
  private running = false;

  constructor(options: ControllerOptions<K>) {
    this.options = options;
    this.queue = options.queue ?? new WorkQueue<K>();
    this.logger = options.logger ?? silentLogger;
  }

  /** Enqueues a key (duplicates collapse while it waits). */
  enqueue(key: K): void {
    this.queue.add(key);
  }

  /** Enqueues the key of every object `source` adds, updates or deletes. */
  watch<T extends KubernetesObject>(source: EventSource<T>, keyOf: (obj: T) => K | undefined = objectKey as unknown as (obj: T) => K): this {
    const enqueue = (obj: T) => {
      const key = keyOf(obj);
      if (key !== undefined) this.queue.add(key);
    };
    source.on('add', enqueue);
    source.on('update', enqueue);
    source.on('delete', enqueue);
    return this;
  }

  /** Starts the workers. `signal` stops the controller without draining when it aborts. */
  start(signal?: AbortSignal): void {
    if (this.running) return;
    this.running = true;
    signal?.addEventListener('abort', () => void this.stop({ drain: false }), { once: true });
    const concurrency = Math.max(1, this.options.concurrency ?? 1);
    for (let i = 0; i < concurrency; i++) this.workers.push(this.work());
  }

  /**
   * Stops taking new keys. With drain (the default) keys already queued are still reconciled
   * and in-flight ones finish; without, queued keys are dropped and in-flight reconciles see
   * their signal abort. Resolves when every worker has returned.
   */
  async stop({ drain = true }: { drain?: boolean } = {}): Promise<void> {
    if (!drain) {
      this.abort.abort(new Error(`controller ${this.options.name} stopped`));
      this.queue.shutDown({ discard: true });
    }
    await this.queue.shutDownWithDrain();
    await Promise.all(this.workers);
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        const result = await this.options.reconcile(key, this.abort.signal);
        this.queue.forget(key);
        if (result?.requeueAfterMs !== undefined) this.queue.addAfter(key, result.requeueAfterMs);
      } catch (err) {
        if (this.abort.signal.aborted) {
          this.logger.debug({ controller: this.options.name, key, err }, 'reconcile ended by stop');
        } else {
          this.queue.addRateLimited(key);
          this.logger.warn(
            { controller: this.options.name, key, err, requeues: this.queue.numRequeues(key) },
            'reconcile failed; retrying with backoff',
          );
        }
      } finally {
        this.queue.done(key);
      }
    }
  }
}
