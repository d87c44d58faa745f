/**
 * Command-line parsing as lvm2 does it: glibc getopt_long with argument permutation
 * (options and positional arguments in any order, "--" ends options), clustered short
 * options ("-ay"), "--long=value", unique prefixes of long options, hyphens inside long
 * option names ignored ("--add-tag" is "--addtag"). Errors come back as the lines lvm2
 * and getopt print; the caller adds "Error during parsing of command line." and exit 3.
 */

export interface OptionSpec {
  /** lvm2's long name without the leading "--", e.g. "virtualsize". */
  readonly long: string;
  readonly short?: string;
  /** Takes a value. */
  readonly arg?: boolean;
  /** May be given more than once (e.g. --addtag, -v). */
  readonly repeat?: boolean;
  /** Checks the value; returns the lines to print when it is invalid (lvm2 then adds "Invalid argument for"). */
  readonly check?: (value: string) => string[] | undefined;
}

export interface ParsedArgs {
  /** Values per long name, in the order given (flags get ""). */
  readonly options: ReadonlyMap<string, readonly string[]>;
  readonly positional: readonly string[];
}

export type ParseResult =
  | { readonly ok: true; readonly args: ParsedArgs }
  | { readonly ok: false; readonly stderr: readonly { readonly raw: boolean; readonly text: string }[] };

export function parseArgs(command: string, argv: readonly string[], specs: readonly OptionSpec[]): ParseResult {
  const options = new Map<string, string[]>();
  const positional: string[] = [];
  const lines: { raw: boolean; text: string }[] = [];
  const fail = (): ParseResult => ({ ok: false, stderr: lines });

  const set = (spec: OptionSpec, value: string): boolean => {
    const seen = options.get(spec.long);
    if (seen && !spec.repeat) {
      const name = spec.short ? `Option -${spec.short}/--${spec.long}` : `Option --${spec.long}`;
      lines.push({ raw: false, text: `${name} may not be repeated.` });
      return false;
    }
    if (spec.arg && spec.check) {
      const problem = spec.check(value);
      if (problem) {
        for (const p of problem) lines.push({ raw: false, text: p });
        lines.push({ raw: false, text: `Invalid argument for --${spec.long}: ${value}` });
        return false;
      }
    }
    if (seen) seen.push(value);
    else options.set(spec.long, [value]);
    return true;
  };

  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const rawName = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      const name = rawName.replace(/-/g, '');
      const shown = `--${name}`;
      let spec = specs.find((s) => s.long === name);
      if (!spec) {
        const candidates = name.length > 0 ? specs.filter((s) => s.long.startsWith(name)) : [];
        if (candidates.length > 1) {
          lines.push({
            raw: true,
            text: `${command}: option '${shown}' is ambiguous; possibilities:${candidates.map((c) => ` '--${c.long}'`).join('')}`,
          });
          return fail();
        }
        spec = candidates[0];
      }
      if (!spec) {
        lines.push({ raw: true, text: `${command}: unrecognized option '${shown}'` });
        return fail();
      }
      let value = '';
      if (spec.arg) {
        if (eq >= 0) value = a.slice(eq + 1);
        else if (i + 1 < argv.length) value = argv[++i]!;
        else {
          lines.push({ raw: true, text: `${command}: option '--${spec.long}' requires an argument` });
          return fail();
        }
      } else if (eq >= 0) {
        lines.push({ raw: true, text: `${command}: option '--${spec.long}' doesn't allow an argument` });
        return fail();
      }
      if (!set(spec, value)) return fail();
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j]!;
        const spec = specs.find((s) => s.short === c);
        if (!spec) {
          lines.push({ raw: true, text: `${command}: invalid option -- '${c}'` });
          return fail();
        }
        if (spec.arg) {
          let value: string;
          if (j + 1 < a.length) value = a.slice(j + 1);
          else if (i + 1 < argv.length) value = argv[++i]!;
          else {
            lines.push({ raw: true, text: `${command}: option requires an argument -- '${c}'` });
            return fail();
          }
          if (!set(spec, value)) return fail();
          break;
        }
        if (!set(spec, '')) return fail();
      }
      continue;
    }
    positional.push(a);
  }
  return { ok: true, args: { options, positional } };
}

/** lvm2's yes/no values. */
export function checkYesNo(value: string): string[] | undefined {
  return value === 'y' || value === 'n' ? undefined : [];
}

export function isYes(value: string | undefined): boolean {
  return value === 'y';
}

/** lvm2's activation values (-a). */
export function checkActivate(value: string): string[] | undefined {
  return ACTIVATE_VALUES.includes(value) ? undefined : [];
}

const ACTIVATE_VALUES = ['e', 'ey', 'ye', 's', 'sy', 'ys', 'y', 'a', 'ay', 'ya', 'n', 'en', 'ne', 'ln', 'nl', 'ly', 'yl'];

/** Whether an -a value activates (everything but n, en, ne, ln, nl). */
export function isActivating(value: string): boolean {
  return !['n', 'en', 'ne', 'ln', 'nl'].includes(value);
}

export function checkPermission(value: string): string[] | undefined {
  return value === 'r' || value === 'rw' || value === 'wr' ? undefined : [];
}

export function checkNumber(value: string): string[] | undefined {
  return /^\+?\d+$/.test(value) ? undefined : [];
}

/** lvm2's tag characters: A-Za-z0-9._-+/=!:&# (one leading '@' is dropped). */
export function checkTag(value: string): string[] | undefined {
  return /^@?[A-Za-z0-9._\-+/=!:&#]+$/.test(value) ? undefined : [];
}

export function tagValue(value: string): string {
  return value.startsWith('@') ? value.slice(1) : value;
}

/** The last value given for an option (lvm2 takes the last of repeated values), or undefined. */
export function opt(args: ParsedArgs, name: string): string | undefined {
  const v = args.options.get(name);
  return v ? v[v.length - 1] : undefined;
}

/** Whether the option was given at all. */
export function has(args: ParsedArgs, name: string): boolean {
  return args.options.has(name);
}
