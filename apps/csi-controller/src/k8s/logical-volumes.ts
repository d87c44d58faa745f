// The LogicalVolume objects as the CSI service sees them: an informer's cache for lookups by
// volume ID and for lists (every replica keeps one), live reads and writes for everything that
// decides, and waits by watching (controller-runtime's waitFor: a watch of the one object from
// the resourceVersion read, never a poll).
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import {
  apiCall,
  collectionPath,
  isAlreadyExists,
  isNotFound,
  updateWithRetry,
  waitFor,
  type Informer,
  type Logger,
} from '@copse/controller-runtime';
import type { LogicalVolume, LogicalVolumeList, NameSet } from '@copse/k8s-crd';
import { type ApiCalls } from '@copse/controller-runtime';

/** The Kubernetes API calls this module makes (deploy/'s RBAC grants exactly the app's union; api-calls.spec.ts checks it against the calls). */
export const API_CALLS: ApiCalls = (lvGroup) => [{ group: lvGroup, resource: 'logicalvolumes', verbs: ['get', 'list', 'watch', 'create', 'update', 'delete'] }];

export interface LogicalVolumesOptions {
  readonly kubeConfig: KubeConfig;
  readonly names: NameSet;
  /** every LogicalVolume of the cluster (cluster-scoped, no selector) */
  readonly informer: Informer<LogicalVolume>;
  readonly log: Logger;
}

/** How long a reply waits for the cache to show what the API already said (read-your-writes for List and Get). */
const CATCH_UP_MS = 5_000;

export class LogicalVolumes {
  private readonly api: CustomObjectsApi;
  private readonly ref: { group: string; version: string; plural: string };
  private readonly path: string;
  /** status.volumeID -> object name, kept from the informer's events */
  private readonly byId = new Map<string, string>();
  /** catchUp() calls waiting for an object's next event, by object name */
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(private readonly options: LogicalVolumesOptions) {
    this.api = options.kubeConfig.makeApiClient(CustomObjectsApi);
    const { group, version, plural } = options.names.logicalVolumes;
    this.ref = { group, version, plural };
    this.path = collectionPath(options.names.logicalVolumes);
    const wake = (lv: LogicalVolume) => {
      const waiting = this.waiters.get(lv.metadata?.name ?? '');
      if (waiting) for (const check of [...waiting]) check();
    };
    const index = (lv: LogicalVolume) => {
      const id = lv.status?.volumeID;
      if (id && lv.metadata?.name) this.byId.set(id, lv.metadata.name);
      wake(lv);
    };
    options.informer.on('add', index);
    options.informer.on('update', index);
    options.informer.on('delete', (lv) => {
      const id = lv.status?.volumeID;
      if (id && this.byId.get(id) === lv.metadata?.name) this.byId.delete(id);
      wake(lv);
    });
  }

  get informer(): Informer<LogicalVolume> {
    return this.options.informer;
  }

  /** Every cached object. */
  cached(): readonly LogicalVolume[] {
    return this.options.informer.list();
  }

  /** The cached object of this name. */
  cachedByName(name: string): LogicalVolume | undefined {
    return this.options.informer.get(name);
  }

  /** The cached object with this volume ID. */
  cachedById(volumeId: string): LogicalVolume | undefined {
    const name = this.byId.get(volumeId);
    const lv = name === undefined ? undefined : this.options.informer.get(name);
    return lv?.status?.volumeID === volumeId ? lv : undefined;
  }

  /**
   * The object with this volume ID: from the cache, or, when the cache does not have it (another
   * replica made it a moment ago), from a list of the API, as TopoLVM does.
   */
  async byVolumeId(volumeId: string, signal?: AbortSignal): Promise<LogicalVolume | undefined> {
    const cached = this.cachedById(volumeId);
    if (cached) return cached;
    let token: string | undefined;
    do {
      signal?.throwIfAborted();
      const page = (await apiCall(() => this.api.listClusterCustomObject({ ...this.ref, limit: 500, _continue: token }))) as LogicalVolumeList;
      const found = page.items.find((lv) => lv.status?.volumeID === volumeId);
      if (found) return found;
      token = page.metadata?._continue || (page.metadata as { continue?: string } | undefined)?.continue || undefined;
    } while (token);
    return undefined;
  }

  /** The object of this name from the API, or undefined. */
  async get(name: string): Promise<LogicalVolume | undefined> {
    try {
      return (await apiCall(() => this.api.getClusterCustomObject({ ...this.ref, name }))) as LogicalVolume;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Creates the object; when one of that name exists, returns it instead (for the caller to compare). */
  async createOrGet(lv: LogicalVolume): Promise<{ object: LogicalVolume; created: boolean }> {
    try {
      const object = (await apiCall(() => this.api.createClusterCustomObject({ ...this.ref, body: lv }))) as LogicalVolume;
      return { object, created: true };
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    const existing = await this.get(lv.metadata?.name as string);
    // deleted between the two calls: create again (a rare race; one retry is enough to be fair)
    if (!existing) return this.createOrGet(lv);
    return { object: existing, created: false };
  }

  /** Deletes this object (this UID only, never a successor of the same name); gone already is fine. */
  async delete(lv: LogicalVolume): Promise<void> {
    const name = lv.metadata?.name as string;
    try {
      await apiCall(() =>
        this.api.deleteClusterCustomObject({ ...this.ref, name, body: { preconditions: { uid: lv.metadata?.uid } } }),
      );
    } catch (err) {
      // NotFound: gone; Conflict: the UID differs, so this one is gone and another took the name
      if (isNotFound(err) || (err as { code?: number }).code === 409) return;
      throw err;
    }
  }

  /** Read, change, write with the read's resourceVersion, again on conflict. */
  update(name: string, mutate: (lv: LogicalVolume) => LogicalVolume | undefined, signal?: AbortSignal): Promise<LogicalVolume> {
    return updateWithRetry<LogicalVolume>({
      read: async () => (await this.api.getClusterCustomObject({ ...this.ref, name })) as LogicalVolume,
      mutate: (lv) => mutate(lv),
      write: async (lv) => (await this.api.replaceClusterCustomObject({ ...this.ref, name, body: lv })) as LogicalVolume,
      signal,
    });
  }

  /**
   * Waits, by watching, until `condition` holds for the object (called with undefined once it
   * is gone). Rejects with the signal's reason when the call is cancelled or times out.
   */
  async waitFor(name: string, condition: (lv: LogicalVolume | undefined) => boolean, signal: AbortSignal): Promise<LogicalVolume | undefined> {
    return waitFor<LogicalVolume>({
      kubeConfig: this.options.kubeConfig,
      path: this.path,
      name,
      get: async () => (await this.api.getClusterCustomObject({ ...this.ref, name })) as LogicalVolume,
      condition,
      signal,
      logger: this.options.log,
    });
  }

  /**
   * Waits until the informer's cache agrees with what the API said (the object gone, or in the
   * state asked for), so that a List or a lookup by ID right after a reply sees it. Bounded:
   * a cache that lags for longer only costs a live list on the next lookup.
   */
  catchUp(name: string, condition: (lv: LogicalVolume | undefined) => boolean, signal?: AbortSignal): Promise<boolean> {
    const informer = this.options.informer;
    if (condition(informer.get(name))) return Promise.resolve(true);
    return new Promise((resolve) => {
      let waiters = this.waiters.get(name);
      if (!waiters) this.waiters.set(name, (waiters = new Set()));
      const set = waiters;
      const check = (): void => {
        if (condition(informer.get(name))) done(true);
      };
      const timer = setTimeout(() => done(false), CATCH_UP_MS);
      const onAbort = () => done(false);
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = (ok: boolean) => {
        if (!set.delete(check)) return;
        if (set.size === 0 && this.waiters.get(name) === set) this.waiters.delete(name);
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (!ok) this.options.log.debug({ name }, 'the LogicalVolume cache did not catch up in time');
        resolve(ok);
      };
      set.add(check);
    });
  }
}
