/** Changing an existing volume: growing it, and its activation and access. Both converge (converge.ts). */
import { roundUpExact, type LvRecord } from '@copse/lvm-model';
import type { AccessType, LogicalVolume } from '@copse/lvmd-api';
import { ApiError } from '../errors';
import { checkName, refuseIncomplete } from './checks';
import { freeBytes, requireLvIn, vgState, view, type ServiceContext } from './context';
import { converge, type Step } from './converge';
import { requireLocated } from './locate';
import { belongsTo } from './views';

export async function resize(
  ctx: ServiceContext,
  name: string,
  queryClass: string | undefined,
  sizeBytes: number,
  signal?: AbortSignal,
): Promise<LogicalVolume> {
  checkName(name, 'params.name');
  const { dc } = requireLocated(ctx, name, { value: queryClass, field: 'query.deviceClass' });
  const vg = dc.volumeGroup;
  return ctx.lock.run(vg, async () => {
    const lv = requireLvIn(ctx, dc, name, 'params.name');
    refuseIncomplete(lv, 'params.name');
    const wanted = roundUpExact(sizeBytes, vgState(ctx, dc).vg.extentSizeBytes);
    if (wanted < BigInt(lv.sizeBytes)) {
      throw new ApiError('out-of-range', `volumes only grow: ${name} is ${lv.sizeBytes} bytes, ${sizeBytes} requested`, 'body.sizeBytes');
    }
    const plan = (current: LvRecord | undefined): Step[] => {
      const cur = present(current, dc, name);
      if (BigInt(cur.sizeBytes) >= wanted) return [];
      const growth = wanted - BigInt(cur.sizeBytes);
      const free = freeBytes(ctx, dc);
      if (growth > BigInt(free)) throw new ApiError('no-space', `growing by ${growth} bytes exceeds the ${free} bytes free`, 'body.sizeBytes');
      const to = Number(wanted);
      return [{ what: `lvresize to ${to} bytes`, run: (s) => ctx.lvm.resize({ vg, name, sizeBytes: to }, s) }];
    };
    if (await converge(ctx, { dc, name, plan, signal })) ctx.log.info({ lv: name, from: lv.sizeBytes, to: Number(wanted) }, 'logical volume grown');
    return view(ctx, requireLvIn(ctx, dc, name, 'params.name'), dc);
  });
}

export async function setActivation(
  ctx: ServiceContext,
  name: string,
  queryClass: string | undefined,
  req: { active: boolean; accessType?: AccessType },
  signal?: AbortSignal,
): Promise<LogicalVolume> {
  checkName(name, 'params.name');
  const { dc } = requireLocated(ctx, name, { value: queryClass, field: 'query.deviceClass' });
  const vg = dc.volumeGroup;
  const readOnly = req.accessType === undefined ? undefined : req.accessType === 'ro';
  return ctx.lock.run(vg, async () => {
    refuseIncomplete(requireLvIn(ctx, dc, name, 'params.name'), 'params.name');
    // permission first, then activation: two lvm calls (lvm2 refuses -p with -K), each planned from what lvs shows
    const plan = (current: LvRecord | undefined): Step[] => {
      const cur = present(current, dc, name);
      const steps: Step[] = [];
      if (readOnly !== undefined && (cur.attr.permission === 'writeable') === readOnly) {
        steps.push({ what: `permission ${readOnly ? 'r' : 'rw'}`, run: (s) => ctx.lvm.setPermission({ vg, name, readOnly }, s) });
      }
      if (req.active !== cur.attr.active || (req.active && cur.attr.activationSkip)) {
        steps.push({ what: req.active ? 'activate' : 'deactivate', run: (s) => ctx.lvm.setActive({ vg, name, active: req.active }, s) });
      }
      return steps;
    };
    if (await converge(ctx, { dc, name, plan, signal })) {
      ctx.log.info({ lv: name, active: req.active, accessType: req.accessType }, 'activation changed');
    }
    return view(ctx, requireLvIn(ctx, dc, name, 'params.name'), dc);
  });
}

/** The volume as lvs now shows it; 404 when it went away meanwhile. */
function present(lv: LvRecord | undefined, dc: Parameters<typeof belongsTo>[1], name: string): LvRecord {
  if (!lv || !belongsTo(lv, dc)) throw new ApiError('not-found', `logical volume "${name}" not found in device class ${dc.name}`, 'params.name');
  return lv;
}
