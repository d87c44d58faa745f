/**
 * Reads the volume groups and thin pools a TopoLVM-style lvmd config expects
 * (device-classes[].volume-group, thin-pool.name), so a test node can be built to
 * match it. Pool and disk sizes are not in the config; the caller picks them.
 */
import { parse } from 'yaml';
import type { TestNodeVolumeGroup } from './testnode';

interface DeviceClass {
  readonly 'volume-group'?: unknown;
  readonly type?: unknown;
  readonly 'thin-pool'?: { readonly name?: unknown };
}

export interface LvmdLayout {
  /** VG name -> thin pool names (empty for thick-only device classes). */
  readonly volumeGroups: ReadonlyMap<string, readonly string[]>;
}

export function lvmdLayout(yamlText: string): LvmdLayout {
  const doc = parse(yamlText) as { 'device-classes'?: unknown } | null;
  const classes = doc?.['device-classes'];
  if (!Array.isArray(classes) || classes.length === 0) throw new Error('lvmd config has no device-classes');
  const vgs = new Map<string, string[]>();
  for (const dc of classes as DeviceClass[]) {
    const vg = dc['volume-group'];
    if (typeof vg !== 'string' || vg.length === 0) throw new Error('a device class has no volume-group');
    const pools = vgs.get(vg) ?? [];
    vgs.set(vg, pools);
    if (dc.type === 'thin') {
      const pool = dc['thin-pool']?.name;
      if (typeof pool !== 'string' || pool.length === 0) throw new Error(`thin device class on ${vg} has no thin-pool.name`);
      if (!pools.includes(pool)) pools.push(pool);
    }
  }
  return { volumeGroups: vgs };
}

/**
 * One data disk per volume group, each thin pool poolSizeBytes. Disks are numbered
 * from firstDisk; returns the volume groups and the disks to create.
 */
export function volumeGroupsFromLvmdConfig(
  yamlText: string,
  sizes: { diskSizeBytes: number; poolSizeBytes: number },
  firstDisk = 0,
): { volumeGroups: TestNodeVolumeGroup[]; disks: { sizeBytes: number }[] } {
  const layout = lvmdLayout(yamlText);
  const volumeGroups: TestNodeVolumeGroup[] = [];
  const disks: { sizeBytes: number }[] = [];
  for (const [name, pools] of layout.volumeGroups) {
    const need = pools.length * sizes.poolSizeBytes;
    if (need >= sizes.diskSizeBytes) {
      throw new Error(`volume group ${name}: ${pools.length} pool(s) of ${sizes.poolSizeBytes} bytes do not fit a ${sizes.diskSizeBytes}-byte disk`);
    }
    volumeGroups.push({ name, disks: [firstDisk + disks.length], thinPools: pools.map((p) => ({ name: p, sizeBytes: sizes.poolSizeBytes })) });
    disks.push({ sizeBytes: sizes.diskSizeBytes });
  }
  return { volumeGroups, disks };
}
