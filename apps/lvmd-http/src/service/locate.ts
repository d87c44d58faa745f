/**
 * How an operation finds its device class and its volume: one rule for every route.
 *
 * - A create makes the volume in body.deviceClass, else the deviceClass query
 *   parameter, else the default class; naming two different classes is refused.
 * - Every other operation names an existing volume. Without a class, lvmd-http finds it
 *   in whichever class holds it; with one, the volume must be in that class. A volume
 *   found elsewhere, in two classes at once, or in a configured volume group but in no
 *   class, is refused with 400 naming the field, so a delete never answers 204 while the
 *   volume lives.
 * ("" and "00default" name the default class, as in TopoLVM.)
 */
import { findDeviceClass, type DeviceClass, type LvRecord, type LvmdConfig } from '@copse/lvm-model';
import { ApiError } from '../errors';
import type { ServiceContext } from './context';
import { belongsTo } from './views';

/** A device class as a request gives it: its value (undefined when absent) and the field it came in. */
export interface ClassParam {
  readonly value: string | undefined;
  readonly field: string;
}

export interface Located {
  readonly dc: DeviceClass;
  readonly lv: LvRecord;
}

/** The class a request names; 404 naming the field when it is not configured. */
export function namedClass(config: LvmdConfig, p: ClassParam): DeviceClass {
  const dc = findDeviceClass(config, p.value);
  if (!dc) {
    throw new ApiError(
      'not-found',
      p.value ? `device class "${p.value}" is not configured` : 'no device class given and none is the default',
      p.field,
    );
  }
  return dc;
}

/** The class a create makes its volume in. */
export function createClass(config: LvmdConfig, query: ClassParam, body: ClassParam): DeviceClass {
  const fromBody = body.value !== undefined ? namedClass(config, body) : undefined;
  const fromQuery = query.value !== undefined ? namedClass(config, query) : undefined;
  if (fromBody && fromQuery && fromBody !== fromQuery) {
    throw new ApiError(
      'invalid-field',
      `${query.field} names device class ${fromQuery.name} but ${body.field} names ${fromBody.name}`,
      query.field,
    );
  }
  return fromBody ?? fromQuery ?? namedClass(config, { value: undefined, field: body.field });
}

/** Every class holding an LV of that name (at most one per volume group). */
function holders(ctx: ServiceContext, name: string): Located[] {
  return ctx.config.deviceClasses.flatMap((dc) => {
    const lv = ctx.cache.get(dc.volumeGroup)?.lvs.find((l) => l.name === name);
    return lv && belongsTo(lv, dc) ? [{ dc, lv }] : [];
  });
}

/** An LV of that name in a configured volume group that belongs to no class (a thin pool, another pool's LV, ...). */
function unmanaged(ctx: ServiceContext, name: string): LvRecord | undefined {
  const vgs = new Set(ctx.config.deviceClasses.map((dc) => dc.volumeGroup));
  for (const vg of vgs) {
    const lv = ctx.cache.get(vg)?.lvs.find((l) => l.name === name);
    if (lv && !ctx.config.deviceClasses.some((dc) => belongsTo(lv, dc))) return lv;
  }
  return undefined;
}

function refuseUnmanaged(ctx: ServiceContext, name: string): void {
  const lv = unmanaged(ctx, name);
  if (lv) {
    throw new ApiError(
      'invalid-field',
      `${lv.vgName}/${name} exists but belongs to no configured device class; lvmd-http does not manage it`,
      'params.name',
    );
  }
}

/** Where the volume `name` is; undefined when no class holds it. */
export function locate(ctx: ServiceContext, name: string, given: ClassParam): Located | undefined {
  const found = holders(ctx, name);
  if (given.value !== undefined) {
    const dc = namedClass(ctx.config, given);
    const mine = found.find((f) => f.dc === dc);
    if (mine) return mine;
    if (!ctx.cache.get(dc.volumeGroup)) {
      throw new ApiError('unavailable', `volume group ${dc.volumeGroup} could not be read: ${ctx.cache.lastRefreshError ?? 'not found'}`);
    }
    const other = found[0];
    if (other) {
      throw new ApiError('invalid-field', `logical volume "${name}" is in device class ${other.dc.name}, not ${dc.name}`, given.field);
    }
    refuseUnmanaged(ctx, name);
    return undefined;
  }
  if (found.length > 1) {
    throw new ApiError(
      'invalid-field',
      `logical volume "${name}" exists in device classes ${found.map((f) => f.dc.name).join(' and ')}; name one with ${given.field}`,
      given.field,
    );
  }
  if (found[0]) return found[0];
  refuseUnmanaged(ctx, name);
  const unread = [...new Set(ctx.config.deviceClasses.map((dc) => dc.volumeGroup))].filter((vg) => !ctx.cache.get(vg));
  if (unread.length > 0) {
    throw new ApiError(
      'unavailable',
      `volume group ${unread.join(', ')} could not be read, so "${name}" may be there: ${ctx.cache.lastRefreshError ?? 'not found'}`,
    );
  }
  return undefined;
}

/** locate, with 404 naming the volume when no class holds it. */
export function requireLocated(ctx: ServiceContext, name: string, given: ClassParam, field = 'params.name'): Located {
  const found = locate(ctx, name, given);
  if (!found) throw new ApiError('not-found', `logical volume "${name}" not found${given.value !== undefined ? ` in device class ${namedClass(ctx.config, given).name}` : ''}`, field);
  return found;
}

/** A create of `name` in `dc` when another volume group's class already holds that name: 409. */
export function refuseNameElsewhere(ctx: ServiceContext, name: string, dc: DeviceClass): void {
  const other = holders(ctx, name).find((f) => f.dc.volumeGroup !== dc.volumeGroup);
  if (other) {
    throw new ApiError('conflict', `logical volume "${name}" already exists in device class ${other.dc.name} (volume group ${other.dc.volumeGroup})`);
  }
}
