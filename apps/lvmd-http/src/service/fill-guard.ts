/**
 * The thin-pool fill guard at the door of every create (libs/lvm-model's fill-guard.ts
 * decides; docs/lvmd-http.md, "Thin-pool fill guard"): a new thin volume, snapshot, restore
 * or clone in a class whose pool is at or above its fill-guard-percent is refused with 507
 * thin-pool-fill-guard before any lvm command runs, so a refusal creates nothing.
 */
import { fillGuardMessage, type DeviceClass, type GuardedCreate } from '@copse/lvm-model';
import type { DeviceClass as DeviceClassView } from '@copse/lvmd-api';
import { ApiError } from '../errors';
import { lvNamed, vgState, type ServiceContext } from './context';
import type { Logger } from './logger';
import { deviceClassView } from './views';

/** What LvmService emits as 'fill-guard-refusal' (the metrics count them). */
export interface FillGuardRefusalEvent {
  readonly deviceClass: string;
  readonly what: GuardedCreate;
}

/**
 * Throws thin-pool-fill-guard when `name` would be a new volume of `dc` while its pool's
 * guard is engaged, judged on the figures the device-class view shows (the pool monitor's
 * latest reading). A name that already exists in the volume group creates nothing new: a
 * repeat answers its volume, the completion of an interrupted create allocates no data,
 * and a conflicting repeat is answered 409 as ever.
 */
export function refuseAboveFillGuard(ctx: ServiceContext, dc: DeviceClass, name: string, what: GuardedCreate): void {
  const percent = dc.thinPool?.fillGuardPercent;
  if (percent === undefined || !dc.thinPool || lvNamed(ctx, dc, name)) return;
  const pool = deviceClassView(dc, vgState(ctx, dc), ctx.cache.pool(dc)).thinPool;
  if (!pool?.fillGuard?.engaged) return;
  ctx.events.emit('fill-guard-refusal', { deviceClass: dc.name, what } satisfies FillGuardRefusalEvent);
  throw new ApiError(
    'thin-pool-fill-guard',
    fillGuardMessage({
      what,
      name,
      deviceClass: dc.name,
      volumeGroup: dc.volumeGroup,
      pool: dc.thinPool.name,
      figures: { dataPercent: pool.dataPercent, metadataPercent: pool.metadataPercent },
      percent,
    }),
  );
}

/**
 * A 'capacity' listener that logs each change of a fill guard's state (warn when it
 * engages, info when it releases), so the log says when and why creates started failing.
 */
export function fillGuardTransitions(log: Logger): (deviceClasses: readonly DeviceClassView[]) => void {
  const engaged = new Map<string, boolean>();
  return (deviceClasses) => {
    for (const dc of deviceClasses) {
      const guard = dc.thinPool?.fillGuard;
      if (!dc.thinPool || !guard || engaged.get(dc.name) === guard.engaged) continue;
      const was = engaged.get(dc.name);
      engaged.set(dc.name, guard.engaged);
      if (was === undefined && !guard.engaged) continue;
      const fields = {
        deviceClass: dc.name,
        thinPool: `${dc.volumeGroup}/${dc.thinPool.name}`,
        dataPercent: dc.thinPool.dataPercent,
        metadataPercent: dc.thinPool.metadataPercent,
        fillGuardPercent: guard.percent,
      };
      if (guard.engaged) log.warn({ ...fields, reason: guard.reason }, 'thin pool fill guard engaged: new thin volumes, snapshots, restores and clones are refused');
      else log.info(fields, 'thin pool fill guard released: new thin volumes are accepted again');
    }
  };
}
