import type { handleUnaryCall, Metadata } from '@grpc/grpc-js';
import type { ControllerHandlers, GroupControllerHandlers, IdentityHandlers, NodeHandlers } from '@copse/csi-spec';
import type { Logger } from 'pino';

/** What a handler knows of the call it answers, besides the request. */
export interface CallContext {
  /** the RPC's name, `CreateVolume` */
  readonly method: string;
  /** a fresh id per call: in every log line of the call and in an INTERNAL error's message */
  readonly requestId: string;
  /**
   * Aborts when the caller cancels, when the call's deadline passes, or when the server
   * is forced down; its reason is a CsiError (CANCELLED, DEADLINE_EXCEEDED, UNAVAILABLE),
   * so `signal.throwIfAborted()` ends the call with the right code. Hand it to whatever
   * the handler waits for (child processes, HTTP requests, watches).
   */
  readonly signal: AbortSignal;
  /** when the caller stops waiting, if it said */
  readonly deadline: Date | undefined;
  /** the server's logger with the method and request id bound */
  readonly log: Logger;
  readonly metadata: Metadata;
}

/** A CSI RPC as Copse writes it: the request in, the response (or a thrown CsiError) out. */
export type AsyncHandler<Req, Res> = (request: Req, ctx: CallContext) => Promise<Res> | Res;

/** grpc-js's generated handler interface, method by method, as async handlers. */
export type AsyncService<H> = {
  [K in keyof H as string extends K ? never : K]: H[K] extends handleUnaryCall<infer Req, infer Res> ? AsyncHandler<Req, Res> : never;
};

export type IdentityService = AsyncService<IdentityHandlers>;
export type ControllerService = AsyncService<ControllerHandlers>;
export type NodeService = AsyncService<NodeHandlers>;
export type GroupControllerService = AsyncService<GroupControllerHandlers>;

/** The request type a service method receives. */
export type RequestOf<S, K extends keyof S> = S[K] extends AsyncHandler<infer Req, unknown> ? Req : never;
