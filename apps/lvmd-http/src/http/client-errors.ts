import type { Duplex } from 'node:stream';
import type { ErrorCode } from '@copse/lvmd-api';
import type { ServerLimits } from './limits';
import { rawProblemResponse } from './raw-problem';

type ClientError = Error & { code?: string; reason?: string };

/**
 * Node's 'clientError': a request the HTTP parser refused or that timed out. There is no
 * request object, so the problem is written to the socket, which is then closed.
 */
export function clientErrorHandler(limits: ServerLimits, onError?: (err: ClientError) => void): (err: ClientError, socket: Duplex) => void {
  return (err, socket) => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    onError?.(err);
    // Never write into a response already under way on this socket.
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (!socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const [code, field, detail] = classify(err, limits);
    endWith(socket, rawProblemResponse(code, detail, { field }));
  };
}

/** How long an answered socket waits for its client to close before lvmd-http closes it. */
export const LINGER_MS = 250;

/**
 * Writes `answer` and half-closes (FIN after it). The socket is closed once the client
 * closes its side, or LINGER_MS after at most: closing at once, while the client may
 * still be writing its request, makes that write fail (EPIPE, or a TCP reset that
 * discards what it had not read yet), and the client sees a dropped connection instead
 * of the answer.
 */
export function endWith(socket: Duplex, answer: string): void {
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  socket.end(answer);
}

function classify(err: ClientError, limits: ServerLimits): [ErrorCode, string | undefined, string] {
  const reason = err.reason ? `: ${err.reason}` : '';
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [
        'request-timeout',
        undefined,
        `the request was not received in time (headers within ${limits.headersTimeoutMs / 1000} s, the whole request within ${limits.requestTimeoutMs / 1000} s)`,
      ];
    case 'HPE_HEADER_OVERFLOW':
      return ['headers-too-large', 'headers', 'the request line and headers exceed 16 KiB'];
    case 'HPE_INVALID_METHOD':
      return ['invalid-field', 'method', `not an HTTP method${reason}`];
    case 'HPE_INVALID_URL':
      return ['invalid-field', 'url', `malformed request target${reason}`];
  }
  if (/HEADER|LF_EXPECTED|CR_EXPECTED/.test(err.code ?? '')) return ['invalid-field', 'headers', `malformed header${reason}`];
  if (/CONTENT_LENGTH|TRANSFER_ENCODING|CHUNK|BODY/.test(err.code ?? '')) return ['invalid-field', 'body', `malformed body framing${reason}`];
  return ['invalid-field', 'request', `malformed HTTP request (${err.code ?? err.message})${reason}`];
}
