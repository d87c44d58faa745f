/**
 * Typed Kubernetes API errors, built in one place from what the API returns.
 *
 * client-node throws ApiException(code, message, body, headers) with the response body as
 * text (the API's Status object as JSON, when there is one), and its Watch fails with a
 * plain Error carrying statusCode. toApiError() turns any of these, or a Status object from
 * a watch ERROR event, into an ApiError subclass named after the Status reason, as
 * client-go's k8s.io/apimachinery/pkg/api/errors does; the predicates follow client-go's
 * rule of trusting the reason and falling back to the HTTP code when the reason is unknown.
 */

/** The Status reasons kube-apiserver uses (metav1.StatusReason). */
export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'Forbidden'
  | 'Unauthorized'
  | 'BadRequest'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'RequestEntityTooLarge'
  | 'TooManyRequests'
  | 'Timeout'
  | 'ServerTimeout'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Unknown';

export interface StatusCause {
  readonly reason?: string;
  readonly message?: string;
  readonly field?: string;
}

export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  readonly kind?: string;
  readonly uid?: string;
  readonly causes?: readonly StatusCause[];
  readonly retryAfterSeconds?: number;
}

/** The metav1.Status object the API returns on failure. */
export interface Status {
  readonly kind?: string;
  readonly apiVersion?: string;
  readonly status?: string;
  readonly message?: string;
  readonly reason?: string;
  readonly details?: StatusDetails;
  readonly code?: number;
}

export class ApiError extends Error {
  /** HTTP status code (0 when the request never got an answer). */
  readonly code: number;
  readonly reason: StatusReason;
  readonly details: StatusDetails | undefined;
  /** The Status object as the API sent it, when it sent one. */
  readonly status: Status | undefined;

  constructor(code: number, reason: StatusReason, message: string, status?: Status, options?: { cause?: unknown }) {
    super(message, options);
    this.name = `${reason}Error`;
    this.code = code;
    this.reason = reason;
    this.status = status;
    this.details = status?.details;
  }

  /** Field-level causes of an Invalid error ("spec.size: Invalid value ..."). */
  get causes(): readonly StatusCause[] {
    return this.details?.causes ?? [];
  }
}

export class NotFoundError extends ApiError {}
export class AlreadyExistsError extends ApiError {}
export class ConflictError extends ApiError {}
/** 410: a watch or list from a resourceVersion the server no longer has (reason Gone or Expired). */
export class GoneError extends ApiError {}
export class InvalidError extends ApiError {}
export class ForbiddenError extends ApiError {}
export class UnauthorizedError extends ApiError {}
export class BadRequestError extends ApiError {}
export class TooManyRequestsError extends ApiError {}
export class TimeoutError extends ApiError {}
export class InternalError extends ApiError {}
export class ServiceUnavailableError extends ApiError {}

type ApiErrorClass = new (code: number, reason: StatusReason, message: string, status?: Status, options?: { cause?: unknown }) => ApiError;

const CLASS_BY_REASON: Partial<Record<StatusReason, ApiErrorClass>> = {
  NotFound: NotFoundError,
  AlreadyExists: AlreadyExistsError,
  Conflict: ConflictError,
  Gone: GoneError,
  Expired: GoneError,
  Invalid: InvalidError,
  Forbidden: ForbiddenError,
  Unauthorized: UnauthorizedError,
  BadRequest: BadRequestError,
  TooManyRequests: TooManyRequestsError,
  Timeout: TimeoutError,
  ServerTimeout: TimeoutError,
  InternalError: InternalError,
  ServiceUnavailable: ServiceUnavailableError,
};

/** The reason client-go infers from a bare HTTP code (errors.reasonForCode). */
const REASON_BY_CODE: Record<number, StatusReason> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

const KNOWN_REASONS = new Set<string>([...Object.keys(CLASS_BY_REASON), ...Object.values(REASON_BY_CODE), 'Unknown']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function parseStatus(body: unknown): Status | undefined {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  return isObject(value) && value['kind'] === 'Status' ? (value as Status) : undefined;
}

/** An ApiError from a Status object (e.g. a watch ERROR event's object). */
export function errorFromStatus(status: Status, fallbackCode = 0, cause?: unknown): ApiError {
  const code = typeof status.code === 'number' ? status.code : fallbackCode;
  const reason: StatusReason =
    status.reason && KNOWN_REASONS.has(status.reason) ? (status.reason as StatusReason) : (REASON_BY_CODE[code] ?? 'Unknown');
  const Class = CLASS_BY_REASON[reason] ?? ApiError;
  const message = status.message || `${reason} (HTTP ${code})`;
  return new Class(code, reason, message, status, cause === undefined ? undefined : { cause });
}

/**
 * The typed error for anything client-node throws for an API answer: ApiException (code and
 * body), Watch's Error with statusCode, or a Status object. undefined for other failures
 * (network errors, aborts, bugs): those are not the API's answer.
 */
export function toApiError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  if (!isObject(err)) return undefined;
  if (err['kind'] === 'Status') return errorFromStatus(err as Status);
  const code = typeof err['code'] === 'number' ? err['code'] : typeof err['statusCode'] === 'number' ? err['statusCode'] : undefined;
  if (code === undefined || code < 400 || code > 599) return undefined;
  const status = parseStatus(err['body']);
  if (status) return errorFromStatus(status, code, err);
  const reason = REASON_BY_CODE[code] ?? 'Unknown';
  const Class = CLASS_BY_REASON[reason] ?? ApiError;
  const text = typeof err['body'] === 'string' && err['body'] ? `: ${err['body'].slice(0, 200)}` : '';
  return new Class(code, reason, `${reason} (HTTP ${code})${text}`, undefined, { cause: err });
}

/** Rethrows what an API call threw as a typed ApiError when it is one. */
export function rethrowAsApiError(err: unknown): never {
  throw toApiError(err) ?? err;
}

/** Runs an API call and turns its failure into a typed ApiError. */
export async function apiCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    return rethrowAsApiError(err);
  }
}

function reasonAndCode(err: unknown): { reason: StatusReason; code: number } | undefined {
  const api = toApiError(err);
  return api && { reason: api.reason, code: api.code };
}

function is(err: unknown, reason: StatusReason, code?: number): boolean {
  const rc = reasonAndCode(err);
  if (!rc) return false;
  if (rc.reason === reason) return true;
  return code !== undefined && rc.reason === 'Unknown' && rc.code === code;
}

export const isNotFound = (err: unknown): boolean => is(err, 'NotFound', 404);
export const isAlreadyExists = (err: unknown): boolean => is(err, 'AlreadyExists');
export const isConflict = (err: unknown): boolean => is(err, 'Conflict', 409);
/** 410 Gone or Expired: the resourceVersion is too old; list again. */
export const isGone = (err: unknown): boolean => is(err, 'Gone', 410) || is(err, 'Expired');
export const isInvalid = (err: unknown): boolean => is(err, 'Invalid', 422);
export const isForbidden = (err: unknown): boolean => is(err, 'Forbidden', 403);
export const isUnauthorized = (err: unknown): boolean => is(err, 'Unauthorized', 401);
export const isBadRequest = (err: unknown): boolean => is(err, 'BadRequest', 400);
export const isTooManyRequests = (err: unknown): boolean => is(err, 'TooManyRequests', 429);
export const isTimeout = (err: unknown): boolean => is(err, 'Timeout', 504) || is(err, 'ServerTimeout');
export const isInternalError = (err: unknown): boolean => is(err, 'InternalError', 500);
export const isServiceUnavailable = (err: unknown): boolean => is(err, 'ServiceUnavailable', 503);
