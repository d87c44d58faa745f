/** lvs: the LV report, JSON only (lvm2 tools/reporter.c). */
import { LVM_EXIT } from '@copse/lvm-model';
import { selectLvs } from '../lookup';
import { Exit } from '../output';
import { lvFieldIds, lvFields } from '../report/lv-fields';
import { printReport, reportSetup, sortKeys, sortRows, type Row } from '../report/query';
import type { SimLv } from '../state';
import { REPORT_OPTIONS, type SimCommand } from './command';

const LVS_DEFAULT = 'lv_name,vg_name,lv_attr,lv_size,pool_lv,origin,data_percent,metadata_percent,move_pv,mirror_log,copy_percent,convert_lv';

export const lvs: SimCommand = {
  options: [...REPORT_OPTIONS, { long: 'all', short: 'a' }, { long: 'noheadings' }, { long: 'readonly' }, { long: 'separator', arg: true }],
  run({ state, out }, a) {
    const known = lvFieldIds();
    const { names, ctx } = reportSetup(a, LVS_DEFAULT, 'lv_', known, out);
    const rows: Row<SimLv>[] = [];
    const selected =
      a.positional.length === 0
        ? { found: state.vgs.flatMap((vg) => vg.lvs.map((lv) => ({ vg, lv }))), failed: false }
        : selectLvs(state, a.positional, out);
    for (const { vg, lv } of selected.found) rows.push({ values: lvFields(vg, lv, ctx), item: lv });
    sortRows(rows, sortKeys(a, 'vg_name,lv_name', 'lv_', known));
    printReport('lv', rows, names, out);
    if (selected.failed) throw new Exit(LVM_EXIT.FAILED);
  },
};
