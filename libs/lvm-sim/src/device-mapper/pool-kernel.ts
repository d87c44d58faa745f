/**
 * What the kernel's dm-thin target does with a thin pool's data space, on the simulated
 * state (learned from drivers/md/dm-thin.c and measured in the test node, see
 * libs/lvm-model/src/fixtures/dmsetup/):
 * - a write that needs a new block when none is free sends the low-water event (lvm2
 *   gives its pools a low-water mark of 0 blocks without autoextend), switches the pool to
 *   out-of-data-space and sends an event; the write waits (queue IO);
 * - after no_space_timeout (60 s by default) the pool errors such writes instead (error
 *   IO), with an event; waiting writes fail;
 * - once blocks are free again (a thin LV that held blocks removed, the pool extended) the
 *   pool switches back to write mode, with an event, and waiting writes go through;
 * - a pool device created by activation starts its event counter at 0.
 * Writing exactly the last free block leaves the pool in write mode, full.
 */
import type { SimLv, SimPoolDm, SimPoolParts, SimState, SimVg } from '../state';
import { dataBlocks, thinsOf } from '../thin-pool';
import { writeToThin } from '../writes';

/** dm-thin's no_space_timeout default, in ms. */
export const DEFAULT_NO_SPACE_TIMEOUT_MS = 60_000;

/** The pool's device-mapper state, made on first use. */
export function poolDm(parts: SimPoolParts): SimPoolDm {
  parts.dm ??= {
    live: false,
    events: 0,
    mode: 'rw',
    errorIo: false,
    lowWaterTriggered: false,
    dataWriteIos: 0,
    metaWriteIos: 0,
    seenTransaction: parts.transactionId,
  };
  return parts.dm;
}

function outOfSpace(dm: SimPoolDm, now: number): void {
  if (!dm.lowWaterTriggered) {
    dm.lowWaterTriggered = true;
    dm.events++;
  }
  if (dm.mode !== 'out_of_data_space') {
    dm.mode = 'out_of_data_space';
    dm.outOfSpaceSince = now;
    dm.events++;
  }
}

/**
 * Writes `bytes` more to a thin LV (or straight into its pool) as the kernel would: what
 * fits is mapped; the rest, when it needs blocks the pool no longer has, runs the pool out
 * of data space and waits (queue IO) or fails (error IO). Returns the bytes newly allocated.
 */
export function writeToPool(vg: SimVg, lv: SimLv, pool: SimLv, bytes: number, now: number): number {
  const parts = pool.pool!;
  const dm = poolDm(parts);
  let wanted = Math.max(0, Math.floor(bytes));
  if (lv.type === 'thin') wanted = Math.min(wanted, lv.extents * vg.extentSize - (lv.mappedBytes ?? 0));
  const granted = dm.mode === 'rw' ? writeToThin(vg, lv, pool, parts, wanted) : 0;
  if (granted > 0) {
    dm.dataWriteIos += Math.max(1, Math.ceil(granted / parts.chunkSize));
    dm.metaWriteIos++;
  }
  const rest = wanted - granted;
  if (rest > 0) {
    outOfSpace(dm, now);
    if (!dm.errorIo && lv.type === 'thin') lv.queuedBytes = (lv.queuedBytes ?? 0) + rest;
  }
  return granted;
}

function eachPool(state: SimState, f: (vg: SimVg, pool: SimLv, parts: SimPoolParts) => void): void {
  for (const vg of state.vgs) for (const lv of vg.lvs) if (lv.type === 'thin-pool' && lv.pool) f(vg, lv, lv.pool);
}

/**
 * Brings every pool's device-mapper state up to date after a command or at a time: the
 * device created or gone with activation, metadata commits, no_space_timeout passing,
 * space come back (and the writes waiting for it). Returns true when an event counter
 * moved or a device came or went.
 */
export function settlePools(state: SimState, now: number, noSpaceTimeoutMs: number): boolean {
  let changed = false;
  eachPool(state, (vg, pool, parts) => {
    const dm = poolDm(parts);
    if (!pool.active) {
      if (dm.live) {
        dm.live = false;
        changed = true;
      }
      return;
    }
    const used = thinsOf(vg, pool).some((t) => t.active);
    if (!dm.live) {
      dm.live = true;
      dm.events = 0;
      dm.lowWaterTriggered = false;
      dm.layered = used;
      changed = true;
    } else if (used && dm.layered === false) {
      // the first thin LV: lvm2 renames the target's device VG-POOL-tpool and stacks VG-POOL on it
      dm.layered = true;
      changed = true;
    }
    const before = dm.events;
    if (dm.seenTransaction !== parts.transactionId) {
      dm.seenTransaction = parts.transactionId;
      dm.metaWriteIos++;
    }
    if (dm.mode === 'out_of_data_space') {
      const blocks = dataBlocks(vg, pool);
      if (blocks.used < blocks.total) {
        dm.mode = 'rw';
        dm.errorIo = false;
        delete dm.outOfSpaceSince;
        dm.events++;
        // the writes that waited go through, and may run the pool out again
        for (const lv of vg.lvs) {
          if (lv.type !== 'thin' || lv.poolLv !== pool.name || !lv.queuedBytes) continue;
          const queued = lv.queuedBytes;
          delete lv.queuedBytes;
          writeToPool(vg, lv, pool, queued, now);
        }
      } else if (!dm.errorIo && dm.outOfSpaceSince !== undefined && noSpaceTimeoutMs > 0 && now - dm.outOfSpaceSince >= noSpaceTimeoutMs) {
        dm.errorIo = true;
        dm.events++;
        for (const lv of vg.lvs) if (lv.type === 'thin' && lv.poolLv === pool.name) delete lv.queuedBytes;
      }
    }
    if (dm.events !== before) changed = true;
  });
  return changed;
}

/** When the next no_space_timeout passes (epoch ms), if a pool is queueing writes. */
export function nextNoSpaceDeadline(state: SimState, noSpaceTimeoutMs: number): number | undefined {
  let next: number | undefined;
  if (noSpaceTimeoutMs <= 0) return undefined;
  eachPool(state, (_vg, pool, parts) => {
    const dm = parts.dm;
    if (!pool.active || !dm || dm.mode !== 'out_of_data_space' || dm.errorIo || dm.outOfSpaceSince === undefined) return;
    const at = dm.outOfSpaceSince + noSpaceTimeoutMs;
    if (next === undefined || at < next) next = at;
  });
  return next;
}
