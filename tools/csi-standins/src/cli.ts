#!/usr/bin/env node
/**
 * csi-standins: runs the TEST stand-ins until SIGINT/SIGTERM.
 *
 *   csi-standins --kubeconfig run/kube-test/kubeconfig \
 *     --controller-endpoint unix:///path/csi-controller.sock \
 *     --node node-a=unix:///path/csi-node-a.sock [--node ...] [flags named as the real sidecars']
 */
import { parseArgs } from 'node:util';
import { standInLogger } from './log';
import { DEFAULT_SETTINGS, parseDuration, type StandInSettings } from './settings';
import { startStandIns } from './stand-ins';

const USAGE = `usage: csi-standins --kubeconfig FILE [--controller-endpoint unix:///SOCKET] [--node NAME=unix:///SOCKET]...
TEST stand-ins for external-provisioner, the PV controller's binding, snapshot-controller and
csi-snapshotter, external-resizer, and kubelet with node-driver-registrar.

  --kubeconfig FILE              the cluster (the API test server's kubeconfig, or a real one's)
  --controller-endpoint SOCKET   the CSI controller socket (provisioner, snapshotter, resizer)
  --node NAME=SOCKET             a stand-in kubelet for node NAME, dialling its CSI node socket (repeatable)
  --kubelet-root-dir DIR         the stand-in kubelets' root (default: a new temp dir)
  --pv-controller auto|true|false   the PV controller's binding (auto: off when kube-controller-manager runs)
  --no-provisioner, --no-snapshot-controller, --no-snapshotter, --no-resizer
  --extra-create-metadata        CreateVolume/CreateSnapshot get the pvc/pv (snapshot/content) names
  --enable-capacity              CSIStorageCapacity objects from GetCapacity, per class and segment
  --capacity-poll-interval DURATION   how often capacity is refreshed (1m)
  --capacity-for-immediate-binding    capacity for Immediate classes too
  --capacity-namespace NS        where the CSIStorageCapacity objects go (default: $NAMESPACE, else kube-system)
  --default-fstype TYPE          fsType when the StorageClass names none
  --strict-topology              WaitForFirstConsumer: only the selected node's segment
  --immediate-topology=false     Immediate binding: no accessibility requirements
  --timeout DURATION             external-provisioner's and external-resizer's CSI call timeout (10s)
  --retry-interval-start DURATION, --retry-interval-max DURATION   retry backoff (1s, 5m)
  --snapshot-name-uuid-length N  CreateSnapshot names: the uid without dashes cut to N (default: whole uid)
  --schedule-pods                kube-scheduler's part: bind pods without a node to a --node that fits
                                 (node selector and affinity, volumes); never where a real scheduler runs
  --log-level LEVEL              pino level (info)`;

function main(): void {
  const { values } = parseArgs({
    options: {
      kubeconfig: { type: 'string' },
      'controller-endpoint': { type: 'string' },
      node: { type: 'string', multiple: true },
      'kubelet-root-dir': { type: 'string' },
      'pv-controller': { type: 'string' },
      'no-provisioner': { type: 'boolean' },
      'no-snapshot-controller': { type: 'boolean' },
      'no-snapshotter': { type: 'boolean' },
      'no-resizer': { type: 'boolean' },
      'extra-create-metadata': { type: 'boolean' },
      'default-fstype': { type: 'string' },
      'enable-capacity': { type: 'boolean' },
      'capacity-poll-interval': { type: 'string' },
      'capacity-for-immediate-binding': { type: 'boolean' },
      'capacity-namespace': { type: 'string' },
      'strict-topology': { type: 'boolean' },
      'immediate-topology': { type: 'string' },
      timeout: { type: 'string' },
      'retry-interval-start': { type: 'string' },
      'retry-interval-max': { type: 'string' },
      'snapshot-name-uuid-length': { type: 'string' },
      'schedule-pods': { type: 'boolean' },
      'log-level': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!values.kubeconfig) throw new Error('--kubeconfig is required');
  const nodes = (values.node ?? []).map((n) => {
    const i = n.indexOf('=');
    if (i <= 0 || i === n.length - 1) throw new Error(`--node ${n}: expected NAME=unix:///path/to/socket`);
    return { name: n.slice(0, i), endpoint: n.slice(i + 1) };
  });
  const pvFlag = values['pv-controller'] ?? 'auto';
  if (!['auto', 'true', 'false'].includes(pvFlag)) throw new Error(`--pv-controller ${pvFlag}: expected auto, true or false`);
  const settings: Partial<StandInSettings> = {
    ...(values['extra-create-metadata'] ? { extraCreateMetadata: true, snapshotExtraCreateMetadata: true } : {}),
    ...(values['enable-capacity'] ? { enableCapacity: true } : {}),
    ...(values['capacity-poll-interval'] ? { capacityPollIntervalMs: parseDuration(values['capacity-poll-interval']) } : {}),
    ...(values['capacity-for-immediate-binding'] ? { capacityForImmediateBinding: true } : {}),
    ...(values['capacity-namespace'] ?? process.env['NAMESPACE'] ? { capacityNamespace: values['capacity-namespace'] ?? process.env['NAMESPACE'] } : {}),
    ...(values['default-fstype'] !== undefined ? { defaultFsType: values['default-fstype'] } : {}),
    ...(values['strict-topology'] ? { strictTopology: true } : {}),
    ...(values['immediate-topology'] !== undefined ? { immediateTopology: values['immediate-topology'] !== 'false' } : {}),
    ...(values.timeout ? { provisionerTimeoutMs: parseDuration(values.timeout), resizerTimeoutMs: parseDuration(values.timeout) } : {}),
    ...(values['retry-interval-start'] ? { retryIntervalStartMs: parseDuration(values['retry-interval-start']) } : {}),
    ...(values['retry-interval-max'] ? { retryIntervalMaxMs: parseDuration(values['retry-interval-max']) } : {}),
    ...(values['snapshot-name-uuid-length'] ? { snapshotNameUuidLength: Number.parseInt(values['snapshot-name-uuid-length'], 10) } : {}),
    ...(values['schedule-pods'] ? { schedulePods: true } : {}),
  };
  const log = standInLogger(values['log-level'] ?? 'info');
  const abort = new AbortController();
  const running = startStandIns({
    kubeconfig: values.kubeconfig,
    controllerEndpoint: values['controller-endpoint'],
    nodes,
    kubeletRootDir: values['kubelet-root-dir'],
    pvController: pvFlag === 'auto' ? 'auto' : pvFlag === 'true',
    provisioner: !values['no-provisioner'],
    snapshotController: !values['no-snapshot-controller'],
    snapshotter: !values['no-snapshotter'],
    resizer: !values['no-resizer'],
    settings: { ...DEFAULT_SETTINGS, ...settings },
    log,
    signal: abort.signal,
  });
  const shutdown = (sig: string) => {
    log.info({ signal: sig }, 'stopping the test stand-ins');
    abort.abort();
    running
      .then((s) => s.stop())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  running.catch((err: unknown) => {
    log.error({ err }, 'the test stand-ins could not start');
    process.exit(1);
  });
}

try {
  main();
} catch (err) {
  process.stderr.write(`csi-standins: ${(err as Error).message}\n\n${USAGE}\n`);
  process.exit(2);
}
