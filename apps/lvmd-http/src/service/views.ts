import { lvHealth, sumBytes, thickFreeBytes, thinFreeBytes, type DeviceClass, type LvRecord } from '@copse/lvm-model';
import type { DeviceClass as DeviceClassView, LogicalVolume } from '@copse/lvmd-api';
import type { VgState } from '@copse/lvm-exec';
import type { ThinPoolObservation } from '../pool/health-source';
import { poolHealthView, poolVolumeHealth } from '../pool/views';
import { callerTags, ownTags } from './own-tags';

/** Does this LV belong to the device class (its VG, and its thin pool or no pool)? */
export function belongsTo(lv: LvRecord, dc: DeviceClass): boolean {
  if (lv.vgName !== dc.volumeGroup) return false;
  if (lv.attr.isThinPool || lv.name.startsWith('[')) return false;
  if (dc.type === 'thin') return lv.attr.isThinVolume && lv.poolLv === dc.thinPool?.name;
  return !lv.attr.isThinVolume && lv.poolLv === '';
}

/**
 * The API's view of an LV; a thin LV's health includes its pool's: as the pool monitor
 * last read it when given, else as lvs last showed the pool's attr. Tags are the caller's;
 * lvmd-http's own say the state and the option class.
 */
export function volumeView(lv: LvRecord, dc: DeviceClass, vgLvs: readonly LvRecord[], pool?: ThinPoolObservation): LogicalVolume {
  const poolLv = lv.poolLv ? vgLvs.find((p) => p.name === lv.poolLv && p.attr.isThinPool) : undefined;
  const health = pool ? poolVolumeHealth(lvHealth(lv.attr), lv.poolLv, pool) : lvHealth(lv.attr, poolLv?.attr);
  const own = ownTags(lv.tags);
  return {
    name: lv.name,
    uuid: lv.uuid,
    deviceClass: dc.name,
    volumeGroup: lv.vgName,
    type: lv.attr.isThinVolume ? 'thin' : 'thick',
    ...(lv.poolLv ? { thinPool: lv.poolLv } : {}),
    sizeBytes: lv.sizeBytes,
    tags: callerTags(lv.tags),
    ...(own.optionClass ? { lvcreateOptionClass: own.optionClass } : {}),
    state: own.creating ? 'incomplete' : 'ready',
    origin: lv.origin,
    active: lv.attr.active,
    accessType: lv.attr.permission === 'writeable' ? 'rw' : 'ro',
    activationSkip: lv.attr.activationSkip,
    devicePath: `/dev/${lv.vgName}/${lv.name}`,
    ...(lv.kernelMajor >= 0 ? { major: lv.kernelMajor, minor: lv.kernelMinor } : {}),
    ...(lv.dataPercent !== undefined ? { dataPercent: lv.dataPercent } : {}),
    health: health.reason ? { healthy: health.healthy, reason: health.reason } : { healthy: health.healthy },
  };
}

/**
 * A device class with its capacity, from the VG's state; spareBytes only where it applies
 * (thick); its pool's health as the pool monitor last read it, else as lvs showed it.
 */
export function deviceClassView(dc: DeviceClass, state: VgState, observation?: ThinPoolObservation): DeviceClassView {
  const base = {
    name: dc.name,
    volumeGroup: dc.volumeGroup,
    type: dc.type,
    default: dc.default,
    vgSizeBytes: state.vg.sizeBytes,
    vgFreeBytes: state.vg.freeBytes,
    extentSizeBytes: state.vg.extentSizeBytes,
  };
  if (dc.type === 'thick' || !dc.thinPool) {
    return { ...base, spareBytes: dc.spareBytes, freeBytes: thickFreeBytes({ vgFreeBytes: state.vg.freeBytes, spareBytes: dc.spareBytes }) };
  }
  const poolName = dc.thinPool.name;
  const pool = state.lvs.find((lv) => lv.name === poolName && lv.attr.isThinPool);
  const poolSizeBytes = pool?.sizeBytes ?? 0;
  const virtualSizeBytes = sumBytes(state.lvs.filter((lv) => lv.attr.isThinVolume && lv.poolLv === poolName).map((lv) => lv.sizeBytes));
  const overprovisionedFreeBytes = thinFreeBytes({
    poolSizeBytes,
    overprovisionRatio: dc.thinPool.overprovisionRatio,
    virtualSizeSumBytes: virtualSizeBytes,
  });
  const health = poolHealthView(observation, pool);
  return {
    ...base,
    freeBytes: overprovisionedFreeBytes,
    thinPool: {
      name: poolName,
      sizeBytes: poolSizeBytes,
      dataPercent: health.dataPercent ?? pool?.dataPercent ?? 0,
      metadataPercent: health.metadataPercent ?? pool?.metadataPercent ?? 0,
      overprovisionRatio: dc.thinPool.overprovisionRatio,
      virtualSizeBytes,
      overprovisionedFreeBytes,
      health: health.view,
    },
  };
}
