/** The lvs report fields (lvm2 lib/report/columns.h, LVS and SEGS), computed from a SimLv; every vgs field too. */
import { DM_MAJOR } from '../activation';
import { dmEscape } from '../names';
import type { SimLv, SimVg } from '../state';
import { metadataPercent, thinsOf } from '../thin-pool';
import { formatPercent, reportSize } from '../units';
import type { FieldValues, ReportContext } from './query';
import { emptyVg, vgFields } from './vg-fields';

export function lvFields(vg: SimVg, lv: SimLv, ctx: ReportContext): FieldValues {
  const size = (b: number): string => reportSize(b, ctx.units, ctx.nosuffix);
  const pool = lv.type === 'thin' ? vg.lvs.find((p) => p.name === lv.poolLv) : undefined;
  const origin = lv.origin !== undefined ? vg.lvs.find((o) => o.name === lv.origin) : undefined;
  const bytes = lv.extents * vg.extentSize;
  // 'D' (out of data space) is dm-thin's mode, not a full pool: a pool with every block used stays writable until a write needs one more
  const full = lv.type === 'thin-pool' && lv.active && lv.pool!.dm?.mode === 'out_of_data_space';
  const dataPercent = (): string => {
    if (!lv.active) return '';
    if (lv.type === 'thin') return formatPercent(lv.mappedBytes ?? 0, bytes);
    if (lv.type === 'thin-pool') return formatPercent(lv.pool!.usedBytes, bytes);
    return '';
  };
  const attr = (): string => {
    const type = lv.type === 'thin' ? 'V' : lv.type === 'thin-pool' ? 't' : '-';
    const perm = lv.writable ? 'w' : 'r';
    const held = lv.active && (lv.holder !== undefined || (lv.type === 'thin-pool' && thinsOf(vg, lv).some((t) => t.active)));
    const open = held ? 'o' : '-';
    const target = lv.type === 'linear' ? '-' : 't';
    const zero = lv.type === 'linear' ? '-' : 'z';
    const health = full ? 'D' : '-';
    return `${type}${perm}i-${lv.active ? 'a' : '-'}${open}${target}${zero}${health}${lv.activationSkip ? 'k' : '-'}`;
  };
  return {
    lv_uuid: () => lv.uuid,
    lv_name: () => lv.name,
    lv_full_name: () => `${vg.name}/${lv.name}`,
    lv_path: () => (lv.type === 'thin-pool' ? '' : `/dev/${vg.name}/${lv.name}`),
    lv_dm_path: () => `/dev/mapper/${dmEscape(vg.name)}-${dmEscape(lv.name)}`,
    lv_parent: () => '',
    lv_layout: () =>
      lv.type === 'thin' ? 'thin,sparse' : lv.type === 'thin-pool' ? 'thin,pool' : lv.stripes ? 'striped' : 'linear',
    lv_role: () =>
      lv.type === 'thin-pool' ? 'private' : lv.origin !== undefined ? 'public,snapshot,thinsnapshot' : 'public',
    lv_active: () => (lv.active ? 'active' : ''),
    lv_skip_activation: () => (lv.activationSkip ? 'skip activation' : ''),
    lv_permissions: () => (lv.active ? (lv.writable ? 'writeable' : 'read-only') : 'unknown'),
    lv_major: () => '-1',
    lv_minor: () => '-1',
    lv_kernel_major: () => (lv.active ? String(DM_MAJOR) : '-1'),
    lv_kernel_minor: () => (lv.active && lv.minors.length > 0 ? String(lv.minors[0]) : '-1'),
    lv_read_ahead: () => 'auto',
    lv_size: () => size(bytes),
    lv_metadata_size: () => (lv.type === 'thin-pool' ? size(lv.pool!.metaExtents * vg.extentSize) : ''),
    seg_count: () => '1',
    origin: () => (origin ? origin.name : ''),
    origin_uuid: () => (origin ? origin.uuid : ''),
    origin_size: () => '',
    pool_lv: () => (pool ? pool.name : ''),
    pool_lv_uuid: () => (pool ? pool.uuid : ''),
    data_lv: () => (lv.type === 'thin-pool' ? `[${lv.name}_tdata]` : ''),
    data_lv_uuid: () => (lv.type === 'thin-pool' ? lv.pool!.dataUuid : ''),
    metadata_lv: () => (lv.type === 'thin-pool' ? `[${lv.name}_tmeta]` : ''),
    metadata_lv_uuid: () => (lv.type === 'thin-pool' ? lv.pool!.metaUuid : ''),
    // lvm2 reports a string list sorted (dm_report_field_string_list), whatever order the tags were added in
    lv_tags: () => [...lv.tags].sort().join(','),
    lv_time: () => lv.time,
    lv_host: () => '(none)',
    lv_attr: attr,
    lv_health_status: () => (full ? 'out_of_data' : ''),
    lv_when_full: () => (lv.type === 'thin-pool' ? 'queue' : ''),
    data_percent: dataPercent,
    snap_percent: dataPercent,
    metadata_percent: () => (lv.type !== 'thin-pool' || !lv.active ? '' : metadataPercent(vg, lv)),
    copy_percent: () => '',
    move_pv: () => '',
    mirror_log: () => '',
    convert_lv: () => '',
    segtype: () => (lv.type === 'thin' ? 'thin' : lv.type === 'thin-pool' ? 'thin-pool' : lv.stripes ? 'striped' : 'linear'),
    stripes: () => String(lv.type === 'thin' ? 0 : (lv.stripes ?? 1)),
    stripe_size: () => size(lv.stripeSize ?? 0),
    chunk_size: () => size(lv.type === 'thin-pool' ? lv.pool!.chunkSize : 0),
    thin_count: () => (lv.type === 'thin-pool' ? String(thinsOf(vg, lv).length) : ''),
    thin_id: () => (lv.type === 'thin' ? String(lv.thinId ?? '') : ''),
    transaction_id: () => (lv.type === 'thin-pool' ? String(lv.pool!.transactionId) : ''),
    ...vgFields(vg, ctx),
  };
}

/** The lvs field ids, to resolve -o and -O against (nothing is computed). */
export function lvFieldIds(): FieldValues {
  const lv: SimLv = { name: '', uuid: '', type: 'linear', extents: 0, tags: [], writable: true, activationSkip: false, active: false, minors: [], time: '' };
  return lvFields(emptyVg(), lv, { units: 'b', nosuffix: true });
}
