export { CsiServer, DEFAULT_QUIET_METHODS, type CsiServerOptions, type ShutdownResult } from './server';
export { codeName, CsiError, errorToStatus, type TranslatedError } from './errors';
export { socketPathOf } from './endpoint';
export { callUnary, csiClient } from './client';
export { CsiCallMetrics } from './metrics';
export { CONTROLLER_LOCKS, KeyedLocks, NODE_LOCKS, withLocks, type LockKey, type LockTable } from './locks';
export { identityService, type IdentityOptions } from './identity';
export * from './validate';
export type {
  AsyncHandler,
  AsyncService,
  CallContext,
  ControllerService,
  GroupControllerService,
  IdentityService,
  NodeService,
  RequestOf,
} from './types';
export { status as GrpcStatus } from '@grpc/grpc-js';
export { SocketInUseError } from '@copse/unix-socket';
