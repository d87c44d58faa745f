// The Nodes as the controller needs them: each node's free bytes per device class, from the
// annotations csi-node keeps current (capacity.<group>/<device-class>, "00default" for the
// default class: TopoLVM's names, so a TopoLVM node's annotations read the same).
import type { V1Node } from '@kubernetes/client-node';
import type { Informer } from '@copse/controller-runtime';
import { capacityAnnotation, type NameSet } from '@copse/k8s-crd';
import type { NodeCapacity } from '../domain/placement';

/** A Node as cached: its metadata is all the controller reads. */
export type NodeMeta = Pick<V1Node, 'apiVersion' | 'kind' | 'metadata'>;

/** Keeps only the metadata of a Node in the cache (a Node's status is most of its bytes). */
export function nodeMetadataOnly(node: V1Node): V1Node {
  return { apiVersion: node.apiVersion, kind: node.kind, metadata: node.metadata };
}

/** Free bytes in an annotation value: a decimal integer, or undefined for anything else. */
export function parseFreeBytes(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

export type NodeFree =
  | { readonly kind: 'free'; readonly bytes: number }
  | { readonly kind: 'no-node' }
  | { readonly kind: 'no-device-class' };

export class NodeCapacities {
  constructor(
    private readonly informer: Informer<V1Node>,
    private readonly names: NameSet,
  ) {}

  /** Every node that reports the class, but those being deleted. */
  candidates(deviceClass: string): NodeCapacity[] {
    const key = capacityAnnotation(this.names, deviceClass);
    const out: NodeCapacity[] = [];
    for (const node of this.informer.list()) {
      if (node.metadata?.deletionTimestamp) continue;
      const bytes = parseFreeBytes(node.metadata?.annotations?.[key]);
      if (bytes !== undefined && node.metadata?.name) out.push({ node: node.metadata.name, freeBytes: bytes });
    }
    return out;
  }

  /** One node's free bytes in the class. */
  freeOn(nodeName: string, deviceClass: string): NodeFree {
    const node = this.informer.get(nodeName);
    if (!node) return { kind: 'no-node' };
    const bytes = parseFreeBytes(node.metadata?.annotations?.[capacityAnnotation(this.names, deviceClass)]);
    return bytes === undefined ? { kind: 'no-device-class' } : { kind: 'free', bytes };
  }

  /**
   * The node a topology segment names. The segment's value is the node name (NodeGetInfo's
   * topology), which is also what TopoLVM's node labels carry; a Node whose label differs from
   * its name is found by the label.
   */
  nodeForTopology(value: string): string | undefined {
    if (this.informer.get(value)) return value;
    const key = this.names.topologyNodeKey;
    return this.informer.list().find((n) => n.metadata?.labels?.[key] === value)?.metadata?.name;
  }
}
