import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE } from '@copse/lvmd-api';
import { Authenticator } from './auth';
import { ApiError, problemOf } from './errors';
import { clientErrorHandler } from './http/client-errors';
import { fromFastifyError } from './http/fastify-errors';
import { registerJsonBody } from './http/json-body';
import { DEFAULT_LIMITS, type ServerLimits } from './http/limits';
import { methodsFor } from './http/method-not-allowed';
import { serverFactory, type TlsMaterial } from './http/server';
import { requestSerializers, safeUrl } from './log-redaction';
import type { Metrics } from './metrics';
import type { LvmService } from './service/lvm-service';
import { deviceClassRoutes } from './routes/device-classes';
import { logicalVolumeRoutes } from './routes/logical-volumes';
import { operationRoutes } from './routes/operations';
import { watchRoutes } from './routes/watch';
import { DEFAULT_WATCH_LIMITS, type WatchLimits } from './watch/watch-stream';

export interface AppOptions {
  readonly service: LvmService;
  readonly metrics: Metrics;
  /** when set, every request but the document's open operations needs `Authorization: Bearer <token>` */
  readonly token?: string;
  /** TLS for TCP; with `ca`, clients must present a certificate it signed */
  readonly tls?: TlsMaterial;
  readonly limits?: ServerLimits;
  /** the process's logger (requests log with their id); none in tests */
  readonly loggerInstance?: FastifyBaseLogger;
  readonly bodyLimitBytes?: number;
  readonly watch?: { readonly historySize?: number; readonly limits?: Partial<WatchLimits>; readonly epoch?: string };
  /** told of every route as it is added (the OpenAPI coverage test uses it) */
  readonly onRoute?: (route: { method: string; url: string }) => void;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Builds the Fastify app and its server; never listens (main.ts does). */
export async function buildApp(o: AppOptions): Promise<FastifyInstance> {
  const limits = o.limits ?? DEFAULT_LIMITS;
  const auth = new Authenticator({ token: o.token, clientCertificates: o.tls?.ca !== undefined });
  const app = Fastify({
    ...(o.loggerInstance ? { loggerInstance: o.loggerInstance } : { logger: false }),
    // every request's log lines describe it through the redacting serializer, whatever logger was given
    childLoggerFactory: (logger, bindings, options) => logger.child(bindings, { ...options, serializers: requestSerializers }),
    bodyLimit: o.bodyLimitBytes ?? 64 * 1024,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    // long enough for the schema's maxLength to answer an over-long name with a field error
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 2048 },
    serverFactory: serverFactory({ limits, tls: o.tls, onRefused: () => o.metrics.connectionsRefused.inc() }),
    clientErrorHandler: clientErrorHandler(limits, (err) => o.loggerInstance?.info({ code: err.code }, 'malformed request refused')),
    frameworkErrors: (error, req, reply) => sendProblem(req, reply, fromFastifyError(error)),
    // while closing, requests get a problem from the onRequest hook below, not Fastify's plain 503
    return503OnClosing: false,
  });

  registerJsonBody(app);
  o.metrics.observeDeviceClasses(() => o.service.listDeviceClasses());
  const uncount = o.metrics.countFillGuardRefusals(o.service);
  app.addHook('onClose', async () => uncount());

  if (o.onRoute) {
    const onRoute = o.onRoute;
    app.addHook('onRoute', (r) => {
      for (const method of [r.method].flat()) if (method !== 'HEAD') onRoute({ method, url: r.url });
    });
  }

  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    if (closing) throw new ApiError('unavailable', 'lvmd-http is shutting down', undefined, { connection: 'close' });
    if (auth.enabled && !req.routeOptions.config.open) auth.check(req);
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
    sendProblem(req, reply, apiError);
  });

  const allowed = methodsFor();
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '';
    const methods = allowed(path);
    const e =
      methods.length > 0
        ? new ApiError('method-not-allowed', `${req.method} is not allowed on ${path}; it allows ${methods.join(', ')}`, 'method', {
            allow: methods.join(', '),
          })
        : new ApiError('not-found', `no route ${req.method} ${path}`);
    sendProblem(req, reply, e);
  });

  await app.register(operationRoutes, { service: o.service, metrics: o.metrics });
  await app.register(deviceClassRoutes, { service: o.service });
  await app.register(logicalVolumeRoutes, { service: o.service });
  await app.register(watchRoutes, {
    service: o.service,
    historySize: o.watch?.historySize ?? 1024,
    limits: { ...DEFAULT_WATCH_LIMITS, ...o.watch?.limits },
    epoch: o.watch?.epoch,
    metrics: o.metrics,
  });
  return app;
}

/** The longest URL echoed as a problem's instance; a longer one (a 414) is not repeated back. */
const MAX_INSTANCE_LENGTH = 1024;

/** The one way an error leaves lvmd-http through Fastify: application/problem+json. */
function sendProblem(req: FastifyRequest, reply: FastifyReply, e: ApiError): void {
  if (e.headers) reply.headers(e.headers);
  const instance = req.url.length <= MAX_INSTANCE_LENGTH ? safeUrl(req.url) : undefined;
  void reply.code(e.status).header('x-request-id', req.id).type(PROBLEM_CONTENT_TYPE).send(problemOf(e, instance, String(req.id)));
}
