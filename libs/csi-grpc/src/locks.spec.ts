import { status } from '@grpc/grpc-js';
import { pluginCapabilities, type CreateVolumeResponse } from '@copse/csi-spec';
import { aborted, deferred, eventually, Harness, unary, type Deferred } from '../test/harness';
import { identityService } from './identity';
import { CONTROLLER_LOCKS, KeyedLocks, NODE_LOCKS, withLocks } from './locks';
import type { CallContext, ControllerService, NodeService } from './types';

const identity = identityService({ name: 'csi.example.com', vendorVersion: '1', capabilities: pluginCapabilities({ services: [] }), ready: () => true });

describe('KeyedLocks', () => {
  it('holds a key until released, once, and keeps kinds apart', () => {
    const locks = new KeyedLocks();
    const release = locks.tryAcquire({ kind: 'volume ID', value: 'a' });
    expect(release).toBeDefined();
    expect(locks.tryAcquire({ kind: 'volume ID', value: 'a' })).toBeUndefined();
    const other = locks.tryAcquire({ kind: 'volume name', value: 'a' });
    expect(other).toBeDefined();
    release!();
    release!(); // a second release does not free someone else's hold
    const again = locks.tryAcquire({ kind: 'volume ID', value: 'a' });
    expect(again).toBeDefined();
    release!();
    expect(locks.tryAcquire({ kind: 'volume ID', value: 'a' })).toBeUndefined();
    again!();
    other!();
    expect(locks.size).toBe(0);
  });
});

describe('the locking wrapper over a real server', () => {
  let h: Harness;
  beforeEach(() => {
    h = new Harness();
  });
  afterEach(() => h.close());

  /** A controller core whose creates and deletes wait until the test lets them go. */
  function slowCore() {
    const gates = new Map<string, Deferred>();
    const entered = new Map<string, Deferred>();
    const gate = (k: string) => {
      if (!gates.has(k)) gates.set(k, deferred());
      return gates.get(k)!;
    };
    const enter = (k: string) => {
      if (!entered.has(k)) entered.set(k, deferred());
      return entered.get(k)!;
    };
    const core: Partial<ControllerService> = {
      CreateVolume: async (r) => {
        enter(r.name).resolve();
        await gate(r.name).promise;
        return { volume: { volume_id: `id-${r.name}`, capacity_bytes: 1 } };
      },
      DeleteVolume: async (r) => {
        enter(r.volume_id).resolve();
        await gate(r.volume_id).promise;
        return {};
      },
      GetCapacity: async () => ({ available_capacity: 1 }),
    };
    return { core, gate, enter };
  }

  it('answers ABORTED to a second create of the same name while the first runs, and lets other names through', async () => {
    const { core, gate, enter } = slowCore();
    await h.start({ identity, controller: withLocks(core, CONTROLLER_LOCKS) });
    const c = h.controller();
    const first = unary<CreateVolumeResponse>((cb) => c.CreateVolume({ name: 'pvc-1' }, cb));
    await enter('pvc-1').promise;
    await expect(unary((cb) => c.CreateVolume({ name: 'pvc-1' }, cb))).rejects.toMatchObject({
      code: status.ABORTED,
      details: 'an operation with the given volume name pvc-1 already exists',
    });
    const other = unary((cb) => c.CreateVolume({ name: 'pvc-2' }, cb));
    await enter('pvc-2').promise;
    gate('pvc-2').resolve();
    await expect(other).resolves.toMatchObject({ volume: { volume_id: 'id-pvc-2' } });
    // reads are never locked
    await expect(unary((cb) => c.GetCapacity({}, cb))).resolves.toMatchObject({ available_capacity: '1' });

    gate('pvc-1').resolve();
    await expect(first).resolves.toMatchObject({ volume: { volume_id: 'id-pvc-1' } });
    await expect(unary((cb) => c.CreateVolume({ name: 'pvc-1' }, cb))).resolves.toMatchObject({ volume: { volume_id: 'id-pvc-1' } });
  });

  it('locks by volume ID for the rest, and holds the key until the core finishes even when the caller gave up', async () => {
    const { core, gate, enter } = slowCore();
    const locks = new KeyedLocks();
    await h.start({ identity, controller: withLocks(core, CONTROLLER_LOCKS, locks) });
    const c = h.controller();
    const gaveUp = unary((cb) => {
      const call = c.DeleteVolume({ volume_id: 'vol-1' }, cb);
      void enter('vol-1').promise.then(() => call.cancel());
      return call;
    });
    await expect(gaveUp).rejects.toMatchObject({ code: status.CANCELLED });
    await expect(unary((cb) => c.DeleteVolume({ volume_id: 'vol-1' }, cb))).rejects.toMatchObject({
      code: status.ABORTED,
      details: 'an operation with the given volume ID vol-1 already exists',
    });
    expect(locks.size).toBe(1);
    gate('vol-1').resolve();
    await eventually(() => locks.size === 0);
    await expect(unary((cb) => c.DeleteVolume({ volume_id: 'vol-1' }, cb))).resolves.toEqual({});
  });

  it('sends a request without its key field to the core unlocked, and keeps out RPCs the core lacks', async () => {
    const seen: string[] = [];
    const core: Partial<NodeService> & { helper(): string } = {
      NodeUnpublishVolume: async (r) => {
        seen.push(r.volume_id);
        return {};
      },
      helper: () => 'not an RPC',
    };
    const wrapped = withLocks<NodeService>(core, NODE_LOCKS);
    expect(Object.keys(wrapped)).toEqual(['NodeUnpublishVolume']);
    const ctx = { signal: new AbortController().signal } as CallContext;
    await Promise.all([
      wrapped.NodeUnpublishVolume!({ volume_id: '', target_path: '/t' }, ctx),
      wrapped.NodeUnpublishVolume!({ volume_id: '', target_path: '/t' }, ctx),
    ]);
    expect(seen).toEqual(['', '']);
  });

  it('passes the call context through to the core', async () => {
    let signal: AbortSignal | undefined;
    const entered = deferred();
    await h.start({
      identity,
      controller: withLocks<ControllerService>(
        {
          CreateSnapshot: async (_r, ctx) => {
            signal = ctx.signal;
            entered.resolve();
            await aborted(ctx.signal);
            ctx.signal.throwIfAborted();
            return {};
          },
        },
        CONTROLLER_LOCKS,
      ),
    });
    const call = unary((cb) => {
      const x = h.controller().CreateSnapshot({ name: 'snap-1', source_volume_id: 'v' }, cb);
      void entered.promise.then(() => x.cancel());
      return x;
    });
    await expect(call).rejects.toMatchObject({ code: status.CANCELLED });
    await eventually(() => signal?.aborted === true); // the cancel reaches the server after the client's own answer
  });
});
