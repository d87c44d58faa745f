/** Names as lvm2 checks, generates and prints them: LV name rules, lvolN, vg/lv, device-mapper escaping. */
import { basicNameViolation, lvNameReservation, type NameViolation } from '@copse/lvm-model';
import { usageError, type Output } from './output';
import type { SimLv, SimVg } from './state';

/** lvm2's messages for a name that breaks the basic rules (validate_name). */
export function nameViolationLines(v: NameViolation): string[] {
  switch (v.kind) {
    case 'empty':
      return ['Name is zero length.'];
    case 'leading-hyphen':
      return ['Name cannot start with hyphen.'];
    case 'dots':
      return ['Name starts with . or .. and has no following character(s).'];
    case 'charset':
      return ['Name contains invalid character, valid set includes: [a-zA-Z0-9.-_+].'];
    case 'length':
      return ['Name length exceeds maximum limit of 127.'];
    default:
      return [];
  }
}

/** lvm2's check of an LV name given on the command line (validate_lvname_param), restricted for new LVs. */
export function checkLvNameParam(command: string, name: string, restricted: boolean, out: Output): void {
  if (basicNameViolation(name)) {
    out.error(`Logical volume name "${name}" is invalid.`);
    usageError(command, out);
  }
  const r = restricted ? lvNameReservation(name) : undefined;
  if (r?.kind === 'reserved-prefix') {
    out.error(`Names starting "${r.reserved}" are reserved. Please choose a different LV name.`);
    usageError(command, out);
  }
  if (r?.kind === 'reserved-substring') {
    out.error(`Names including "${r.reserved}" are reserved. Please choose a different LV name.`);
    usageError(command, out);
  }
}

/** The first free lvolN, as lvm2 names an LV created without a name. */
export function generatedName(vg: SimVg): string {
  let n = 0;
  while (vg.lvs.some((l) => l.name === `lvol${n}`) || vg.pmspare?.name === `lvol${n}`) n++;
  return `lvol${n}`;
}

/** Whether a new LV may not take this name: a public LV, a pool's hidden component or the pmspare has it. */
export function nameInUse(vg: SimVg, name: string): boolean {
  if (vg.pmspare?.name === name) return true;
  return vg.lvs.some(
    (l) => l.name === name || (l.type === 'thin-pool' && (name === `${l.name}_tmeta` || name === `${l.name}_tdata`)),
  );
}

/** "vg/lv" as lvm2 prints an LV in messages. */
export function display(vg: SimVg, lv: SimLv | string): string {
  return `${vg.name}/${typeof lv === 'string' ? lv : lv.name}`;
}

/** Device-mapper's escaping of a name part: every hyphen doubled. */
export function dmEscape(name: string): string {
  return name.replace(/-/g, '--');
}
