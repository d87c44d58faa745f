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
 * - mapped data: one leaf block per LEAF_ENTRIES chunks of each mapping tree (sequential
 *   writes fill a leaf before the next one starts; measured on a 64 MiB pool: 384, 640 and
 *   1024 chunks in one thin LV take 2, 3 and 5 blocks more, libs/lvm-model/src/fixtures/dmsetup).
 *   Right after writes the kernel briefly counts shadow copies too, until its next commit
 *   (at most a second later); the model gives the committed figure.
 */
const META_BLOCKS_FRESH = 8;
const META_RESERVE_MAX = 4096;
const SPACE_MAP_ENTRIES_PER_BLOCK = (METADATA_BLOCK - 16) * 4;
/** Mappings per btree leaf: (4096 - 32 header) / (8 key + 8 value), rounded down to a multiple of 3 (dm-btree). */
const LEAF_ENTRIES = 252;

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

/** The pool's metadata blocks, used and in all, per the model above (what dmsetup status shows). */
export function metadataBlocks(vg: SimVg, pool: SimLv): { used: number; total: number } {
  const parts = pool.pool!;
  const blocks = (parts.metaExtents * vg.extentSize) / METADATA_BLOCK;
  const reserve = Math.min(META_RESERVE_MAX, Math.floor(blocks / 10));
  // chunks mapped by each distinct mapping tree (LVs sharing one map the same chunks)
  const trees = new Map<number, number>();
  for (const t of thinsOf(vg, pool)) {
    const chunks = Math.ceil((t.mappedBytes ?? 0) / parts.chunkSize);
    trees.set(metaRoot(t), Math.max(trees.get(metaRoot(t)) ?? 0, chunks));
  }
  const leaves = [...trees.values()].reduce((n, chunks) => n + Math.ceil(chunks / LEAF_ENTRIES), 0);
  const data = dataBlocks(vg, pool);
  const used = reserve + META_BLOCKS_FRESH + Math.ceil(data.total / SPACE_MAP_ENTRIES_PER_BLOCK) + trees.size + leaves;
  return { used: Math.min(used, blocks), total: blocks };
}

/** The pool's data blocks (chunks), used and in all. */
export function dataBlocks(vg: SimVg, pool: SimLv): { used: number; total: number } {
  const parts = pool.pool!;
  return { used: Math.ceil(parts.usedBytes / parts.chunkSize), total: Math.ceil((pool.extents * vg.extentSize) / parts.chunkSize) };
}

/** metadata_percent of an active pool, per the model above. */
export function metadataPercent(vg: SimVg, pool: SimLv): string {
  const { used, total } = metadataBlocks(vg, pool);
  return formatPercent(used, total);
}
