import type { FastifyPluginAsync } from 'fastify';
import type { DeviceClass } from '@copse/lvmd-api';
import type { LvmService, VolumeEvent } from '../service/lvm-service';
import { addOperation } from './route';

/** Server-sent events: `capacity` on connect and after every refresh, `logical-volume` per change. */
export const watchRoutes: FastifyPluginAsync<{ service: LvmService; heartbeatMs: number }> = async (app, { service, heartbeatMs }) => {
  addOperation(app, 'watch', async function watch(req, reply) {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-request-id': String(req.id),
    });
    let id = 0;
    const send = (event: string, data: unknown) => res.write(`id: ${++id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const onCapacity = (items: DeviceClass[]) => send('capacity', { items });
    const onVolume = (e: VolumeEvent) => send('logical-volume', e);
    service.on('capacity', onCapacity);
    service.on('volume', onVolume);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), heartbeatMs);
    heartbeat.unref();
    res.once('close', () => {
      clearInterval(heartbeat);
      service.off('capacity', onCapacity);
      service.off('volume', onVolume);
    });
    onCapacity(service.listDeviceClasses());
  });
};
