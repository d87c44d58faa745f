import { parseArgs } from 'node:util';
import { apiGroups, DEFAULT_API_GROUP, parseApiGroup, type ApiGroup } from '@copse/k8s-crd';

/** Everything csi-node is told on its command line and in its environment. */
export interface Flags {
  readonly apiGroup: ApiGroup;
  readonly nodeName: string;
  readonly csiEndpoint: string;
  /** unix:/path or http(s)://host:port */
  readonly lvmdEndpoint: string;
  readonly lvmdTokenFile?: string;
  readonly lvmdCaFile?: string;
  readonly lvmdCertFile?: string;
  readonly lvmdKeyFile?: string;
  readonly lvmdTimeoutMs: number;
  readonly kubeconfig?: string;
  readonly logLevel: string;
  /** undefined: no metrics endpoint */
  readonly metrics?: { readonly host: string; readonly port: number };
  readonly watchSelector: 'label' | 'field';
  readonly workers: number;
}

export const USAGE = `usage: csi-node --node-name NAME [flags]
  --node-name NAME           this node's name (spec.nodeName of its LogicalVolumes)   default $NODE_NAME
  --api-group GROUP          ${apiGroups().join(' or ')}: the CRD group, driver name and
                             every annotation, label and finalizer key          default ${DEFAULT_API_GROUP}
  --csi-socket PATH          the CSI socket kubelet calls (unix:///PATH or PATH)
                                                                 default /run/topolvm/csi-topolvm.sock
  --lvmd-socket PATH         lvmd-http's unix socket                 default /run/topolvm/lvmd.sock
  --lvmd-url URL             lvmd-http over TCP instead: http://HOST:PORT or https://HOST:PORT
  --lvmd-token-file PATH     bearer token for --lvmd-url (lvmd-http needs one on TCP)
  --lvmd-ca-file PATH        https: the CA that signed lvmd-http's certificate
  --lvmd-cert-file PATH      https: this client's certificate (mutual TLS) ...
  --lvmd-key-file PATH       ... and its key
  --lvmd-timeout SECONDS     give up on an lvmd-http answer after this   default 300
  --kubeconfig PATH          kubeconfig; default $KUBECONFIG, ~/.kube/config, or in-cluster
  --log-level LEVEL          fatal|error|warn|info|debug|trace       default info
  --metrics-address HOST:PORT  Prometheus metrics at /metrics; "" for none   default 0.0.0.0:8080
  --watch-selector label|field  how the node watches only its own LogicalVolumes: the node
                             label the controller sets, or the spec.nodeName selectable field
                             (Kubernetes 1.31+)                        default label
  --workers N                LogicalVolumes reconciled at once       default 4
  --help                     this text; --help=json: the flags as JSON`;

/** The flags parseFlags accepts: the one table it parses with, and what `--help=json` prints. */
export const FLAG_OPTIONS = {
  'node-name': { type: 'string' },
  'api-group': { type: 'string' },
  'csi-socket': { type: 'string' },
  'lvmd-socket': { type: 'string' },
  'lvmd-url': { type: 'string' },
  'lvmd-token-file': { type: 'string' },
  'lvmd-ca-file': { type: 'string' },
  'lvmd-cert-file': { type: 'string' },
  'lvmd-key-file': { type: 'string' },
  'lvmd-timeout': { type: 'string' },
  kubeconfig: { type: 'string' },
  'log-level': { type: 'string' },
  'metrics-address': { type: 'string' },
  'watch-selector': { type: 'string' },
  workers: { type: 'string' },
  help: { type: 'boolean' },
} as const satisfies Record<string, { type: 'string' | 'boolean' }>;

/** The flag table as JSON (`--help=json`), for tools that check manifests against the app. */
export function flagsJson(): string {
  return JSON.stringify({ flags: Object.entries(FLAG_OPTIONS).map(([name, o]) => ({ name, type: o.type })) });
}

export class FlagError extends Error {}

const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** Parses argv; `env` supplies NODE_NAME when --node-name is absent (a pod's downward API). */
export function parseFlags(argv: string[], env: Readonly<Record<string, string | undefined>> = {}): Flags {
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

  const nodeName = str('node-name') ?? env['NODE_NAME'] ?? '';
  if (!nodeName) throw new FlagError('--node-name is required (or NODE_NAME in the environment, e.g. from the downward API spec.nodeName)');
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(nodeName) || nodeName.length > 253) {
    throw new FlagError(`--node-name ${JSON.stringify(nodeName)} is not a Kubernetes node name (a DNS subdomain)`);
  }
  let apiGroup: ApiGroup;
  try {
    apiGroup = parseApiGroup(str('api-group'));
  } catch (e) {
    throw new FlagError(`--api-group: ${(e as Error).message}`);
  }

  const url = str('lvmd-url');
  if (url !== undefined && str('lvmd-socket') !== undefined) throw new FlagError('give --lvmd-socket or --lvmd-url, not both');
  let lvmdEndpoint: string;
  if (url !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new FlagError(`--lvmd-url must be http://HOST:PORT or https://HOST:PORT, not ${url}`);
    }
    if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.pathname !== '/' || parsed.search || parsed.username) {
      throw new FlagError(`--lvmd-url must be http://HOST:PORT or https://HOST:PORT, not ${url}`);
    }
    lvmdEndpoint = `${parsed.protocol}//${parsed.host}`;
  } else {
    const socket = str('lvmd-socket') ?? '/run/topolvm/lvmd.sock';
    if (!socket) throw new FlagError('--lvmd-socket must not be empty');
    lvmdEndpoint = `unix:${socket.replace(/^unix:(\/\/)?/, '')}`;
  }
  const tlsFlags = ['lvmd-ca-file', 'lvmd-cert-file', 'lvmd-key-file'].filter((f) => str(f) !== undefined);
  if (tlsFlags.length > 0 && !lvmdEndpoint.startsWith('https:')) throw new FlagError(`--${tlsFlags[0]} needs --lvmd-url https://...`);
  if ((str('lvmd-cert-file') === undefined) !== (str('lvmd-key-file') === undefined)) throw new FlagError('--lvmd-cert-file and --lvmd-key-file go together');
  if (str('lvmd-token-file') !== undefined && lvmdEndpoint.startsWith('unix:')) throw new FlagError('--lvmd-token-file needs --lvmd-url (lvmd-http needs no token on its unix socket)');

  const logLevel = str('log-level') ?? 'info';
  if (!LOG_LEVELS.has(logLevel)) throw new FlagError(`--log-level must be one of ${[...LOG_LEVELS].join(', ')}, not ${logLevel}`);
  const watchSelector = str('watch-selector') ?? 'label';
  if (watchSelector !== 'label' && watchSelector !== 'field') throw new FlagError(`--watch-selector must be label or field, not ${watchSelector}`);
  if (watchSelector === 'label' && (nodeName.length > 63 || nodeName.includes('..'))) {
    throw new FlagError(`--node-name ${nodeName} is longer than a label value may be (63): use --watch-selector field`);
  }

  return {
    apiGroup,
    nodeName,
    csiEndpoint: str('csi-socket') ?? '/run/topolvm/csi-topolvm.sock',
    lvmdEndpoint,
    lvmdTokenFile: str('lvmd-token-file'),
    lvmdCaFile: str('lvmd-ca-file'),
    lvmdCertFile: str('lvmd-cert-file'),
    lvmdKeyFile: str('lvmd-key-file'),
    lvmdTimeoutMs: positiveSeconds('lvmd-timeout', str('lvmd-timeout') ?? '300') * 1000,
    kubeconfig: str('kubeconfig'),
    logLevel,
    metrics: parseAddress(str('metrics-address') ?? '0.0.0.0:8080'),
    watchSelector,
    workers: count('workers', str('workers') ?? '4'),
  };
}

/** HOST:PORT ([::1]:PORT for IPv6); "" means none. */
export function parseAddress(text: string): { host: string; port: number } | undefined {
  if (text === '') return undefined;
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]*):(\d{1,5})$/.exec(text);
  if (!m || Number(m[2]) > 65535) throw new FlagError(`--metrics-address must be HOST:PORT (or "" for none), not ${text}`);
  return { host: m[1]!.replace(/^\[|\]$/g, '') || '0.0.0.0', port: Number(m[2]) };
}

function positiveSeconds(flag: string, text: string): number {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(n > 0)) throw new FlagError(`--${flag} must be a number of seconds above 0, not ${text}`);
  return n;
}

function count(flag: string, text: string): number {
  if (!/^[1-9]\d{0,3}$/.test(text)) throw new FlagError(`--${flag} must be a whole number from 1 to 9999, not ${text}`);
  return Number(text);
}
