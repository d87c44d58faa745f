import type { FastifyRequest } from 'fastify';
import { operations } from '@copse/lvmd-api';

const DOCUMENTED = new Set(
  operations().flatMap((op) => Object.keys((op.querystring as { properties?: object } | undefined)?.properties ?? {})),
);

/**
 * The URL with the value of every query parameter the OpenAPI document does not define
 * replaced by "REDACTED": such requests are refused anyway, and a client that puts a
 * token in the query string (?access_token=...) must not find it in the log.
 */
export function safeUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const parts = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // a malformed name is not a documented one
      }
      return eq < 0 || DOCUMENTED.has(decoded) ? pair : `${name}=REDACTED`;
    });
  return `${url.slice(0, q)}?${parts.join('&')}`;
}

/** pino serializers for Fastify's request log lines: method, safe URL, remote address; never headers. */
export const requestSerializers = {
  req(req: FastifyRequest) {
    return { method: req.method, url: safeUrl(req.url), remoteAddress: req.ip, remotePort: req.socket?.remotePort };
  },
};
