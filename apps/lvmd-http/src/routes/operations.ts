import type { FastifyPluginAsync } from 'fastify';
import { openApiDocument } from '@copse/lvmd-api';
import type { Metrics } from '../metrics';
import type { LvmService } from '../service/lvm-service';
import { addOperation } from './route';

export const operationRoutes: FastifyPluginAsync<{ service: LvmService; metrics: Metrics }> = async (app, { service, metrics }) => {
  addOperation(app, 'getHealth', async function getHealth() {
    return { status: 'ok', checks: [] };
  });

  addOperation(app, 'getReadiness', async function getReadiness(_req, reply) {
    const checks = service.readiness();
    const ok = checks.every((c) => c.ok);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'failing', checks });
  });

  addOperation(app, 'getMetrics', async function getMetrics(_req, reply) {
    const { contentType, text } = await metrics.exposition();
    return reply.type(contentType).send(text);
  });

  addOperation(app, 'getOpenApiDocument', async function getOpenApiDocument(_req, reply) {
    return reply.type('application/json').send(JSON.stringify(openApiDocument));
  });
};
