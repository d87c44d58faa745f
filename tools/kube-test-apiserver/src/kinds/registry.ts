/**
 * The served resources: built-in kinds plus those CRDs make served. Discovery, routing and
 * OpenAPI read it; the CRD controller adds and removes entries as CRDs come and go.
 */
import { storageKey } from '../store/object-store';
import type { ResourceType } from './types';

/** Kubernetes' version order: GA before beta before alpha, higher numbers first, others last by name. */
export function compareKubeVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return { rank: 3, major: 0, minor: 0, name: v };
    const rank = m[2] === undefined ? 0 : m[2] === 'beta' ? 1 : 2;
    return { rank, major: Number(m[1]), minor: Number(m[3] ?? 0), name: v };
  };
  const x = parse(a);
  const y = parse(b);
  if (x.rank !== y.rank) return x.rank - y.rank;
  if (x.rank === 3) return x.name.localeCompare(y.name);
  if (x.major !== y.major) return y.major - x.major;
  return y.minor - x.minor;
}

/** Built-in groups in the order a real server lists them; CRD groups follow, by name. */
const GROUP_ORDER = ['', 'apiextensions.k8s.io', 'coordination.k8s.io', 'events.k8s.io', 'storage.k8s.io'];

export interface GroupInfo {
  readonly name: string;
  /** Served versions, preferred first. */
  readonly versions: string[];
}

export class ResourceRegistry {
  private readonly byGvr = new Map<string, ResourceType>();
  private readonly listeners = new Set<() => void>();

  add(t: ResourceType): void {
    this.byGvr.set(`${t.group}/${t.version}/${t.plural}`, t);
    this.changed();
  }

  /** Replaces every endpoint of a CRD at once. */
  replaceCrd(crdName: string, types: readonly ResourceType[]): void {
    for (const [k, t] of this.byGvr) if (t.crdName === crdName) this.byGvr.delete(k);
    for (const t of types) this.byGvr.set(`${t.group}/${t.version}/${t.plural}`, t);
    this.changed();
  }

  lookup(group: string, version: string, resource: string): ResourceType | undefined {
    return this.byGvr.get(`${group}/${version}/${resource}`);
  }

  /** Every endpoint of a group/version. */
  resources(group: string, version: string): ResourceType[] {
    return [...this.byGvr.values()].filter((t) => t.group === group && t.version === version).sort((a, b) => a.plural.localeCompare(b.plural));
  }

  all(): ResourceType[] {
    return [...this.byGvr.values()];
  }

  /** Endpoints sharing one storage ("group/resource"). */
  byStorage(key: string): ResourceType[] {
    return [...this.byGvr.values()].filter((t) => storageKey(t.storage.group, t.storage.resource) === key);
  }

  /** The endpoint serving a kind at an apiVersion. */
  byKind(group: string, version: string, kind: string): ResourceType | undefined {
    return [...this.byGvr.values()].find((t) => t.group === group && t.version === version && t.kind === kind);
  }

  /** The preferred endpoint of a kind in a group (for owner references, garbage collection). */
  preferredByKind(group: string, kind: string): ResourceType | undefined {
    const candidates = [...this.byGvr.values()].filter((t) => t.group === group && t.kind === kind);
    candidates.sort((a, b) => compareKubeVersions(a.version, b.version));
    return candidates[0];
  }

  groups(): GroupInfo[] {
    const m = new Map<string, Set<string>>();
    for (const t of this.byGvr.values()) {
      let s = m.get(t.group);
      if (!s) m.set(t.group, (s = new Set()));
      s.add(t.version);
    }
    const names = [...m.keys()].sort((a, b) => {
      const ia = GROUP_ORDER.indexOf(a);
      const ib = GROUP_ORDER.indexOf(b);
      if (ia >= 0 || ib >= 0) return (ia < 0 ? 1e9 : ia) - (ib < 0 ? 1e9 : ib);
      return a.localeCompare(b);
    });
    return names.map((name) => ({ name, versions: [...(m.get(name) as Set<string>)].sort(compareKubeVersions) }));
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}
