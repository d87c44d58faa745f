import {
  ListWatch,
  Watch,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { Backoff, sleepUnlessAborted, type BackoffOptions } from './backoff';
import { toApiError } from './errors';
import { silentLogger, type Logger } from './logger';
import { collectionPath, continueToken, customObjectLister, type ListPage, type ResourceRef } from './resource';

/**
 * An informer: client-node's ListWatch (list, then watch from the list's resourceVersion,
 * an in-memory cache, add/update/delete callbacks, resume from the last event's
 * resourceVersion when a watch ends, re-list when the server answers 410 Gone) with what it
 * lacks added around it, not re-implemented (docs/controller-runtime.md, "Informers"):
 *
 * - restart after failures. ListWatch stops for good when a list or a watch fails (network
 *   error, 5xx, 403); this restarts it after a capped exponential backoff, resuming from the
 *   last resourceVersion. A watch that the server keeps closing at once with nothing in it is
 *   backed off too, instead of being reopened in a tight loop.
 * - bookmarks. ListWatch handles BOOKMARK events but never asks for them; every watch here
 *   sends allowWatchBookmarks=true, so a filtered informer's resourceVersion stays fresh and a
 *   resume after a quiet hour does not end in 410 and a full re-list.
 * - a bounded watch: timeoutSeconds between 5 and 10 minutes (client-go's choice), so that a
 *   connection silently lost in the network is replaced.
 * - paginated lists (limit/continue), so that 10,000 objects do not arrive in one response.
 * - a synced signal: hasSynced() and waitForSync(signal), true once the first list is in the
 *   cache and its add callbacks have run.
 * - handler isolation: client-node calls callbacks inside its line parser, which swallows
 *   exceptions; here a throwing handler is logged instead of vanishing.
 * - a transform of each object before it is cached (client-go's SetTransform); by default
 *   managedFields are dropped.
 *
 * Objects are what the lister returns and what the watch sends. Lists through CustomObjectsApi
 * and watch events are plain JSON alike; client-node's typed core listers (CoreV1Api) turn
 * timestamps into Date objects, which watch events do not, so handlers of core kinds must
 * accept both.
 */
export interface InformerOptions<T extends KubernetesObject> {
  readonly kubeConfig: KubeConfig;
  /** The collection path to watch, e.g. collectionPath(ref). */
  readonly path: string;
  /** Lists one page of the same collection, with the same selectors. */
  readonly list: ListPage<T>;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Objects per list page (limit). Default 500, as client-go's reflector. */
  readonly pageSize?: number;
  /** Backoff between restarts after failures. Default 800 ms doubling to 30 s, jitter 0.2 (client-go's reflector). */
  readonly backoff?: BackoffOptions;
  /** Seconds after which the server ends each watch (it is then resumed). Default 300..600 at random. */
  readonly watchTimeoutSeconds?: number;
  /**
   * Applied to every object before it enters the cache and reaches handlers (client-go's
   * SetTransform). Default: stripManagedFields, which halves the memory of a cache of
   * LogicalVolumes; pass `(o) => o` to keep objects whole.
   */
  readonly transform?: (obj: T) => T;
  /** For logs. */
  readonly name?: string;
  readonly logger?: Logger;
}

/**
 * Drops metadata.managedFields (server-side apply's bookkeeping, about half of a
 * LogicalVolume's bytes), which controllers reading from a cache do not use; client-go offers
 * the same as TransformStripManagedFields. Writes go to the API with what was read from it, not
 * from the cache, so nothing is lost.
 */
export function stripManagedFields<T extends KubernetesObject>(obj: T): T {
  if (obj.metadata?.managedFields !== undefined) delete obj.metadata.managedFields;
  return obj;
}

export type InformerVerb = 'add' | 'update' | 'delete';
export type ObjectHandler<T> = (obj: T) => void;

/** Counters for tests, benchmarks and metrics. */
export interface InformerStats {
  /** Complete lists (all pages) applied to the cache. */
  lists: number;
  /** Watch requests made. */
  watches: number;
  /** Restarts after a failed list or watch. */
  restarts: number;
  /** Re-lists because the server no longer had the resourceVersion (410). */
  gone: number;
  /** ADDED/MODIFIED/DELETED events received. */
  events: number;
  /** BOOKMARK events received. */
  bookmarks: number;
}

const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 800, maxMs: 30_000, factor: 2, jitter: 0.2 };
/** A watch that lasted at least this long, or delivered anything, counts as healthy. */
const HEALTHY_WATCH_MS = 10_000;

function abortedController(): AbortController {
  const controller = new AbortController();
  controller.abort();
  return controller;
}

function isGoneError(err: unknown): boolean {
  return toApiError(err)?.code === 410;
}

export class Informer<T extends KubernetesObject> {
  readonly stats: InformerStats = { lists: 0, watches: 0, restarts: 0, gone: 0, events: 0, bookmarks: 0 };
  private readonly options: InformerOptions<T>;
  private readonly logger: Logger;
  private readonly listWatch: ListWatch<T>;
  private readonly backoff: Backoff;
  private readonly stopping = new AbortController();
  private readonly handlers = new Map<ObjectHandler<T>, ObjectHandler<T>>();
  private started = false;
  private synced = false;
  private listed = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private syncWaiters: (() => void)[] = [];
  /** Delay before the next watch, set when the last one ended at once and empty. */
  private nextWatchDelay = 0;

  constructor(options: InformerOptions<T>) {
    this.options = options;
    this.logger = options.logger ?? silentLogger;
    this.backoff = new Backoff(options.backoff ?? DEFAULT_BACKOFF);
    this.listWatch = new ListWatch<T>(
      options.path,
      new InformerWatch(options.kubeConfig, this),
      () => this.listAll(),
      false,
      options.labelSelector,
      options.fieldSelector,
    );
    this.listWatch.on('error', (err: unknown) => this.failed(err));
  }

  get name(): string {
    return this.options.name ?? this.options.path;
  }

  /** Calls `handler` for each object added, updated or deleted (including those of each list). */
  on(verb: InformerVerb, handler: ObjectHandler<T>): void {
    const safe: ObjectHandler<T> = (obj) => {
      try {
        handler(obj);
      } catch (err) {
        this.logger.error({ informer: this.name, verb, name: obj.metadata?.name, err }, 'informer handler threw');
      }
    };
    this.handlers.set(handler, safe);
    this.listWatch.on(verb, safe);
  }

  off(verb: InformerVerb, handler: ObjectHandler<T>): void {
    const safe = this.handlers.get(handler);
    if (safe) this.listWatch.off(verb, safe);
  }

  /** Lists, then watches, until stop(). Once stopped, an informer does not start again. */
  start(): void {
    if (this.started || this.stopping.signal.aborted) return;
    this.started = true;
    void this.listWatch.start();
  }

  async stop(): Promise<void> {
    if (this.stopping.signal.aborted) return;
    this.stopping.abort();
    clearTimeout(this.restartTimer);
    await this.listWatch.stop();
  }

  /** True once the first list is in the cache (and stays true across re-lists). */
  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves once hasSynced(); rejects if `signal` aborts first. */
  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal?.reason instanceof Error ? signal.reason : new Error(`informer ${this.name} did not sync`));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.syncWaiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  /** The cached object, if any. */
  get(name: string, namespace?: string): T | undefined {
    return this.listWatch.get(name, namespace);
  }

  /** Every cached object (of one namespace, if given). */
  list(namespace?: string): readonly T[] {
    return this.listWatch.list(namespace);
  }

  /** The resourceVersion the next watch resumes from ("" before a list, and after a 410). */
  resourceVersion(): string {
    return this.listWatch.latestResourceVersion();
  }

  // --- hooks for InformerWatch -------------------------------------------------------------

  /** @internal */
  isStopped(): boolean {
    return this.stopping.signal.aborted;
  }

  /** @internal Aborts when stop() is called. */
  get stopSignal(): AbortSignal {
    return this.stopping.signal;
  }

  /** @internal ListWatch is about to watch: if a list was just applied, the cache is filled. */
  beforeWatch(): number {
    if (this.listed) {
      this.listed = false;
      if (!this.synced) {
        this.synced = true;
        this.logger.info({ informer: this.name, objects: this.list().length }, 'informer synced');
        for (const resolve of this.syncWaiters.splice(0)) resolve();
      }
    }
    this.stats.watches += 1;
    const delay = this.nextWatchDelay;
    this.nextWatchDelay = 0;
    return delay;
  }

  /** @internal */
  watchQuery(query: Record<string, string | number | boolean | undefined>): Record<string, string | number | boolean | undefined> {
    const timeout = this.options.watchTimeoutSeconds ?? Math.floor(300 * (1 + Math.random()));
    return { ...query, allowWatchBookmarks: true, timeoutSeconds: timeout };
  }

  /** @internal */
  transform(obj: T): T {
    return (this.options.transform ?? stripManagedFields)(obj);
  }

  /** @internal */
  sawEvent(type: string, obj: unknown): void {
    if (type === 'BOOKMARK') this.stats.bookmarks += 1;
    else if (type === 'ERROR') {
      const err = toApiError(obj);
      if (err?.code === 410) this.stats.gone += 1;
      this.logger.warn({ informer: this.name, code: err?.code, reason: err?.reason, message: err?.message }, 'watch error event');
      return;
    } else this.stats.events += 1;
    this.backoff.succeed();
  }

  /** @internal */
  watchEnded(err: unknown, durationMs: number, received: number): void {
    if (this.isStopped()) return;
    if (err) {
      if (isGoneError(err)) {
        this.stats.gone += 1;
        this.logger.info({ informer: this.name }, 'watch answered 410 Gone: listing again');
      }
      // any other error reaches failed() through ListWatch's error callbacks
      return;
    }
    if (received === 0 && durationMs < HEALTHY_WATCH_MS) {
      this.nextWatchDelay = this.backoff.fail();
      this.logger.warn({ informer: this.name, durationMs, retryInMs: this.nextWatchDelay }, 'watch closed at once with nothing in it');
    } else {
      this.logger.debug({ informer: this.name, durationMs, received }, 'watch ended; resuming');
    }
  }

  // -----------------------------------------------------------------------------------------

  private async listAll(): Promise<KubernetesListObject<T>> {
    const { labelSelector, fieldSelector } = this.options;
    const limit = this.options.pageSize ?? 500;
    const items: T[] = [];
    let token: string | undefined;
    let first: KubernetesListObject<T> | undefined;
    let resourceVersion: string | undefined;
    do {
      const page = await this.options.list({ labelSelector, fieldSelector, limit, _continue: token });
      first ??= page;
      resourceVersion = page.metadata?.resourceVersion;
      // list items carry no apiVersion/kind; watch events do: give them the same shape
      const apiVersion = page.apiVersion;
      const kind = page.kind?.replace(/List$/, '');
      for (const item of page.items) {
        if (apiVersion && item.apiVersion === undefined) item.apiVersion = apiVersion;
        if (kind && item.kind === undefined) item.kind = kind;
        items.push(this.transform(item));
      }
      token = continueToken(page);
    } while (token);
    this.stats.lists += 1;
    this.listed = true;
    this.logger.debug({ informer: this.name, objects: items.length, resourceVersion }, 'listed');
    return { apiVersion: first?.apiVersion, kind: first?.kind, metadata: { resourceVersion }, items };
  }

  private failed(err: unknown): void {
    if (this.isStopped()) return; // the abort of our own stop()
    const delay = this.backoff.fail();
    this.stats.restarts += 1;
    const api = toApiError(err);
    this.logger.warn(
      { informer: this.name, err: api ?? err, code: api?.code, retryInMs: Math.round(delay), resourceVersion: this.resourceVersion() },
      'list or watch failed; restarting after backoff',
    );
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      if (!this.isStopped()) void this.listWatch.start();
    }, delay);
  }
}

/**
 * client-node's Watch, as ListWatch uses it, with the informer's additions: bookmarks and a
 * timeout in the query, the backoff before reopening a watch that closed at once, the synced
 * signal, and counters. It never throws: a failure goes to `done`, as Watch's own do.
 */
class InformerWatch<T extends KubernetesObject> extends Watch {
  constructor(
    config: KubeConfig,
    private readonly informer: Informer<T>,
  ) {
    super(config);
  }

  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    const informer = this.informer;
    if (informer.isStopped()) return abortedController();
    const delay = informer.beforeWatch();
    if (delay > 0) {
      await sleepUnlessAborted(delay, informer.stopSignal);
      if (informer.isStopped()) return abortedController();
    }
    const started = Date.now();
    let received = 0;
    try {
      const request = await super.watch(
        path,
        informer.watchQuery(queryParams),
        (phase, obj, raw) => {
          received += 1;
          informer.sawEvent(phase, obj);
          const isObject = phase === 'ADDED' || phase === 'MODIFIED' || phase === 'DELETED';
          callback(phase, isObject ? informer.transform(obj as T) : obj, raw);
        },
        (err) => {
          informer.watchEnded(err, Date.now() - started, received);
          done(err);
        },
      );
      // Watch returns only once the response has begun: a stop() meanwhile could not reach it
      if (informer.isStopped()) request.abort();
      return request;
    } catch (err) {
      done(err);
      return abortedController();
    }
  }
}

export interface ResourceInformerOptions<T extends KubernetesObject>
  extends Omit<InformerOptions<T>, 'kubeConfig' | 'path' | 'list'> {
  /** For a namespaced kind: only this namespace. */
  readonly namespace?: string;
  /** Required for core kinds (e.g. `(o) => core.listNode(o)`); defaults to CustomObjectsApi otherwise. */
  readonly list?: ListPage<T>;
}

/** An informer for a kind named by its ResourceRef (a CRD's, or any outside the core group). */
export function informerFor<T extends KubernetesObject>(
  kubeConfig: KubeConfig,
  ref: ResourceRef,
  options: ResourceInformerOptions<T> = {},
): Informer<T> {
  const { namespace, list, ...rest } = options;
  return new Informer<T>({
    ...rest,
    kubeConfig,
    path: collectionPath(ref, namespace),
    list: list ?? customObjectLister<T>(kubeConfig, ref, namespace),
    name: rest.name ?? ref.plural,
  });
}
