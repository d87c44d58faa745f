/**
 * What writing to a thin LV or pool does to the pool (SimulatedLvm.simulateWrite): the
 * LV's mapped size grows, at most to its size; the pool's data usage by what was newly
 * mapped, at most to the pool's size (then it is out of data space).
 */
import type { SimLv, SimPoolParts, SimVg } from './state';
import { metaRoot, newMetaRoot } from './thin-pool';

/** Maps `bytes` more of a thin LV (or straight into a pool, whose parts are given); returns the bytes newly allocated in the pool. */
export function writeToThin(vg: SimVg, lv: SimLv, pool: SimLv, parts: SimPoolParts, bytes: number): number {
  let wanted = Math.max(0, Math.floor(bytes));
  if (lv.type === 'thin') {
    const size = lv.extents * vg.extentSize;
    wanted = Math.min(wanted, size - (lv.mappedBytes ?? 0));
  }
  const poolSize = pool.extents * vg.extentSize;
  const granted = Math.min(wanted, poolSize - parts.usedBytes);
  parts.usedBytes += granted;
  if (lv.type === 'thin') {
    lv.mappedBytes = (lv.mappedBytes ?? 0) + granted;
    // Writing a device whose mapping tree is shared (snapshot or origin) shadows its root.
    const mine = metaRoot(lv);
    if (granted > 0 && vg.lvs.some((o) => o !== lv && o.type === 'thin' && metaRoot(o) === mine)) {
      lv.metaRoot = newMetaRoot(vg);
    }
  }
  return granted;
}
