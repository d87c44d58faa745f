/**
 * A thin pool's thin LVs and its metadata device: which mapping trees they use and how
 * full dm-thin reports the metadata (lvs metadata_percent).
 */
import type { SimLv, SimVg } from './state';
import { formatPercent } from './units';

const METADATA_BLOCK = 4096;
/**
 * The thin pool's metadata usage as dm-thin reports it (lvs metadata_percent), modelled on
 * the kernel (drivers/md/dm-thin-metadata.c, persistent-data/) and checked against real
 * lvm2 2.03.16 on 512 MiB and 1 GiB pools (tools/lvmd-e2e):
 * - the kernel counts a reserve as used: min(4096 blocks, a tenth of the metadata device);
 * - a fresh pool holds META_BLOCKS_FRESH blocks (superblock, space map roots, device and
 *   mapping tree roots) plus one data space-map bitmap block per 16320 data chunks;
 * - every distinct mapping tree root is one block: a new thin LV makes one, a snapshot
 *   shares its origin's until either is written (SimLv.metaRoot);
 * - mapped data: about one leaf per 128 chunks.
 */
const META_BLOCKS_FRESH = 8;
const META_RESERVE_MAX = 4096;
const SPACE_MAP_ENTRIES_PER_BLOCK = (METADATA_BLOCK - 16) * 4;

export function thinsOf(vg: SimVg, pool: SimLv): SimLv[] {
  return vg.lvs.filter((l) => l.type === 'thin' && l.poolLv === pool.name);
}

/** The mapping tree a thin LV uses (states saved before metaRoot existed: its own). */
export function metaRoot(lv: SimLv): number {
  return lv.metaRoot ?? lv.thinId ?? 0;
}

/** A mapping tree root no thin LV of the VG uses yet. */
export function newMetaRoot(vg: SimVg): number {
  return vg.lvs.reduce((n, l) => (l.type === 'thin' ? Math.max(n, metaRoot(l), l.thinId ?? 0) : n), 0) + 1;
}

/** metadata_percent of an active pool, per the model above. */
export function metadataPercent(vg: SimVg, pool: SimLv): string {
  const parts = pool.pool!;
  const blocks = (parts.metaExtents * vg.extentSize) / METADATA_BLOCK;
  const reserve = Math.min(META_RESERVE_MAX, Math.floor(blocks / 10));
  const dataChunks = Math.ceil((pool.extents * vg.extentSize) / parts.chunkSize);
  const roots = new Set(thinsOf(vg, pool).map((t) => metaRoot(t))).size;
  const chunks = Math.ceil(parts.usedBytes / parts.chunkSize);
  const used = reserve + META_BLOCKS_FRESH + Math.ceil(dataChunks / SPACE_MAP_ENTRIES_PER_BLOCK) + roots + Math.ceil(chunks / 128);
  return formatPercent(Math.min(used, blocks), blocks);
}
