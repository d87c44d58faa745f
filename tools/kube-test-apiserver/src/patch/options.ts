/**
 * Request-level rules of the apiserver's PATCH handler that sit before any merging: the patch
 * type from Content-Type, PatchOptions validation, the field manager name.
 */
import { invalid, PatchError, type FieldError } from './errors';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export const PATCH_CONTENT_TYPES: Readonly<Record<PatchType, string>> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

/**
 * The patch type of a PATCH request. Built-in kinds accept all four types; custom resources
 * (`strategic: false`) have no strategic merge patch, and the apiserver answers 415 for it with
 * the list of accepted types, in its order.
 */
export function patchTypeFromContentType(contentType: string | undefined, opts: { strategic: boolean }): PatchType {
  let ct = contentType ?? '';
  const semi = ct.indexOf(';');
  if (semi > 0) ct = ct.slice(0, semi);
  const accepted: PatchType[] = opts.strategic ? ['json', 'merge', 'strategic', 'apply'] : ['json', 'merge', 'apply'];
  const found = accepted.find((p) => PATCH_CONTENT_TYPES[p] === ct);
  if (found !== undefined) return found;
  throw new PatchError({
    code: 415,
    reason: 'UnsupportedMediaType',
    message: `the body of the request was in an unknown format - accepted media types include: ${accepted
      .map((p) => PATCH_CONTENT_TYPES[p])
      .join(', ')}`,
  });
}

/** validation.FieldManagerMaxLength */
const FIELD_MANAGER_MAX_LENGTH = 128;

/** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
function isPrint(ch: string): boolean {
  return /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch);
}

/** Go's strconv.Quote (what %q prints): printable characters kept, others escaped. */
function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (isPrint(ch)) out += ch;
    else if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp <= 0xffff) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

function fieldManagerErrors(fieldManager: string): FieldError[] {
  const errs: FieldError[] = [];
  if (Buffer.byteLength(fieldManager, 'utf8') > FIELD_MANAGER_MAX_LENGTH) {
    errs.push({
      field: 'fieldManager',
      type: 'FieldValueTooLong',
      text: `Too long: may not be more than ${FIELD_MANAGER_MAX_LENGTH} bytes`,
    });
  }
  let pos = 0;
  for (const ch of fieldManager) {
    if (!isPrint(ch)) {
      const cp = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
      errs.push({
        field: 'fieldManager',
        type: 'FieldValueInvalid',
        text: `Invalid value: ${goQuote(fieldManager)}: invalid character U+${cp} (at position ${pos})`,
      });
    }
    pos += Buffer.byteLength(ch, 'utf8');
  }
  return errs;
}

/**
 * ValidateCreateOptions / ValidateUpdateOptions: the fieldManager query parameter of a create or
 * update. Throws 422 `CreateOptions.meta.k8s.io "" is invalid: fieldManager: ...`.
 */
export function validateFieldManager(fieldManager: string | undefined, optionsKind: 'CreateOptions' | 'UpdateOptions'): void {
  const errs = fieldManagerErrors(fieldManager ?? '');
  if (errs.length > 0) throw invalid('meta.k8s.io', optionsKind, '', errs);
}

/**
 * ValidatePatchOptions: force only with apply, fieldManager required for apply, fieldManager
 * printable and at most 128 bytes. Throws 422 `PatchOptions.meta.k8s.io "" is invalid: ...`.
 * `force` is the raw query parameter value when given.
 */
export function validatePatchOptions(opts: { patchType: PatchType; fieldManager?: string; force?: string | boolean }): void {
  const errs: FieldError[] = [];
  const fieldManager = opts.fieldManager ?? '';
  if (opts.patchType !== 'apply') {
    if (opts.force !== undefined) {
      errs.push({ field: 'force', type: 'FieldValueForbidden', text: 'Forbidden: may not be specified for non-apply patch' });
    }
  } else if (fieldManager === '') {
    errs.push({ field: 'fieldManager', type: 'FieldValueRequired', text: 'Required value: is required for apply patch' });
  }
  errs.push(...fieldManagerErrors(fieldManager));
  if (errs.length > 0) throw invalid('meta.k8s.io', 'PatchOptions', '', errs);
}

/**
 * The manager a non-apply write is recorded under: the fieldManager query parameter, else the
 * User-Agent's product (what precedes the first "/", non-printable characters dropped, at most
 * 128 bytes), as managerOrUserAgent does. kubectl sends its own fieldManager
 * (kubectl-client-side-apply, kubectl-edit, kubectl-patch, kubectl-create, ...); client-node
 * sends none, so its writes are recorded under its User-Agent's product. An empty result is
 * recorded as "unknown".
 */
export function fieldManagerFor(fieldManager: string | undefined, userAgent: string | undefined): string {
  if (fieldManager !== undefined && fieldManager !== '') return fieldManager;
  return managerFromUserAgent(userAgent ?? '');
}

export function managerFromUserAgent(userAgent: string): string {
  const product = userAgent.split('/')[0] ?? '';
  let out = '';
  for (const ch of product) {
    if (!isPrint(ch)) continue;
    if (Buffer.byteLength(out, 'utf8') >= FIELD_MANAGER_MAX_LENGTH) break;
    out += ch;
  }
  return out;
}

/**
 * The fields a write does not own because the resource's strategy resets them (GetResetFields):
 * with a status subresource, the main resource resets `status` and /status resets `spec` (pods
 * also metadata.deletionTimestamp and metadata.ownerReferences). Without a status subresource,
 * none.
 */
export function resetFieldsFor(opts: { kind: string; builtin: boolean; hasStatusSubresource: boolean; subresource?: string }): string[][] {
  if (!opts.hasStatusSubresource) return [];
  if (opts.subresource === 'status') {
    if (opts.builtin && opts.kind === 'Pod') {
      return [['spec'], ['metadata', 'deletionTimestamp'], ['metadata', 'ownerReferences']];
    }
    return [['spec']];
  }
  return [['status']];
}
