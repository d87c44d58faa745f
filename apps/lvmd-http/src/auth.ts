import { createHash, timingSafeEqual } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { FastifyRequest } from 'fastify';
import { ApiError } from './errors';

/** A bearer token shorter than this is refused at start: 32 bytes is 256 bits if it is random. */
export const MIN_TOKEN_BYTES = 32;

/** RFC 6750's b64token: what may follow "Bearer " in an Authorization header. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

const REALM = 'Bearer realm="lvmd-http"';

/** Why a token is unfit, or undefined when it is fit. */
export function tokenProblem(token: string): string | undefined {
  if (!B64TOKEN.test(token)) return 'the token may hold only A-Z a-z 0-9 - . _ ~ + / and trailing = (RFC 6750 b64token)';
  if (Buffer.byteLength(token) < MIN_TOKEN_BYTES) {
    return `the token is ${Buffer.byteLength(token)} bytes; at least ${MIN_TOKEN_BYTES} are needed (e.g. head -c 32 /dev/urandom | base64)`;
  }
  return undefined;
}

export interface AuthOptions {
  /** every request but the document's open operations needs `Authorization: Bearer <token>` */
  readonly token?: string;
  /** requests must come over a TLS connection whose client certificate was verified */
  readonly clientCertificates?: boolean;
}

/**
 * Authentication of TCP requests: a bearer token (the scheme matched in any case, the
 * token compared in constant time through fixed-length digests) and/or a verified
 * client certificate. A refusal is a 401 with WWW-Authenticate that closes the
 * connection, so an unauthenticated client holds no connection open.
 */
export class Authenticator {
  private readonly digest?: Buffer;

  constructor(private readonly o: AuthOptions) {
    if (o.token !== undefined) {
      const problem = tokenProblem(o.token);
      if (problem) throw new Error(problem);
      this.digest = sha256(o.token);
    }
  }

  get enabled(): boolean {
    return this.digest !== undefined || this.o.clientCertificates === true;
  }

  /** Throws the 401 for a request that is not authenticated. */
  check(req: FastifyRequest): void {
    const socket = req.raw.socket as TLSSocket;
    if (this.o.clientCertificates && !socket.authorized) {
      const why = socket.authorizationError ? String(socket.authorizationError) : 'none was presented';
      throw unauthorized(`this endpoint needs a client certificate signed by lvmd-http's client CA (${why})`, 'tls.clientCertificate');
    }
    if (!this.digest) return;
    const header = req.headers.authorization;
    const m = header === undefined ? null : /^bearer +(\S+) *$/i.exec(header);
    if (!m) {
      throw unauthorized('this endpoint needs Authorization: Bearer <token>', 'headers.authorization', REALM);
    }
    if (!timingSafeEqual(sha256(m[1]!), this.digest)) {
      throw unauthorized('the bearer token is not the one lvmd-http was given', 'headers.authorization', `${REALM}, error="invalid_token"`);
    }
  }
}

function unauthorized(detail: string, field: string, challenge?: string): ApiError {
  return new ApiError('unauthorized', detail, field, { ...(challenge ? { 'www-authenticate': challenge } : {}), connection: 'close' });
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
