/**
 * The HTTP front: authentication, routing between discovery, OpenAPI, health and the
 * resource handlers, and Status errors for everything else. Built on node:http rather than
 * Fastify: the URL space changes at run time (CRDs come and go, and Fastify cannot remove
 * routes), every error must be a Kubernetes Status (not Fastify's error shape), and watches
 * are long-lived chunked streams written event by event.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { methodNotAllowed, pageNotFound, unauthorized } from '../api/status';
import type { ResourceRegistry } from '../kinds/registry';
import { parseRequestInfo } from './request-info';
import { handleResource, type ResourceHandlerDeps } from './resource-handler';
import { writeBody, writeError } from './respond';
import { aggregatedDiscovery, apiGroup, apiGroupList, apiResourceList, apiVersions } from './discovery';
import { parseAccept } from './negotiate';
import type { OpenApiServer } from '../openapi/handler';

export interface HttpServerOptions extends ResourceHandlerDeps {
  readonly token?: string;
  readonly kinds: ResourceRegistry;
  readonly openapi: OpenApiServer;
  readonly version: Record<string, string>;
  readonly log: Logger;
}

function tokenMatches(expected: string, header: string | undefined): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!m) return false;
  const a = Buffer.from(m[1] as string);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Which aggregated discovery version the client asked for, if any (v2 preferred, then v2beta1). */
function aggregatedRequested(accept: string | undefined): string | undefined {
  for (const m of parseAccept(accept)) {
    if (m.type === 'application/json' && m.params.as === 'APIGroupDiscoveryList' && m.params.g === 'apidiscovery.k8s.io') {
      if (m.params.v === 'v2' || m.params.v === 'v2beta1') return m.params.v;
    }
    if (m.type === 'application/json' && !m.params.as) return undefined;
  }
  return undefined;
}

export function createHttpServer(opts: HttpServerOptions): Server {
  const server = createServer((req, res) => {
    void handle(req, res, opts);
  });
  server.keepAliveTimeout = 65_000;
  return server;
}

async function handle(req: IncomingMessage, res: ServerResponse, opts: HttpServerOptions): Promise<void> {
  const started = Date.now();
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const method = req.method ?? 'GET';
  try {
    if (opts.token !== undefined && !tokenMatches(opts.token, req.headers.authorization)) throw unauthorized();
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (await handleNonResource(req, res, path, method, opts)) return;
    const info = parseRequestInfo(method, path, url.searchParams);
    if (info.kind !== 'resource') throw pageNotFound();
    await handleResource(req, res, info, url.searchParams, opts);
  } catch (err) {
    const status = writeError(res, err);
    opts.log.debug({ method, url: req.url, code: status.code, reason: status.reason, message: status.message }, 'kube-test-apiserver: request failed');
  } finally {
    opts.log.trace({ method, url: req.url, ms: Date.now() - started, code: res.statusCode, ua: req.headers['user-agent'] }, 'kube-test-apiserver: request');
  }
}

async function handleNonResource(req: IncomingMessage, res: ServerResponse, path: string, method: string, opts: HttpServerOptions): Promise<boolean> {
  const json = { format: 'json' as const };
  const isGet = method === 'GET' || method === 'HEAD';
  if (path === '/healthz' || path === '/livez' || path === '/readyz') {
    if (!isGet) throw methodNotAllowed();
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
    res.end('ok');
    return true;
  }
  if (path === '/version') {
    if (!isGet) throw methodNotAllowed();
    writeBody(res, 200, opts.version, json);
    return true;
  }
  if (path.startsWith('/openapi/')) {
    if (!isGet) throw methodNotAllowed();
    await opts.openapi.handle(req, res, path);
    return true;
  }
  if (path === '/api' || path === '/apis') {
    if (!isGet) throw methodNotAllowed();
    const agg = aggregatedRequested(req.headers.accept);
    if (agg) {
      const body = aggregatedDiscovery(opts.kinds, path === '/api', `apidiscovery.k8s.io/${agg}`);
      writeBody(res, 200, body, { format: 'json', contentType: `application/json;g=apidiscovery.k8s.io;v=${agg};as=APIGroupDiscoveryList` });
      return true;
    }
    const host = req.headers.host ?? '127.0.0.1';
    writeBody(res, 200, path === '/api' ? apiVersions(host) : apiGroupList(opts.kinds), json);
    return true;
  }
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'apis' && parts.length === 2) {
    if (!isGet) throw methodNotAllowed();
    const g = apiGroup(opts.kinds, parts[1] as string);
    if (!g) throw pageNotFound();
    writeBody(res, 200, g, json);
    return true;
  }
  if ((parts[0] === 'api' && parts.length === 2) || (parts[0] === 'apis' && parts.length === 3)) {
    if (!isGet) throw methodNotAllowed();
    const [group, version] = parts[0] === 'api' ? ['', parts[1] as string] : [parts[1] as string, parts[2] as string];
    const list = apiResourceList(opts.kinds, group, version);
    if (!list) throw pageNotFound();
    writeBody(res, 200, list, json);
    return true;
  }
  return false;
}
