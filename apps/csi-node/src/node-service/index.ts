// The seam between csi-node's wiring (app.ts, this branch) and the CSI Node service that
// the csi-mount work builds in this folder (publish, unpublish, stats, expand, with the
// filesystem and mount command layer). Until that lands, this file answers only what
// needs no mount: NodeGetInfo and NodeGetCapabilities. Every other Node RPC answers
// UNIMPLEMENTED through CsiServer (an RPC missing from a service). csi-mount replaces
// this file; keep createNodeService's signature, or change app.ts with it.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { NodeService } from '@copse/csi-grpc';
import { nodeCapabilities } from '@copse/csi-spec';
import type { LogicalVolume, NameSet } from '@copse/k8s-crd';
import type { LvmdClient } from '@copse/lvmd-api';

/** What the Node service is given. */
export interface NodeServiceDeps {
  readonly nodeName: string;
  readonly names: NameSet;
  /** lvmd-http on this node (device paths, health, sizes) */
  readonly lvmd: LvmdClient;
  /** this node's LogicalVolumes from the reconciler's informer cache, by status.volumeID */
  readonly volumeById: (volumeId: string) => LogicalVolume | undefined;
  /** an LV as lvmd-http's watch stream last reported it, by name (= volume ID); no request */
  readonly lvmdVolume: (name: string) => import('@copse/lvmd-api').LogicalVolume | undefined;
  readonly log: Logger;
  readonly registry: Registry;
}

export function createNodeService(deps: NodeServiceDeps): Partial<NodeService> {
  return {
    NodeGetInfo: () => ({
      node_id: deps.nodeName,
      max_volumes_per_node: 0,
      accessible_topology: { segments: { [deps.names.topologyNodeKey]: deps.nodeName } },
    }),
    NodeGetCapabilities: () => nodeCapabilities([]),
  };
}
