import type { ControllerRpcType, NodeRpcType, PluginServiceType, VolumeExpansionType } from './enums';
import type { ControllerGetCapabilitiesResponse } from './generated/csi/v1/ControllerGetCapabilitiesResponse';
import type { NodeGetCapabilitiesResponse } from './generated/csi/v1/NodeGetCapabilitiesResponse';
import type { PluginCapability } from './generated/csi/v1/PluginCapability';

/** GetPluginCapabilities' list from the services offered and the expansion mode. */
export function pluginCapabilities(o: { services: readonly PluginServiceType[]; volumeExpansion?: VolumeExpansionType }): PluginCapability[] {
  const caps: PluginCapability[] = o.services.map((type) => ({ service: { type } }));
  if (o.volumeExpansion) caps.push({ volume_expansion: { type: o.volumeExpansion } });
  return caps;
}

/** ControllerGetCapabilities' answer for these RPC types. */
export function controllerCapabilities(types: readonly ControllerRpcType[]): ControllerGetCapabilitiesResponse {
  return { capabilities: types.map((type) => ({ rpc: { type } })) };
}

/** NodeGetCapabilities' answer for these RPC types. */
export function nodeCapabilities(types: readonly NodeRpcType[]): NodeGetCapabilitiesResponse {
  return { capabilities: types.map((type) => ({ rpc: { type } })) };
}
