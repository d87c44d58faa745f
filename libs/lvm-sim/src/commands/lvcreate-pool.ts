/**
 * lvcreate of a thin pool (-T vg/pool -L size): chunk and metadata sizes as lvm2's
 * update_thin_pool_params picks them, the VG's pool metadata spare, then the pool with its
 * hidden _tdata and _tmeta.
 */
import { LVM_EXIT } from '@copse/lvm-model';
import { activate } from '../activation';
import { addAlloc, allocate, freeExtents } from '../allocation';
import type { SimContext } from '../context';
import { checkLvNameParam, generatedName, nameInUse } from '../names';
import { opt, type ParsedArgs } from '../options';
import { Exit, fail } from '../output';
import type { SimLv, SimVg } from '../state';
import { displaySize, KiB, MiB, parseSizeArg, SECTOR } from '../units';
import { activationRequested, newExtents } from './lvcreate-common';

const DEFAULT_CHUNK_SIZE = 64 * KiB;
/** lvm2's thin pool metadata limits, in bytes (DEFAULT_THIN_POOL_*_METADATA_SIZE). */
const THIN_META_MIN = 2 * MiB;
const THIN_META_MAX = 255 * ((1 << 14) - 64) * 4 * KiB;
const THIN_META_OPTIMAL = 128 * MiB;
const THIN_CHUNK_MAX = 1024 * MiB;

export function createPool(ctx: SimContext, vg: SimVg, a: ParsedArgs, poolName: string | undefined, tags: string[]): void {
  const { out } = ctx;
  if (poolName !== undefined) checkLvNameParam('lvcreate', poolName, true, out);
  const dataExtents = newExtents(vg, a, out);
  // update_thin_pool_params: chunk size and metadata size.
  let chunk = DEFAULT_CHUNK_SIZE;
  const c = opt(a, 'chunksize');
  const dataBytes = dataExtents * vg.extentSize;
  let metaBytes: number;
  if (c !== undefined) {
    const r = parseSizeArg(c, 2);
    chunk = r.ok ? r.sectors * SECTOR : DEFAULT_CHUNK_SIZE;
    if (chunk < 64 * KiB || chunk > THIN_CHUNK_MAX || chunk % (64 * KiB)) {
      out.error(`Thin pool chunk size ${displaySize(chunk)} is not supported by the simulated lvm2.`);
      throw new Exit(LVM_EXIT.INVALID_PARAMETERS);
    }
    metaBytes = Math.floor(dataBytes / (chunk / 64));
  } else {
    metaBytes = Math.floor(dataBytes / (chunk / 64));
    while (metaBytes > THIN_META_OPTIMAL && chunk < THIN_CHUNK_MAX) {
      chunk *= 2;
      metaBytes = Math.floor(metaBytes / 2);
    }
  }
  metaBytes = Math.ceil(metaBytes / vg.extentSize) * vg.extentSize;
  if (metaBytes < THIN_META_MIN) metaBytes = Math.ceil(THIN_META_MIN / vg.extentSize) * vg.extentSize;
  if (metaBytes > THIN_META_MAX) metaBytes = Math.floor(THIN_META_MAX / vg.extentSize) * vg.extentSize;
  const metaExtents = metaBytes / vg.extentSize;
  const maxData = (THIN_META_MAX / 64) * chunk;
  out.print(`Thin pool volume with chunk size ${displaySize(chunk)} can address at most ${displaySize(maxData)} of data.`);

  // handle_pool_metadata_spare comes before the LV itself.
  const hadSpare = vg.pmspare ? { ...vg.pmspare, alloc: { ...vg.pmspare.alloc } } : undefined;
  const spareNeeded = Math.max(0, metaExtents - (vg.pmspare?.extents ?? 0));
  if (spareNeeded > 0) {
    const alloc = allocate(vg, spareNeeded);
    if (!alloc) fail(out, `Insufficient free space: ${spareNeeded} extents needed, but only ${freeExtents(vg)} available`);
    if (vg.pmspare) {
      vg.pmspare.extents += spareNeeded;
      addAlloc(vg.pmspare.alloc, alloc);
    } else {
      vg.pmspare = { name: `${generatedName(vg)}_pmspare`, uuid: ctx.uuid(), extents: spareNeeded, alloc };
    }
  }
  const undoSpare = (): void => {
    if (hadSpare) vg.pmspare = hadSpare;
    else delete vg.pmspare;
  };
  const name = poolName ?? generatedName(vg);
  try {
    if (nameInUse(vg, name)) fail(out, `Logical Volume "${name}" already exists in volume group "${vg.name}"`);
    const free = freeExtents(vg);
    if (free < dataExtents) {
      fail(out, `Volume group "${vg.name}" has insufficient free space (${free} extents): ${dataExtents} required.`);
    }
    const data = allocate(vg, dataExtents);
    if (!data) fail(out, `Insufficient free space: ${dataExtents} extents needed, but only ${free} available`);
    const pool: SimLv = {
      name,
      uuid: ctx.uuid(),
      type: 'thin-pool',
      extents: dataExtents,
      alloc: data,
      pool: {
        chunkSize: chunk,
        metaUuid: '',
        metaExtents,
        metaAlloc: {},
        dataUuid: ctx.uuid(),
        usedBytes: 0,
        transactionId: 0,
      },
      tags,
      writable: true,
      activationSkip: false,
      active: false,
      minors: [],
      time: ctx.time(),
    };
    vg.lvs.push(pool);
    const meta = allocate(vg, metaExtents);
    if (!meta) {
      vg.lvs.pop();
      fail(out, `Insufficient free space: ${dataExtents + metaExtents} extents needed, but only ${free} available`);
    }
    pool.pool!.metaAlloc = meta;
    pool.pool!.metaUuid = ctx.uuid();
    vg.seqno++;
  } catch (e) {
    undoSpare();
    throw e;
  }
  const created = vg.lvs.find((l) => l.name === name)!;
  if (activationRequested(a)) activate(ctx.state, vg, created);
  out.print(`Logical volume "${name}" created.`);
}
