/**
 * A thin pool's health, decided from what device-mapper says of it (device-mapper.ts).
 * Pure: lvmd-http's pool monitor feeds it readings and shows the result in the API,
 * /readyz, the watch stream and the metrics.
 */
import type { LvRecord } from './report';
import { lvmPercent, THIN_METADATA_BLOCK_BYTES, type ThinPoolStatus } from './device-mapper';

/** From best to worst; the first that applies wins (see THIN_POOL_HEALTH_ORDER). */
export type ThinPoolHealthStatus =
  /** writable, below the warning threshold */
  | 'ok'
  /** data or metadata use at or above the warning threshold: time to free space or extend */
  | 'low-water'
  /** every data block in use: the next write to an unprovisioned block stops the pool */
  | 'full'
  /** out of data space, queue IO: writes needing new blocks wait (no_space_timeout, 60 s by default) */
  | 'out-of-data-space'
  /** out of data space, error IO: writes needing new blocks fail with EIO; data is being lost */
  | 'error-io'
  /** metadata read-only (out of metadata space, or a metadata error): writes needing new blocks fail */
  | 'read-only'
  /** the metadata must be checked and repaired before the pool can be written again */
  | 'needs-check'
  /** the pool failed: every I/O fails */
  | 'failed'
  /** the pool's device is not active (no thin volume of it is active) */
  | 'inactive'
  /** its status could not be read */
  | 'unknown';

export const THIN_POOL_HEALTH_STATUSES: readonly ThinPoolHealthStatus[] = [
  'ok',
  'low-water',
  'full',
  'out-of-data-space',
  'error-io',
  'read-only',
  'needs-check',
  'failed',
  'inactive',
  'unknown',
];

/** States in which writes to the pool's volumes block or fail: their LVs are unhealthy. */
const VOLUMES_AFFECTED: ReadonlySet<ThinPoolHealthStatus> = new Set<ThinPoolHealthStatus>([
  'full',
  'out-of-data-space',
  'error-io',
  'read-only',
  'needs-check',
  'failed',
]);

export function thinPoolHealthAffectsVolumes(status: ThinPoolHealthStatus): boolean {
  return VOLUMES_AFFECTED.has(status);
}

/**
 * States that make lvmd-http not ready: the pool cannot take writes (its volumes are
 * affected), or lvmd-http cannot tell (unknown). low-water and inactive pools are ready.
 */
export function thinPoolHealthBlocksReadiness(status: ThinPoolHealthStatus): boolean {
  return VOLUMES_AFFECTED.has(status) || status === 'unknown';
}

export interface ThinPoolUsage {
  readonly dataUsedBytes: number;
  readonly dataSizeBytes: number;
  readonly metadataUsedBytes: number;
  readonly metadataSizeBytes: number;
  /** as lvs prints data_percent of the pool */
  readonly dataPercent: number;
  /** as lvs prints metadata_percent of the pool */
  readonly metadataPercent: number;
}

export interface ThinPoolHealth {
  readonly status: ThinPoolHealthStatus;
  /** What is wrong, what it means for writes, what to do; absent when ok. No figures: they are in usage. */
  readonly reason?: string;
  /** Absent when the status could not be read (failed, inactive, unknown). */
  readonly usage?: ThinPoolUsage;
}

export interface ThinPoolHealthOptions {
  /** data% or metadata% at or above which the pool is low-water (dmeventd warns at 80) */
  readonly warningPercent: number;
}

export function thinPoolUsage(s: Extract<ThinPoolStatus, { kind: 'ok' }>): ThinPoolUsage {
  return {
    dataUsedBytes: s.dataUsedBlocks * s.dataBlockBytes,
    dataSizeBytes: s.dataTotalBlocks * s.dataBlockBytes,
    metadataUsedBytes: s.metadataUsedBlocks * THIN_METADATA_BLOCK_BYTES,
    metadataSizeBytes: s.metadataTotalBlocks * THIN_METADATA_BLOCK_BYTES,
    dataPercent: lvmPercent(s.dataUsedBlocks, s.dataTotalBlocks),
    metadataPercent: lvmPercent(s.metadataUsedBlocks, s.metadataTotalBlocks),
  };
}

const REASONS: Record<Exclude<ThinPoolHealthStatus, 'ok'>, string> = {
  'low-water': 'the thin pool is at or above its warning threshold: free space or extend it before it fills',
  full: 'every data block of the thin pool is in use: the next write to an unprovisioned block stops the pool; free space or extend it',
  'out-of-data-space':
    'the thin pool is out of data space (queue IO): writes needing new blocks wait until space is freed or the pool is extended, and fail after no_space_timeout',
  'error-io':
    'the thin pool is out of data space and fails writes (error IO): writes needing new blocks are lost; free space or extend the pool',
  'read-only': 'the thin pool metadata is read-only: writes needing new blocks fail',
  'needs-check': 'the thin pool metadata needs checking: deactivate the pool and run lvconvert --repair; writes needing new blocks fail until then',
  failed: 'the thin pool has failed: every read and write fails',
  inactive: 'the thin pool is not active (no thin volume of it is active)',
  unknown: 'the thin pool status could not be read',
};

/** The words for a state (the pool's reason; a volume's health names its pool before them). */
export function thinPoolHealthReason(status: Exclude<ThinPoolHealthStatus, 'ok'>): string {
  return REASONS[status];
}

function state(status: ThinPoolHealthStatus, usage?: ThinPoolUsage, reason?: string): ThinPoolHealth {
  return {
    status,
    ...(status === 'ok' ? {} : { reason: reason ?? REASONS[status] }),
    ...(usage ? { usage } : {}),
  };
}

function byFigures(u: { dataPercent: number; metadataPercent: number }, full: boolean, o: ThinPoolHealthOptions): ThinPoolHealthStatus {
  if (full) return 'full';
  if (u.dataPercent >= o.warningPercent || u.metadataPercent >= o.warningPercent) return 'low-water';
  return 'ok';
}

/** The health of a pool whose thin-pool status device-mapper reported. */
export function thinPoolHealth(status: ThinPoolStatus, o: ThinPoolHealthOptions): ThinPoolHealth {
  if (status.kind === 'failed') return state('failed', undefined, 'the thin pool has failed (device-mapper reports "Fail"): every read and write fails');
  if (status.kind === 'error') return state('unknown', undefined, 'device-mapper could not read the thin pool metadata to report its status ("Error")');
  const usage = thinPoolUsage(status);
  if (status.needsCheck) return state('needs-check', usage);
  if (status.mode === 'ro') {
    return state(
      'read-only',
      usage,
      status.metadataUsedBlocks >= status.metadataTotalBlocks
        ? 'the thin pool is out of metadata space and read-only: writes needing new blocks fail; extend its metadata (lvextend --poolmetadatasize)'
        : 'the thin pool metadata is read-only (a metadata error): writes needing new blocks fail',
    );
  }
  if (status.mode === 'out_of_data_space') return state(status.errorIfNoSpace ? 'error-io' : 'out-of-data-space', usage);
  return state(byFigures(usage, status.dataUsedBlocks >= status.dataTotalBlocks, o), usage);
}

/**
 * The health lvs alone can tell of a pool (its attr and percentages), for when device-mapper
 * was not asked: lv_attr's D cannot tell queue IO from error IO (it reads out-of-data-space),
 * and the figures come without byte counts.
 */
export function thinPoolHealthFromLvs(pool: LvRecord, o: ThinPoolHealthOptions): ThinPoolHealth {
  if (!pool.attr.active) return state('inactive');
  if (pool.attr.health === 'failed') return state('failed');
  if (pool.attr.state === 'thin-pool-check-needed' || pool.attr.state === 'suspended-thin-pool-check-needed') return state('needs-check');
  if (pool.attr.health === 'metadata-read-only') return state('read-only');
  if (pool.attr.health === 'out-of-data') return state('out-of-data-space');
  const data = pool.dataPercent ?? 0;
  const meta = pool.metadataPercent ?? 0;
  return state(byFigures({ dataPercent: data, metadataPercent: meta }, data >= 100, o));
}
