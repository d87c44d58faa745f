import type { LvmdConfig } from '@copse/lvm-model';
import type { VgCache } from './vg-cache';

export interface ReadinessCheck {
  name: string;
  ok: boolean;
  detail?: string;
}

/**
 * Readiness as of the last read of the volume groups (no lvm call): lvm answered, and
 * every configured volume group and thin pool exists. Classes sharing a VG check it once.
 */
export function readinessChecks(config: LvmdConfig, cache: VgCache): ReadinessCheck[] {
  const checks: ReadinessCheck[] = [{ name: 'lvm', ok: cache.lastRefreshError === undefined, detail: cache.lastRefreshError }];
  for (const dc of config.deviceClasses) {
    const state = cache.get(dc.volumeGroup);
    checks.push({
      name: `volume-group ${dc.volumeGroup}`,
      ok: state !== undefined,
      detail: state ? undefined : `volume group ${dc.volumeGroup} of device class ${dc.name} not found`,
    });
    if (dc.type === 'thin' && dc.thinPool && state) {
      const pool = state.lvs.find((lv) => lv.name === dc.thinPool?.name && lv.attr.isThinPool);
      checks.push({
        name: `thin-pool ${dc.volumeGroup}/${dc.thinPool.name}`,
        ok: pool !== undefined,
        detail: pool ? undefined : `thin pool ${dc.volumeGroup}/${dc.thinPool.name} of device class ${dc.name} not found`,
      });
    }
  }
  const unique = [...new Map(checks.map((c) => [c.name, c])).values()];
  return unique.map((c) => (c.detail === undefined ? { name: c.name, ok: c.ok } : c));
}
