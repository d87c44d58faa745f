/** lvresize, lvextend and lvreduce: a new size for one LV (lvm2 tools/lvresize.c, lib/metadata/lv_manip.c). */
import { LVM_EXIT } from '@copse/lvm-model';
import { addAlloc, allocate, extentCount, freeExtents, shrinkAlloc } from '../allocation';
import { findVg, skipDevDir, splitLvArg, vgNotFound } from '../lookup';
import { checkLvNameParam, display } from '../names';
import { has, opt, type ParsedArgs } from '../options';
import { Exit, fail, noMatchingSyntax, usageError, type Output } from '../output';
import { warnOverprovisioning } from '../overprovisioning';
import type { SimLv, SimVg } from '../state';
import { displaySize, parseSizeArg, SECTOR } from '../units';
import { COMMON, extentsCheck, sizeCheck, type SimCommand } from './command';

type ResizeCommand = 'lvresize' | 'lvextend' | 'lvreduce';
type Sign = '' | '+' | '-';

/** -L or -l as given: a signed size in sectors, or a signed extent count (maybe a percentage). */
interface NewSize {
  readonly sign: Sign;
  readonly sectors: number;
  readonly extents?: { readonly n: number; readonly of?: string };
}

export function resizeCommand(command: ResizeCommand): SimCommand {
  return {
    options: [
      ...COMMON,
      { long: 'size', short: 'L', arg: true, check: sizeCheck(2048) },
      { long: 'extents', short: 'l', arg: true, check: extentsCheck },
      { long: 'force', short: 'f', repeat: true },
      { long: 'resizefs', short: 'r' },
      { long: 'nofsck', short: 'n' },
    ],
    run({ state, out }, a) {
      const size = readNewSize(command, a, out);
      if (a.positional.length === 0) {
        out.error('Please provide the logical volume name.');
        usageError(command, out);
      }
      const arg = a.positional[0]!;
      const split = skipDevDir(arg).includes('/') ? splitLvArg(arg, out) : undefined;
      if (!split) {
        if (!skipDevDir(arg).includes('/')) out.error('Please specify a logical volume path.');
        usageError(command, out);
      }
      checkLvNameParam(command, split.lv, false, out);
      const vg = findVg(state, split.vg);
      if (!vg) {
        vgNotFound(split.vg, out);
        throw new Exit(LVM_EXIT.FAILED);
      }
      const lv = vg.lvs.find((x) => x.name === split.lv);
      if (!lv) fail(out, `Logical volume ${split.lv} not found in volume group ${vg.name}.`);
      resize(vg, lv, targetExtents(command, vg, lv, size, out), a, out);
    },
  };
}

function readNewSize(command: ResizeCommand, a: ParsedArgs, out: Output): NewSize {
  const L = opt(a, 'size');
  const l = opt(a, 'extents');
  if (L === undefined && l === undefined) noMatchingSyntax(command, out);
  if (L !== undefined && l !== undefined) {
    out.error('Please specify either size or extents but not both.');
    usageError(command, out);
  }
  if (has(a, 'resizefs')) {
    out.error('Resizing file systems (--resizefs) is not implemented by the simulated lvm2.');
    throw new Exit(LVM_EXIT.INVALID_PARAMETERS);
  }
  let size: NewSize = { sign: '', sectors: 0 };
  if (L !== undefined) {
    const r = parseSizeArg(L, 2048);
    if (r.ok) size = { sign: r.sign, sectors: r.sectors };
  } else {
    const m = /^([+-]?)(\d+)(?:%(VG|FREE|PVS|LV|ORIGIN))?$/i.exec(l!);
    if (!m) {
      out.error(`Invalid argument for --extents: ${l}`);
      out.error('Error during parsing of command line.');
      throw new Exit(LVM_EXIT.INVALID_PARAMETERS);
    }
    size = { sign: m[1] as Sign, sectors: 0, extents: { n: Number(m[2]), of: m[3]?.toUpperCase() } };
  }
  if (command === 'lvextend' && size.sign === '-') {
    out.error('Negative argument not permitted - use lvreduce.');
    usageError(command, out);
  }
  if (command === 'lvreduce' && size.sign === '+') {
    out.error('Positive sign not permitted - use lvextend.');
    usageError(command, out);
  }
  return size;
}

/** The LV's new size in extents, checked against its current one as lvm2 does. */
function targetExtents(command: ResizeCommand, vg: SimVg, lv: SimLv, size: NewSize, out: Output): number {
  const { sign } = size;
  const cur = lv.extents;
  let target: number;
  if (size.extents) {
    let n = size.extents.n;
    if (size.extents.of) {
      const of = size.extents.of;
      const base = of === 'FREE' ? freeExtents(vg) : of === 'LV' ? cur : extentCount(vg);
      n = Math.floor((base * n) / 100);
    }
    target = sign === '+' ? cur + n : sign === '-' ? cur - n : n;
  } else {
    let bytes = size.sectors * SECTOR;
    const adjust = bytes % vg.extentSize;
    if (adjust) {
      if (sign !== '-') bytes += vg.extentSize;
      bytes -= adjust;
      out.print(`Rounding size to boundary between physical extents: ${displaySize(bytes)}.`);
    }
    const n = bytes / vg.extentSize;
    target = sign === '+' ? cur + n : sign === '-' ? cur - n : n;
  }
  if (target <= 0) fail(out, 'New size of 0 not permitted.');
  if (target === cur) fail(out, `New size (${target} extents) matches existing size (${cur} extents).`);
  if (command === 'lvextend' && target < cur) {
    fail(out, `New size given (${target} extents) not larger than existing size (${cur} extents)`);
  }
  if (command === 'lvreduce' && target > cur) {
    fail(out, `New size given (${target} extents) not less than existing size (${cur} extents)`);
  }
  return target;
}

/** Gives extents back or allocates more (a thin LV only changes its virtual size), then reports. */
function resize(vg: SimVg, lv: SimLv, target: number, a: ParsedArgs, out: Output): void {
  const cur = lv.extents;
  const shown = lv.type === 'thin-pool' ? `${vg.name}/${lv.name}_tdata` : display(vg, lv);
  if (target < cur) {
    if (lv.type === 'thin-pool') fail(out, `Thin pool volumes ${display(vg, lv)} cannot be reduced in size yet.`);
    if (lv.active) {
      out.error(`WARNING: Reducing active logical volume to ${displaySize(target * vg.extentSize)}.`);
      out.error('THIS MAY DESTROY YOUR DATA (filesystem etc.)');
      if (!has(a, 'force') && !has(a, 'yes')) {
        out.rawErr(`Do you really want to reduce ${display(vg, lv)}? [y/n]: [n]\n`);
        fail(out, `Logical volume ${display(vg, lv)} NOT reduced.`);
      }
    }
    if (lv.alloc) lv.alloc = shrinkAlloc(vg, lv.alloc, cur - target);
    if (lv.type === 'thin') lv.mappedBytes = Math.min(lv.mappedBytes ?? 0, target * vg.extentSize);
  } else if (lv.type !== 'thin') {
    const more = target - cur;
    const stripes = lv.stripes ?? 1;
    const free = freeExtents(vg);
    const alloc = allocate(vg, more, stripes);
    if (!alloc) fail(out, `Insufficient free space: ${more} extents needed, but only ${free} available`);
    addAlloc((lv.alloc ??= {}), alloc);
  }
  lv.extents = target;
  vg.seqno++;
  out.print(
    `Size of logical volume ${shown} changed from ${displaySize(cur * vg.extentSize)} (${cur} extents) to ` +
      `${displaySize(target * vg.extentSize)} (${target} extents).`,
  );
  if (target > cur && (lv.type === 'thin' || lv.type === 'thin-pool')) {
    const pool = lv.type === 'thin' ? vg.lvs.find((p) => p.name === lv.poolLv)! : lv;
    warnOverprovisioning(vg, pool, out);
  }
  out.print(`Logical volume ${display(vg, lv)} successfully resized.`);
}
