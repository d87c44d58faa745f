import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { operation } from '@copse/lvmd-api';
import { ApiError } from '../errors';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** the document lets the operation be called without credentials */
    open?: boolean;
  }
}

/**
 * Registers a handler for an operation of the OpenAPI document: method, path, the
 * request/response schemas and whether it needs credentials all come from the
 * document, so a route cannot drift from it. An operation without a request body
 * refuses one, as one with a body refuses unknown fields.
 */
export function addOperation(app: FastifyInstance, operationId: string, handler: RouteHandlerMethod): void {
  const op = operation(operationId);
  app.route({
    method: op.method as 'GET',
    url: op.path.replace(/\{([^}]+)\}/g, ':$1'),
    config: { open: op.open },
    schema: {
      operationId,
      ...(op.params ? { params: op.params } : {}),
      ...(op.querystring ? { querystring: op.querystring } : {}),
      ...(op.headers ? { headers: op.headers } : {}),
      ...(op.body ? { body: op.body } : {}),
      ...(Object.keys(op.response).length ? { response: op.response } : {}),
    },
    ...(op.body ? {} : { preParsing: refuseBody(operationId) }),
    handler,
  });
}

function refuseBody(operationId: string) {
  return async (req: FastifyRequest) => {
    const length = req.headers['content-length'];
    if ((length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined) {
      throw new ApiError('invalid-field', `${operationId} takes no request body`, 'body');
    }
  };
}

/** An AbortSignal that fires when the client goes away before the answer is sent. */
export function requestSignal(req: FastifyRequest, reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) {
      req.log.warn('client went away; cancelling lvm');
      controller.abort();
    }
  });
  return controller.signal;
}
