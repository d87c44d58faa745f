/** lvremove: removes LVs, a pool with its thin LVs; asks (and, here, is answered "n") without -f/-y (lvm2 tools/lvremove.c). */
import { LVM_EXIT } from '@copse/lvm-model';
import { refuseInUse } from '../in-use';
import { selectLvs } from '../lookup';
import { display } from '../names';
import { has } from '../options';
import { Exit, noMatchingSyntax, type Output } from '../output';
import type { SimLv, SimVg } from '../state';
import { thinsOf } from '../thin-pool';
import { COMMON, type SimCommand } from './command';

export const lvremove: SimCommand = {
  options: [...COMMON, { long: 'force', short: 'f', repeat: true }],
  run({ state, out }, a) {
    if (a.positional.length === 0) noMatchingSyntax('lvremove', out);
    const force = has(a, 'force') || has(a, 'yes');
    const { found, failed } = selectLvs(state, a.positional, out);
    let ok = !failed;
    for (const { vg, lv } of found) {
      if (!vg.lvs.includes(lv)) continue; // went with its pool
      if (lv.type === 'thin-pool') {
        const thins = thinsOf(vg, lv);
        if (thins.length > 0 && !force) {
          out.rawErr(`Removing pool ${display(vg, lv)} will remove ${thins.length} dependent volume(s). Proceed? [y/n]: [n]\n`);
          out.error(`Logical volume ${display(vg, lv)} not removed.`);
          ok = false;
          continue;
        }
        for (const t of thins) removeOne(vg, t, out);
      } else if (refuseInUse(vg, lv, out)) {
        ok = false;
        continue;
      } else if (!force) {
        out.rawErr(`Do you really want to remove${lv.active ? ' active' : ''} logical volume ${display(vg, lv)}? [y/n]: [n]\n`);
        out.error(`Logical volume ${display(vg, lv)} not removed.`);
        ok = false;
        continue;
      }
      removeOne(vg, lv, out);
    }
    if (!ok) throw new Exit(LVM_EXIT.FAILED);
  },
};

function removeOne(vg: SimVg, lv: SimLv, out: Output): void {
  vg.lvs = vg.lvs.filter((l) => l !== lv);
  if (lv.type === 'thin') {
    const pool = vg.lvs.find((p) => p.name === lv.poolLv);
    if (pool?.pool) {
      // Blocks a snapshot shares with its origin stay allocated; only an LV that
      // shares with nobody gives its mapped blocks back.
      const shares = lv.origin !== undefined || vg.lvs.some((o) => o.origin === lv.name);
      if (!shares) pool.pool.usedBytes = Math.max(0, pool.pool.usedBytes - (lv.mappedBytes ?? 0));
      pool.pool.transactionId++;
    }
  }
  for (const other of vg.lvs) if (other.origin === lv.name) delete other.origin;
  vg.seqno++;
  out.print(`Logical volume "${lv.name}" successfully removed.`);
}
