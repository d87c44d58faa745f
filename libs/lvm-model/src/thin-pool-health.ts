/**
 * A thin pool's health, decided from what device-mapper says of it (device-mapper.ts).
 * Pure: lvmd-http's pool monitor feeds it readings and shows the result in the API,
 * /readyz, the watch stream and the metrics.
 */
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
  /** What is wrong and what it means for writes, in words fit for an operator; absent when ok. */
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

/** The health of a pool whose thin-pool status was read. */
export function thinPoolHealth(status: ThinPoolStatus, o: ThinPoolHealthOptions): ThinPoolHealth {
  if (status.kind === 'failed') {
    return { status: 'failed', reason: 'the thin pool has failed (device-mapper reports "Fail"): every read and write fails' };
  }
  if (status.kind === 'error') {
    return { status: 'unknown', reason: 'device-mapper could not read the thin pool metadata to report its status ("Error")' };
  }
  const usage = thinPoolUsage(status);
  const figures = `data ${usage.dataPercent.toFixed(2)}%, metadata ${usage.metadataPercent.toFixed(2)}%`;
  const at = (s: ThinPoolHealthStatus, reason: string): ThinPoolHealth => ({ status: s, reason: `${reason} (${figures})`, usage });
  if (status.needsCheck) {
    return at('needs-check', 'the thin pool metadata needs checking: deactivate the pool and run lvconvert --repair; writes needing new blocks fail until then');
  }
  if (status.mode === 'ro') {
    return at(
      'read-only',
      status.metadataUsedBlocks >= status.metadataTotalBlocks
        ? 'the thin pool is out of metadata space and read-only: writes needing new blocks fail; extend its metadata (lvextend --poolmetadatasize)'
        : 'the thin pool metadata is read-only (a metadata error): writes needing new blocks fail',
    );
  }
  if (status.mode === 'out_of_data_space') {
    return status.errorIfNoSpace
      ? at('error-io', 'the thin pool is out of data space and fails writes (error IO): writes needing new blocks are lost; free space or extend the pool')
      : at('out-of-data-space', 'the thin pool is out of data space (queue IO): writes needing new blocks wait until space is freed or the pool is extended, and fail after no_space_timeout');
  }
  if (status.dataUsedBlocks >= status.dataTotalBlocks) {
    return at('full', 'every data block of the thin pool is in use: the next write to an unprovisioned block stops the pool');
  }
  if (usage.dataPercent >= o.warningPercent || usage.metadataPercent >= o.warningPercent) {
    return at('low-water', `the thin pool is at or above its ${o.warningPercent}% warning threshold: free space or extend it`);
  }
  return { status: 'ok', usage };
}
