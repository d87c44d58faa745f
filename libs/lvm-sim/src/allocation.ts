/**
 * Physical extents: how many a VG has, how many are free on each PV, and lvm2's simple
 * allocation (linear over the PVs in the order they joined, or striped over the first
 * PVs with room).
 */
import type { Allocation, SimVg } from './state';

function sumAlloc(a: Allocation | undefined, device: string): number {
  return a?.[device] ?? 0;
}

export function freeOnPv(vg: SimVg, device: string): number {
  let used = sumAlloc(vg.pmspare?.alloc, device);
  for (const lv of vg.lvs) {
    used += sumAlloc(lv.alloc, device);
    used += sumAlloc(lv.pool?.metaAlloc, device);
  }
  return (vg.peCount[device] ?? 0) - used;
}

export function freeExtents(vg: SimVg): number {
  return vg.pvs.reduce((n, d) => n + freeOnPv(vg, d), 0);
}

export function extentCount(vg: SimVg): number {
  return vg.pvs.reduce((n, d) => n + (vg.peCount[d] ?? 0), 0);
}

/** Allocates extents linearly over the PVs in order, or striped over `stripes` PVs. */
export function allocate(vg: SimVg, extents: number, stripes = 1): Allocation | undefined {
  const alloc: Allocation = {};
  if (stripes > 1) {
    const per = extents / stripes;
    const pvs = vg.pvs.filter((d) => freeOnPv(vg, d) >= per).slice(0, stripes);
    if (pvs.length < stripes) return undefined;
    for (const d of pvs) alloc[d] = per;
    return alloc;
  }
  let left = extents;
  for (const d of vg.pvs) {
    if (left === 0) break;
    const take = Math.min(left, freeOnPv(vg, d));
    if (take > 0) {
      alloc[d] = take;
      left -= take;
    }
  }
  return left === 0 ? alloc : undefined;
}

export function addAlloc(into: Allocation, more: Allocation): void {
  for (const [d, n] of Object.entries(more)) into[d] = (into[d] ?? 0) + n;
}

/** Gives back extents from the end (last PV first). */
export function shrinkAlloc(vg: SimVg, alloc: Allocation, extents: number): Allocation {
  const next: Allocation = { ...alloc };
  let left = extents;
  for (const d of [...vg.pvs].reverse()) {
    const have = next[d] ?? 0;
    const give = Math.min(have, left);
    if (give > 0) {
      next[d] = have - give;
      if (next[d] === 0) delete next[d];
      left -= give;
    }
  }
  return next;
}
