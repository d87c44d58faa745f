import type { V1CSINode, V1CSINodeDriver, V1Node } from '@kubernetes/client-node';
import { copy } from '../kube/meta';

/**
 * What kubelet records when node-driver-registrar registers a CSI driver
 * (pkg/volume/csi/nodeinfomanager InstallCSIDriver), as pure functions: the Node gets the
 * driver's node id in the csi.volume.kubernetes.io/nodeid annotation (a JSON map of driver to
 * id) and NodeGetInfo's topology segments as labels; the CSINode lists the driver with its node
 * id, its topology keys (sorted) and its volume limit.
 */
export const ANN_NODE_ID = 'csi.volume.kubernetes.io/nodeid';

export class TopologyCollisionError extends Error {}

/** The Node with the driver's id and topology labels; undefined when it already has them. */
export function nodeWithDriver(node: V1Node, driverName: string, nodeId: string, topology: Readonly<Record<string, string>>): V1Node | undefined {
  const next = copy(node);
  next.metadata ??= {};
  let updated = false;
  const raw = node.metadata?.annotations?.[ANN_NODE_ID];
  let ids: Record<string, string> = {};
  if (raw) {
    try {
      ids = JSON.parse(raw) as Record<string, string>;
    } catch (err) {
      throw new Error(`failed to parse node's "${ANN_NODE_ID}" annotation value (${JSON.stringify(raw)}) err=${(err as Error).message}`);
    }
  }
  if (ids[driverName] !== nodeId) {
    ids[driverName] = nodeId;
    next.metadata.annotations = { ...next.metadata.annotations, [ANN_NODE_ID]: JSON.stringify(ids) };
    updated = true;
  }
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(topology)) {
    if (k in labels && labels[k] !== v) {
      throw new TopologyCollisionError(`detected topology value collision: driver reported "${k}":"${v}" but existing label is "${k}":"${labels[k]}"`);
    }
  }
  if (Object.keys(topology).length > 0) {
    // kubelet writes the labels whenever the driver reports topology
    next.metadata.labels = { ...labels, ...topology };
    if (Object.entries(topology).some(([k, v]) => labels[k] !== v)) updated = true;
  }
  return updated ? next : undefined;
}

/** The CSINode kubelet creates at start: no drivers yet, owned by the Node. */
export function newCsiNode(node: V1Node): V1CSINode {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'CSINode',
    metadata: {
      name: node.metadata?.name,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node.metadata?.name as string, uid: node.metadata?.uid as string }],
    },
    spec: { drivers: [] },
  };
}

/** installDriverToCSINode: the CSINode with this driver's entry (replacing an older one); undefined when unchanged. */
export function csiNodeWithDriver(
  csiNode: V1CSINode,
  driverName: string,
  nodeId: string,
  maxVolumes: number,
  topology: Readonly<Record<string, string>>,
): V1CSINode | undefined {
  const keys = Object.keys(topology).sort();
  const drivers = csiNode.spec?.drivers ?? [];
  const existing = drivers.find((d) => d.name === driverName);
  if (existing && existing.nodeID === nodeId && sameSet(existing.topologyKeys ?? [], keys)) return undefined;
  const entry: V1CSINodeDriver = { name: driverName, nodeID: nodeId, topologyKeys: keys };
  if (maxVolumes > 0) entry.allocatable = { count: Math.min(maxVolumes, 2 ** 31 - 1) };
  const next = copy(csiNode);
  next.spec = { drivers: [...drivers.filter((d) => d.name !== driverName), entry] };
  return next;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);
}
