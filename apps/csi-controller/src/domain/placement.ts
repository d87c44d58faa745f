// Where a new volume goes. The scheduler's choice arrives in accessibility_requirements
// (WaitForFirstConsumer: the selected node first in preferred); without requirements the
// controller is free to choose and takes the node with the most free bytes in the device
// class, as TopoLVM does. A restore, clone or snapshot goes where its source is.
import type { TopologyRequirement__Output } from '@copse/csi-spec';
import { CsiError } from '@copse/csi-grpc';

export interface NodeCapacity {
  readonly node: string;
  /** free bytes of the device class, as the node last reported them */
  readonly freeBytes: number;
}

function segments(req: TopologyRequirement__Output): Readonly<Record<string, string>>[] {
  return [...req.preferred, ...req.requisite].map((t) => t.segments ?? {});
}

/** Requirements that say something (proto3 sends an empty message as one with empty lists). */
export function hasRequirements(req: TopologyRequirement__Output | null | undefined): req is TopologyRequirement__Output {
  return Boolean(req && (req.preferred.length > 0 || req.requisite.length > 0));
}

/**
 * The node the requirements name: the first segment carrying the topology key, preferred
 * first, then requisite (TopoLVM's choice; with WaitForFirstConsumer the first preferred one is
 * the node the pod was scheduled to). INVALID_ARGUMENT when no segment carries the key.
 */
export function requestedNode(req: TopologyRequirement__Output, key: string): string {
  for (const seg of segments(req)) {
    const node = seg[key];
    if (node) return node;
  }
  throw CsiError.invalidArgument(`accessibility_requirements: no topology segment carries the key ${key}`);
}

/** Whether `node` satisfies the requirements (always, when there are none). */
export function requirementsAllow(req: TopologyRequirement__Output | null | undefined, key: string, node: string): boolean {
  if (!hasRequirements(req)) return true;
  return segments(req).some((seg) => seg[key] === node);
}

/**
 * The node with the most free bytes (ties: the first by name, so that the choice is
 * deterministic), or RESOURCE_EXHAUSTED naming the class and the best node there is.
 */
export function nodeWithMostFree(candidates: readonly NodeCapacity[], bytes: number, deviceClass: string): string {
  const label = deviceClass ? `device class ${JSON.stringify(deviceClass)}` : 'the default device class';
  let best: NodeCapacity | undefined;
  for (const c of candidates) {
    if (!best || c.freeBytes > best.freeBytes || (c.freeBytes === best.freeBytes && c.node < best.node)) best = c;
  }
  if (!best) throw CsiError.resourceExhausted(`no node reports free capacity for ${label}`);
  if (best.freeBytes < bytes) {
    throw CsiError.resourceExhausted(
      `no node has ${bytes} bytes free in ${label}: the most is ${best.freeBytes} bytes, on node ${best.node}`,
    );
  }
  return best.node;
}
