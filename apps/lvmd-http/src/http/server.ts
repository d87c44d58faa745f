import * as http from 'node:http';
import * as https from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FastifyServerFactory } from 'fastify';
import { endWith } from './client-errors';
import type { ServerLimits } from './limits';
import { rawProblemResponse } from './raw-problem';

/**
 * PEM contents for TLS; with `ca`, clients are asked for a certificate, and those without
 * one it signed are refused by the app (401) on every operation the OpenAPI document
 * does not leave open, like a missing token: probes keep working over mutual TLS.
 */
export interface TlsMaterial {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  readonly ca?: string | Buffer;
}

export interface ServerOptions {
  readonly limits: ServerLimits;
  readonly tls?: TlsMaterial;
  /** told of every connection refused for the cap */
  readonly onRefused?: () => void;
}

/** How often node checks the headers and request timeouts (its default, 30 s, would let them overrun by that much). */
const TIMEOUT_CHECK_MS = 1000;

/**
 * The node server under Fastify: plain HTTP (unix socket or TCP) or HTTPS with optional
 * client certificates, with lvmd-http's timeouts, a cap on open connections, and a
 * problem for CONNECT instead of a silent close.
 */
export function serverFactory(o: ServerOptions): FastifyServerFactory {
  return (handler) => {
    const { limits } = o;
    const refused = new WeakSet<Socket>();
    // A refused socket has been answered already and closes by itself (endWith); a request
    // parsed from it goes nowhere, and must not cut the answer short.
    const serve: http.RequestListener = (req, res) => {
      if (!refused.has(req.socket)) handler(req, res);
    };
    const options: http.ServerOptions = {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: TIMEOUT_CHECK_MS,
    };
    const server = o.tls
      ? https.createServer(
          {
            ...options,
            cert: o.tls.cert,
            key: o.tls.key,
            minVersion: 'TLSv1.2',
            // a TCP connection that never completes its handshake is closed like one that never sends headers
            handshakeTimeout: limits.headersTimeoutMs,
            ...(o.tls.ca ? { ca: o.tls.ca, requestCert: true, rejectUnauthorized: false } : {}),
          },
          serve,
        )
      : http.createServer(options, serve);
    server.setTimeout(limits.idleTimeoutMs);
    capConnections(server, limits.maxConnections, o.tls !== undefined, (socket) => {
      refused.add(socket);
      o.onRefused?.();
    });
    server.on('connect', (_req: http.IncomingMessage, socket: Duplex) =>
      endWith(
        socket,
        rawProblemResponse('method-not-allowed', 'CONNECT is not supported: lvmd-http is not a proxy', {
          field: 'method',
          headers: { Allow: '' },
        }),
      ),
    );
    return server;
  };
}

/**
 * Keeps at most `max` connections open. One more is answered at once with a 503
 * too-many-connections problem and closed (over TLS, where no answer can be written
 * before a handshake, it is closed), so a flood costs a file descriptor for an instant
 * rather than until a timeout.
 */
function capConnections(server: http.Server, max: number, tls: boolean, onRefused: (socket: Socket) => void): void {
  let open = 0;
  // Before node's own listener, which would start parsing requests on it.
  server.prependListener('connection', (socket: Socket) => {
    if (open >= max) {
      onRefused(socket);
      if (tls) socket.destroy();
      else
        endWith(
          socket,
          rawProblemResponse('too-many-connections', `lvmd-http has ${max} connections open (--max-connections); retry shortly`, {
            headers: { 'Retry-After': '1' },
          }),
        );
      return;
    }
    open++;
    socket.once('close', () => open--);
  });
}
