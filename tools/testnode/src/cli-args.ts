/**
 * Command line parsing for cli.ts (kept apart so it is unit tested without a VM).
 */

export interface StartArgs {
  readonly configFile?: string;
  readonly diskSizeBytes: number;
  readonly poolSizeBytes: number;
  readonly volumeGroups: readonly { name: string; pools: string[] }[];
  readonly shares: readonly { hostDir: string; guestDir: string }[];
  readonly forwards: readonly number[];
  readonly hostServices: readonly { guestPort: number; hostPort: number }[];
  readonly services: readonly { name: string; argv: string[]; env: Record<string, string>; cwd?: string }[];
  readonly memoryMiB?: number;
  readonly bootTimeoutMs?: number;
  /** Run this workspace's apps/lvmd-http (built) in the guest on real lvm2, over TCP with a token. */
  readonly lvmdHttp: boolean;
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** "8G", "512m", "4096" -> bytes (binary units). */
export function parseSize(text: string): number {
  const match = /^(\d+)([bkmgt]?)(?:i?b)?$/i.exec(text.trim());
  if (!match) throw new Error(`not a size: ${text} (use e.g. 8G, 512M or bytes)`);
  const bytes = Number(match[1]) * (UNITS[(match[2] ?? '').toLowerCase()] as number);
  if (!Number.isSafeInteger(bytes)) throw new Error(`size too large: ${text}`);
  return bytes;
}

function portOf(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${what}: not a TCP port: ${text}`);
  return n;
}

function splitOnce(text: string, sep: string, what: string): [string, string] {
  const i = text.indexOf(sep);
  if (i <= 0 || i === text.length - 1) throw new Error(`${what}: expected A${sep}B, got ${text}`);
  return [text.slice(0, i), text.slice(i + 1)];
}

export function parseStartArgs(argv: readonly string[]): StartArgs {
  let configFile: string | undefined;
  let diskSizeBytes = parseSize('8G');
  let poolSizeBytes = parseSize('4G');
  let memoryMiB: number | undefined;
  let bootTimeoutMs: number | undefined;
  let lvmdHttp = false;
  const volumeGroups: { name: string; pools: string[] }[] = [];
  const shares: { hostDir: string; guestDir: string }[] = [];
  const forwards: number[] = [];
  const hostServices: { guestPort: number; hostPort: number }[] = [];
  const services: { name: string; argv: string[]; env: Record<string, string>; cwd?: string }[] = [];
  const service = (name: string) => {
    const s = services.find((x) => x.name === name);
    if (!s) throw new Error(`no --service named ${name} (give --service first)`);
    return s;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--config':
        configFile = value();
        break;
      case '--disk-size':
        diskSizeBytes = parseSize(value());
        break;
      case '--pool-size':
        poolSizeBytes = parseSize(value());
        break;
      case '--vg': {
        const [name, ...pools] = value().split(':');
        if (!name) throw new Error('--vg needs NAME[:POOL...]');
        volumeGroups.push({ name, pools });
        break;
      }
      case '--share': {
        const [hostDir, guestDir] = splitOnce(value(), ':', '--share');
        shares.push({ hostDir, guestDir });
        break;
      }
      case '--forward':
        forwards.push(portOf(value(), '--forward'));
        break;
      case '--host-service': {
        const [g, h] = splitOnce(value(), ':', '--host-service');
        hostServices.push({ guestPort: portOf(g, '--host-service'), hostPort: portOf(h, '--host-service') });
        break;
      }
      case '--service': {
        // NAME=PROGRAM ARG ARG: split on whitespace, no quoting (no shell is involved anywhere).
        const [name, command] = splitOnce(value(), '=', '--service');
        services.push({ name, argv: command.split(/\s+/).filter((a) => a.length > 0), env: {} });
        break;
      }
      case '--env': {
        const [name, assignment] = splitOnce(value(), ':', '--env');
        const [key, v] = splitOnce(assignment, '=', '--env');
        service(name).env[key] = v;
        break;
      }
      case '--cwd': {
        const [name, dir] = splitOnce(value(), ':', '--cwd');
        service(name).cwd = dir;
        break;
      }
      case '--lvmd-http':
        lvmdHttp = true;
        break;
      case '--memory':
        memoryMiB = Number(value());
        break;
      case '--boot-timeout':
        bootTimeoutMs = Number(value()) * 1000;
        break;
      default:
        throw new Error(`unknown option ${flag}`);
    }
  }
  return { configFile, diskSizeBytes, poolSizeBytes, volumeGroups, shares, forwards, hostServices, services, memoryMiB, bootTimeoutMs, lvmdHttp };
}
