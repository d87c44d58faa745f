/** Writing responses: JSON or YAML bodies, Status errors, Warning headers. */
import type { ServerResponse } from 'node:http';
import { stringify as toYaml } from 'yaml';
import { internalError, isStatusError, type Status } from '../api/status';
import { isPatchError } from '../patch';
import type { Negotiated } from './negotiate';
import { knownJson } from './json-text';

export function warningHeader(text: string): string {
  return `299 - ${JSON.stringify(text)}`;
}

export function writeBody(res: ServerResponse, code: number, body: unknown, n: Pick<Negotiated, 'format'> & { contentType?: string }, warnings: readonly string[] = []): void {
  if (res.headersSent) return;
  const text = n.format === 'yaml' ? toYaml(body) : (knownJson(body) ?? JSON.stringify(body)) + '\n';
  if (warnings.length) res.setHeader('Warning', [...new Set(warnings)].map(warningHeader));
  res.writeHead(code, {
    'Content-Type': n.contentType ?? (n.format === 'yaml' ? 'application/yaml' : 'application/json'),
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
    'X-Kubernetes-Test-Server': 'kube-test-apiserver',
  });
  res.end(text);
}

/** Any thrown value as the Status the client receives. */
export function statusOf(err: unknown): { status: Status; headers: Record<string, string> } {
  if (isStatusError(err)) return { status: err.status, headers: err.headers };
  if (isPatchError(err)) return { status: err.toStatus() as unknown as Status, headers: {} };
  const msg = err instanceof Error ? err.message : String(err);
  return { status: internalError(msg).status, headers: {} };
}

export function writeError(res: ServerResponse, err: unknown, format: 'json' | 'yaml' = 'json', warnings: readonly string[] = []): Status {
  const { status, headers } = statusOf(err);
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  if (status.code === 429 || status.code === 504) {
    const retry = status.details?.retryAfterSeconds;
    if (retry !== undefined) res.setHeader('Retry-After', String(retry));
  }
  writeBody(res, status.code, status, { format }, warnings);
  return status;
}
