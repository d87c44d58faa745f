// The contract's enums under short names, as values (for responses and comparisons) and
// as types. What a handler receives is always the string form (enums are loaded as
// strings, see CSI_LOADER_OPTIONS); a response may carry the string or the number.
import {
  _csi_v1_ControllerServiceCapability_RPC_Type as ControllerRpcTypes,
  type _csi_v1_ControllerServiceCapability_RPC_Type__Output as ControllerRpcTypeName,
} from './generated/csi/v1/ControllerServiceCapability';
import {
  _csi_v1_GroupControllerServiceCapability_RPC_Type as GroupControllerRpcTypes,
  type _csi_v1_GroupControllerServiceCapability_RPC_Type__Output as GroupControllerRpcTypeName,
} from './generated/csi/v1/GroupControllerServiceCapability';
import {
  _csi_v1_NodeServiceCapability_RPC_Type as NodeRpcTypes,
  type _csi_v1_NodeServiceCapability_RPC_Type__Output as NodeRpcTypeName,
} from './generated/csi/v1/NodeServiceCapability';
import {
  _csi_v1_PluginCapability_Service_Type as PluginServiceTypes,
  type _csi_v1_PluginCapability_Service_Type__Output as PluginServiceTypeName,
  _csi_v1_PluginCapability_VolumeExpansion_Type as VolumeExpansionTypes,
  type _csi_v1_PluginCapability_VolumeExpansion_Type__Output as VolumeExpansionTypeName,
} from './generated/csi/v1/PluginCapability';
import {
  _csi_v1_VolumeCapability_AccessMode_Mode as AccessModes,
  type _csi_v1_VolumeCapability_AccessMode_Mode__Output as AccessModeName,
} from './generated/csi/v1/VolumeCapability';
import { _csi_v1_VolumeUsage_Unit as VolumeUsageUnits, type _csi_v1_VolumeUsage_Unit__Output as VolumeUsageUnitName } from './generated/csi/v1/VolumeUsage';

/** PluginCapability.Service.Type: CONTROLLER_SERVICE, VOLUME_ACCESSIBILITY_CONSTRAINTS, ... */
export const PluginServiceType = PluginServiceTypes;
export type PluginServiceType = PluginServiceTypeName;
/** PluginCapability.VolumeExpansion.Type: ONLINE, OFFLINE */
export const VolumeExpansionType = VolumeExpansionTypes;
export type VolumeExpansionType = VolumeExpansionTypeName;
/** ControllerServiceCapability.RPC.Type: CREATE_DELETE_VOLUME, CLONE_VOLUME, ... */
export const ControllerRpcType = ControllerRpcTypes;
export type ControllerRpcType = ControllerRpcTypeName;
/** NodeServiceCapability.RPC.Type: GET_VOLUME_STATS, EXPAND_VOLUME, ... */
export const NodeRpcType = NodeRpcTypes;
export type NodeRpcType = NodeRpcTypeName;
/** GroupControllerServiceCapability.RPC.Type */
export const GroupControllerRpcType = GroupControllerRpcTypes;
export type GroupControllerRpcType = GroupControllerRpcTypeName;
/** VolumeCapability.AccessMode.Mode: SINGLE_NODE_WRITER, ... */
export const AccessMode = AccessModes;
export type AccessMode = AccessModeName;
/** VolumeUsage.Unit: BYTES, INODES */
export const VolumeUsageUnit = VolumeUsageUnits;
export type VolumeUsageUnit = VolumeUsageUnitName;
