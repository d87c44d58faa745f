import { randomUUID } from 'node:crypto';
import { status, type handleUnaryCall, type ServerUnaryCall } from '@grpc/grpc-js';
import type { CsiContract, CsiMethod } from '@copse/csi-spec';
import type { Logger } from 'pino';
import { codeName, CsiError, errorToStatus } from './errors';
import type { CsiCallMetrics } from './metrics';
import type { AsyncHandler, CallContext } from './types';

/** What every call of a server shares. */
export interface CallEnvironment {
  readonly contract: CsiContract;
  readonly log: Logger;
  readonly metrics?: CsiCallMetrics;
  readonly mapError?: (err: unknown) => CsiError | undefined;
  /** methods whose successful calls are logged at debug, not info (Probe every few seconds) */
  readonly quietMethods: ReadonlySet<string>;
  /** aborts every call's signal when the server is forced down */
  readonly shutdown: AbortSignal;
  /** told of each running handler, so a shutdown can wait for them to finish */
  readonly track: (settled: Promise<void>) => void;
}

/** setTimeout's limit; a later deadline is as good as none. */
const MAX_TIMER_MS = 0x7fffffff;

/**
 * A caller whose deadline passes cancels the stream itself, at about the moment the
 * server's own timer fires (the grpc-timeout header is relative, so the two clocks are
 * apart by the request's transit); a cancel this close to the deadline is the deadline.
 */
const DEADLINE_SLACK_MS = 100;

/**
 * The grpc-js handler for one unary RPC around an async handler (or none: UNIMPLEMENTED):
 * a request id and an AbortSignal per call, the answer or the thrown error translated to
 * a status in one place, one log line with the request stripped of secrets, metrics.
 */
export function unaryCall(method: CsiMethod, handler: AsyncHandler<unknown, unknown> | undefined, env: CallEnvironment): handleUnaryCall<unknown, unknown> {
  const definition = (env.contract.services[method.service] as Record<string, { responseSerialize(v: unknown): Buffer }>)[method.name];
  if (!definition) throw new Error(`no definition for ${method.path}`);
  const labels = { service: method.service, method: method.name };

  return (call, callback) => {
    const started = process.hrtime.bigint();
    const requestId = randomUUID();
    const log = env.log.child({ service: method.service, method: method.name, requestId });
    const { signal, deadline, release } = callSignal(call, env.shutdown);
    const ctx: CallContext = { method: method.name, requestId, signal, deadline, log, metadata: call.metadata };
    const request = call.request;
    log.debug({ request: env.contract.stripSecrets(method.requestType, request) }, `${method.name} started`);
    env.metrics?.inFlight.inc(labels);

    const run = async (): Promise<unknown> => {
      if (!handler) throw CsiError.unimplemented(`${method.name} is not implemented by this plugin`);
      const response = await handler(request, ctx);
      definition.responseSerialize(response); // a response that cannot be encoded is our error, and is logged as one
      return response;
    };
    const settled = run().then(
      (response) => {
        const abortedFirst = signal.aborted;
        callback(null, response);
        finish(status.OK, abortedFirst, undefined, response);
      },
      (err: unknown) => {
        const abortedFirst = signal.aborted;
        const t = errorToStatus(err, requestId, signal, env.mapError);
        callback({ code: t.code, details: t.details });
        finish(t.code, abortedFirst, t.unexpected ? err : undefined, undefined, t.details);
      },
    );
    env.track(settled);

    function finish(code: status, abortedFirst: boolean, unexpected: unknown, response: unknown, details?: string): void {
      release();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // what the caller received: once the call was cancelled, timed out or cut by a forced
      // shutdown, our answer goes nowhere
      const seen = abortedFirst && signal.reason instanceof CsiError ? signal.reason.code : code;
      const grpcCode = codeName(seen);
      env.metrics?.inFlight.dec(labels);
      env.metrics?.calls.inc({ ...labels, grpc_code: grpcCode });
      env.metrics?.seconds.observe({ ...labels, grpc_code: grpcCode }, seconds);

      const line: Record<string, unknown> = {
        grpcCode,
        durationMs: Math.round(seconds * 1e4) / 10,
        request: env.contract.stripSecrets(method.requestType, request),
      };
      if (seen !== code) line.handlerCode = codeName(code);
      if (details !== undefined) line.message = details;
      if (unexpected !== undefined) line.err = unexpected;
      if (response !== undefined && log.isLevelEnabled('debug')) line.response = env.contract.stripSecrets(method.responseType, response);
      const msg = `${method.name} ${grpcCode}`;
      if (unexpected !== undefined) log.error(line, msg);
      else if (seen !== status.OK) log.warn(line, msg);
      else if (env.quietMethods.has(method.name)) log.debug(line, msg);
      else log.info(line, msg);
    }
  };
}

/**
 * A signal that aborts when the caller cancels, when the deadline passes, or when the
 * server is forced down, with a CsiError of the matching code as its reason.
 */
function callSignal(call: ServerUnaryCall<unknown, unknown>, shutdown: AbortSignal): { signal: AbortSignal; deadline: Date | undefined; release: () => void } {
  const controller = new AbortController();
  const abort = (reason: CsiError) => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const raw = call.getDeadline();
  const ms = raw instanceof Date ? raw.getTime() : raw;
  const deadline = Number.isFinite(ms) ? new Date(ms) : undefined;
  const expire = () => abort(new CsiError(status.DEADLINE_EXCEEDED, 'the call reached its deadline'));
  const onCancel = () =>
    deadline && Date.now() >= deadline.getTime() - DEADLINE_SLACK_MS ? expire() : abort(new CsiError(status.CANCELLED, 'the caller cancelled the call'));
  const onShutdown = () => abort(CsiError.unavailable('the plugin is shutting down'));
  call.on('cancelled', onCancel);
  shutdown.addEventListener('abort', onShutdown, { once: true });

  let timer: NodeJS.Timeout | undefined;
  if (deadline) {
    const left = deadline.getTime() - Date.now();
    if (left <= 0) expire();
    else if (left <= MAX_TIMER_MS) timer = setTimeout(expire, left);
  }
  if (call.cancelled) onCancel();
  if (shutdown.aborted) onShutdown();
  return {
    signal: controller.signal,
    deadline,
    release: () => {
      clearTimeout(timer);
      call.off('cancelled', onCancel);
      shutdown.removeEventListener('abort', onShutdown);
    },
  };
}
