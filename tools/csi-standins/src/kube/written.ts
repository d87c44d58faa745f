import type { KubernetesObject } from '@kubernetes/client-node';
import { isConflict, type ReconcileResult } from '@copse/controller-runtime';
import type { Logger } from 'pino';

/**
 * What client-go controllers do with their own writes (the PV controller's and the
 * snapshot-controller's storeObjectUpdate): remember the newest resourceVersion written per
 * object, and skip a cached copy older than that; the watch event of the write brings the
 * object back. Without it, a sync right after a write acts on the stale copy and ends in 409.
 * resourceVersions are compared as integers, as storeObjectUpdate does.
 */
export class NewestWrites {
  private readonly newest = new Map<string, bigint>();

  record(key: string, obj: KubernetesObject | undefined): void {
    const rv = version(obj);
    if (rv === undefined) return;
    const prev = this.newest.get(key);
    if (prev === undefined || rv > prev) this.newest.set(key, rv);
  }

  /** True when `obj` (from a cache) is older than something written since. */
  isStale(key: string, obj: KubernetesObject | undefined): boolean {
    const rv = version(obj);
    const written = this.newest.get(key);
    return rv !== undefined && written !== undefined && rv < written;
  }

  forget(key: string): void {
    this.newest.delete(key);
  }
}

function version(obj: KubernetesObject | undefined): bigint | undefined {
  const rv = obj?.metadata?.resourceVersion;
  if (!rv || !/^\d+$/.test(rv)) return undefined;
  return BigInt(rv);
}

/**
 * A reconcile that treats 409 Conflict as what it is in client-go controllers (a stale cache,
 * tried again shortly, logged quietly) rather than a failure to back off from and warn about.
 */
export function quietConflicts<K>(log: Logger, reconcile: (key: K, signal: AbortSignal) => Promise<ReconcileResult | void>) {
  return async (key: K, signal: AbortSignal): Promise<ReconcileResult | void> => {
    try {
      return await reconcile(key, signal);
    } catch (err) {
      if (!isConflict(err)) throw err;
      log.debug({ key, err: (err as Error).message }, 'conflict with a newer version; syncing again');
      return { requeueAfterMs: 20 };
    }
  };
}
