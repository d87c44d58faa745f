/**
 * Discovery: /api, /apis, /apis/<group>, /api/v1, /apis/<group>/<version> (legacy), and the
 * aggregated form (apidiscovery.k8s.io/v2 APIGroupDiscoveryList) kubectl 1.26+ asks for first.
 */
import { createHash } from 'node:crypto';
import type { ResourceRegistry } from '../kinds/registry';
import type { ResourceType } from '../kinds/types';

function groupVersion(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

function storageVersionHash(t: ResourceType): string {
  return createHash('sha256').update(`${t.storage.group}/${t.storage.apiVersion}/${t.kind}`).digest('base64').slice(0, 11);
}

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function groupEntry(name: string, versions: string[]): Record<string, unknown> {
  const vs = versions.map((v) => ({ groupVersion: groupVersion(name, v), version: v }));
  return { name, versions: vs, preferredVersion: vs[0] };
}

export function apiGroupList(kinds: ResourceRegistry): Record<string, unknown> {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: kinds
      .groups()
      .filter((g) => g.name !== '')
      .map((g) => groupEntry(g.name, g.versions)),
  };
}

export function apiGroup(kinds: ResourceRegistry, name: string): Record<string, unknown> | undefined {
  const g = kinds.groups().find((x) => x.name === name && name !== '');
  if (!g) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(g.name, g.versions) };
}

function subresourceVerbs(sub: string): string[] {
  return sub === 'finalize' ? ['update'] : ['get', 'patch', 'update'];
}

export function apiResourceList(kinds: ResourceRegistry, group: string, version: string): Record<string, unknown> | undefined {
  const types = kinds.resources(group, version);
  if (types.length === 0) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const t of types) {
    const r: Record<string, unknown> = { name: t.plural, singularName: t.singular, namespaced: t.namespaced, kind: t.kind, verbs: [...t.verbs] };
    if (t.shortNames.length) r.shortNames = [...t.shortNames];
    if (t.categories.length) r.categories = [...t.categories];
    r.storageVersionHash = storageVersionHash(t);
    resources.push(r);
    for (const sub of subresourcesOf(t)) {
      resources.push({ name: `${t.plural}/${sub}`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: subresourceVerbs(sub) });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion(group, version), resources };
}

function subresourcesOf(t: ResourceType): string[] {
  return [...(t.statusSubresource ? ['status'] : []), ...(t.extraSubresources ?? [])];
}

/** apidiscovery.k8s.io/v2 for /api (core only) or /apis (every other group). */
export function aggregatedDiscovery(kinds: ResourceRegistry, core: boolean, apiVersion = 'apidiscovery.k8s.io/v2'): Record<string, unknown> {
  const groups = kinds.groups().filter((g) => (g.name === '') === core);
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion,
    metadata: {},
    items: groups.map((g) => ({
      metadata: { name: g.name, creationTimestamp: null },
      versions: g.versions.map((v) => ({
        version: v,
        resources: kinds.resources(g.name, v).map((t) => {
          const r: Record<string, unknown> = {
            resource: t.plural,
            // built-ins leave group and version empty (same as the group version); CRDs name them
            responseKind: t.crdName ? { group: t.group, version: t.version, kind: t.kind } : { group: '', version: '', kind: t.kind },
            scope: t.namespaced ? 'Namespaced' : 'Cluster',
            singularResource: t.singular,
            verbs: [...t.verbs],
          };
          if (t.shortNames.length) r.shortNames = [...t.shortNames];
          if (t.categories.length) r.categories = [...t.categories];
          const subs = subresourcesOf(t);
          if (subs.length)
            r.subresources = subs.map((s) => ({ subresource: s, responseKind: r.responseKind, verbs: subresourceVerbs(s) }));
          return r;
        }),
        freshness: 'Current',
      })),
    })),
  };
}
