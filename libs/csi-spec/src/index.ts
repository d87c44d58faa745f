// The CSI v1.12.0 contract (third_party/csi/csi.proto) for TypeScript.
// Message types: `X` is what you may send (permissive: numbers or strings for int64,
// enum names or numbers), `X__Output` is what a handler receives (with defaults; int64
// as decimal strings; enums as names). Field names are the proto's (snake_case).
export * from './generated/index';
export type { Timestamp, Timestamp__Output } from './generated/google/protobuf/Timestamp';
export type { BoolValue, BoolValue__Output } from './generated/google/protobuf/BoolValue';
export type { Int64Value, Int64Value__Output } from './generated/google/protobuf/Int64Value';
export * from './enums';
export * from './timestamp';
export * from './capabilities';
export { csiProtoPath } from './proto-path';
export { STRIPPED } from './secrets';
export {
  CSI_LOADER_OPTIONS,
  CSI_PACKAGE,
  CSI_SPEC_VERSION,
  CsiContract,
  type CsiMethod,
  type CsiServiceDefinitions,
  type CsiServiceName,
} from './contract';
