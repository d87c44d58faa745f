/**
 * An open device: lvm2 refuses to remove or deactivate an LV whose device is held, and
 * says which holder it found first (lib/activate/activate.c, lv_check_not_in_use): a
 * device stacked on it, a mounted filesystem, or an open count. Exit 5, as measured in
 * the test node (lvremove and lvchange -an of a mounted ext4 alike). lvchange -p and
 * lvresize do not care.
 */
import { display } from './names';
import type { Output } from './output';
import type { SimLv, SimVg } from './state';

const MESSAGES = {
  device: 'is used by another device.',
  filesystem: 'contains a filesystem in use.',
  process: 'in use.',
} as const;

/** Prints lvm2's refusal and answers true when the LV's device is held open. */
export function refuseInUse(vg: SimVg, lv: SimLv, out: Output): boolean {
  if (!lv.active || !lv.holder) return false;
  out.error(`Logical volume ${display(vg, lv)} ${MESSAGES[lv.holder]}`);
  return true;
}
