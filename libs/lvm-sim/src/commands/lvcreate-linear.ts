/** lvcreate of a linear or striped LV (-L/-l with -i/-I). */
import { activate } from '../activation';
import { allocate, freeExtents } from '../allocation';
import type { SimContext } from '../context';
import { generatedName, nameInUse } from '../names';
import { has, isYes, opt, type ParsedArgs } from '../options';
import { fail, usageError } from '../output';
import type { SimLv, SimVg } from '../state';
import { displaySize, KiB, parseSizeArg, SECTOR } from '../units';
import { warnOverprovisioning } from '../overprovisioning';
import { activationRequested, addLv, newExtents } from './lvcreate-common';

export function createLinear(ctx: SimContext, vg: SimVg, a: ParsedArgs, lvName: string | undefined, tags: string[]): void {
  const { out } = ctx;
  let stripes = Number(opt(a, 'stripes') ?? '1');
  let stripeSize = 0;
  const I = opt(a, 'stripesize');
  if (I !== undefined) {
    const r = parseSizeArg(I, 2);
    stripeSize = r.ok ? r.sectors * SECTOR : 0;
  }
  if (stripes < 1 || stripes > 128) {
    out.error(`Number of stripes (${stripes}) must be between 1 and 128.`);
    usageError('lvcreate', out);
  }
  if (stripes === 1 && stripeSize) {
    out.print('Ignoring stripesize argument with single stripe.');
    stripeSize = 0;
  } else if (stripes > 1) {
    if (!stripeSize) {
      stripeSize = 64 * KiB;
      out.print(`Using default stripesize ${displaySize(stripeSize)}.`);
    }
    if (stripeSize < 4 * KiB || (stripeSize & (stripeSize - 1)) !== 0) {
      out.error(`Invalid stripe size ${displaySize(stripeSize)}.`);
      usageError('lvcreate', out);
    }
  }
  const extents = newExtents(vg, a, out);
  const name = lvName ?? generatedName(vg);
  if (nameInUse(vg, name)) fail(out, `Logical Volume "${name}" already exists in volume group "${vg.name}"`);
  if (extents === 0) fail(out, 'Unable to create new logical volume with no extents.');
  const free = freeExtents(vg);
  if (free < extents) fail(out, `Volume group "${vg.name}" has insufficient free space (${free} extents): ${extents} required.`);
  if (stripes > vg.pvs.length) {
    fail(out, `Number of stripes (${stripes}) must not exceed number of physical volumes (${vg.pvs.length})`);
  }
  let total = extents;
  if (stripes > 1 && extents % stripes) {
    total = extents + stripes - (extents % stripes);
    out.print(
      `Rounding size ${displaySize(extents * vg.extentSize)} (${extents} extents) up to stripe boundary size ` +
        `${displaySize(total * vg.extentSize)} (${total} extents).`,
    );
  }
  const alloc = allocate(vg, total, stripes);
  if (!alloc) fail(out, `Insufficient free space: ${total} extents needed, but only ${freeExtents(vg)} available`);
  if (stripes === 1) stripes = 0;
  const lv: SimLv = {
    name,
    uuid: ctx.uuid(),
    type: 'linear',
    extents: total,
    alloc,
    ...(stripes > 1 ? { stripes, stripeSize } : {}),
    tags,
    writable: opt(a, 'permission') !== 'r',
    activationSkip: isYes(opt(a, 'setactivationskip')),
    active: false,
    minors: [],
    time: ctx.time(),
  };
  addLv(vg, lv);
  if (activationRequested(a) && (!lv.activationSkip || has(a, 'ignoreactivationskip'))) activate(ctx.state, vg, lv);
  warnOverprovisioning(vg, undefined, out);
  out.print(`Logical volume "${name}" created.`);
}
