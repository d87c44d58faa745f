import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { PROBLEM_CONTENT_TYPE, type ErrorCode } from '@copse/lvmd-api';
import { ApiError, problemOf } from '../errors';

/**
 * A whole HTTP/1.1 answer carrying a problem, for the places below Fastify where there is
 * no request or reply object (a malformed request, a timeout, the connection cap,
 * CONNECT): they write it to the socket and close it.
 */
export function rawProblemResponse(code: ErrorCode, detail: string, o: { field?: string; headers?: Record<string, string> } = {}): string {
  const e = new ApiError(code, detail, o.field);
  const requestId = randomUUID();
  const body = JSON.stringify(problemOf(e, undefined, requestId));
  const headers: Record<string, string> = {
    'Content-Type': PROBLEM_CONTENT_TYPE,
    'Content-Length': String(Buffer.byteLength(body)),
    'X-Request-Id': requestId,
    Connection: 'close',
    ...o.headers,
  };
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
  return `HTTP/1.1 ${e.status} ${STATUS_CODES[e.status] ?? ''}\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
}
