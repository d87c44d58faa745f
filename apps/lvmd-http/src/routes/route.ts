import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { operation } from '@copse/lvmd-api';

/**
 * Registers a handler for an operation of the OpenAPI document: method, path and the
 * request/response schemas all come from the document, so a route cannot drift from it.
 */
export function addOperation(app: FastifyInstance, operationId: string, handler: RouteHandlerMethod): void {
  const op = operation(operationId);
  app.route({
    method: op.method as 'GET',
    url: op.path.replace(/\{([^}]+)\}/g, ':$1'),
    schema: {
      operationId,
      ...(op.params ? { params: op.params } : {}),
      ...(op.querystring ? { querystring: op.querystring } : {}),
      ...(op.body ? { body: op.body } : {}),
      ...(Object.keys(op.response).length ? { response: op.response } : {}),
    },
    handler,
  });
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
