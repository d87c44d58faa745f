import { ERROR_CODES, problemType, type ErrorCode, type Problem } from '@copse/lvmd-api';
import { LvmCancelledError, LvmUnavailableError, isLvmError } from '@copse/lvm-exec';

/** An answer for the client, with a stable code from the registry and the field at fault. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    detail: string,
    readonly field?: string,
    /** response headers the answer needs (Allow on a 405, WWW-Authenticate on a 401) */
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(detail);
    this.name = 'ApiError';
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }
}

/**
 * The one place where lvm2 outcomes (and anything else thrown below the routes)
 * become API errors.
 */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (isLvmError(e)) {
    const detail = `${e.argv[0]} failed (exit ${e.exitCode}): ${lvmMessage(e.stderr || e.stdout)}`;
    if (e.isNotFound) return new ApiError('not-found', detail);
    if (e.isInUse) return new ApiError('in-use', detail);
    if (e.isAlreadyExists) return new ApiError('conflict', detail);
    if (e.isNoSpace) return new ApiError('no-space', detail);
    return new ApiError('lvm-failed', detail);
  }
  if (e instanceof LvmUnavailableError) return new ApiError('unavailable', e.message);
  if (e instanceof LvmCancelledError) return new ApiError('unavailable', e.message);
  return new ApiError('internal', 'internal error; see the lvmd-http log for the request id');
}

export function problemOf(e: ApiError, instance: string | undefined, requestId: string): Problem {
  return {
    type: problemType(e.code),
    title: ERROR_CODES[e.code].title,
    status: e.status,
    code: e.code,
    detail: e.message,
    ...(e.field !== undefined ? { field: e.field } : {}),
    ...(instance !== undefined ? { instance } : {}),
    requestId,
  };
}

function lvmMessage(text: string): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('WARNING'))
    .slice(0, 3)
    .join('; ');
}
