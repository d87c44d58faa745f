/**
 * The thin-pool fill guard (Copse's own; no peer has it). A thin device class may set
 * `thin-pool.fill-guard-percent` in lvmd.yaml; while its pool's data% or metadata% is at
 * or above it, lvmd-http refuses new thin volumes, snapshots, restores and clones, so that
 * a nearly full pool is not pushed over by more writers. Deletes, activation and expansion
 * of existing volumes go on. Pure: lvmd-http feeds it the figures its pool monitor follows.
 */

/** A thin pool's usage as lvs prints it (percent, two decimals). */
export interface PoolFigures {
  readonly dataPercent: number;
  readonly metadataPercent: number;
}

export interface FillGuardState {
  /** the threshold, fill-guard-percent */
  readonly percent: number;
  /** data% or metadata% is at or above it: new thin volumes are refused */
  readonly engaged: boolean;
  /** the figure that engaged it (data when both are over) */
  readonly by?: 'data' | 'metadata';
}

/**
 * The guard's state for these figures. Both count: a pool out of data space stops writes
 * needing new blocks; one out of metadata space turns read-only (and may need a repair),
 * and every new snapshot's writes break sharing and take metadata too.
 */
export function fillGuardState(percent: number, figures: PoolFigures): FillGuardState {
  if (figures.dataPercent >= percent) return { percent, engaged: true, by: 'data' };
  if (figures.metadataPercent >= percent) return { percent, engaged: true, by: 'metadata' };
  return { percent, engaged: false };
}

/** What a guarded create makes: a thin volume, or a thin snapshot (ro), restore (rw of a snapshot) or clone (rw of a volume). */
export type GuardedCreate = 'volume' | 'snapshot' | 'restore' | 'clone';

export interface FillGuardRefusal {
  readonly what: GuardedCreate;
  /** the name of the volume that was not created */
  readonly name: string;
  readonly deviceClass: string;
  readonly volumeGroup: string;
  readonly pool: string;
  readonly figures: PoolFigures;
  readonly percent: number;
}

const WHAT: Record<GuardedCreate, string> = { volume: 'thin volume', snapshot: 'snapshot', restore: 'restore', clone: 'clone' };

/** The refusal's message: the pool, its data% (and metadata%), the threshold, and what to do. */
export function fillGuardMessage(r: FillGuardRefusal): string {
  return (
    `refused to create the ${WHAT[r.what]} "${r.name}": thin pool ${r.volumeGroup}/${r.pool} (device class ${r.deviceClass}) ` +
    `is at data ${r.figures.dataPercent}%, metadata ${r.figures.metadataPercent}%, at or above its fill guard of ${r.percent}% ` +
    `(lvmd.yaml thin-pool.fill-guard-percent). New thin volumes, snapshots, restores and clones are refused until space is ` +
    `freed (delete volumes or snapshots) or the pool is extended (lvextend); deletes, activation and expansion of existing ` +
    `volumes still work`
  );
}
