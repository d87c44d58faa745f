import { status } from '@grpc/grpc-js';

/** A gRPC status code's name, as the spec and the sidecars' logs write it (NOT_FOUND). */
export function codeName(code: status): string {
  return status[code] ?? `CODE_${code}`;
}

/**
 * The one error a CSI handler throws on purpose: a gRPC status code and a message the
 * caller may show to users (the spec: "MAY be surfaced by CO to end users"). The message
 * must say what is wrong and name the field or object; it must never carry a secret.
 */
export class CsiError extends Error {
  override readonly name = 'CsiError';

  constructor(
    readonly code: status,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  static invalidArgument(message: string): CsiError {
    return new CsiError(status.INVALID_ARGUMENT, message);
  }
  static notFound(message: string): CsiError {
    return new CsiError(status.NOT_FOUND, message);
  }
  static alreadyExists(message: string): CsiError {
    return new CsiError(status.ALREADY_EXISTS, message);
  }
  static outOfRange(message: string): CsiError {
    return new CsiError(status.OUT_OF_RANGE, message);
  }
  static resourceExhausted(message: string): CsiError {
    return new CsiError(status.RESOURCE_EXHAUSTED, message);
  }
  static failedPrecondition(message: string): CsiError {
    return new CsiError(status.FAILED_PRECONDITION, message);
  }
  static aborted(message: string): CsiError {
    return new CsiError(status.ABORTED, message);
  }
  static unimplemented(message: string): CsiError {
    return new CsiError(status.UNIMPLEMENTED, message);
  }
  static unavailable(message: string): CsiError {
    return new CsiError(status.UNAVAILABLE, message);
  }
}

/** What a call answers and how the log records it. */
export interface TranslatedError {
  readonly code: status;
  /** the status message the caller receives */
  readonly details: string;
  /** true when the error was not meant for the caller: its detail is in the log only */
  readonly unexpected: boolean;
}

/**
 * Translates anything a handler threw into the gRPC status the caller receives; the one
 * place that does. In order:
 * - a CsiError as it is;
 * - whatever `mapError` (the app's translation of its domain errors) turns into a CsiError;
 * - anything thrown after the call's signal aborted (an AbortError from a cancelled
 *   child process or request): the abort's reason, CANCELLED or DEADLINE_EXCEEDED;
 * - anything else is INTERNAL with the request id, its detail only in the log, so
 *   that a stack trace or a path never reaches a PVC's events.
 */
export function errorToStatus(
  err: unknown,
  requestId: string,
  signal?: AbortSignal,
  mapError?: (err: unknown) => CsiError | undefined,
): TranslatedError {
  const known = err instanceof CsiError ? err : mapError?.(err);
  if (known) return { code: known.code, details: known.message, unexpected: false };
  if (signal?.aborted && signal.reason instanceof CsiError) {
    return { code: signal.reason.code, details: signal.reason.message, unexpected: false };
  }
  return { code: status.INTERNAL, details: `internal error (request id ${requestId}): see the plugin's log`, unexpected: true };
}
