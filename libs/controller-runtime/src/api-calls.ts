// The Kubernetes API calls the code makes, declared next to the calls (each module that calls
// the API exports API_CALLS), aggregated per app, and checked two ways: each app's test scans
// its own sources with apiCallsInSource and fails on a call its modules do not declare (or a
// declaration no call needs); tools/deploy-check holds deploy/'s RBAC to the aggregate.

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';

/** One RBAC-shaped need: verbs on a resource of a group ('' is the core group). */
export interface ApiCall {
  readonly group: string;
  readonly resource: string;
  readonly verbs: readonly Verb[];
}

/**
 * A module's calls. `lvGroup` is the LogicalVolume API group of the name set the app runs
 * with (the only group that changes with it).
 */
export type ApiCalls = (lvGroup: string) => readonly ApiCall[];

const VERB_ORDER: readonly Verb[] = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

/** The union of several modules' calls: one entry per group and resource, verbs in a fixed order. */
export function mergeApiCalls(lists: readonly (readonly ApiCall[])[]): ApiCall[] {
  const byKey = new Map<string, { group: string; resource: string; verbs: Set<Verb> }>();
  for (const call of lists.flat()) {
    const key = `${call.group}/${call.resource}`;
    const entry = byKey.get(key) ?? { group: call.group, resource: call.resource, verbs: new Set<Verb>() };
    for (const v of call.verbs) entry.verbs.add(v);
    byKey.set(key, entry);
  }
  return [...byKey.values()]
    .map((e) => ({ group: e.group, resource: e.resource, verbs: VERB_ORDER.filter((v) => e.verbs.has(v)) }))
    .sort((a, b) => `${a.group}/${a.resource}`.localeCompare(`${b.group}/${b.resource}`));
}

/** The calls an EventRecorder makes (events.ts): an event is created, then its count patched. */
export const EVENT_RECORDER_CALLS: ApiCalls = () => [{ group: '', resource: 'events', verbs: ['create', 'patch'] }];

/** The calls a LeaderElector makes (leader-election.ts): read, create and renew its Lease. */
export const LEADER_ELECTION_CALLS: ApiCalls = () => [{ group: 'coordination.k8s.io', resource: 'leases', verbs: ['get', 'create', 'update'] }];

const API_CLASSES: Record<string, string | null> = {
  CoreV1Api: '',
  StorageV1Api: 'storage.k8s.io',
  CoordinationV1Api: 'coordination.k8s.io',
  CustomObjectsApi: null, // the LogicalVolume group: the only custom kind Copse calls
};
const VERBS: Record<string, Verb> = { list: 'list', read: 'get', get: 'get', create: 'create', replace: 'update', patch: 'patch', delete: 'delete' };
const TYPED: Record<string, { group: string | null; resource: string }> = {
  LogicalVolume: { group: null, resource: 'logicalvolumes' },
  V1Node: { group: '', resource: 'nodes' },
  V1PersistentVolume: { group: '', resource: 'persistentvolumes' },
  V1PersistentVolumeClaim: { group: '', resource: 'persistentvolumeclaims' },
};

function plural(kind: string): string {
  const lower = kind.toLowerCase();
  return lower.endsWith('s') ? `${lower}es` : `${lower}s`;
}

/**
 * The calls one TypeScript source file makes, found by reading it: calls of client-node's
 * typed APIs on a client the file makes (`x = kc.makeApiClient(CoreV1Api)`), informers and
 * waits of a typed kind (list and watch; watch), and this library's EventRecorder and
 * LeaderElector. A reading, not a proof: it follows the shapes this code base uses.
 */
export function apiCallsInSource(source: string, lvGroup: string): ApiCall[] {
  const calls: ApiCall[] = [];
  const group = (g: string | null) => (g === null ? lvGroup : g);
  for (const m of source.matchAll(/(?:this\.)?(\w+)\s*=\s*[\w.]*makeApiClient\((\w+)\)/g)) {
    const [, receiver, apiClass] = m;
    if (!(apiClass! in API_CLASSES)) throw new Error(`apiCallsInSource: unknown API class ${apiClass}`);
    const pattern = new RegExp(`\\b${receiver}\\.(list|read|get|create|replace|patch|delete)(Namespaced|Cluster)?(\\w+?)(ForAllNamespaces)?\\(`, 'g');
    for (const c of source.matchAll(pattern)) {
      const [, verb, , kind] = c;
      if (apiClass === 'CustomObjectsApi') {
        if (kind !== 'CustomObject' && kind !== 'CustomObjectStatus') throw new Error(`apiCallsInSource: unknown custom objects call ${c[0]}`);
        calls.push({ group: lvGroup, resource: kind === 'CustomObjectStatus' ? 'logicalvolumes/status' : 'logicalvolumes', verbs: [VERBS[verb!]!] });
      } else {
        calls.push({ group: group(API_CLASSES[apiClass!]!), resource: plural(kind!), verbs: [VERBS[verb!]!] });
      }
    }
  }
  for (const m of source.matchAll(/\b(?:informerFor|new Informer|waitFor)<(\w+)>\(/g)) {
    const typed = TYPED[m[1]!];
    if (!typed) throw new Error(`apiCallsInSource: unknown kind ${m[1]} in ${m[0]}`);
    calls.push({ group: group(typed.group), resource: typed.resource, verbs: m[0].startsWith('waitFor') ? ['watch'] : ['list', 'watch'] });
  }
  if (/\bnew EventRecorder\(/.test(source)) calls.push(...EVENT_RECORDER_CALLS(lvGroup));
  if (/\bnew LeaderElector\(/.test(source)) calls.push(...LEADER_ELECTION_CALLS(lvGroup));
  return mergeApiCalls([calls]);
}
