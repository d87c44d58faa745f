import { CsiError, GrpcStatus } from '@copse/csi-grpc';
import { ERROR_CODES, LvmdClientError } from '@copse/lvmd-api';

/**
 * What csi-node makes of a failed lvmd-http call: the one place that maps lvmd-http's
 * problem codes (docs/lvmd-http.md, Errors; the registry in @copse/lvmd-api) to gRPC
 * codes, and decides whether trying again can help.
 *
 * - `final`: lvmd-http answered, and the same request will get the same answer
 *   (invalid-field, not-found, conflict, no-space, out-of-range, unsupported-for-thick,
 *   lvm-failed, ...). The reconciler writes the code into the LogicalVolume's status, as
 *   TopoLVM does, and the controller hands it to the CO.
 * - `transient`: lvmd-http could not be reached or could not answer now (unavailable,
 *   too many connections, a timeout, a volume in use or an interrupted create, a network
 *   error, an aborted call). The reconciler retries with backoff and writes no code, so a
 *   restart of lvmd-http never fails a volume.
 */
export interface LvmdFailure {
  readonly kind: 'final' | 'transient';
  /** the gRPC code (numeric, as status.code stores it) */
  readonly code: GrpcStatus;
  /** for status.message and logs: lvmd-http's detail, or what went wrong reaching it */
  readonly message: string;
  /** lvmd-http's problem code, when it answered */
  readonly problem?: string;
}

/** Problem codes that say "not now" rather than "no". */
const TRANSIENT_PROBLEMS = new Set<string>([
  'unavailable',
  'too-many-connections',
  'request-timeout',
  // not on main yet when this was written; harmless until they are
  'in-use',
  'incomplete',
  // a token or certificate lvmd-http refuses is a deployment problem, not the volume's:
  // keep retrying (loudly) until it is fixed, rather than fail every volume for good
  'unauthorized',
]);

/** undici and node error codes of a connection that failed or broke. */
const NETWORK_ERRORS = new Set<string>([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOENT', // the unix socket is not there (lvmd-http not started yet)
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

function grpcCodeOf(problem: keyof typeof ERROR_CODES | string): GrpcStatus {
  const info = (ERROR_CODES as Record<string, { grpc: string } | undefined>)[problem];
  const code = info ? (GrpcStatus as unknown as Record<string, GrpcStatus>)[info.grpc] : undefined;
  return code ?? GrpcStatus.INTERNAL;
}

function errnoOf(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_ERRORS.has(code)) return code;
  }
  return undefined;
}

/** Classifies anything an LvmdClient call threw. */
export function lvmdFailure(err: unknown): LvmdFailure {
  if (err instanceof LvmdClientError) {
    const message = err.problem.detail ?? err.problem.title;
    return {
      kind: TRANSIENT_PROBLEMS.has(err.code) ? 'transient' : 'final',
      code: grpcCodeOf(err.code),
      message: `lvmd-http: ${message}`,
      problem: err.code,
    };
  }
  const errno = errnoOf(err);
  if (errno) return { kind: 'transient', code: GrpcStatus.UNAVAILABLE, message: `lvmd-http unreachable (${errno}): ${(err as Error).message}` };
  if ((err as Error | undefined)?.name === 'AbortError') return { kind: 'transient', code: GrpcStatus.CANCELLED, message: 'the call to lvmd-http was cancelled' };
  // anything else is a bug (ours or lvmd-http's): retry, and let the log carry it
  return { kind: 'transient', code: GrpcStatus.INTERNAL, message: `calling lvmd-http failed: ${(err as Error | undefined)?.message ?? String(err)}` };
}

/**
 * A failure to reach lvmd-http, as opposed to any other error with an errno: undici's own
 * errors, or a connect(2) that failed (an ENOENT from connecting to the socket is
 * lvmd-http's; an ENOENT from mkdir of a target path is not).
 */
function isConnectionFailure(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, syscall } = e as { code?: unknown; syscall?: unknown };
    if (typeof code !== 'string') continue;
    if (code.startsWith('UND_ERR') || (NETWORK_ERRORS.has(code) && (code !== 'ENOENT' || syscall === 'connect'))) return true;
  }
  return false;
}

/**
 * For CsiServer's mapError: an lvmd-http failure during a CSI call (the Node service's
 * calls) as the CsiError the caller receives; undefined for anything that is not one.
 */
export function lvmdErrorToCsi(err: unknown): CsiError | undefined {
  if (!(err instanceof LvmdClientError) && !isConnectionFailure(err)) return undefined;
  const f = lvmdFailure(err);
  return new CsiError(f.code, f.message, { cause: err });
}
