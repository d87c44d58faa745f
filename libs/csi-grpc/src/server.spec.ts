import { status, type ServiceError } from '@grpc/grpc-js';
import { existsSync } from 'node:fs';
import { pluginCapabilities, type CreateVolumeResponse, type GetPluginInfoResponse__Output } from '@copse/csi-spec';
import { aborted, deferred, eventually, Harness, unary } from '../test/harness';
import { CsiError } from './errors';
import { identityService } from './identity';
import type { CallContext } from './types';

const identity = identityService({
  name: 'csi.example.com',
  vendorVersion: '0.1.0-test',
  capabilities: pluginCapabilities({ services: ['CONTROLLER_SERVICE', 'VOLUME_ACCESSIBILITY_CONSTRAINTS'], volumeExpansion: 'ONLINE' }),
  ready: () => true,
});

const volume = (name: string): CreateVolumeResponse => ({ volume: { volume_id: `id-${name}`, capacity_bytes: 1 << 30 } });

describe('CsiServer over a unix socket', () => {
  let h: Harness;
  beforeEach(() => {
    h = new Harness();
  });
  afterEach(() => h.close());

  it('serves Identity and the services given, and answers UNIMPLEMENTED for the rest', async () => {
    await h.start({ identity, controller: { CreateVolume: async (r) => volume(r.name) } });
    const info = await unary<GetPluginInfoResponse__Output>((cb) => h.identity().GetPluginInfo({}, cb));
    expect(info).toEqual({ name: 'csi.example.com', vendor_version: '0.1.0-test', manifest: {} });
    const caps = await unary((cb) => h.identity().GetPluginCapabilities({}, cb));
    expect(caps).toEqual({
      capabilities: [
        { service: { type: 'CONTROLLER_SERVICE' }, type: 'service' },
        { service: { type: 'VOLUME_ACCESSIBILITY_CONSTRAINTS' }, type: 'service' },
        { volume_expansion: { type: 'ONLINE' }, type: 'volume_expansion' },
      ],
    });
    expect(await unary((cb) => h.identity().Probe({}, cb))).toEqual({ ready: { value: true } });
    expect(await unary((cb) => h.controller().CreateVolume({ name: 'pvc-1' }, cb))).toMatchObject({ volume: { volume_id: 'id-pvc-1' } });

    // a Controller RPC the app did not write
    await expect(unary((cb) => h.controller().DeleteVolume({ volume_id: 'v' }, cb))).rejects.toMatchObject({
      code: status.UNIMPLEMENTED,
      details: 'DeleteVolume is not implemented by this plugin',
    });
    // a service the app does not serve at all
    await expect(unary((cb) => h.node().NodeGetInfo({}, cb))).rejects.toMatchObject({ code: status.UNIMPLEMENTED });
    expect(h.finished('DeleteVolume')[0]).toMatchObject({ grpcCode: 'UNIMPLEMENTED', service: 'Controller' });
  });

  it('answers a CsiError with its code and message, and anything else with INTERNAL and a request id, the detail only in the log', async () => {
    class LvmdDown extends Error {}
    await h.start({
      identity,
      controller: {
        DeleteVolume: async (r) => {
          if (r.volume_id === 'missing') throw CsiError.notFound('volume missing not found');
          if (r.volume_id === 'lvmd') throw new LvmdDown('lvmd unreachable');
          throw new Error('disk on fire at /dev/vdb');
        },
      },
      mapError: (err) => (err instanceof LvmdDown ? CsiError.unavailable(`lvmd: ${err.message}`) : undefined),
    });
    const c = h.controller();
    await expect(unary((cb) => c.DeleteVolume({ volume_id: 'missing' }, cb))).rejects.toMatchObject({
      code: status.NOT_FOUND,
      details: 'volume missing not found',
    });
    await expect(unary((cb) => c.DeleteVolume({ volume_id: 'lvmd' }, cb))).rejects.toMatchObject({
      code: status.UNAVAILABLE,
      details: 'lvmd: lvmd unreachable',
    });
    const err = (await unary((cb) => c.DeleteVolume({ volume_id: 'boom' }, cb)).catch((e: ServiceError) => e)) as ServiceError;
    expect(err.code).toBe(status.INTERNAL);
    expect(err.details).toMatch(/^internal error \(request id [0-9a-f-]{36}\): see the plugin's log$/);
    expect(err.details).not.toContain('fire');

    const [notFound, unavailable, internal] = h.finished('DeleteVolume');
    expect(notFound).toMatchObject({ level: 40, grpcCode: 'NOT_FOUND', message: 'volume missing not found' });
    expect(notFound!.err).toBeUndefined();
    expect(unavailable).toMatchObject({ level: 40, grpcCode: 'UNAVAILABLE' });
    expect(internal).toMatchObject({ level: 50, grpcCode: 'INTERNAL', err: { message: 'disk on fire at /dev/vdb' } });
    expect(err.details).toContain(internal!.requestId as string);
  });

  it('aborts the handler signal when the caller cancels, and records CANCELLED', async () => {
    const seen = deferred<unknown>();
    const entered = deferred();
    await h.start({
      identity,
      controller: {
        CreateVolume: async (_r, ctx) => {
          entered.resolve();
          seen.resolve(await aborted(ctx.signal));
          ctx.signal.throwIfAborted();
          return volume('never');
        },
      },
    });
    const result = unary((cb) => {
      const call = h.controller().CreateVolume({ name: 'pvc-1' }, cb);
      void entered.promise.then(() => call.cancel());
      return call;
    });
    await expect(result).rejects.toMatchObject({ code: status.CANCELLED });
    const reason = await seen.promise;
    expect(reason).toBeInstanceOf(CsiError);
    expect((reason as CsiError).code).toBe(status.CANCELLED);
    await eventually(() => h.finished('CreateVolume').length === 1);
    expect(h.finished('CreateVolume')[0]).toMatchObject({ grpcCode: 'CANCELLED' });
  });

  it('aborts the handler signal at the deadline and tells the handler the deadline', async () => {
    let ctxSeen: CallContext | undefined;
    await h.start({
      identity,
      controller: {
        CreateVolume: async (_r, ctx) => {
          ctxSeen = ctx;
          await aborted(ctx.signal);
          ctx.signal.throwIfAborted();
          return volume('never');
        },
      },
    });
    const deadline = new Date(Date.now() + 300);
    await expect(unary((cb) => h.controller().CreateVolume({ name: 'pvc-1' }, { deadline }, cb))).rejects.toMatchObject({
      code: status.DEADLINE_EXCEEDED,
    });
    await eventually(() => h.finished('CreateVolume').length === 1);
    expect((ctxSeen!.signal.reason as CsiError).code).toBe(status.DEADLINE_EXCEEDED);
    // the grpc-timeout header carries the deadline with some rounding
    expect(Math.abs(ctxSeen!.deadline!.getTime() - deadline.getTime())).toBeLessThan(100);
    expect(h.finished('CreateVolume')[0]).toMatchObject({ grpcCode: 'DEADLINE_EXCEEDED' });
  });

  it('records what the caller saw when a handler finishes after the caller gave up', async () => {
    const entered = deferred();
    await h.start({
      identity,
      controller: {
        CreateVolume: async (r, ctx) => {
          entered.resolve();
          await aborted(ctx.signal); // and carries on regardless
          return volume(r.name);
        },
      },
    });
    const result = unary((cb) => {
      const call = h.controller().CreateVolume({ name: 'pvc-1' }, cb);
      void entered.promise.then(() => call.cancel());
      return call;
    });
    await expect(result).rejects.toMatchObject({ code: status.CANCELLED });
    await eventually(() => h.finished('CreateVolume').length === 1);
    expect(h.finished('CreateVolume')[0]).toMatchObject({ grpcCode: 'CANCELLED', handlerCode: 'OK' });
  });

  it('refuses a response that cannot be encoded as INTERNAL, not OK', async () => {
    await h.start({
      identity,
      controller: { CreateVolume: async () => ({ volume: { volume_id: 'v', accessible_topology: 'node-1' } }) as never },
    });
    await expect(unary((cb) => h.controller().CreateVolume({ name: 'pvc-1' }, cb))).rejects.toMatchObject({ code: status.INTERNAL });
    expect(h.finished('CreateVolume')[0]).toMatchObject({ grpcCode: 'INTERNAL', level: 50 });
  });

  it('counts calls by service, method and code in the registry given', async () => {
    await h.start({
      identity,
      controller: {
        DeleteVolume: async (r) => {
          if (r.volume_id === '') throw CsiError.invalidArgument('volume_id is required');
          return {};
        },
      },
    });
    const c = h.controller();
    await unary((cb) => c.DeleteVolume({ volume_id: 'a' }, cb));
    await unary((cb) => c.DeleteVolume({ volume_id: 'b' }, cb));
    await unary((cb) => c.DeleteVolume({}, cb)).catch(() => undefined);
    await unary((cb) => h.identity().Probe({}, cb));
    const text = await h.registry.metrics();
    expect(text).toContain('csi_calls_total{service="Controller",method="DeleteVolume",grpc_code="OK"} 2');
    expect(text).toContain('csi_calls_total{service="Controller",method="DeleteVolume",grpc_code="INVALID_ARGUMENT"} 1');
    expect(text).toContain('csi_calls_total{service="Identity",method="Probe",grpc_code="OK"} 1');
    expect(text).toContain('csi_call_duration_seconds_count{service="Controller",method="DeleteVolume",grpc_code="OK"} 2');
    expect(text).toContain('csi_calls_in_flight{service="Controller",method="DeleteVolume"} 0');
  });

  it('logs successful polls (Probe) at debug and other calls at info', async () => {
    await h.start({ identity, controller: { DeleteVolume: async () => ({}) } });
    await unary((cb) => h.identity().Probe({}, cb));
    await unary((cb) => h.controller().DeleteVolume({ volume_id: 'a' }, cb));
    expect(h.finished('Probe')[0]).toMatchObject({ level: 20, msg: 'Probe OK' });
    expect(h.finished('DeleteVolume')[0]).toMatchObject({ level: 30, msg: 'DeleteVolume OK', request: { volume_id: 'a', secrets: {} } });
    expect(typeof h.finished('DeleteVolume')[0]!.durationMs).toBe('number');
  });
});

describe('CsiServer shutdown', () => {
  let h: Harness;
  beforeEach(() => {
    h = new Harness();
  });
  afterEach(() => h.close());

  it('lets a running call finish, removes its socket, and takes no new calls', async () => {
    const finish = deferred();
    const entered = deferred();
    const server = await h.start({
      identity,
      controller: {
        CreateVolume: async (r) => {
          entered.resolve();
          await finish.promise;
          return volume(r.name);
        },
      },
    });
    const c = h.controller();
    const running = unary<CreateVolumeResponse>((cb) => c.CreateVolume({ name: 'pvc-1' }, cb));
    await entered.promise;
    const stopped = server.shutdown(5000);
    await eventually(() => !existsSync(h.path));
    finish.resolve();
    await expect(running).resolves.toMatchObject({ volume: { volume_id: 'id-pvc-1' } });
    expect(await stopped).toEqual({ graceful: true, socket: 'removed' });
    await expect(unary((cb) => h.identity().Probe({}, { deadline: Date.now() + 1000 }, cb))).rejects.toMatchObject({
      code: expect.any(Number),
    });
  });

  it('cuts calls that outlast the grace period: their signals abort with UNAVAILABLE', async () => {
    const entered = deferred();
    let reason: unknown;
    const server = await h.start({
      identity,
      controller: {
        CreateVolume: async (_r, ctx) => {
          entered.resolve();
          reason = await aborted(ctx.signal);
          ctx.signal.throwIfAborted();
          return volume('never');
        },
      },
    });
    const running = unary((cb) => h.controller().CreateVolume({ name: 'pvc-1' }, cb));
    await entered.promise;
    expect(await server.shutdown(200, 1000)).toEqual({ graceful: false, socket: 'removed' });
    await expect(running).rejects.toMatchObject({ code: expect.any(Number) });
    expect((reason as CsiError).code).toBe(status.UNAVAILABLE);
    expect(h.finished('CreateVolume')[0]).toMatchObject({ grpcCode: 'UNAVAILABLE' });
  });
});
