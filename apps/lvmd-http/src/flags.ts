import { parseArgs } from 'node:util';
import { parseQuantity } from '@copse/lvm-model';

export type Listen = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

/** Paths of the PEM files for TLS on TCP. */
export interface TlsFiles {
  readonly certPath: string;
  readonly keyPath: string;
  /** when set, clients must present a certificate signed by this CA (mutual TLS) */
  readonly clientCaPath?: string;
}

/** Everything lvmd-http is told on its command line. */
export interface Flags {
  readonly configPath: string;
  readonly backend: 'lvm' | 'sim';
  readonly listen?: Listen;
  readonly tokenFile?: string;
  readonly tls?: TlsFiles;
  readonly lvmPath: string;
  /** JSON argv; overrides the config's lvm-command-prefix */
  readonly lvmCommandPrefix?: string[];
  readonly nodeName?: string;
  readonly refreshIntervalMs: number;
  readonly lvmTimeoutMs: number;
  readonly logLevel: string;
  readonly maxConnections: number;
  readonly requestTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly watchHistory: number;
  readonly watchBufferBytes: number;
  readonly watchStallTimeoutMs: number;
  readonly simVgSizeBytes: number;
  readonly simPoolSizeBytes: number;
  readonly simStatePath?: string;
  readonly simNoSpaceTimeoutMs: number;
  readonly dmsetupPath: string;
  /** the parent-death guard of `dmsetup wait`; "" for none */
  readonly setprivPath: string;
  readonly sysfsRoot: string;
  /** how often the pool monitor looks at the pools' I/O counters; 0: events and changes only */
  readonly poolPollIntervalMs: number;
  readonly poolWarningPercent: number;
}

export const USAGE = `usage: lvmd-http [flags]
  --config PATH              lvmd.yaml (TopoLVM format)            default /etc/topolvm/lvmd.yaml
  --listen unix:PATH|tcp:HOST:PORT                                  default unix:<socket-name from config or /run/topolvm/lvmd.sock>
  --token-file PATH          bearer token file (at least 32 bytes); TCP needs it or --tls-client-ca
  --tls-cert PATH            serve TCP over TLS with this PEM certificate (chain)
  --tls-key PATH             ... and this PEM private key
  --tls-client-ca PATH       require client certificates signed by this PEM CA (mutual TLS)
  --backend lvm|sim          real lvm2, or the simulated lvm2        default lvm
  --lvm-path PATH            the lvm binary                          default /sbin/lvm
  --lvm-command-prefix JSON  argv before lvm, e.g. '["/usr/bin/nsenter","-m","-u","-i","-n","-p","-t","1"]'
                             (overrides the config's lvm-command-prefix)
  --lvm-timeout SECONDS      kill an lvm command after this long    default 300
  --node-name NAME           node label of the metrics              default the host name
  --refresh-interval SECONDS re-read the volume groups this often   default 600
  --log-level LEVEL          fatal|error|warn|info|debug|trace      default info
  --max-connections N        open connections at once; more are refused with 503   default 512
  --headers-timeout SECONDS  time to receive a request's headers    default 10
  --request-timeout SECONDS  time to receive a whole request        default 30
  --keep-alive-timeout SECONDS  an idle kept-alive connection is closed after  default 5
  --watch-history EVENTS     watch events kept for resuming after a reconnect  default 1024
  --watch-buffer QUANTITY    coalesced events held for a watch client that does not read,
                             beyond which it is closed (slow-client)  default 1Mi
  --watch-stall-timeout SECONDS  a watch client that reads nothing this long while events
                             wait is closed (stalled)               default 30
  --sim-vg-size QUANTITY     simulated disk per volume group        default 100Gi
  --sim-pool-size QUANTITY   simulated thin pool size               default 50Gi
  --sim-state PATH           keep the simulated lvm2's state in this file across restarts
  --sim-no-space-timeout SECONDS  how long a full simulated pool queues writes   default 60 (dm-thin's)
  --dmsetup-path PATH        the dmsetup binary (thin pool monitoring) default /sbin/dmsetup
  --setpriv-path PATH        runs dmsetup wait so it dies with lvmd-http ("" for none)   default /usr/bin/setpriv
  --sysfs PATH               where the host's /sys is mounted        default /sys
  --pool-poll-interval SECONDS  look at the thin pools' write counters this often (0: events only)   default 1
  --pool-warning-percent N   data% or metadata% at which a thin pool is low-water   default 80
  --help                     this text; --help=json: the flags as JSON`;

/** The flags parseFlags accepts: the one table it parses with, and what `--help=json` prints. */
export const FLAG_OPTIONS = {
  config: { type: 'string' },
  listen: { type: 'string' },
  'token-file': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-client-ca': { type: 'string' },
  backend: { type: 'string' },
  'lvm-path': { type: 'string' },
  'lvm-command-prefix': { type: 'string' },
  'lvm-timeout': { type: 'string' },
  'node-name': { type: 'string' },
  'refresh-interval': { type: 'string' },
  'log-level': { type: 'string' },
  'max-connections': { type: 'string' },
  'headers-timeout': { type: 'string' },
  'request-timeout': { type: 'string' },
  'keep-alive-timeout': { type: 'string' },
  'watch-history': { type: 'string' },
  'watch-buffer': { type: 'string' },
  'watch-stall-timeout': { type: 'string' },
  'sim-vg-size': { type: 'string' },
  'sim-pool-size': { type: 'string' },
  'sim-state': { type: 'string' },
  'sim-no-space-timeout': { type: 'string' },
  'dmsetup-path': { type: 'string' },
  'setpriv-path': { type: 'string' },
  sysfs: { type: 'string' },
  'pool-poll-interval': { type: 'string' },
  'pool-warning-percent': { type: 'string' },
  help: { type: 'boolean' },
} as const satisfies Record<string, { type: 'string' | 'boolean' }>;

/** The flag table as JSON (`--help=json`), for tools that check manifests against the app. */
export function flagsJson(): string {
  return JSON.stringify({ flags: Object.entries(FLAG_OPTIONS).map(([name, o]) => ({ name, type: o.type })) });
}

export class FlagError extends Error {}

export function parseFlags(argv: string[]): Flags {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: FLAG_OPTIONS,
    }));
  } catch (e) {
    throw new FlagError((e as Error).message);
  }
  if (values.help) throw new FlagError('');
  const str = (k: string) => values[k] as string | undefined;
  const backend = str('backend') ?? 'lvm';
  if (backend !== 'lvm' && backend !== 'sim') throw new FlagError(`--backend must be lvm or sim, not ${backend}`);
  const listen = str('listen') === undefined ? undefined : parseListen(str('listen')!);
  const tls = tlsFiles(str('tls-cert'), str('tls-key'), str('tls-client-ca'));
  if (tls && listen?.kind !== 'tcp') throw new FlagError('--tls-cert, --tls-key and --tls-client-ca need --listen tcp:...');
  if (listen?.kind === 'tcp' && !str('token-file') && !tls?.clientCaPath) {
    throw new FlagError(
      '--listen tcp:... needs --token-file or --tls-client-ca: lvmd-http never serves TCP without authentication',
    );
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
  const headersTimeoutMs = positiveSeconds('headers-timeout', str('headers-timeout') ?? '10') * 1000;
  const requestTimeoutMs = positiveSeconds('request-timeout', str('request-timeout') ?? '30') * 1000;
  if (headersTimeoutMs > requestTimeoutMs) throw new FlagError('--headers-timeout must not be longer than --request-timeout');
  return {
    configPath: str('config') ?? '/etc/topolvm/lvmd.yaml',
    backend,
    listen,
    tokenFile: str('token-file'),
    tls,
    lvmPath: str('lvm-path') ?? '/sbin/lvm',
    lvmCommandPrefix: prefix,
    nodeName: str('node-name'),
    refreshIntervalMs: seconds('refresh-interval', str('refresh-interval') ?? '600') * 1000,
    lvmTimeoutMs: seconds('lvm-timeout', str('lvm-timeout') ?? '300') * 1000,
    logLevel: str('log-level') ?? 'info',
    maxConnections: count('max-connections', str('max-connections') ?? '512'),
    headersTimeoutMs,
    requestTimeoutMs,
    keepAliveTimeoutMs: positiveSeconds('keep-alive-timeout', str('keep-alive-timeout') ?? '5') * 1000,
    watchHistory: count('watch-history', str('watch-history') ?? '1024'),
    watchBufferBytes: quantity('watch-buffer', str('watch-buffer') ?? '1Mi'),
    watchStallTimeoutMs: positiveSeconds('watch-stall-timeout', str('watch-stall-timeout') ?? '30') * 1000,
    simVgSizeBytes: quantity('sim-vg-size', str('sim-vg-size') ?? '100Gi'),
    simPoolSizeBytes: quantity('sim-pool-size', str('sim-pool-size') ?? '50Gi'),
    simStatePath: str('sim-state'),
    simNoSpaceTimeoutMs: seconds('sim-no-space-timeout', str('sim-no-space-timeout') ?? '60') * 1000,
    dmsetupPath: str('dmsetup-path') ?? '/sbin/dmsetup',
    setprivPath: str('setpriv-path') ?? '/usr/bin/setpriv',
    sysfsRoot: str('sysfs') ?? '/sys',
    poolPollIntervalMs: seconds('pool-poll-interval', str('pool-poll-interval') ?? '1') * 1000,
    poolWarningPercent: percent('pool-warning-percent', str('pool-warning-percent') ?? '80'),
  };
}

function percent(flag: string, text: string): number {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || n <= 0 || n > 100) throw new FlagError(`--${flag} must be a percentage above 0 and at most 100, not ${text}`);
  return n;
}

export function parseListen(text: string): Listen {
  if (text.startsWith('unix:') && text.length > 'unix:'.length) return { kind: 'unix', path: text.slice('unix:'.length) };
  const m = /^tcp:(.+):(\d{1,5})$/.exec(text);
  if (m && Number(m[2]) <= 65535) return { kind: 'tcp', host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
  throw new FlagError(`--listen must be unix:PATH or tcp:HOST:PORT, not ${text}`);
}

function tlsFiles(certPath: string | undefined, keyPath: string | undefined, clientCaPath: string | undefined): TlsFiles | undefined {
  if (certPath === undefined && keyPath === undefined && clientCaPath === undefined) return undefined;
  if (certPath === undefined || keyPath === undefined) throw new FlagError('--tls-cert and --tls-key go together');
  return { certPath, keyPath, clientCaPath };
}

function seconds(flag: string, text: string): number {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !Number.isFinite(n)) throw new FlagError(`--${flag} must be a number of seconds, not ${text}`);
  return n;
}

function positiveSeconds(flag: string, text: string): number {
  const n = seconds(flag, text);
  if (n <= 0) throw new FlagError(`--${flag} must be more than 0 seconds`);
  return n;
}

function count(flag: string, text: string): number {
  if (!/^[1-9]\d{0,8}$/.test(text)) throw new FlagError(`--${flag} must be a whole number from 1, not ${text}`);
  return Number(text);
}

function quantity(flag: string, text: string): number {
  try {
    return parseQuantity(text);
  } catch (e) {
    throw new FlagError(`--${flag}: ${(e as Error).message}`);
  }
}
