import type { components } from './generated/types';

export type ErrorCode = components['schemas']['ErrorCode'];
export type Problem = components['schemas']['Problem'];

/** gRPC status names csi-node maps each code to (CSI's vocabulary). */
export type GrpcCodeName =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'RESOURCE_EXHAUSTED'
  | 'OUT_OF_RANGE'
  | 'FAILED_PRECONDITION'
  | 'UNIMPLEMENTED'
  | 'UNAUTHENTICATED'
  | 'UNAVAILABLE'
  | 'INTERNAL';

export interface ErrorCodeInfo {
  readonly status: number;
  readonly title: string;
  readonly grpc: GrpcCodeName;
}

/**
 * The one registry of lvmd error codes. A test checks it against the ErrorCode
 * enum of the OpenAPI document, both ways.
 */
export const ERROR_CODES: { readonly [C in ErrorCode]: ErrorCodeInfo } = {
  'invalid-field': { status: 400, title: 'A request field is invalid', grpc: 'INVALID_ARGUMENT' },
  'not-found': { status: 404, title: 'Not found', grpc: 'NOT_FOUND' },
  conflict: { status: 409, title: 'Already exists with other parameters', grpc: 'ALREADY_EXISTS' },
  'no-space': { status: 507, title: 'Not enough free space', grpc: 'RESOURCE_EXHAUSTED' },
  'out-of-range': { status: 422, title: 'Size out of range', grpc: 'OUT_OF_RANGE' },
  'unsupported-for-thick': { status: 501, title: 'Not supported on a thick device class', grpc: 'UNIMPLEMENTED' },
  'in-use': { status: 409, title: 'The logical volume is in use', grpc: 'FAILED_PRECONDITION' },
  incomplete: { status: 409, title: 'The logical volume is incomplete (an interrupted create)', grpc: 'FAILED_PRECONDITION' },
  unauthorized: { status: 401, title: 'Missing or wrong bearer token', grpc: 'UNAUTHENTICATED' },
  'body-too-large': { status: 413, title: 'Request body too large', grpc: 'INVALID_ARGUMENT' },
  'unsupported-media-type': { status: 415, title: 'Request body must be application/json', grpc: 'INVALID_ARGUMENT' },
  'method-not-allowed': { status: 405, title: 'Method not allowed', grpc: 'UNIMPLEMENTED' },
  'request-timeout': { status: 408, title: 'The request was not received in time', grpc: 'UNAVAILABLE' },
  'uri-too-long': { status: 414, title: 'Request URI too long', grpc: 'INVALID_ARGUMENT' },
  'headers-too-large': { status: 431, title: 'Request headers too large', grpc: 'INVALID_ARGUMENT' },
  'too-many-connections': { status: 503, title: 'Too many connections', grpc: 'UNAVAILABLE' },
  'lvm-failed': { status: 500, title: 'An lvm command failed', grpc: 'INTERNAL' },
  unavailable: { status: 503, title: 'lvm is not available', grpc: 'UNAVAILABLE' },
  internal: { status: 500, title: 'Internal error', grpc: 'INTERNAL' },
};

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemType(code: ErrorCode): string {
  return `urn:copse:lvmd:problem:${code}`;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}
