/** Finding the VGs and LVs that command-line arguments name ("vg", "vg/lv", "/dev/vg/lv"), with lvm2's not-found messages. */
import type { Output } from './output';
import type { SimLv, SimState, SimVg } from './state';

/** lvm2's strip of "/dev/" from LV arguments. */
export function skipDevDir(arg: string): string {
  if (arg.startsWith('/dev/mapper/')) return arg;
  if (arg.startsWith('/dev/')) return arg.slice('/dev/'.length).replace(/^\/+/, '');
  return arg;
}

/** Splits an LV argument "[/dev/]vg/lv" as lvm2 does; undefined after printing lvm2's error. */
export function splitLvArg(arg: string, out: Output): { vg: string; lv: string } | undefined {
  const path = skipDevDir(arg);
  const slash = path.indexOf('/');
  if (slash < 0) return undefined;
  let st = slash;
  while (path[st] === '/') st++;
  if (path.indexOf('/', st) >= 0) {
    out.error(`"${arg}": Invalid path for Logical Volume.`);
    return undefined;
  }
  return { vg: path.slice(0, slash), lv: path.slice(st) };
}

export function findVg(state: SimState, name: string): SimVg | undefined {
  return state.vgs.find((v) => v.name === name);
}

export function vgNotFound(name: string, out: Output): void {
  out.error(`Volume group "${name}" not found`);
  out.error(`Cannot process volume group ${name}`);
}

/** LVs named by lvchange/lvremove/lvs arguments (vg/lv or vg); prints lvm2's not-found errors. */
export function selectLvs(
  state: SimState,
  args: readonly string[],
  out: Output,
): { found: { vg: SimVg; lv: SimLv }[]; failed: boolean } {
  const found: { vg: SimVg; lv: SimLv }[] = [];
  const seen = new Set<SimLv>();
  const take = (vg: SimVg, lv: SimLv) => {
    if (!seen.has(lv)) {
      seen.add(lv);
      found.push({ vg, lv });
    }
  };
  let failed = false;
  const missingVgs = new Set<string>();
  for (const arg of args) {
    const path = skipDevDir(arg);
    const split = path.includes('/') ? splitLvArg(arg, out) : { vg: path, lv: '' };
    if (!split) {
      failed = true;
      continue;
    }
    const vg = findVg(state, split.vg);
    if (!vg) {
      if (!missingVgs.has(split.vg)) vgNotFound(split.vg, out);
      missingVgs.add(split.vg);
      failed = true;
      continue;
    }
    if (split.lv === '') {
      for (const lv of vg.lvs) take(vg, lv);
      continue;
    }
    const lv = vg.lvs.find((l) => l.name === split.lv);
    if (!lv) {
      out.error(`Failed to find logical volume "${vg.name}/${split.lv}"`);
      failed = true;
      continue;
    }
    take(vg, lv);
  }
  return { found, failed };
}
