// What the controller offers, in one place: access modes, volume types, filesystems, RPCs.
import {
  AccessMode,
  ControllerRpcType,
  controllerCapabilities,
  pluginCapabilities,
  type ControllerGetCapabilitiesResponse,
  type PluginCapability,
} from '@copse/csi-spec';
import type { VolumeCapabilitySupport } from '@copse/csi-grpc';
import { FILESYSTEMS } from '../domain/capacity';

/**
 * TopoLVM accepts SINGLE_NODE_WRITER only (internal/driver/controller.go and node.go), and so
 * does Copse: a local logical volume is reachable from one node, and the node service
 * publishes in that mode. ReadWriteOnce and ReadWriteOncePod claims arrive as
 * SINGLE_NODE_WRITER (the plugin does not advertise SINGLE_NODE_MULTI_WRITER).
 */
export const VOLUME_SUPPORT: VolumeCapabilitySupport = {
  accessModes: [AccessMode.SINGLE_NODE_WRITER],
  block: true,
  fsTypes: FILESYSTEMS,
};

/**
 * The RPCs the controller advertises. GetSnapshot is always served; its capability is CSI
 * alpha (1.11), unknown to COs and tools built on an older spec, and csi-sanity v5.3.1 (CSI
 * 1.10) fails a plugin that advertises it, so it is advertised only when asked
 * (--advertise-get-snapshot).
 */
export function controllerCapabilitiesOf(options: { readonly advertiseGetSnapshot: boolean }): ControllerGetCapabilitiesResponse {
  return controllerCapabilities([
    // TopoLVM's
    ControllerRpcType.CREATE_DELETE_VOLUME,
    ControllerRpcType.CLONE_VOLUME,
    ControllerRpcType.GET_CAPACITY,
    ControllerRpcType.EXPAND_VOLUME,
    ControllerRpcType.CREATE_DELETE_SNAPSHOT,
    // beyond TopoLVM: what the LogicalVolume objects let the controller answer
    ControllerRpcType.LIST_VOLUMES,
    ControllerRpcType.LIST_SNAPSHOTS,
    ControllerRpcType.GET_VOLUME,
    ControllerRpcType.VOLUME_CONDITION,
    ...(options.advertiseGetSnapshot ? [ControllerRpcType.GET_SNAPSHOT] : []),
  ]);
}

/** TopoLVM's: a controller service, topology, and expansion both online and offline. */
export const PLUGIN_CAPABILITIES: readonly PluginCapability[] = [
  ...pluginCapabilities({ services: ['CONTROLLER_SERVICE', 'VOLUME_ACCESSIBILITY_CONSTRAINTS'], volumeExpansion: 'ONLINE' }),
  { volume_expansion: { type: 'OFFLINE' } },
];
