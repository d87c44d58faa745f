/**
 * Kubernetes Status objects and the errors that carry them, with the messages and reasons
 * of k8s.io/apimachinery/pkg/api/errors, so that clients (client-node, kubectl, client-go)
 * classify them as they would a real kube-apiserver's.
 */

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: { continue?: string; resourceVersion?: string };
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** A group and resource, printed as `resource.group` (or `resource` for the core group). */
export interface GroupResource {
  readonly group: string;
  readonly resource: string;
}

export function qualifiedResource(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

/** A group and kind, printed as `Kind.group` (or `Kind` for the core group), as in Invalid errors. */
export function qualifiedKind(group: string, kind: string): string {
  return group ? `${kind}.${group}` : kind;
}

export class StatusError extends Error {
  constructor(readonly status: Status, readonly headers: Record<string, string> = {}) {
    super(status.message ?? status.reason ?? `HTTP ${status.code}`);
    this.name = 'StatusError';
  }
  get code(): number {
    return this.status.code;
  }
}

export function failure(
  code: number,
  reason: string,
  message: string,
  details?: StatusDetails,
  listMeta: Status['metadata'] = {},
): StatusError {
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: listMeta, status: 'Failure', message, reason, code };
  if (details) status.details = details;
  // Real servers put `details` before `code`; keep that order for readers of raw JSON.
  const { code: c, ...rest } = status;
  return new StatusError({ ...rest, code: c } as Status);
}

function details(gr: GroupResource, name: string | undefined, extra: Partial<StatusDetails> = {}): StatusDetails {
  const d: StatusDetails = {};
  if (name !== undefined) d.name = name;
  if (gr.group) d.group = gr.group;
  d.kind = gr.resource;
  return { ...d, ...extra };
}

export function notFound(gr: GroupResource, name: string): StatusError {
  return failure(404, 'NotFound', `${qualifiedResource(gr)} "${name}" not found`, details(gr, name));
}

export function alreadyExists(gr: GroupResource, name: string): StatusError {
  return failure(409, 'AlreadyExists', `${qualifiedResource(gr)} "${name}" already exists`, details(gr, name));
}

export function conflict(gr: GroupResource, name: string, why: string): StatusError {
  return failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(gr)} "${name}": ${why}`, details(gr, name));
}

export const OPTIMISTIC_LOCK_MESSAGE = 'the object has been modified; please apply your changes to the latest version and try again';

export function staleUpdate(gr: GroupResource, name: string): StatusError {
  return conflict(gr, name, OPTIMISTIC_LOCK_MESSAGE);
}

/** One field error, as k8s.io/apimachinery/pkg/util/validation/field.Error prints it. */
export interface FieldError {
  /** FieldValueInvalid, FieldValueRequired, FieldValueNotSupported, FieldValueForbidden, FieldValueTooLong, FieldValueTooMany, FieldValueDuplicate, FieldValueTypeInvalid */
  readonly type: string;
  readonly field: string;
  /** The full text after `field: ` (e.g. `Invalid value: "x": must be ...`). */
  readonly detail: string;
}

function quoteValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export const fieldErrors = {
  invalid(field: string, value: unknown, msg: string): FieldError {
    return { type: 'FieldValueInvalid', field, detail: `Invalid value: ${quoteValue(value)}: ${msg}` };
  },
  required(field: string, msg = ''): FieldError {
    return { type: 'FieldValueRequired', field, detail: msg ? `Required value: ${msg}` : 'Required value' };
  },
  notSupported(field: string, value: unknown, valid: readonly string[]): FieldError {
    const list = valid.map((v) => JSON.stringify(v)).join(', ');
    return { type: 'FieldValueNotSupported', field, detail: `Unsupported value: ${quoteValue(value)}${valid.length ? `: supported values: ${list}` : ''}` };
  },
  forbidden(field: string, msg: string): FieldError {
    return { type: 'FieldValueForbidden', field, detail: `Forbidden: ${msg}` };
  },
  tooLong(field: string, max: number): FieldError {
    return { type: 'FieldValueTooLong', field, detail: `Too long: may not be longer than ${max}` };
  },
  tooMany(field: string, actual: number, max: number): FieldError {
    return { type: 'FieldValueTooMany', field, detail: `Too many: ${actual}: must have at most ${max} items` };
  },
  duplicate(field: string, value: unknown): FieldError {
    return { type: 'FieldValueDuplicate', field, detail: `Duplicate value: ${quoteValue(value)}` };
  },
  typeInvalid(field: string, value: unknown, msg: string): FieldError {
    return { type: 'FieldValueTypeInvalid', field, detail: `Invalid value: ${quoteValue(value)}: ${msg}` };
  },
};

export function formatFieldError(e: FieldError): string {
  return e.field ? `${e.field}: ${e.detail}` : e.detail;
}

/** 422 Invalid: `Kind.group "name" is invalid: field: detail` (several errors in brackets). */
export function invalid(group: string, kind: string, name: string, errors: readonly FieldError[]): StatusError {
  const texts = errors.map(formatFieldError);
  const summary = texts.length === 1 ? texts[0] : `[${texts.join(', ')}]`;
  const d: StatusDetails = { name };
  if (group) d.group = group;
  d.kind = kind;
  d.causes = errors.map((e) => ({ reason: e.type, message: e.detail, field: e.field }));
  return failure(422, 'Invalid', `${qualifiedKind(group, kind)} "${name}" is invalid: ${summary}`, d);
}

export function badRequest(message: string): StatusError {
  return failure(400, 'BadRequest', message);
}

export function methodNotAllowed(message = 'the server does not allow this method on the requested resource'): StatusError {
  return failure(405, 'MethodNotAllowed', message);
}

export function forbidden(gr: GroupResource, name: string, why: string, causes?: StatusCause[]): StatusError {
  const prefix = name ? `${qualifiedResource(gr)} "${name}" is forbidden` : `${qualifiedResource(gr)} is forbidden`;
  return failure(403, 'Forbidden', `${prefix}: ${why}`, details(gr, name, causes ? { causes } : {}));
}

export function gone(message: string, listMeta: Status['metadata'] = {}): StatusError {
  return failure(410, 'Expired', message, undefined, listMeta);
}

export function unsupportedMediaType(supported: readonly string[]): StatusError {
  return failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${supported.join(', ')}`);
}

export function notAcceptable(supported: readonly string[]): StatusError {
  return failure(406, 'NotAcceptable', `only the following media types are accepted: ${supported.join(', ')}`);
}

export function unauthorized(): StatusError {
  return failure(401, 'Unauthorized', 'Unauthorized');
}

export function internalError(message: string): StatusError {
  return failure(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
}

export function timeout(message: string, retryAfterSeconds?: number, causes?: StatusCause[]): StatusError {
  const d: StatusDetails = {};
  if (causes) d.causes = causes;
  if (retryAfterSeconds !== undefined) d.retryAfterSeconds = retryAfterSeconds;
  return failure(504, 'Timeout', message, d);
}

export function pageNotFound(): StatusError {
  return failure(404, 'NotFound', 'the server could not find the requested resource', {});
}

/** Something the real apiserver does that this test server does not: say so plainly. */
export function notSupportedByTestServer(what: string): StatusError {
  return failure(405, 'MethodNotAllowed', `${what} is not supported by kube-test-apiserver (a test server; see tools/kube-test-apiserver/README.md)`);
}

export function isStatusError(e: unknown): e is StatusError {
  return e instanceof StatusError;
}

export function successStatus(d: StatusDetails): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: d } as unknown as Status;
}
