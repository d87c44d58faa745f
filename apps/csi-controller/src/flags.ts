// The command line, parsed into a typed Config (main.ts is the only caller; this module reads
// nothing itself). Names follow TopoLVM's topolvm-controller where it has the same setting.
import { parseArgs } from 'node:util';
import { apiGroups, DEFAULT_API_GROUP, parseApiGroup, type ApiGroup } from '@copse/k8s-crd';
import { parseListenAddress } from './metrics';

export interface Config {
  readonly apiGroup: ApiGroup;
  /** unix socket of the CSI service */
  readonly csiSocket: string;
  /** a kubeconfig file; undefined: in-cluster, else $KUBECONFIG or ~/.kube/config */
  readonly kubeconfig?: string;
  readonly leaderElection: boolean;
  /** namespace of the Lease; undefined: the pod's own (POD_NAMESPACE or the service account's), else "default" */
  readonly leaderElectionNamespace?: string;
  readonly leaderElectionId: string;
  /** remove a deleted Node's LogicalVolumes and claims */
  readonly nodeCleanup: boolean;
  readonly logLevel: string;
  /** HOST:PORT of /metrics; '' turns it off */
  readonly metricsAddress: string;
  /** leader election timings (client-go's defaults), seconds */
  readonly leaseDurationSeconds: number;
  readonly renewDeadlineSeconds: number;
  readonly retryPeriodSeconds: number;
  /** advertise the CSI alpha capability GET_SNAPSHOT */
  readonly advertiseGetSnapshot: boolean;
}

export const USAGE = `usage: csi-controller [flags]
  --api-group GROUP              ${apiGroups().join(' or ')}: the CSI driver name, the
                                 LogicalVolume API group and every key derived from it
                                                                   default ${DEFAULT_API_GROUP}
  --csi-socket PATH              unix socket of the CSI Identity and Controller services
                                                                   default /run/topolvm/csi-topolvm.sock
  --kubeconfig PATH              kubeconfig file                   default in-cluster, else $KUBECONFIG or ~/.kube/config
  --leader-election true|false   run node cleanup and orphan collection on one replica only
                                                                   default true
  --leader-election-namespace NS namespace of the Lease            default the pod's namespace, else default
  --leader-election-id NAME      name of the Lease                 default copse-csi-controller
  --lease-duration SECONDS       default 15
  --renew-deadline SECONDS       default 10
  --retry-period SECONDS         default 2
  --node-cleanup true|false      when a Node is deleted, delete its LogicalVolumes and claims
                                 (TopoLVM's node finalizer)        default true
  --advertise-get-snapshot true|false
                                 advertise GET_SNAPSHOT (CSI alpha; GetSnapshot is served
                                 either way)                       default false
  --log-level LEVEL              fatal|error|warn|info|debug|trace default info
  --metrics-address HOST:PORT    /metrics (Prometheus); '' for none default :8080
  --help                         this text; --help=json: the flags as JSON`;

/** The flags parseFlags accepts: the one table it parses with, and what `--help=json` prints. */
export const FLAG_OPTIONS = {
  'api-group': { type: 'string' },
  'csi-socket': { type: 'string' },
  kubeconfig: { type: 'string' },
  'leader-election': { type: 'string' },
  'leader-election-namespace': { type: 'string' },
  'leader-election-id': { type: 'string' },
  'lease-duration': { type: 'string' },
  'renew-deadline': { type: 'string' },
  'retry-period': { type: 'string' },
  'node-cleanup': { type: 'string' },
  'advertise-get-snapshot': { type: 'string' },
  'log-level': { type: 'string' },
  'metrics-address': { type: 'string' },
  help: { type: 'boolean' },
} as const satisfies Record<string, { type: 'string' | 'boolean' }>;

/** The flag table as JSON (`--help=json`), for tools that check manifests against the app. */
export function flagsJson(): string {
  return JSON.stringify({ flags: Object.entries(FLAG_OPTIONS).map(([name, o]) => ({ name, type: o.type })) });
}

export class FlagError extends Error {}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function bool(value: string | undefined, flag: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new FlagError(`--${flag} must be true or false, not ${JSON.stringify(value)}`);
}

function seconds(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n <= 0) throw new FlagError(`--${flag} must be a positive number of seconds, not ${JSON.stringify(value)}`);
  return n;
}

/** Parses argv; throws FlagError with a message naming the flag (an empty message: --help). */
export function parseFlags(argv: readonly string[]): Config {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: FLAG_OPTIONS,
    }));
  } catch (e) {
    throw new FlagError((e as Error).message);
  }
  if (values.help) throw new FlagError('');
  const str = (k: string) => values[k] as string | undefined;

  let apiGroup: ApiGroup;
  try {
    apiGroup = parseApiGroup(str('api-group'));
  } catch (e) {
    throw new FlagError(`--api-group: ${(e as Error).message}`);
  }
  const csiSocket = str('csi-socket') ?? '/run/topolvm/csi-topolvm.sock';
  if (csiSocket === '') throw new FlagError('--csi-socket must not be empty');
  const logLevel = str('log-level') ?? 'info';
  if (!LEVELS.includes(logLevel)) throw new FlagError(`--log-level must be one of ${LEVELS.join(', ')}, not ${JSON.stringify(logLevel)}`);
  const metricsAddress = str('metrics-address') ?? ':8080';
  if (metricsAddress !== '') {
    try {
      parseListenAddress(metricsAddress);
    } catch (e) {
      throw new FlagError(`--metrics-address: ${(e as Error).message}`);
    }
  }
  const leaderElectionId = str('leader-election-id') ?? 'copse-csi-controller';
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(leaderElectionId) || leaderElectionId.length > 253) {
    throw new FlagError(`--leader-election-id ${JSON.stringify(leaderElectionId)} is not an object name`);
  }
  const leaseDurationSeconds = seconds(str('lease-duration'), 'lease-duration', 15);
  const renewDeadlineSeconds = seconds(str('renew-deadline'), 'renew-deadline', 10);
  const retryPeriodSeconds = seconds(str('retry-period'), 'retry-period', 2);
  if (!Number.isInteger(leaseDurationSeconds)) throw new FlagError('--lease-duration must be whole seconds');
  if (leaseDurationSeconds <= renewDeadlineSeconds) throw new FlagError('--lease-duration must be longer than --renew-deadline');
  if (renewDeadlineSeconds <= 1.2 * retryPeriodSeconds) throw new FlagError('--renew-deadline must be longer than 1.2 x --retry-period');
  return {
    apiGroup,
    csiSocket,
    kubeconfig: str('kubeconfig'),
    leaderElection: bool(str('leader-election'), 'leader-election', true),
    leaderElectionNamespace: str('leader-election-namespace'),
    leaderElectionId,
    nodeCleanup: bool(str('node-cleanup'), 'node-cleanup', true),
    logLevel,
    metricsAddress,
    leaseDurationSeconds,
    renewDeadlineSeconds,
    retryPeriodSeconds,
    advertiseGetSnapshot: bool(str('advertise-get-snapshot'), 'advertise-get-snapshot', false),
  };
}
