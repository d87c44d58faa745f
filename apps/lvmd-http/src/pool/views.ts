import { thinPoolHealthAffectsVolumes, thinPoolHealthFromLvs, type LvHealth, type LvRecord, type ThinPoolHealth } from '@copse/lvm-model';
import type { ThinPoolHealth as ThinPoolHealthView } from '@copse/lvmd-api';
import type { ThinPoolObservation } from './health-source';

/** dmeventd's warning threshold; the monitor's is --pool-warning-percent. */
export const DEFAULT_WARNING_PERCENT = 80;

export interface PoolHealthView {
  readonly view: ThinPoolHealthView;
  /** the figures to show as the pool's dataPercent/metadataPercent, when the monitor read them */
  readonly dataPercent?: number;
  readonly metadataPercent?: number;
}

function fields(h: ThinPoolHealth): ThinPoolHealthView {
  return {
    status: h.status,
    ...(h.reason ? { reason: h.reason } : {}),
    ...(h.usage
      ? {
          dataUsedBytes: h.usage.dataUsedBytes,
          dataSizeBytes: h.usage.dataSizeBytes,
          metadataUsedBytes: h.usage.metadataUsedBytes,
          metadataSizeBytes: h.usage.metadataSizeBytes,
        }
      : {}),
  };
}

/**
 * The device-class view's pool health: the monitor's observation, or, without one (no
 * monitor, e.g. in tests of the service alone), what lvs last showed of the pool.
 */
export function poolHealthView(observation: ThinPoolObservation | undefined, pool: LvRecord | undefined): PoolHealthView {
  if (observation) {
    const { health } = observation;
    return {
      view: { ...fields(health), observedAt: new Date(observation.observedAt).toISOString(), since: new Date(observation.since).toISOString() },
      ...(health.usage ? { dataPercent: health.usage.dataPercent, metadataPercent: health.usage.metadataPercent } : {}),
    };
  }
  if (!pool) return { view: { status: 'unknown', reason: 'the thin pool was not found' } };
  return { view: fields(thinPoolHealthFromLvs(pool, { warningPercent: DEFAULT_WARNING_PERCENT })) };
}

/** A thin volume's health given its own and its pool's: a pool that stops writes makes it unhealthy, naming the pool. */
export function poolVolumeHealth(own: LvHealth, pool: string, observation: ThinPoolObservation): LvHealth {
  if (!own.healthy) return own;
  const { health } = observation;
  if (!thinPoolHealthAffectsVolumes(health.status)) return own;
  return { healthy: false, reason: `thin pool ${pool}: ${health.reason ?? health.status}` };
}

/** Whether a change of the pool's observation changes its volumes' health (so they get 'updated' events). */
export function volumeHealthChanged(previous: ThinPoolObservation | undefined, current: ThinPoolObservation): boolean {
  const side = (o?: ThinPoolObservation) =>
    o && thinPoolHealthAffectsVolumes(o.health.status) ? `${o.health.status}:${o.health.reason ?? ''}` : 'unaffected';
  return side(previous) !== side(current);
}
