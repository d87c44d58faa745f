/**
 * lvm2's warning when thin LVs outgrow their pools (thin_pool_check_overprovisioning),
 * after lvcreate and after lvresize of a thin LV. Given a pool (a thin LV's or a new
 * pool), that pool is checked first and named; without one (a thick LV was created, which
 * lvm2 checks too) every pool of the VG counts and the warning says "thin pools".
 */
import { extentCount, freeExtents } from './allocation';
import { display } from './names';
import type { Output } from './output';
import type { SimLv, SimVg } from './state';
import { thinsOf } from './thin-pool';
import { displaySize } from './units';

export function warnOverprovisioning(vg: SimVg, pool: SimLv | undefined, out: Output): void {
  const size = (l: SimLv): number => l.extents * vg.extentSize;
  let thinsum = pool ? thinsOf(vg, pool).reduce((n, l) => n + size(l), 0) : 0;
  let poolsum = pool ? size(pool) : 0;
  if (pool && thinsum <= poolsum) return;
  let morePools = 0;
  for (const other of vg.lvs) {
    if (other.type !== 'thin-pool' || other === pool) continue;
    morePools++;
    poolsum += size(other);
    thinsum += thinsOf(vg, other).reduce((n, l) => n + size(l), 0);
  }
  if (thinsum <= poolsum) return;
  const vgSize = extentCount(vg) * vg.extentSize;
  const vgFree = freeExtents(vg) * vg.extentSize;
  let txt = '';
  let sz: number;
  if (vgSize < thinsum) {
    txt = ' and the size of whole volume group';
    sz = vgSize;
  } else if (vgFree < thinsum) {
    txt = vgFree === 0 ? '' : ' and the amount of free space in volume group';
    sz = vgFree;
  } else {
    sz = poolsum; // autoextend threshold is 100 by default
  }
  out.error(
    `WARNING: Sum of all thin volume sizes (${displaySize(thinsum)}) exceeds the size of thin pool` +
      `${morePools || !pool ? 's' : ` ${display(vg, pool)}`}${txt} (${sz > 0 ? displaySize(sz) : 'no free space in volume group'}).`,
  );
  out.print('WARNING: You have not turned on protection against thin pools running out of space.');
  out.print(
    'WARNING: Set activation/thin_pool_autoextend_threshold below 100 to trigger automatic extension of thin pools before they get full.',
  );
}
