import { Watch, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { abortReason, Backoff, sleep } from './backoff';
import { isNotFound, toApiError } from './errors';
import { silentLogger, type Logger } from './logger';

/**
 * Waits for an object to satisfy a condition by watching it, never by polling (TopoLVM's
 * controller polls LogicalVolume status from 1 s upward, so a create cannot answer faster).
 *
 * It reads the object first and watches from that read's resourceVersion, so a change made
 * between the read and the start of the watch is delivered by the watch, not missed. A watch
 * that ends is resumed from the last resourceVersion seen; a 410 reads the object again.
 */
export interface WaitForOptions<T extends KubernetesObject> {
  readonly kubeConfig: KubeConfig;
  /** The collection path of the object's kind (collectionPath(ref, namespace)). */
  readonly path: string;
  /** metadata.name of the object. */
  readonly name: string;
  /** Reads the object; a NotFound error means it does not exist. */
  readonly get: () => Promise<T>;
  /** True when the wait is over. Called with undefined while the object does not exist. */
  readonly condition: (obj: T | undefined) => boolean;
  /** Gives up after so many ms with a WaitTimeoutError. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
}

export class WaitTimeoutError extends Error {
  constructor(
    message: string,
    /** The object as last seen (undefined if it did not exist). */
    readonly lastSeen: unknown,
  ) {
    super(message);
    this.name = 'WaitTimeoutError';
  }
}

/** Resolves with the object (or undefined, if the condition held for its absence). */
export async function waitFor<T extends KubernetesObject>(options: WaitForOptions<T>): Promise<T | undefined> {
  const { signal, timeoutMs, name } = options;
  const logger = options.logger ?? silentLogger;
  let lastSeen: T | undefined;
  const stop = new AbortController();
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => stop.abort(new WaitTimeoutError(`${name}: condition not met within ${timeoutMs} ms`, lastSeen)), timeoutMs);
  const onAbort = () => stop.abort(abortReason(signal as AbortSignal));
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });

  const read = async (): Promise<T | undefined> => {
    try {
      return await options.get();
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw toApiError(err) ?? err;
    }
  };

  try {
    lastSeen = await raceAbort(read(), stop.signal);
    if (options.condition(lastSeen)) return lastSeen;
    const watch = new Watch(options.kubeConfig);
    const backoff = new Backoff({ initialMs: 200, maxMs: 5_000, jitter: 0.2 });
    // no resourceVersion while the object is absent: the watch then starts with the current
    // state (a synthetic ADDED if it was created meanwhile), so nothing is missed either way
    let resourceVersion = lastSeen?.metadata?.resourceVersion;
    for (;;) {
      const outcome = await watchOnce<T>(watch, options, resourceVersion, stop.signal, (obj) => {
        lastSeen = obj;
      });
      if (outcome.kind === 'met') return outcome.obj;
      if (outcome.kind === 'gone') {
        logger.debug({ name }, 'wait: resourceVersion too old; reading again');
        lastSeen = await raceAbort(read(), stop.signal);
        if (options.condition(lastSeen)) return lastSeen;
        resourceVersion = lastSeen?.metadata?.resourceVersion;
        continue;
      }
      if (outcome.resourceVersion) resourceVersion = outcome.resourceVersion;
      if (outcome.kind === 'failed') {
        const delay = backoff.fail();
        logger.warn({ name, err: outcome.error, retryInMs: Math.round(delay) }, 'wait: watch failed; watching again after backoff');
        await sleep(delay, stop.signal);
      } else {
        backoff.succeed();
      }
    }
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    stop.abort();
  }
}

type WatchOutcome<T> =
  | { kind: 'met'; obj: T | undefined }
  | { kind: 'gone' }
  | { kind: 'ended'; resourceVersion?: string }
  | { kind: 'failed'; error: unknown; resourceVersion?: string };

/** One watch request: resolves when the condition is met, or when the watch ends. */
function watchOnce<T extends KubernetesObject>(
  watch: Watch,
  options: WaitForOptions<T>,
  resourceVersion: string | undefined,
  signal: AbortSignal,
  seen: (obj: T | undefined) => void,
): Promise<WatchOutcome<T>> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let request: AbortController | undefined;
    let lastVersion = resourceVersion;
    const finish = (outcome: WatchOutcome<T>) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      request?.abort();
      resolve(outcome);
    };
    const onAbort = () => {
      if (settled) return;
      settled = true;
      request?.abort();
      reject(abortReason(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const query: Record<string, string | boolean> = {
      fieldSelector: `metadata.name=${options.name}`,
      allowWatchBookmarks: true,
    };
    if (resourceVersion) query['resourceVersion'] = resourceVersion;
    watch
      .watch(
        options.path,
        query,
        (type, obj: T) => {
          if (settled) return;
          if (type === 'ERROR') {
            const err = toApiError(obj);
            if (err?.code === 410) finish({ kind: 'gone' });
            else finish({ kind: 'failed', error: err ?? obj, resourceVersion: lastVersion });
            return;
          }
          lastVersion = obj?.metadata?.resourceVersion ?? lastVersion;
          if (type === 'BOOKMARK' || obj?.metadata?.name !== options.name) return;
          const current = type === 'DELETED' ? undefined : obj;
          seen(current);
          if (options.condition(current)) finish({ kind: 'met', obj: current });
        },
        (err) => {
          if (!err) finish({ kind: 'ended', resourceVersion: lastVersion });
          else if (toApiError(err)?.code === 410) finish({ kind: 'gone' });
          else finish({ kind: 'failed', error: err, resourceVersion: lastVersion });
        },
      )
      .then((controller) => {
        request = controller;
        if (settled) controller.abort();
      }, (err) => finish({ kind: 'failed', error: err, resourceVersion: lastVersion }));
  });
}

function raceAbort<V>(promise: Promise<V>, signal: AbortSignal): Promise<V> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
