/** The shape of one simulated lvm command, and the options several commands share. */
import type { SimContext } from '../context';
import { checkYesNo, type OptionSpec, type ParsedArgs } from '../options';
import { parseSizeArg } from '../units';

export interface SimCommand {
  /** The options the command accepts (its lvm2 command definitions, merged). */
  readonly options: readonly OptionSpec[];
  /** Runs the command on the parsed arguments; ends by returning (exit 0) or throwing Exit. */
  run(ctx: SimContext, args: ParsedArgs): void;
}

/** lvm2's common options (tools/command-lines.in OO_ALL and friends). */
export const COMMON: OptionSpec[] = [
  { long: 'verbose', short: 'v', repeat: true },
  { long: 'quiet', short: 'q', repeat: true },
  { long: 'debug', short: 'd', repeat: true },
  { long: 'yes', short: 'y' },
  { long: 'config', arg: true, repeat: true },
  { long: 'commandprofile', arg: true },
  { long: 'profile', arg: true },
  { long: 'nolocking' },
  { long: 'devicesfile', arg: true },
  { long: 'devices', arg: true, repeat: true },
  { long: 'driverloaded', arg: true, check: checkYesNo },
];

/** Options lvs and vgs share. */
export const REPORT_OPTIONS: OptionSpec[] = [
  ...COMMON,
  { long: 'options', short: 'o', arg: true, repeat: true },
  { long: 'sort', short: 'O', arg: true, repeat: true },
  { long: 'units', arg: true },
  { long: 'nosuffix' },
  { long: 'reportformat', arg: true },
];

/** Checks a size option value (-L, -V, -s, -I, -c); factor is the sectors of a unitless number. */
export const sizeCheck =
  (factor: number, percent = false) =>
  (v: string): string[] | undefined => {
    const r = parseSizeArg(v, factor, percent);
    return r.ok ? undefined : [r.error];
  };

/** Checks an --extents value: [+-]N[%VG|%FREE|%PVS|%LV|%ORIGIN]. */
export const extentsCheck = (v: string): string[] | undefined => {
  const r = /^[+-]?\d+(?:%(?:VG|FREE|PVS|LV|ORIGIN))?$/i.test(v);
  return r ? undefined : [];
};
