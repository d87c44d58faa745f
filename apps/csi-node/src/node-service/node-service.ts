import type { NodeService } from '@copse/csi-grpc';
import { nodeCapabilities } from '@copse/csi-spec';
import type { NodeServiceParts } from './deps';
import { expandVolume } from './expand';
import { publishVolume } from './publish';
import { volumeStats } from './stats';
import { unpublishVolume } from './unpublish';

/** TopoLVM's node capabilities: stats, expansion, volume condition; no staging. */
export const NODE_CAPABILITIES = ['GET_VOLUME_STATS', 'EXPAND_VOLUME', 'VOLUME_CONDITION'] as const;

/**
 * The CSI Node service, unlocked and untranslated: createNodeService (wire.ts) wraps it
 * with withLocks(core, NODE_LOCKS) so that calls on one volume id never overlap
 * (publish, unpublish and expand hold the id; stats and info run free), and turns its
 * domain errors into gRPC status. NodeStageVolume and NodeUnstageVolume are absent: the
 * server answers UNIMPLEMENTED, as the capabilities promise no STAGE_UNSTAGE_VOLUME.
 */
export function nodeServiceCore(deps: NodeServiceParts): Partial<NodeService> {
  return {
    NodeGetInfo: () => ({
      node_id: deps.nodeName,
      max_volumes_per_node: deps.maxVolumesPerNode ?? 0,
      accessible_topology: { segments: { [deps.names.topologyNodeKey]: deps.nodeName } },
    }),
    NodeGetCapabilities: () => nodeCapabilities([...NODE_CAPABILITIES]),
    NodePublishVolume: (req, ctx) => publishVolume(deps, req, ctx),
    NodeUnpublishVolume: (req, ctx) => unpublishVolume(deps, req, ctx),
    NodeGetVolumeStats: (req, ctx) => volumeStats(deps, req, ctx),
    NodeExpandVolume: (req, ctx) => expandVolume(deps, req, ctx),
  };
}
