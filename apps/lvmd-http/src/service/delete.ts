import type { LvRecord } from '@copse/lvm-model';
import { checkName } from './checks';
import type { ServiceContext } from './context';
import { converge, type Step } from './converge';
import { locate } from './locate';
import { belongsTo } from './views';

/**
 * Deletes a volume, found by locate's rule; missing counts as done. An lvremove that
 * finds nothing because the cache was stale (an lvremove of a killed lvmd-http finished
 * it) converges to done as well. An open device is refused by lvm: 409 in-use.
 */
export async function deleteVolume(
  ctx: ServiceContext,
  name: string,
  queryClass: string | undefined,
  signal?: AbortSignal,
): Promise<{ deleted: boolean }> {
  checkName(name, 'params.name');
  const found = locate(ctx, name, { value: queryClass, field: 'query.deviceClass' });
  if (!found) return { deleted: false };
  const { dc } = found;
  return ctx.lock.run(dc.volumeGroup, async () => {
    const plan = (lv: LvRecord | undefined): Step[] =>
      lv && belongsTo(lv, dc) ? [{ what: 'lvremove', run: (s) => ctx.lvm.remove({ vg: dc.volumeGroup, name }, s) }] : [];
    const deleted = await converge(ctx, { dc, name, plan, removes: true, signal });
    if (deleted) ctx.log.info({ lv: name, deviceClass: dc.name }, 'logical volume removed');
    return { deleted };
  });
}
