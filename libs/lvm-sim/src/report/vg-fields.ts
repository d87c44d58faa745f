/** The vgs report fields (lvm2 lib/report/columns.h, VGS), computed from a SimVg. */
import { extentCount, freeExtents } from '../allocation';
import type { SimVg } from '../state';
import { reportSize } from '../units';
import type { FieldValues, ReportContext } from './query';

export function vgFields(vg: SimVg, ctx: ReportContext): FieldValues {
  const size = (b: number): string => reportSize(b, ctx.units, ctx.nosuffix);
  const count = extentCount(vg);
  const free = freeExtents(vg);
  const visible = vg.lvs.length;
  return {
    vg_fmt: () => 'lvm2',
    vg_uuid: () => vg.uuid,
    vg_name: () => vg.name,
    vg_attr: () => 'wz--n-',
    vg_size: () => size(count * vg.extentSize),
    vg_free: () => size(free * vg.extentSize),
    vg_extent_size: () => size(vg.extentSize),
    vg_extent_count: () => String(count),
    vg_free_count: () => String(free),
    max_lv: () => '0',
    max_pv: () => '0',
    pv_count: () => String(vg.pvs.length),
    lv_count: () => String(visible),
    snap_count: () => '0',
    vg_seqno: () => String(vg.seqno),
    vg_tags: () => [...vg.tags].sort().join(','),
    vg_permissions: () => 'writeable',
  };
}

/** An empty VG, for listing the field ids a report knows. */
export function emptyVg(): SimVg {
  return { name: '', uuid: '', extentSize: 1, pvs: [], peCount: {}, seqno: 0, tags: [], lvs: [], nextThinId: 0 };
}

/** The vgs field ids, to resolve -o and -O against (nothing is computed). */
export function vgFieldIds(): FieldValues {
  return vgFields(emptyVg(), { units: 'b', nosuffix: true });
}
