/** What every kind of new LV shares in lvcreate: its size in extents, whether it starts active, joining the VG. */
import { LVM_EXIT } from '@copse/lvm-model';
import { extentCount, freeExtents } from '../allocation';
import { has, isActivating, opt, type ParsedArgs } from '../options';
import { Exit, type Output } from '../output';
import type { SimLv, SimVg } from '../state';
import { displaySize, parseSizeArg, SECTOR } from '../units';

/** Extents for -L/-l of a new LV, with lvm2's rounding message. */
export function newExtents(vg: SimVg, a: ParsedArgs, out: Output): number {
  const l = opt(a, 'extents');
  if (l !== undefined && !has(a, 'size')) {
    const m = /^\+?(\d+)(?:%(VG|FREE|PVS|LV|ORIGIN))?$/i.exec(l);
    if (!m) {
      out.error(`Invalid argument for --extents: ${l}`);
      out.error('Error during parsing of command line.');
      throw new Exit(LVM_EXIT.INVALID_PARAMETERS);
    }
    const n = Number(m[1]);
    const of = m[2]?.toUpperCase();
    if (!of) return n;
    const base = of === 'FREE' ? freeExtents(vg) : extentCount(vg);
    return Math.floor((base * n) / 100);
  }
  const r = parseSizeArg(opt(a, 'size')!, 2048);
  const bytes = r.ok ? r.sectors * SECTOR : 0;
  return roundUpExtents(vg, bytes, out);
}

/** Bytes rounded up to whole extents, saying so as lvm2 does. */
export function roundUpExtents(vg: SimVg, bytes: number, out: Output): number {
  let size = bytes;
  if (size % vg.extentSize) {
    size += vg.extentSize - (size % vg.extentSize);
    out.print(`Rounding up size to full physical extent ${displaySize(size)}`);
  }
  return size / vg.extentSize;
}

/** Whether -a asks for the new LV to be active (the default). */
export function activationRequested(a: ParsedArgs): boolean {
  const act = opt(a, 'activate');
  return act === undefined || isActivating(act);
}

export function addLv(vg: SimVg, lv: SimLv): void {
  vg.lvs.push(lv);
  vg.seqno++;
}
