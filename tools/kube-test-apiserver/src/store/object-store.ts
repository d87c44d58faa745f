/**
 * The object store: what etcd is to a real kube-apiserver. One global revision counter
 * (resourceVersion) across all resources, a bounded history of changes for watches and for
 * consistent reads at an older resourceVersion (continue tokens, resourceVersionMatch=Exact),
 * and compaction that makes older revisions answer 410 Gone, as etcd's does.
 */
import type { KubeObject } from '../api/object';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  readonly type: WatchEventType;
  readonly rv: number;
  /** "group/resource" of the storage. */
  readonly resource: string;
  /** "namespace/name" ("/name" for cluster-scoped objects). */
  readonly key: string;
  /** The object after the change; for DELETED, the last state with the deletion's resourceVersion. */
  readonly object: KubeObject;
  /** The object before the change (MODIFIED and DELETED). */
  readonly prev?: KubeObject;
}

export function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

export function storageKey(group: string, resource: string): string {
  return `${group}/${resource}`;
}

export interface ObjectStoreOptions {
  /** How many changes the history keeps before compacting the oldest (etcd's compaction window). */
  readonly historyLimit?: number;
  /** The revision to start from (a restart from the data file continues where it left off). */
  readonly initialRevision?: number;
}

export class CompactedError extends Error {
  constructor(readonly requested: number, readonly oldest: number) {
    super(`revision ${requested} has been compacted; oldest available is ${oldest}`);
  }
}

export class ObjectStore {
  private revision: number;
  private compacted: number;
  private readonly data = new Map<string, Map<string, KubeObject>>();
  private history: StoreEvent[] = [];
  private readonly historyLimit: number;
  private readonly listeners = new Set<(e: StoreEvent) => void>();

  constructor(options: ObjectStoreOptions = {}) {
    this.historyLimit = options.historyLimit ?? 20_000;
    this.revision = options.initialRevision ?? 0;
    this.compacted = this.revision;
  }

  /** The newest revision written. */
  get currentRevision(): number {
    return this.revision;
  }

  /** Revisions at or below this one are gone: a watch or read from them answers 410. */
  get compactedRevision(): number {
    return this.compacted;
  }

  subscribe(listener: (e: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(resource: string, key: string): KubeObject | undefined {
    return this.data.get(resource)?.get(key);
  }

  /** Objects of one resource, sorted by key (namespace, then name), optionally of one namespace. */
  list(resource: string, namespace?: string): KubeObject[] {
    const m = this.data.get(resource);
    if (!m) return [];
    const keys = [...m.keys()].filter((k) => namespace === undefined || k.startsWith(`${namespace}/`)).sort();
    return keys.map((k) => m.get(k) as KubeObject);
  }

  /** Every stored resource name ("group/resource"). */
  resources(): string[] {
    return [...this.data.keys()];
  }

  count(resource: string): number {
    return this.data.get(resource)?.size ?? 0;
  }

  /**
   * The objects of a resource as they were at revision `rv` (sorted by key), rebuilt by undoing
   * the history after it. Throws CompactedError when `rv` is older than the history keeps.
   */
  listAt(resource: string, rv: number, namespace?: string): KubeObject[] {
    if (rv >= this.revision) return this.list(resource, namespace);
    if (rv < this.compacted) throw new CompactedError(rv, this.compacted);
    const state = new Map(this.data.get(resource) ?? []);
    for (let i = this.history.length - 1; i >= 0; i--) {
      const e = this.history[i] as StoreEvent;
      if (e.rv <= rv) break;
      if (e.resource !== resource) continue;
      if (e.type === 'ADDED') state.delete(e.key);
      else if (e.prev) state.set(e.key, e.prev);
    }
    const keys = [...state.keys()].filter((k) => namespace === undefined || k.startsWith(`${namespace}/`)).sort();
    return keys.map((k) => state.get(k) as KubeObject);
  }

  /** The changes after revision `rv` (of one resource, or all). Throws CompactedError when they are gone. */
  changesSince(rv: number, resource?: string): StoreEvent[] {
    if (rv < this.compacted) throw new CompactedError(rv, this.compacted);
    const out: StoreEvent[] = [];
    // binary search for the first event after rv
    let lo = 0;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.history[mid] as StoreEvent).rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.history.length; i++) {
      const e = this.history[i] as StoreEvent;
      if (resource === undefined || e.resource === resource) out.push(e);
    }
    return out;
  }

  create(resource: string, key: string, obj: KubeObject): KubeObject {
    let m = this.data.get(resource);
    if (!m) {
      m = new Map();
      this.data.set(resource, m);
    }
    if (m.has(key)) throw new Error(`store: ${resource} ${key} exists`);
    const rv = ++this.revision;
    const stored = withRevision(obj, rv);
    m.set(key, stored);
    this.record({ type: 'ADDED', rv, resource, key, object: stored });
    return stored;
  }

  update(resource: string, key: string, obj: KubeObject): KubeObject {
    const m = this.data.get(resource);
    const prev = m?.get(key);
    if (!m || !prev) throw new Error(`store: ${resource} ${key} missing`);
    const rv = ++this.revision;
    const stored = withRevision(obj, rv);
    m.set(key, stored);
    this.record({ type: 'MODIFIED', rv, resource, key, object: stored, prev });
    return stored;
  }

  delete(resource: string, key: string): KubeObject {
    const m = this.data.get(resource);
    const prev = m?.get(key);
    if (!m || !prev) throw new Error(`store: ${resource} ${key} missing`);
    const rv = ++this.revision;
    m.delete(key);
    const last = withRevision(prev, rv);
    this.record({ type: 'DELETED', rv, resource, key, object: last, prev });
    return last;
  }

  /** Forgets the history up to `rv` (default: all of it), as an etcd compaction does. */
  compact(rv: number = this.revision): void {
    const upTo = Math.min(rv, this.revision);
    if (upTo <= this.compacted) return;
    this.history = this.history.filter((e) => e.rv > upTo);
    this.compacted = upTo;
  }

  /** Every object, for persistence. */
  dump(): { revision: number; objects: { resource: string; key: string; object: KubeObject }[] } {
    const objects: { resource: string; key: string; object: KubeObject }[] = [];
    for (const [resource, m] of this.data) for (const [key, object] of m) objects.push({ resource, key, object });
    return { revision: this.revision, objects };
  }

  /** Loads objects without history (as after a restart: older revisions are compacted). */
  load(dump: { revision: number; objects: { resource: string; key: string; object: KubeObject }[] }): void {
    this.data.clear();
    for (const { resource, key, object } of dump.objects) {
      let m = this.data.get(resource);
      if (!m) {
        m = new Map();
        this.data.set(resource, m);
      }
      m.set(key, object);
    }
    this.revision = Math.max(this.revision, dump.revision);
    this.history = [];
    this.compacted = this.revision;
  }

  private record(e: StoreEvent): void {
    this.history.push(e);
    if (this.history.length > this.historyLimit * 1.25) {
      const drop = this.history.length - this.historyLimit;
      this.compacted = (this.history[drop - 1] as StoreEvent).rv;
      this.history = this.history.slice(drop);
    }
    for (const l of this.listeners) l(e);
  }
}

function withRevision(obj: KubeObject, rv: number): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv) } };
}
