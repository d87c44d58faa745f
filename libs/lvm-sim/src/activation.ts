/**
 * Activating an LV: its device-mapper devices and their minors. A thin LV brings its
 * pool up first; a pool holds four devices (tmeta, tdata, tpool and its own).
 */
import type { SimLv, SimState, SimVg } from './state';

/** The major number lvm2's device-mapper devices get here. */
export const DM_MAJOR = 253;

function usedMinors(state: SimState): Set<number> {
  const used = new Set<number>();
  for (const vg of state.vgs) for (const lv of vg.lvs) for (const m of lv.minors) used.add(m);
  return used;
}

function nextMinor(taken: Set<number>): number {
  let m = 0;
  while (taken.has(m)) m++;
  taken.add(m);
  return m;
}

export function activate(state: SimState, vg: SimVg, lv: SimLv): void {
  if (lv.active) return;
  if (lv.type === 'thin') {
    const pool = vg.lvs.find((l) => l.name === lv.poolLv);
    if (pool) activate(state, vg, pool);
  }
  const taken = usedMinors(state);
  if (lv.type === 'thin-pool') {
    // tmeta, tdata, tpool, then the pool's own device; lvs reports the tpool's numbers.
    const tmeta = nextMinor(taken);
    const tdata = nextMinor(taken);
    const tpool = nextMinor(taken);
    const top = nextMinor(taken);
    lv.minors = [tpool, tmeta, tdata, top];
  } else {
    lv.minors = [nextMinor(taken)];
  }
  lv.active = true;
}

export function deactivate(lv: SimLv): void {
  lv.active = false;
  lv.minors = [];
}
