/** lvcreate of a thin LV in an existing pool (-V size -T vg/pool) and of a thin snapshot (-s vg/origin). */
import { activate } from '../activation';
import type { SimContext } from '../context';
import { display, generatedName, nameInUse } from '../names';
import { has, isYes, opt, type ParsedArgs } from '../options';
import { fail } from '../output';
import { warnOverprovisioning } from '../overprovisioning';
import type { SimLv, SimVg } from '../state';
import { metaRoot, newMetaRoot } from '../thin-pool';
import { parseSizeArg, SECTOR } from '../units';
import { activationRequested, addLv, roundUpExtents } from './lvcreate-common';

function resolvePool(ctx: SimContext, vg: SimVg, poolName: string): SimLv {
  const pool = vg.lvs.find((l) => l.name === poolName);
  if (!pool) fail(ctx.out, `Pool ${poolName} not found in Volume group ${vg.name}.`);
  if (pool.type !== 'thin-pool') fail(ctx.out, `Logical volume ${display(vg, pool)} is not a thin pool.`);
  return pool;
}

export function createThin(ctx: SimContext, vg: SimVg, a: ParsedArgs, lvName: string | undefined, poolName: string, tags: string[]): void {
  const { out } = ctx;
  const pool = resolvePool(ctx, vg, poolName);
  const r = parseSizeArg(opt(a, 'virtualsize')!, 2048);
  const extents = roundUpExtents(vg, r.ok ? r.sectors * SECTOR : 0, out);
  const name = lvName ?? generatedName(vg);
  if (nameInUse(vg, name)) fail(out, `Logical Volume "${name}" already exists in volume group "${vg.name}"`);
  if (extents === 0) fail(out, 'Unable to create new logical volume with no extents.');
  if (pool.pool!.usedBytes >= pool.extents * vg.extentSize) {
    fail(out, `Free space in pool ${display(vg, pool)} is above threshold, new volumes are not allowed.`);
  }
  const lv = newThin(ctx, vg, pool, name, extents, tags, a, false);
  finishThin(ctx, vg, pool, lv, a);
}

export function createThinSnapshot(
  ctx: SimContext,
  vg: SimVg,
  a: ParsedArgs,
  lvName: string | undefined,
  originName: string,
  tags: string[],
): void {
  const { out } = ctx;
  const origin = vg.lvs.find((l) => l.name === originName);
  if (!origin) fail(out, `Snapshot origin LV ${originName} not found in Volume group ${vg.name}.`);
  if (origin.type !== 'thin') fail(out, 'Please specify either size or extents with snapshots.');
  const pool = vg.lvs.find((l) => l.name === origin.poolLv)!;
  const name = lvName ?? generatedName(vg);
  if (nameInUse(vg, name)) fail(out, `Logical Volume "${name}" already exists in volume group "${vg.name}"`);
  const lv = newThin(ctx, vg, pool, name, origin.extents, tags, a, true);
  lv.origin = origin.name;
  lv.mappedBytes = origin.mappedBytes ?? 0;
  // A thin snapshot shares its origin's mapping tree (dm-thin create_snap).
  lv.metaRoot = metaRoot(origin);
  finishThin(ctx, vg, pool, lv, a);
}

function newThin(
  ctx: SimContext,
  vg: SimVg,
  pool: SimLv,
  name: string,
  extents: number,
  tags: string[],
  a: ParsedArgs,
  snapshotDefaultSkip: boolean,
): SimLv {
  const k = opt(a, 'setactivationskip');
  const lv: SimLv = {
    name,
    uuid: ctx.uuid(),
    type: 'thin',
    extents,
    poolLv: pool.name,
    thinId: vg.nextThinId++,
    metaRoot: newMetaRoot(vg),
    mappedBytes: 0,
    tags,
    writable: opt(a, 'permission') !== 'r',
    activationSkip: k === undefined ? snapshotDefaultSkip : isYes(k),
    active: false,
    minors: [],
    time: ctx.time(),
  };
  pool.pool!.transactionId++;
  return lv;
}

function finishThin(ctx: SimContext, vg: SimVg, pool: SimLv, lv: SimLv, a: ParsedArgs): void {
  addLv(vg, lv);
  if (activationRequested(a) && (!lv.activationSkip || has(a, 'ignoreactivationskip'))) activate(ctx.state, vg, lv);
  warnOverprovisioning(vg, pool, ctx.out);
  ctx.out.print(`Logical volume "${lv.name}" created.`);
}
