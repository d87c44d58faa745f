/** pvcreate: makes devices physical volumes (lvm2 tools/pvcreate.c). */
import { LVM_EXIT } from '@copse/lvm-model';
import { checkYesNo } from '../options';
import { Exit, noMatchingSyntax } from '../output';
import { COMMON, type SimCommand } from './command';

export const pvcreate: SimCommand = {
  options: [...COMMON, { long: 'force', short: 'f', repeat: true }, { long: 'zero', short: 'Z', arg: true, check: checkYesNo }],
  run({ state, out, uuid }, a) {
    if (a.positional.length === 0) noMatchingSyntax('pvcreate', out);
    let failed = false;
    for (const dev of a.positional) {
      if (state.devices[dev] === undefined) {
        out.error(`No device found for ${dev}.`);
        failed = true;
        continue;
      }
      const pv = state.pvs[dev];
      if (pv?.vg) {
        out.error(`Can't initialize physical volume "${dev}" of volume group "${pv.vg}" without -ff`);
        failed = true;
        continue;
      }
      state.pvs[dev] = { uuid: uuid() };
      out.print(`Physical volume "${dev}" successfully created.`);
    }
    if (failed) throw new Exit(LVM_EXIT.FAILED);
  },
};
