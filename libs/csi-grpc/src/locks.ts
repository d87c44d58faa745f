import { CsiError } from './errors';
import type { AsyncHandler, CallContext, ControllerService, NodeService } from './types';

/** What a call locks: the kind names the key in the ABORTED message ("volume ID", "snapshot name"). */
export interface LockKey {
  readonly kind: string;
  readonly value: string;
}

/**
 * Keys held by calls in flight. Never waits: a key that is held is refused, as the CSI
 * spec asks for a second call on a volume or snapshot while one is pending (ABORTED,
 * which the CO retries with backoff). Waiting instead would pile up calls behind a slow
 * one, each of which the CO has long since timed out and retried.
 */
export class KeyedLocks {
  private readonly held = new Set<string>();

  /** A release function, or undefined when the key is held. */
  tryAcquire(key: LockKey): (() => void) | undefined {
    const k = `${key.kind}\u0000${key.value}`;
    if (this.held.has(k)) return undefined;
    this.held.add(k);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held.delete(k);
    };
  }

  /** How many keys are held (for tests and a gauge). */
  get size(): number {
    return this.held.size;
  }
}

type Handlers = Record<string, AsyncHandler<never, unknown> | undefined>;

/**
 * For every RPC of a service, the key its request locks, or null: runs unlocked. Every
 * RPC is listed (the type says so), so that the table is also the list of what the
 * wrapper passes on, whatever else the core object has.
 */
export type LockTable<S> = {
  [K in keyof S]-?: NonNullable<S[K]> extends AsyncHandler<infer Req, unknown> ? ((request: Req) => LockKey | undefined) | null : never;
};

/**
 * The locking wrapper around an unlocked core: each RPC with a key function holds its
 * key while the core's handler runs (to its end, even when the caller gave up, so that
 * work on one volume never overlaps), and answers ABORTED "an operation with the given
 * <kind> <value> already exists" while another call holds it. A request without the key
 * field (empty) goes to the core unlocked, which refuses it with INVALID_ARGUMENT. RPCs
 * the core lacks stay absent (the server answers UNIMPLEMENTED).
 */
export function withLocks<S extends object>(core: Partial<S>, table: LockTable<S>, locks: KeyedLocks = new KeyedLocks()): Partial<S> {
  const wrapped: Handlers = {};
  const handlers = core as unknown as Handlers;
  for (const [name, keyOf] of Object.entries(table) as Array<[string, ((r: unknown) => LockKey | undefined) | null]>) {
    const handler = handlers[name];
    if (typeof handler !== 'function') continue;
    const call = handler.bind(core) as AsyncHandler<unknown, unknown>;
    wrapped[name] = !keyOf
      ? call
      : async (request: unknown, ctx: CallContext) => {
          const key = keyOf(request);
          if (!key || key.value === '') return call(request, ctx);
          const release = locks.tryAcquire(key);
          if (!release) throw CsiError.aborted(`an operation with the given ${key.kind} ${key.value} already exists`);
          try {
            return await call(request, ctx);
          } finally {
            release();
          }
        };
  }
  return wrapped as unknown as Partial<S>;
}

const volumeId = (r: { volume_id: string }): LockKey => ({ kind: 'volume ID', value: r.volume_id });

/** Controller: per name for creates, per volume or snapshot ID for the rest; reads run unlocked. */
export const CONTROLLER_LOCKS: LockTable<ControllerService> = {
  CreateVolume: (r) => ({ kind: 'volume name', value: r.name }),
  DeleteVolume: volumeId,
  ControllerPublishVolume: volumeId,
  ControllerUnpublishVolume: volumeId,
  ControllerExpandVolume: volumeId,
  ControllerModifyVolume: volumeId,
  CreateSnapshot: (r) => ({ kind: 'snapshot name', value: r.name }),
  DeleteSnapshot: (r) => ({ kind: 'snapshot ID', value: r.snapshot_id }),
  ValidateVolumeCapabilities: null,
  ListVolumes: null,
  GetCapacity: null,
  ControllerGetCapabilities: null,
  ListSnapshots: null,
  GetSnapshot: null,
  ControllerGetVolume: null,
};

/** Node: per volume ID for everything that changes a volume; stats, info and capabilities run unlocked. */
export const NODE_LOCKS: LockTable<NodeService> = {
  NodeStageVolume: volumeId,
  NodeUnstageVolume: volumeId,
  NodePublishVolume: volumeId,
  NodeUnpublishVolume: volumeId,
  NodeExpandVolume: volumeId,
  NodeGetVolumeStats: null,
  NodeGetCapabilities: null,
  NodeGetInfo: null,
};
