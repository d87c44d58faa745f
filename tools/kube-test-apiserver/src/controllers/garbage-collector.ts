/**
 * The garbage collector of kube-controller-manager: dependents whose owners are all gone are
 * deleted (background), owners deleted with propagationPolicy Foreground wait for their
 * blocking dependents, Orphan strips the owner references. Owners are matched by uid.
 */
import type { Logger } from 'pino';
import { deepClone, type KubeObject } from '../api/object';
import type { StoreEvent } from '../store/object-store';
import type { ResourceRegistry } from '../kinds/registry';
import type { ResourceType } from '../kinds/types';
import type { ApiObjects } from '../rest/objects';
import { internalContext } from '../rest/context';
import type { ControllerQueue } from './queue';

const MANAGER = 'kube-controller-manager';

interface Ref {
  readonly resource: string;
  readonly key: string;
}

export class GarbageCollector {
  /** uid -> where the object lives */
  private readonly byUid = new Map<string, Ref>();
  /** owner uid -> dependents ("resource|key") */
  private readonly dependents = new Map<string, Set<string>>();

  constructor(
    private readonly objects: ApiObjects,
    private readonly kinds: ResourceRegistry,
    private readonly queue: ControllerQueue,
    private readonly log: Logger,
  ) {
    objects.store.subscribe((e) => this.onEvent(e));
  }

  start(): void {
    const store = this.objects.store;
    for (const r of store.resources()) for (const o of store.list(r)) this.index(r, this.keyOf(o), o, undefined);
    for (const r of store.resources()) for (const o of store.list(r)) this.check(r, this.keyOf(o), o);
  }

  private keyOf(o: KubeObject): string {
    return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  }

  private index(resource: string, key: string, o: KubeObject | undefined, prev: KubeObject | undefined): void {
    const id = `${resource}|${key}`;
    for (const ref of prev?.metadata.ownerReferences ?? []) this.dependents.get(ref.uid)?.delete(id);
    if (prev?.metadata.uid && !o) this.byUid.delete(prev.metadata.uid);
    if (!o) return;
    if (o.metadata.uid) this.byUid.set(o.metadata.uid, { resource, key });
    for (const ref of o.metadata.ownerReferences ?? []) {
      let s = this.dependents.get(ref.uid);
      if (!s) this.dependents.set(ref.uid, (s = new Set()));
      s.add(id);
    }
  }

  private onEvent(e: StoreEvent): void {
    if (e.type === 'DELETED') {
      this.index(e.resource, e.key, undefined, e.prev);
      const uid = e.prev?.metadata.uid;
      if (uid) for (const d of this.dependents.get(uid) ?? []) this.enqueueDependent(d);
      // an owner waiting in the foreground may now be free
      for (const ref of e.prev?.metadata.ownerReferences ?? []) {
        const owner = this.byUid.get(ref.uid);
        if (owner) this.queue.add(`gc/owner/${ref.uid}`, () => this.processOwner(ref.uid));
      }
      return;
    }
    this.index(e.resource, e.key, e.object, e.prev);
    this.check(e.resource, e.key, e.object);
  }

  private check(resource: string, key: string, o: KubeObject): void {
    const fin = o.metadata.finalizers ?? [];
    if (o.metadata.deletionTimestamp && (fin.includes('foregroundDeletion') || fin.includes('orphan'))) {
      const uid = o.metadata.uid as string;
      this.queue.add(`gc/owner/${uid}`, () => this.processOwner(uid));
    }
    if ((o.metadata.ownerReferences ?? []).length > 0) this.enqueueDependent(`${resource}|${key}`);
  }

  private enqueueDependent(id: string): void {
    this.queue.add(`gc/dep/${id}`, () => this.processDependent(id));
  }

  private typeFor(resource: string, o?: KubeObject): ResourceType | undefined {
    const types = this.kinds.byStorage(resource);
    return types.find((t) => t.storage.apiVersion === (o?.apiVersion ?? t.storage.apiVersion) && (t.group ? `${t.group}/${t.version}` : t.version) === t.storage.apiVersion) ?? types[0];
  }

  private get(ref: Ref): KubeObject | undefined {
    return this.objects.store.get(ref.resource, ref.key);
  }

  private processDependent(id: string): void {
    const sep = id.indexOf('|');
    const ref = { resource: id.slice(0, sep), key: id.slice(sep + 1) };
    const o = this.get(ref);
    if (!o) return;
    const refs = o.metadata.ownerReferences ?? [];
    if (refs.length === 0) return;
    const absent = refs.filter((r) => !this.byUid.has(r.uid));
    const waiting = refs.filter((r) => {
      const owner = this.byUid.get(r.uid);
      const ob = owner && this.get(owner);
      return ob?.metadata.deletionTimestamp && (ob.metadata.finalizers ?? []).includes('foregroundDeletion');
    });
    const t = this.typeFor(ref.resource, o);
    if (!t) return;
    const ctx = internalContext(MANAGER);
    const name = o.metadata.name as string;
    const ns = o.metadata.namespace;
    try {
      if (absent.length + waiting.length === refs.length) {
        if (o.metadata.deletionTimestamp) return;
        const policy = waiting.length > 0 ? 'Foreground' : 'Background';
        this.log.debug({ resource: ref.resource, name, ns, policy }, 'kube-test-apiserver: garbage collecting');
        this.objects.delete(t, ns, name, { propagationPolicy: policy, preconditions: { uid: o.metadata.uid } }, ctx);
      } else if (absent.length > 0) {
        const next = deepClone(this.objects.toExternal(t, o));
        next.metadata.ownerReferences = refs.filter((r) => this.byUid.has(r.uid));
        this.objects.update(t, ns, name, next, ctx, { decoded: true });
      }
    } catch (err) {
      this.log.warn({ resource: ref.resource, name, err }, 'kube-test-apiserver: garbage collector failed');
    }
  }

  private processOwner(uid: string): void {
    const ref = this.byUid.get(uid);
    const o = ref && this.get(ref);
    if (!ref || !o || !o.metadata.deletionTimestamp) return;
    const t = this.typeFor(ref.resource, o);
    if (!t) return;
    const ctx = internalContext(MANAGER);
    const fin = o.metadata.finalizers ?? [];
    const deps = [...(this.dependents.get(uid) ?? [])]
      .map((id) => {
        const sep = id.indexOf('|');
        const r = { resource: id.slice(0, sep), key: id.slice(sep + 1) };
        return { r, o: this.get(r) };
      })
      .filter((d): d is { r: Ref; o: KubeObject } => d.o !== undefined);
    try {
      if (fin.includes('orphan')) {
        for (const d of deps) {
          const dt = this.typeFor(d.r.resource, d.o);
          if (!dt) continue;
          const next = deepClone(this.objects.toExternal(dt, d.o));
          next.metadata.ownerReferences = (next.metadata.ownerReferences ?? []).filter((x) => x.uid !== uid);
          this.objects.update(dt, d.o.metadata.namespace, d.o.metadata.name as string, next, ctx, { decoded: true });
        }
        this.removeFinalizer(t, o, 'orphan');
        return;
      }
      if (fin.includes('foregroundDeletion')) {
        for (const d of deps) {
          if (d.o.metadata.deletionTimestamp) continue;
          const dt = this.typeFor(d.r.resource, d.o);
          if (dt) this.objects.delete(dt, d.o.metadata.namespace, d.o.metadata.name as string, { propagationPolicy: 'Foreground' }, ctx);
        }
        const blocking = deps.filter((d) => this.get(d.r) && (d.o.metadata.ownerReferences ?? []).some((x) => x.uid === uid && x.blockOwnerDeletion));
        if (blocking.length === 0) this.removeFinalizer(t, o, 'foregroundDeletion');
      }
    } catch (err) {
      this.log.warn({ uid, err }, 'kube-test-apiserver: garbage collector failed on an owner');
    }
  }

  private removeFinalizer(t: ResourceType, stored: KubeObject, finalizer: string): void {
    const cur = this.objects.toExternal(t, stored);
    const next = deepClone(cur);
    next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    this.objects.update(t, cur.metadata.namespace, cur.metadata.name as string, next, internalContext(MANAGER), { decoded: true });
  }
}
