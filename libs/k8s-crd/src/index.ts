// The LogicalVolume CRD contract: name sets, types and the CRD YAML from one source
// (schema/logicalvolume.yaml; `npm run codegen` regenerates src/generated/ and deploy/crds/).
export * from './names';
export * from './quantity';
export * from './schema';
export * from './logical-volume';
export { API_GROUPS, LOGICAL_VOLUME_CRDS, LOGICAL_VOLUME_NAMES, LOGICAL_VOLUME_VERSION } from './generated/crds';
