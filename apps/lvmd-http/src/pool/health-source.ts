import type { ThinPoolHealth } from '@copse/lvm-model';

/** What the pool monitor knows of a pool: its health and when it was read. */
export interface ThinPoolObservation {
  readonly health: ThinPoolHealth;
  /** epoch milliseconds of the reading */
  readonly observedAt: number;
  /** epoch milliseconds since which the pool has had this status */
  readonly since: number;
}

export interface PoolCheck {
  name: string;
  ok: boolean;
  detail?: string;
}

/**
 * What LvmService asks of the pool monitor (its only hook into this folder): the latest
 * observation of a pool, a re-read after each change made through lvmd-http, and the
 * readiness checks.
 */
export interface PoolHealthSource {
  observation(vg: string, pool: string): ThinPoolObservation | undefined;
  /** changes whenever any observation changes (keys answers cached per state) */
  readonly generation: number;
  /** reads the pools of `vg` again; resolves when read */
  refresh(vg: string): Promise<void>;
  readiness(): PoolCheck[];
}
