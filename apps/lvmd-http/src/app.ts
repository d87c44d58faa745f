import { randomUUID, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { PROBLEM_CONTENT_TYPE } from '@copse/lvmd-api';
import { ApiError, problemOf, toApiError } from './errors';
import type { Metrics } from './metrics';
import type { LvmService } from './service/lvm-service';
import { deviceClassRoutes } from './routes/device-classes';
import { logicalVolumeRoutes } from './routes/logical-volumes';
import { operationRoutes } from './routes/operations';
import { watchRoutes } from './routes/watch';

export interface AppOptions {
  readonly service: LvmService;
  readonly metrics: Metrics;
  /** when set, every request but /healthz and /readyz needs `Authorization: Bearer <token>` */
  readonly token?: string;
  /** the process's logger (requests log with their id); none in tests */
  readonly loggerInstance?: FastifyBaseLogger;
  readonly bodyLimitBytes?: number;
  /** keep-alive interval of the watch stream */
  readonly watchHeartbeatMs?: number;
  /** told of every route as it is added (the OpenAPI coverage test uses it) */
  readonly onRoute?: (route: { method: string; url: string }) => void;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const OPEN_PATHS = new Set(['/healthz', '/readyz']);

/** Builds the Fastify app; never listens (main.ts does). */
export async function buildApp(o: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(o.loggerInstance ? { loggerInstance: o.loggerInstance } : { logger: false }),
    bodyLimit: o.bodyLimitBytes ?? 64 * 1024,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    // long enough for the schema's maxLength to answer an over-long name with a field error
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 2048 },
  });

  // JSON only: Fastify's built-in text/plain parser would let a text body reach validation.
  app.removeContentTypeParser('text/plain');

  if (o.onRoute) {
    const onRoute = o.onRoute;
    app.addHook('onRoute', (r) => {
      for (const method of [r.method].flat()) if (method !== 'HEAD') onRoute({ method, url: r.url });
    });
  }

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    if (o.token && !OPEN_PATHS.has(req.url.split('?')[0] ?? '') && !bearerMatches(req.headers.authorization, o.token)) {
      throw new ApiError('unauthorized', 'this endpoint needs Authorization: Bearer <token>', 'headers.authorization');
    }
  });

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    o.metrics.requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    o.metrics.requestSeconds.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((error: FastifyError, req, reply) => {
    const apiError = fromFastifyError(error);
    if (apiError.status >= 500) req.log.error({ err: error }, 'request failed');
    else req.log.info({ code: apiError.code, field: apiError.field, detail: apiError.message }, 'request refused');
    void reply
      .code(apiError.status)
      .type(PROBLEM_CONTENT_TYPE)
      .send(problemOf(apiError, req.url, String(req.id)));
  });

  app.setNotFoundHandler((req, reply) => {
    const e = new ApiError('not-found', `no route ${req.method} ${req.url.split('?')[0]}`);
    void reply.code(404).type(PROBLEM_CONTENT_TYPE).send(problemOf(e, req.url, String(req.id)));
  });

  await app.register(operationRoutes, { service: o.service, metrics: o.metrics });
  await app.register(deviceClassRoutes, { service: o.service });
  await app.register(logicalVolumeRoutes, { service: o.service });
  await app.register(watchRoutes, { service: o.service, heartbeatMs: o.watchHeartbeatMs ?? 30_000 });
  return app;
}

function bearerMatches(header: string | undefined, token: string): boolean {
  if (!header?.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice('Bearer '.length));
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Fastify's own errors (validation, content type, body size) become problems naming the field. */
function fromFastifyError(error: FastifyError): ApiError {
  if (error instanceof ApiError) return error;
  if (error.validation && error.validation.length > 0) {
    const v = error.validation[0]!;
    const where = error.validationContext === 'querystring' ? 'query' : (error.validationContext ?? 'body');
    const params = (v.params ?? {}) as { missingProperty?: string; additionalProperty?: string };
    const path = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
    const leaf = params.missingProperty ?? params.additionalProperty;
    const field = [where, path, leaf].filter((p) => p !== undefined && p !== '').join('.');
    const what = params.additionalProperty ? `unknown field ${field}` : `${field} ${v.message ?? 'is invalid'}`;
    return new ApiError('invalid-field', what, field);
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('body-too-large', error.message, 'body');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError('unsupported-media-type', error.message, 'headers.content-type');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError('invalid-field', 'the request body is empty; a JSON object is required', 'body');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiError('invalid-field', `the request body is not valid JSON: ${error.message}`, 'body');
  }
  if (error.code?.startsWith('FST_ERR_CTP')) return new ApiError('invalid-field', error.message, 'body');
  if (error.code === 'FST_ERR_BAD_URL') return new ApiError('invalid-field', error.message, 'url');
  if (error.statusCode === 415) return new ApiError('unsupported-media-type', error.message, 'headers.content-type');
  return toApiError(error);
}
