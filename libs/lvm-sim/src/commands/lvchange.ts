/** lvchange: LV properties (permission, tags, activation skip), then activation (lvm2 tools/lvchange.c). */
import { LVM_EXIT } from '@copse/lvm-model';
import { activate, deactivate } from '../activation';
import { refuseInUse } from '../in-use';
import { selectLvs } from '../lookup';
import { display, dmEscape } from '../names';
import { checkActivate, checkPermission, checkTag, checkYesNo, has, isActivating, isYes, opt, tagValue, type ParsedArgs } from '../options';
import { Exit, noMatchingSyntax, type Output } from '../output';
import type { SimLv, SimVg } from '../state';
import { thinsOf } from '../thin-pool';
import { COMMON, type SimCommand } from './command';

export const lvchange: SimCommand = {
  options: [
    ...COMMON,
    { long: 'activate', short: 'a', arg: true, check: checkActivate },
    { long: 'permission', short: 'p', arg: true, check: checkPermission },
    { long: 'setactivationskip', short: 'k', arg: true, check: checkYesNo },
    { long: 'ignoreactivationskip', short: 'K' },
    { long: 'addtag', arg: true, repeat: true, check: checkTag },
    { long: 'deltag', arg: true, repeat: true, check: checkTag },
    { long: 'force', short: 'f' },
  ],
  run({ state, out }, a) {
    const properties = ['permission', 'setactivationskip', 'addtag', 'deltag'].some((o) => has(a, o));
    if (properties && has(a, 'ignoreactivationskip')) {
      out.error('Command does not accept option: --ignoreactivationskip.');
      throw new Exit(LVM_EXIT.INVALID_PARAMETERS);
    }
    if (!properties && !has(a, 'activate')) noMatchingSyntax('lvchange', out);
    if (a.positional.length === 0) noMatchingSyntax('lvchange', out);
    const { found, failed } = selectLvs(state, a.positional, out);
    let ok = !failed;
    if (properties) {
      for (const { vg, lv } of found) if (!changeProperties(vg, lv, a, out)) ok = false;
      if (!ok) throw new Exit(LVM_EXIT.FAILED);
      if (has(a, 'activate')) out.error('WARNING: Combining activation change with other commands is not advised.');
    }
    if (has(a, 'activate')) {
      const activating = isActivating(opt(a, 'activate')!);
      const ignoreSkip = has(a, 'ignoreactivationskip');
      for (const { vg, lv } of found) {
        if (activating) {
          if (lv.activationSkip && !ignoreSkip) continue; // lvm2 skips it silently (verbose message only)
          activate(state, vg, lv);
        } else if (refuseInUse(vg, lv, out)) {
          ok = false;
        } else if (lv.type === 'thin-pool' && thinsOf(vg, lv).some((t) => t.active)) {
          out.error(`Failed to deactivate ${dmEscape(vg.name)}-${dmEscape(lv.name)}-tpool.`);
          ok = false;
        } else {
          deactivate(lv);
        }
      }
    }
    if (!ok) throw new Exit(LVM_EXIT.FAILED);
  },
};

/** Applies -p, --addtag, --deltag and -k to one LV; false when one of them could not be done. */
function changeProperties(vg: SimVg, lv: SimLv, a: ParsedArgs, out: Output): boolean {
  let docmds = 0;
  let doit = 0;
  const perm = opt(a, 'permission');
  if (perm !== undefined && lv.type === 'thin-pool') {
    // lvm2 checks the LV type against the command's options before changing anything on it.
    out.error(`Command on LV ${display(vg, lv)} uses options invalid with LV type thinpool.`);
    out.error(`Command not permitted on LV ${display(vg, lv)}.`);
    return false;
  }
  if (perm !== undefined) {
    docmds++;
    const wantWrite = perm !== 'r';
    if (!wantWrite && !lv.writable) {
      out.error(`Logical volume "${display(vg, lv)}" is already read only.`);
    } else if (wantWrite && lv.writable) {
      out.error(`Logical volume ${display(vg, lv)} is already writable.`);
    } else {
      lv.writable = wantWrite;
      doit++;
    }
  }
  for (const t of a.options.get('addtag') ?? []) {
    docmds++;
    const tag = tagValue(t);
    if (!lv.tags.includes(tag)) lv.tags.push(tag);
    doit++;
  }
  for (const t of a.options.get('deltag') ?? []) {
    docmds++;
    const tag = tagValue(t);
    lv.tags = lv.tags.filter((x) => x !== tag);
    doit++;
  }
  const k = opt(a, 'setactivationskip');
  if (k !== undefined) {
    docmds++;
    lv.activationSkip = isYes(k);
    doit++;
  }
  if (doit > 0) {
    out.print(`Logical volume ${display(vg, lv)} changed.`);
    vg.seqno++;
  }
  return docmds === doit;
}
