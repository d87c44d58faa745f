/**
 * The one error type of the patch engine. It carries what the server needs to answer with a
 * Kubernetes Status object, exactly as kube-apiserver would for the same request.
 */

/** metav1.StatusReason values the patch engine produces; '' is StatusReasonUnknown. */
export type StatusReason =
  | 'BadRequest'
  | 'Invalid'
  | 'Conflict'
  | 'NotFound'
  | 'UnsupportedMediaType'
  | 'RequestEntityTooLarge'
  | 'InternalError'
  | '';

/** metav1.StatusCause */
export interface StatusCause {
  readonly reason?: string;
  readonly message?: string;
  readonly field?: string;
}

/** metav1.StatusDetails (the fields the patch engine fills). */
export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  readonly kind?: string;
  readonly causes?: readonly StatusCause[];
}

/** A metav1.Status object as the apiserver writes it for a failed request. */
export interface Status {
  readonly kind: 'Status';
  readonly apiVersion: 'v1';
  readonly metadata: Record<string, never>;
  readonly status: 'Failure';
  readonly message: string;
  readonly reason?: StatusReason;
  readonly details?: StatusDetails;
  readonly code: number;
}

export interface PatchErrorInit {
  readonly code: number;
  readonly reason: StatusReason;
  readonly message: string;
  readonly details?: StatusDetails;
  /**
   * What really went wrong, for logs and tests, when the apiserver's own message hides it
   * (a failed JSON patch answers only "the server rejected our request due to an error in our
   * request"; this says which operation failed and why). Never sent to clients.
   */
  readonly detail?: string;
}

export class PatchError extends Error {
  readonly code: number;
  readonly reason: StatusReason;
  readonly details?: StatusDetails;
  readonly detail?: string;

  constructor(init: PatchErrorInit) {
    super(init.message);
    this.name = 'PatchError';
    this.code = init.code;
    this.reason = init.reason;
    this.details = init.details;
    this.detail = init.detail;
  }

  /** The Status object the server writes as the response body (with HTTP status `code`). */
  toStatus(): Status {
    const status: Status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      ...(this.reason !== '' ? { reason: this.reason } : {}),
      ...(this.details !== undefined ? { details: this.details } : {}),
      code: this.code,
    };
    return status;
  }
}

export function isPatchError(err: unknown): err is PatchError {
  return err instanceof PatchError;
}

/** errors.NewBadRequest: 400, reason BadRequest, the message as given, no details. */
export function badRequest(message: string, detail?: string): PatchError {
  return new PatchError({ code: 400, reason: 'BadRequest', message, detail });
}

/**
 * errors.NewGenericServerResponse(422, "", GroupResource{}, "", msg, 0, false): what the apiserver
 * answers for a JSON patch that does not apply and for some strategic-merge-patch errors. The
 * underlying message is not part of the response; it is kept in `detail`.
 */
export function unprocessable(detail: string): PatchError {
  return new PatchError({
    code: 422,
    reason: 'Invalid',
    message: 'the server rejected our request due to an error in our request',
    details: {},
    detail,
  });
}

/**
 * A plain Go error reaching the apiserver's error writer: 500 with StatusReasonUnknown ('') and
 * the error text as the message (what responsewriters.ErrorToAPIStatus does).
 */
export function internal(message: string): PatchError {
  return new PatchError({ code: 500, reason: '', message });
}

/** A field error in the form errors.NewInvalid joins into its message. */
export interface FieldError {
  readonly field: string;
  /** 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueTooLong' ... */
  readonly type: string;
  /** The text after the field, e.g. "Required value: is required for apply patch". */
  readonly text: string;
}

/**
 * errors.NewInvalid(GroupKind{group, kind}, name, errs): 422, reason Invalid,
 * `<Kind>.<group> "<name>" is invalid: <field>: <text>` (several errors in brackets, joined by ", ").
 */
export function invalid(group: string, kind: string, name: string, errs: readonly FieldError[]): PatchError {
  const texts = errs.map((e) => `${e.field}: ${e.text}`);
  const joined = texts.length === 1 ? texts[0]! : `[${texts.join(', ')}]`;
  const qualifiedKind = group === '' ? kind : `${kind}.${group}`;
  return new PatchError({
    code: 422,
    reason: 'Invalid',
    message: `${qualifiedKind} ${JSON.stringify(name)} is invalid: ${joined}`,
    details: {
      ...(name !== '' ? { name } : {}),
      ...(group !== '' ? { group } : {}),
      ...(kind !== '' ? { kind } : {}),
      causes: errs.map((e) => ({ reason: e.type, message: e.text, field: e.field })),
    },
  });
}
