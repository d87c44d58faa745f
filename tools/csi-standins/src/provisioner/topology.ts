import type { V1CSINode, V1Node, V1TopologySelectorTerm } from '@kubernetes/client-node';

/**
 * external-provisioner's GenerateAccessibilityRequirements (pkg/controller/topology.go), as a
 * pure function of the objects it reads: what CreateVolume's accessibility_requirements say.
 *
 * - Immediate binding, no allowedTopologies: every segment of the nodes that carry the driver's
 *   topology keys (the keys come from a CSINode that lists the driver); none at all is an error
 *   ("no available topology found"), unless --immediate-topology=false, which sends nothing.
 * - allowedTopologies: their terms, flattened (AND of expressions, OR of values and terms).
 * - WaitForFirstConsumer (a selected node): the selected node's segment first in `preferred`;
 *   with --strict-topology, only that segment.
 * - `preferred` is `requisite` sorted and rotated by a hash of the claim name (so that claims
 *   spread over segments), or rotated to start at the selected node's segment.
 */
export type Segment = Readonly<Record<string, string>>;

export interface TopologyRequirement {
  requisite: { segments: Record<string, string> }[];
  preferred: { segments: Record<string, string> }[];
}

export class TopologyError extends Error {
  /** true when the cause is a missing Node or CSINode: the provisioner asks the scheduler to reschedule */
  constructor(
    message: string,
    readonly notFound = false,
  ) {
    super(message);
  }
}

export interface TopologyInput {
  readonly driverName: string;
  readonly pvcName: string;
  readonly allowedTopologies?: readonly V1TopologySelectorTerm[];
  /** the node named by volume.kubernetes.io/selected-node, when the claim has one */
  readonly selectedNode?: V1Node;
  readonly strictTopology: boolean;
  readonly immediateTopology: boolean;
  readonly csiNodes: readonly V1CSINode[];
  readonly nodes: readonly V1Node[];
  /** for tests: the order CSINodes are tried in (the real one shuffles them) */
  readonly shuffle?: <T>(items: T[]) => T[];
}

export function accessibilityRequirements(input: TopologyInput): TopologyRequirement | undefined {
  let selectedCsiNode: V1CSINode | undefined;
  let selectedSegment: Segment | undefined;
  let requisite: Segment[] = [];

  if (input.selectedNode) {
    const name = input.selectedNode.metadata?.name ?? '';
    selectedCsiNode = input.csiNodes.find((c) => c.metadata?.name === name);
    if (!selectedCsiNode) throw new TopologyError(`error getting CSINode for selected node "${name}": csinode.storage.k8s.io "${name}" not found`, true);
    const keys = topologyKeys(selectedCsiNode, input.driverName);
    if (!keys || keys.length === 0) throw new TopologyError(`no topology key found on CSINode ${name}`);
    selectedSegment = segmentOf(input.selectedNode, keys);
    if (!selectedSegment) {
      throw new TopologyError(
        `topology labels from selected node ${goMap(input.selectedNode.metadata?.labels ?? {})} does not match topology keys from CSINode [${keys.join(' ')}]`,
      );
    }
    if (input.strictTopology) {
      const allowed = flatten(input.allowedTopologies ?? []);
      if (allowed.length > 0 && !allowed.some((t) => isSubset(t, selectedSegment as Segment))) {
        throw new TopologyError(`selected node '"${name}"' topology '${goMap(selectedSegment)}' is not in allowed topologies: [${allowed.map(goMap).join(' ')}]`);
      }
      requisite = [selectedSegment];
    }
  }

  if (requisite.length === 0) {
    if ((input.allowedTopologies ?? []).length > 0) {
      requisite = flatten(input.allowedTopologies ?? []);
    } else {
      if (!input.selectedNode && !input.immediateTopology) return undefined;
      requisite = aggregateTopologies(input, selectedCsiNode);
      if (requisite.length === 0) throw new TopologyError('no available topology found');
    }
  }
  if (requisite.length === 0) return undefined;
  requisite = deduplicate(requisite);

  let preferred: Segment[];
  if (!selectedCsiNode) {
    const { hash, index } = pvcNameHashAndIndexOffset(input.pvcName);
    preferred = sortAndShift(requisite, undefined, ((hash + index) >>> 0) % requisite.length) as Segment[];
  } else if (input.strictTopology) {
    preferred = requisite;
  } else {
    const shifted = sortAndShift(requisite, selectedSegment, 0);
    if (!shifted) {
      throw new TopologyError(
        `topology ${goMap(selectedSegment ?? {})} from selected node "${input.selectedNode?.metadata?.name}" is not in requisite: [${requisite.map(goMap).join(' ')}]`,
      );
    }
    preferred = shifted;
  }
  return { requisite: requisite.map(toCsi), preferred: preferred.map(toCsi) };
}

function toCsi(s: Segment): { segments: Record<string, string> } {
  return { segments: { ...s } };
}

/** The driver's topology keys as a CSINode lists them (undefined: the driver is not on it). */
export function topologyKeys(csiNode: V1CSINode, driverName: string): string[] | undefined {
  return csiNode.spec?.drivers?.find((d) => d.name === driverName)?.topologyKeys;
}

/** The node's values for the keys; undefined when one is missing. */
export function segmentOf(node: V1Node, keys: readonly string[]): Segment | undefined {
  const labels = node.metadata?.labels ?? {};
  const s: Record<string, string> = {};
  for (const k of keys) {
    const v = labels[k];
    if (v === undefined) return undefined;
    s[k] = v;
  }
  return s;
}

function aggregateTopologies(input: TopologyInput, selectedCsiNode: V1CSINode | undefined): Segment[] {
  let keys: string[] | undefined;
  if (!selectedCsiNode) {
    const csiNodes = (input.shuffle ?? shuffle)([...input.csiNodes]);
    for (const c of csiNodes) {
      keys = topologyKeys(c, input.driverName);
      if (keys?.length) break;
    }
    // "No topology keys found on any node": no requirement can be built
    if (!keys || keys.length === 0) return [];
  } else {
    keys = topologyKeys(selectedCsiNode, input.driverName);
    if (!keys || keys.length === 0) throw new TopologyError(`no topology key found on CSINode ${selectedCsiNode.metadata?.name}`);
  }
  const terms = input.nodes.map((n) => segmentOf(n, keys as string[])).filter((s): s is Segment => s !== undefined);
  if (terms.length === 0) throw new TopologyError(`topologyKeys [${keys.join(' ')}] were not found on any nodes`);
  return terms;
}

/** allowedTopologies as segments: each term's expressions ANDed, each expression's values ORed. */
export function flatten(terms: readonly V1TopologySelectorTerm[]): Segment[] {
  const out: Segment[] = [];
  for (const term of terms) {
    let acc: Record<string, string>[] = [];
    for (const expr of term.matchLabelExpressions ?? []) {
      const next: Record<string, string>[] = [];
      for (const v of expr.values ?? []) {
        if (acc.length === 0) next.push({ [expr.key]: v });
        else for (const old of acc) next.push({ ...old, [expr.key]: v });
      }
      acc = next;
    }
    out.push(...acc);
  }
  return out;
}

function hash(s: Segment): string {
  return Object.entries(s)
    .map(([k, v]) => `${k}#${v}`)
    .sort()
    .join(',');
}

function deduplicate(terms: Segment[]): Segment[] {
  const m = new Map<string, Segment>();
  for (const t of terms) m.set(hash(t), t);
  return [...m.values()];
}

/** every key of `t` has the same value in `other` */
function isSubset(t: Segment, other: Segment): boolean {
  return Object.entries(t).every(([k, v]) => other[k] === v);
}

function sortAndShift(terms: Segment[], primary: Segment | undefined, shift: number): Segment[] | undefined {
  const sorted = [...terms].sort((a, b) => (hash(a) < hash(b) ? -1 : hash(a) > hash(b) ? 1 : 0));
  if (!primary) return [...sorted.slice(shift), ...sorted.slice(0, shift)];
  const i = sorted.findIndex((t) => isSubset(t, primary));
  return i < 0 ? undefined : [...sorted.slice(i), ...sorted.slice(0, i)];
}

/**
 * kubernetes' getPVCNameHashAndIndexOffset: FNV-32 of the claim name, or for StatefulSet-style
 * names (`<claim>-<set>-<n>`) of the set's name, offset by n, so replicas spread over segments.
 */
export function pvcNameHashAndIndexOffset(pvcName: string): { hash: number; index: number } {
  let hashString = pvcName;
  let index = 0;
  const lastDash = pvcName.lastIndexOf('-');
  if (lastDash !== -1) {
    const id = pvcName.slice(lastDash + 1);
    if (/^\d+$/.test(id) && Number(id) <= 0xffffffff) {
      index = Number(id);
      hashString = pvcName.slice(0, lastDash);
      const dash = hashString.lastIndexOf('-');
      if (dash !== -1) hashString = hashString.slice(dash + 1);
    }
  }
  return { hash: fnv32(hashString), index };
}

/** FNV-1 32-bit (Go's hash/fnv New32). */
export function fnv32(s: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(s, 'utf8')) {
    h = Math.imul(h, 0x01000193) >>> 0;
    h = (h ^ byte) >>> 0;
  }
  return h >>> 0;
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/** How Go prints a map[string]string: map[k1:v1 k2:v2], keys sorted. */
function goMap(m: Readonly<Record<string, string>>): string {
  return `map[${Object.keys(m)
    .sort()
    .map((k) => `${k}:${m[k]}`)
    .join(' ')}]`;
}
