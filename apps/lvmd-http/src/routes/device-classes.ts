import type { FastifyPluginAsync } from 'fastify';
import type { LvmService } from '../service/lvm-service';
import { addOperation } from './route';

export const deviceClassRoutes: FastifyPluginAsync<{ service: LvmService }> = async (app, { service }) => {
  addOperation(app, 'listDeviceClasses', async function listDeviceClasses() {
    return { items: service.listDeviceClasses() };
  });

  addOperation(app, 'getDeviceClass', async function getDeviceClass(req) {
    const { deviceClass } = req.params as { deviceClass: string };
    return service.getDeviceClass(service.deviceClass(deviceClass, 'params.deviceClass'));
  });
};
