/** vgs: the VG report, JSON only (lvm2 tools/reporter.c). */
import { LVM_EXIT } from '@copse/lvm-model';
import { findVg, skipDevDir, vgNotFound } from '../lookup';
import { Exit } from '../output';
import { printReport, reportSetup, sortKeys, sortRows, type Row } from '../report/query';
import { vgFieldIds, vgFields } from '../report/vg-fields';
import type { SimVg } from '../state';
import { REPORT_OPTIONS, type SimCommand } from './command';

const VGS_DEFAULT = 'vg_name,pv_count,lv_count,snap_count,vg_attr,vg_size,vg_free';

export const vgs: SimCommand = {
  options: [...REPORT_OPTIONS, { long: 'noheadings' }, { long: 'readonly' }, { long: 'separator', arg: true }],
  run({ state, out }, a) {
    const known = vgFieldIds();
    const { names, ctx } = reportSetup(a, VGS_DEFAULT, 'vg_', known, out);
    const rows: Row<SimVg>[] = [];
    let failed = false;
    if (a.positional.length === 0) {
      for (const vg of state.vgs) rows.push({ values: vgFields(vg, ctx), item: vg });
    } else {
      for (const arg of a.positional) {
        const vg = findVg(state, skipDevDir(arg));
        if (!vg) {
          vgNotFound(arg, out);
          failed = true;
          continue;
        }
        if (!rows.some((r) => r.item === vg)) rows.push({ values: vgFields(vg, ctx), item: vg });
      }
    }
    sortRows(rows, sortKeys(a, 'vg_name', 'vg_', known));
    printReport('vg', rows, names, out);
    if (failed) throw new Exit(LVM_EXIT.FAILED);
  },
};
