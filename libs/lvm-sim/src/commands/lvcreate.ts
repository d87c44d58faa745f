/**
 * lvcreate: reads the new LV's name, VG, pool and origin from the arguments as lvm2's
 * _lvcreate_name_params does (tools/lvcreate.c), then hands over to the kind of LV asked
 * for: a thin snapshot, a thin LV, a thin pool, or a linear/striped LV.
 */
import { LVM_EXIT } from '@copse/lvm-model';
import { findVg, skipDevDir, splitLvArg, vgNotFound } from '../lookup';
import { checkLvNameParam } from '../names';
import { checkActivate, checkNumber, checkPermission, checkTag, checkYesNo, has, opt, tagValue } from '../options';
import { Exit, noMatchingSyntax, usageError } from '../output';
import { COMMON, extentsCheck, sizeCheck, type SimCommand } from './command';
import { createLinear } from './lvcreate-linear';
import { createPool } from './lvcreate-pool';
import { createThin, createThinSnapshot } from './lvcreate-thin';

export const lvcreate: SimCommand = {
  options: [
    ...COMMON,
    { long: 'name', short: 'n', arg: true },
    { long: 'size', short: 'L', arg: true, check: sizeCheck(2048) },
    { long: 'extents', short: 'l', arg: true, check: extentsCheck },
    { long: 'virtualsize', short: 'V', arg: true, check: sizeCheck(2048) },
    { long: 'thin', short: 'T' },
    { long: 'thinpool', arg: true },
    { long: 'snapshot', short: 's' },
    { long: 'setactivationskip', short: 'k', arg: true, check: checkYesNo },
    { long: 'ignoreactivationskip', short: 'K' },
    { long: 'wipesignatures', short: 'W', arg: true, check: checkYesNo },
    { long: 'zero', short: 'Z', arg: true, check: checkYesNo },
    { long: 'addtag', arg: true, repeat: true, check: checkTag },
    { long: 'stripes', short: 'i', arg: true, check: checkNumber },
    { long: 'stripesize', short: 'I', arg: true, check: sizeCheck(2) },
    { long: 'activate', short: 'a', arg: true, check: checkActivate },
    { long: 'permission', short: 'p', arg: true, check: checkPermission },
    { long: 'type', arg: true },
    { long: 'chunksize', short: 'c', arg: true, check: sizeCheck(2) },
    { long: 'readahead', short: 'r', arg: true },
    { long: 'alloc', arg: true },
    { long: 'contiguous', short: 'C', arg: true, check: checkYesNo },
  ],
  run(ctx, a) {
    const { state, out } = ctx;
    const type = opt(a, 'type');
    const snapshot = has(a, 'snapshot') || type === 'snapshot';
    const thin = has(a, 'thin') || has(a, 'thinpool') || type === 'thin' || type === 'thin-pool';
    const hasSize = has(a, 'size') || has(a, 'extents');
    const hasVirtual = has(a, 'virtualsize');
    if (type !== undefined && !['linear', 'striped', 'thin', 'thin-pool', 'snapshot'].includes(type)) {
      out.error(`Segment type ${type} is not implemented by the simulated lvm2.`);
      throw new Exit(LVM_EXIT.INVALID_PARAMETERS);
    }
    if (!snapshot && !hasSize && !hasVirtual) noMatchingSyntax('lvcreate', out);

    // _lvcreate_name_params: the new LV's name, then pool and origin paths.
    let vgName: string | undefined;
    const useVg = (name: string): void => {
      if (vgName !== undefined && vgName !== name) {
        out.error(`Please use a single volume group name ("${name}" or "${vgName}").`);
        usageError('lvcreate', out);
      }
      vgName = name;
    };
    const splitParam = (value: string, restricted: boolean): string => {
      let name = value;
      if (value.includes('/')) {
        const split = splitLvArg(value, out);
        if (!split) usageError('lvcreate', out);
        useVg(split.vg);
        name = split.lv;
      }
      checkLvNameParam('lvcreate', name, restricted, out);
      return name;
    };
    const nameOpt = opt(a, 'name');
    let lvName = nameOpt !== undefined ? splitParam(nameOpt, true) : undefined;
    let poolName = opt(a, 'thinpool') !== undefined ? splitParam(opt(a, 'thinpool')!, false) : undefined;
    let originName: string | undefined;
    const positional = [...a.positional];
    const first = positional.shift();
    if (snapshot && !hasVirtual) {
      if (first === undefined) {
        out.error('Please specify a logical volume to act as the snapshot origin.');
        usageError('lvcreate', out);
      }
      if (!skipDevDir(first).includes('/') && vgName === undefined) {
        out.error(`Path required for Logical Volume "${first}".`);
        out.error('The origin name should include the volume group.');
        usageError('lvcreate', out);
      }
      originName = splitParam(first, false);
    } else if (first !== undefined) {
      const path = skipDevDir(first);
      if (thin && path.includes('/')) {
        const name = splitParam(first, false);
        if (poolName !== undefined && poolName !== name) {
          out.error(`Ambiguous ${hasVirtual ? 'thin' : 'thin-pool'} name specified, ${name} and ${poolName}.`);
          usageError('lvcreate', out);
        }
        poolName = name;
      } else if (path.includes('/')) {
        out.error(`"${first}": Invalid path for Logical Volume.`);
        usageError('lvcreate', out);
      } else {
        useVg(path);
      }
    }
    if (positional.length > 0) {
      out.error(`Command does not accept argument: ${positional[0]}.`);
      throw new Exit(LVM_EXIT.INVALID_PARAMETERS);
    }
    if (vgName === undefined) {
      out.error('Please provide a volume group name');
      usageError('lvcreate', out);
    }
    const vg = findVg(state, vgName);
    if (!vg) {
      vgNotFound(vgName, out);
      throw new Exit(LVM_EXIT.FAILED);
    }
    const tags = [...new Set((a.options.get('addtag') ?? []).map(tagValue))];

    if (snapshot) {
      if (hasVirtual || hasSize) {
        out.error('Old-style (COW) and sparse snapshots are not implemented by the simulated lvm2.');
        throw new Exit(LVM_EXIT.FAILED);
      }
      createThinSnapshot(ctx, vg, a, lvName, originName!, tags);
      return;
    }
    if (thin && hasVirtual) {
      if (hasSize) {
        out.error('Creating a thin pool and a thin volume in one command is not implemented by the simulated lvm2.');
        throw new Exit(LVM_EXIT.FAILED);
      }
      if (poolName === undefined) {
        out.error('Please specify name of existing pool.');
        throw new Exit(LVM_EXIT.FAILED);
      }
      createThin(ctx, vg, a, lvName, poolName, tags);
      return;
    }
    if (hasVirtual) {
      out.error('Sparse volumes are not implemented by the simulated lvm2.');
      throw new Exit(LVM_EXIT.FAILED);
    }
    if (thin) {
      if (poolName === undefined && lvName !== undefined) {
        poolName = lvName;
        lvName = undefined;
      }
      createPool(ctx, vg, a, poolName, tags);
      return;
    }
    createLinear(ctx, vg, a, lvName, tags);
  },
};
