import type { FastifyPluginAsync } from 'fastify';
import type { ActivationRequest, CreateLogicalVolumeRequest, CreateSnapshotRequest } from '@copse/lvmd-api';
import type { LvmService } from '../service/lvm-service';
import { addOperation, requestSignal } from './route';

type NameParams = { name: string };
type ClassQuery = { deviceClass?: string };

export const logicalVolumeRoutes: FastifyPluginAsync<{ service: LvmService }> = async (app, { service }) => {
  // The class rule (which class a create uses, how an existing volume is found) is the service's: see service/locate.ts.

  addOperation(app, 'listLogicalVolumes', async function listLogicalVolumes(req, reply) {
    const q = req.query as ClassQuery;
    const json = service.listVolumesJson(q.deviceClass === undefined ? undefined : service.deviceClass(q.deviceClass, 'query.deviceClass'));
    return reply.type('application/json; charset=utf-8').send(json);
  });

  addOperation(app, 'getLogicalVolume', async function getLogicalVolume(req) {
    return service.getVolume((req.params as NameParams).name, (req.query as ClassQuery).deviceClass);
  });

  addOperation(app, 'createLogicalVolume', async function createLogicalVolume(req, reply) {
    const body = req.body as CreateLogicalVolumeRequest;
    const { created, volume } = await service.createVolume(
      (req.params as NameParams).name,
      {
        queryClass: (req.query as ClassQuery).deviceClass,
        bodyClass: body.deviceClass,
        sizeBytes: body.sizeBytes,
        tags: body.tags ?? [],
        optionClass: body.lvcreateOptionClass,
      },
      requestSignal(req, reply),
    );
    return reply.code(created ? 201 : 200).send(volume);
  });

  addOperation(app, 'createSnapshot', async function createSnapshot(req, reply) {
    const body = req.body as CreateSnapshotRequest;
    const { created, volume } = await service.createSnapshot(
      (req.params as NameParams).name,
      { name: body.name, bodyClass: body.deviceClass, accessType: body.accessType, sizeBytes: body.sizeBytes, tags: body.tags ?? [] },
      requestSignal(req, reply),
    );
    return reply.code(created ? 201 : 200).send(volume);
  });

  addOperation(app, 'resizeLogicalVolume', async function resizeLogicalVolume(req, reply) {
    const { sizeBytes } = req.body as { sizeBytes: number };
    return service.resize((req.params as NameParams).name, (req.query as ClassQuery).deviceClass, sizeBytes, requestSignal(req, reply));
  });

  addOperation(app, 'setActivation', async function setActivation(req, reply) {
    const body = req.body as ActivationRequest;
    return service.setActivation(
      (req.params as NameParams).name,
      (req.query as ClassQuery).deviceClass,
      { active: body.active, accessType: body.accessType },
      requestSignal(req, reply),
    );
  });

  addOperation(app, 'deleteLogicalVolume', async function deleteLogicalVolume(req, reply) {
    await service.delete((req.params as NameParams).name, (req.query as ClassQuery).deviceClass, requestSignal(req, reply));
    return reply.code(204).send();
  });
};
