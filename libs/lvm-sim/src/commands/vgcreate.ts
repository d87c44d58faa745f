/** vgcreate: makes a volume group of devices, initialising those that are not PVs yet (lvm2 tools/vgcreate.c). */
import { basicNameViolation } from '@copse/lvm-model';
import { findVg } from '../lookup';
import { nameViolationLines } from '../names';
import { checkTag, checkYesNo, opt, tagValue } from '../options';
import { fail, noMatchingSyntax, usageError } from '../output';
import { KiB, MiB, parseSizeArg, SECTOR } from '../units';
import { COMMON, sizeCheck, type SimCommand } from './command';

/** Where lvm2 2.03.16 starts the first physical extent by default. */
const PE_START = MiB;
const DEFAULT_EXTENT_SIZE = 4 * MiB;

export const vgcreate: SimCommand = {
  options: [
    ...COMMON,
    { long: 'physicalextentsize', short: 's', arg: true, check: sizeCheck(2048) },
    { long: 'addtag', arg: true, repeat: true, check: checkTag },
    { long: 'force', short: 'f', repeat: true },
    { long: 'zero', short: 'Z', arg: true, check: checkYesNo },
  ],
  run({ state, out, uuid }, a) {
    const [name, ...devs] = a.positional;
    if (name === undefined || devs.length === 0) noMatchingSyntax('vgcreate', out);
    const v = basicNameViolation(name);
    if (v) {
      for (const l of nameViolationLines(v)) out.error(l);
      out.error(`New volume group name "${name}" is invalid.`);
      usageError('vgcreate', out);
    }
    let extentSize = DEFAULT_EXTENT_SIZE;
    const s = opt(a, 'physicalextentsize');
    if (s !== undefined) {
      const r = parseSizeArg(s, 2048);
      if (r.ok) extentSize = r.sectors * SECTOR;
      if (!r.ok || r.sign === '-' || extentSize < KiB || (extentSize & (extentSize - 1)) !== 0) {
        out.error('Physical extent size must be a power of 2.');
        usageError('vgcreate', out);
      }
    }
    if (findVg(state, name)) fail(out, `A volume group called ${name} already exists.`);
    for (const dev of devs) {
      if (state.devices[dev] === undefined) fail(out, `No device found for ${dev}.`);
      const pv = state.pvs[dev];
      if (pv?.vg) {
        fail(
          out,
          `Physical volume '${dev}' is already in volume group '${pv.vg}'`,
          `Unable to add physical volume '${dev}' to volume group '${pv.vg}'`,
        );
      }
    }
    for (const dev of devs) {
      if (!state.pvs[dev]) {
        state.pvs[dev] = { uuid: uuid() };
        out.print(`Physical volume "${dev}" successfully created.`);
      }
    }
    const peCount: Record<string, number> = {};
    for (const dev of devs) {
      peCount[dev] = Math.max(0, Math.floor(((state.devices[dev] ?? 0) - PE_START) / extentSize));
      state.pvs[dev]!.vg = name;
    }
    state.vgs.push({
      name,
      uuid: uuid(),
      extentSize,
      pvs: [...new Set(devs)],
      peCount,
      seqno: 1,
      tags: (a.options.get('addtag') ?? []).map(tagValue),
      lvs: [],
      nextThinId: 1,
    });
    state.vgs.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
    out.print(`Volume group "${name}" successfully created`);
  },
};
