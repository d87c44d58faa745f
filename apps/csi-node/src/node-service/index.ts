// The CSI Node service (publish, unpublish, stats, expand, info). app.ts calls
// createNodeService with csi-node's parts; the rest is exported for tests and tools.
export { createNodeService, wrapNodeService, FS_COMMAND_TIMEOUT_MS, type NodeServiceDeps } from './wire';
export { nodeServiceCore, NODE_CAPABILITIES } from './node-service';
export type { NodeServiceParts } from './deps';
export { nodeErrorToCsi } from './errors';
export { PublishedTargets } from './published';
export { LvmdVolumeSource, toNodeVolume, type LvmdVolumeClient, type NodeVolume, type VolumeSource } from './volume-source';
export { NODE_ACCESS_MODES, NODE_VOLUME_SUPPORT } from './requests';
export { GROW_SLACK_BYTES } from './grow';
export { NEW_FILESYSTEM_ROOT_MODE } from './publish';
export { HEALTHY_MESSAGE } from './stats';
