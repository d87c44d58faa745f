import type { DeviceClass, LvRecord, LvmdConfig } from '@copse/lvm-model';
import type { Lvm, VgState } from '@copse/lvm-exec';
import type { LogicalVolume } from '@copse/lvmd-api';
import { ApiError } from '../errors';
import type { Logger } from './logger';
import type { VgCache } from './vg-cache';
import type { KeyedMutex } from './vg-lock';
import { belongsTo, deviceClassView, volumeView } from './views';

/** What every operation works with; LvmService makes one and hands it to each. */
export interface ServiceContext {
  readonly config: LvmdConfig;
  readonly lvm: Lvm;
  readonly log: Logger;
  readonly cache: VgCache;
  /** per volume group: mutations on one VG never overlap */
  readonly lock: KeyedMutex;
}

/** The cached state of a class's VG; 503 when it could not be read. */
export function vgState(ctx: ServiceContext, dc: DeviceClass): VgState {
  const state = ctx.cache.get(dc.volumeGroup);
  if (!state) {
    throw new ApiError('unavailable', `volume group ${dc.volumeGroup} could not be read: ${ctx.cache.lastRefreshError ?? 'not found'}`);
  }
  return state;
}

/** The LV of that name in the class's VG, whatever class it belongs to. */
export function lvNamed(ctx: ServiceContext, dc: DeviceClass, name: string): LvRecord | undefined {
  return vgState(ctx, dc).lvs.find((lv) => lv.name === name);
}

/** The LV of that name in the class. */
export function lvIn(ctx: ServiceContext, dc: DeviceClass, name: string): LvRecord | undefined {
  const lv = lvNamed(ctx, dc, name);
  return lv && belongsTo(lv, dc) ? lv : undefined;
}

export function requireLvIn(ctx: ServiceContext, dc: DeviceClass, name: string, field: string): LvRecord {
  const lv = lvIn(ctx, dc, name);
  if (!lv) throw new ApiError('not-found', `logical volume "${name}" not found in device class ${dc.name}`, field);
  return lv;
}

export function view(ctx: ServiceContext, lv: LvRecord, dc: DeviceClass): LogicalVolume {
  return volumeView(lv, dc, ctx.cache.get(dc.volumeGroup)?.lvs ?? [], ctx.cache.pool(dc));
}

/** What a new volume (or a volume's growth) may still take in the class. */
export function freeBytes(ctx: ServiceContext, dc: DeviceClass): number {
  return deviceClassView(dc, vgState(ctx, dc)).freeBytes;
}
