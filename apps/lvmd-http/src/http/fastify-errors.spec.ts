import type { FastifyError } from 'fastify';
import { fromFastifyError } from './fastify-errors';

const fastifyError = (code: string, statusCode: number | undefined, message = 'm'): FastifyError =>
  Object.assign(new Error(message), { code, statusCode, name: 'FastifyError' }) as FastifyError;

describe('fromFastifyError', () => {
  it("makes any 4xx of Fastify's that has no mapping a refusal naming the request, never a 500", () => {
    const e = fromFastifyError(fastifyError('FST_ERR_ROUTE_MISSING_CONTENT_TYPE', 400, "Method 'QUERY' must provide a 'Content-Type' header."));
    expect([e.code, e.status, e.field, e.message]).toEqual(['invalid-field', 400, 'request', "Method 'QUERY' must provide a 'Content-Type' header."]);
  });

  it('keeps a Fastify error without a client status internal', () => {
    expect(fromFastifyError(fastifyError('FST_ERR_SOMETHING', 500)).code).toBe('internal');
    expect(fromFastifyError(fastifyError('FST_ERR_SOMETHING', undefined)).code).toBe('internal');
    expect(fromFastifyError(fastifyError('EWHATEVER', 400)).code).toBe('internal');
  });
});
