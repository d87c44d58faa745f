import { parseArgs } from 'node:util';
import { parseQuantity } from '@copse/lvm-model';

export type Listen = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

/** Everything lvmd-http is told on its command line. */
export interface Flags {
  readonly configPath: string;
  readonly backend: 'lvm' | 'sim';
  readonly listen?: Listen;
  readonly tokenFile?: string;
  readonly lvmPath: string;
  /** JSON argv; overrides the config's lvm-command-prefix */
  readonly lvmCommandPrefix?: string[];
  readonly nodeName?: string;
  readonly refreshIntervalMs: number;
  readonly lvmTimeoutMs: number;
  readonly logLevel: string;
  readonly simVgSizeBytes: number;
  readonly simPoolSizeBytes: number;
  readonly simStatePath?: string;
}

export const USAGE = `usage: lvmd-http [flags]
  --config PATH              lvmd.yaml (TopoLVM format)            default /etc/topolvm/lvmd.yaml
  --listen unix:PATH|tcp:HOST:PORT                                  default unix:<socket-name from config or /run/topolvm/lvmd.sock>
  --token-file PATH          bearer token file; required with tcp
  --backend lvm|sim          real lvm2, or the simulated lvm2        default lvm
  --lvm-path PATH            the lvm binary                          default /sbin/lvm
  --lvm-command-prefix JSON  argv before lvm, e.g. '["/usr/bin/nsenter","-m","-u","-i","-n","-p","-t","1"]'
                             (overrides the config's lvm-command-prefix)
  --lvm-timeout SECONDS      kill an lvm command after this long    default 300
  --node-name NAME           node label of the metrics              default the host name
  --refresh-interval SECONDS re-read the volume groups this often   default 600
  --log-level LEVEL          fatal|error|warn|info|debug|trace      default info
  --sim-vg-size QUANTITY     simulated disk per volume group        default 100Gi
  --sim-pool-size QUANTITY   simulated thin pool size               default 50Gi
  --sim-state PATH           keep the simulated lvm2's state in this file across restarts`;

export class FlagError extends Error {}

export function parseFlags(argv: string[]): Flags {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        config: { type: 'string' },
        listen: { type: 'string' },
        'token-file': { type: 'string' },
        backend: { type: 'string' },
        'lvm-path': { type: 'string' },
        'lvm-command-prefix': { type: 'string' },
        'lvm-timeout': { type: 'string' },
        'node-name': { type: 'string' },
        'refresh-interval': { type: 'string' },
        'log-level': { type: 'string' },
        'sim-vg-size': { type: 'string' },
        'sim-pool-size': { type: 'string' },
        'sim-state': { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (e) {
    throw new FlagError((e as Error).message);
  }
  if (values.help) throw new FlagError('');
  const str = (k: string) => values[k] as string | undefined;
  const backend = str('backend') ?? 'lvm';
  if (backend !== 'lvm' && backend !== 'sim') throw new FlagError(`--backend must be lvm or sim, not ${backend}`);
  const listen = str('listen') === undefined ? undefined : parseListen(str('listen')!);
  if (listen?.kind === 'tcp' && !str('token-file')) {
    throw new FlagError('--listen tcp:... needs --token-file: lvmd-http never serves TCP without authentication');
  }
  let prefix: string[] | undefined;
  if (str('lvm-command-prefix') !== undefined) {
    try {
      prefix = JSON.parse(str('lvm-command-prefix')!) as string[];
    } catch {
      prefix = undefined;
    }
    if (!Array.isArray(prefix) || !prefix.every((p) => typeof p === 'string' && p.length > 0)) {
      throw new FlagError('--lvm-command-prefix must be a JSON array of non-empty strings');
    }
  }
  return {
    configPath: str('config') ?? '/etc/topolvm/lvmd.yaml',
    backend,
    listen,
    tokenFile: str('token-file'),
    lvmPath: str('lvm-path') ?? '/sbin/lvm',
    lvmCommandPrefix: prefix,
    nodeName: str('node-name'),
    refreshIntervalMs: seconds('refresh-interval', str('refresh-interval') ?? '600') * 1000,
    lvmTimeoutMs: seconds('lvm-timeout', str('lvm-timeout') ?? '300') * 1000,
    logLevel: str('log-level') ?? 'info',
    simVgSizeBytes: quantity('sim-vg-size', str('sim-vg-size') ?? '100Gi'),
    simPoolSizeBytes: quantity('sim-pool-size', str('sim-pool-size') ?? '50Gi'),
    simStatePath: str('sim-state'),
  };
}

export function parseListen(text: string): Listen {
  if (text.startsWith('unix:') && text.length > 'unix:'.length) return { kind: 'unix', path: text.slice('unix:'.length) };
  const m = /^tcp:(.+):(\d{1,5})$/.exec(text);
  if (m && Number(m[2]) <= 65535) return { kind: 'tcp', host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
  throw new FlagError(`--listen must be unix:PATH or tcp:HOST:PORT, not ${text}`);
}

function seconds(flag: string, text: string): number {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !Number.isFinite(n)) throw new FlagError(`--${flag} must be a number of seconds, not ${text}`);
  return n;
}

function quantity(flag: string, text: string): number {
  try {
    return parseQuantity(text);
  } catch (e) {
    throw new FlagError(`--${flag}: ${(e as Error).message}`);
  }
}
