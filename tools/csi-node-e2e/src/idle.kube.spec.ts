/**
 * The reconciler's idle cost, counted: once every LogicalVolume of the node is reconciled
 * (volumes, snapshots, restores, clones, a grown one, one that failed for good) and the
 * Node's annotations are current, an idle minute costs no request to the Kubernetes API
 * beyond the open watches, no request to lvmd-http beyond its open watch stream, and no
 * lvm invocation. (TopoLVM's node re-reads lvs/vgs on timers: #1221.)
 *
 * The minute is a real one (CSI_NODE_IDLE_SECONDS shortens it for a local run); what is
 * asserted is a count, not a speed.
 */
import type { RunningCsiNode } from '@copse/csi-node';
import { isLogicalVolumeReady, quantityToBytes, type LogicalVolume } from '@copse/k8s-crd';
import { CountingKubeConfig, lvmdMetrics, sumOf } from './counting';
import { GiB, MiB, useEnv } from './fixture';

const IDLE_MS = Number(process.env['CSI_NODE_IDLE_SECONDS'] ?? '60') * 1000;
const env = useEnv();
let node: RunningCsiNode;
let kc: CountingKubeConfig;

beforeAll(async () => {
  kc = CountingKubeConfig.from(env().kc);
  node = await env().startNode({ kubeConfig: kc });
}, 60_000);
afterAll(() => node?.stop());

const ready = (lv: LogicalVolume | undefined) => Boolean(lv && isLogicalVolumeReady(lv));

/** lvmd-http's own counts: requests other than the scrape itself, and lvm commands. */
async function lvmdCounts(): Promise<{ requests: number; lvm: number }> {
  const text = await lvmdMetrics(env().lvmd.socket);
  return {
    requests: sumOf(text, 'lvmd_http_requests_total', (labels) => !labels.includes('route="/metrics"')),
    lvm: sumOf(text, 'lvmd_lvm_invocations_total'),
  };
}

describe('an idle node', () => {
  it('makes no API request beyond its watches, no lvmd-http request and no lvm call in an idle minute', async () => {
    const e = env();
    const volumes = Array.from({ length: 12 }, () => e.name('pvc'));
    await Promise.all(volumes.map((name) => e.createLv({ name, sizeBytes: 64 * MiB })));
    await Promise.all(volumes.map((name) => e.waitLv(name, ready)));
    const size = (await e.getLv(volumes[0]!))!.status!.currentSize!;
    const snapshots = volumes.slice(0, 4).map((source) => ({ name: e.name('snapshot'), source }));
    await Promise.all(snapshots.map((s) => e.createLv({ name: s.name, sizeBytes: quantityToBytes(size), source: { name: s.source, accessType: 'ro' } })));
    const restores = snapshots.map((s) => ({ name: e.name('restore'), source: s.name }));
    const clones = volumes.slice(4, 6).map((source) => ({ name: e.name('clone'), source }));
    await Promise.all(
      [...restores, ...clones].map((r) => e.createLv({ name: r.name, sizeBytes: 128 * MiB, source: { name: r.source, accessType: 'rw' } })),
    );
    const failed = e.name('too-big');
    await e.createLv({ name: failed, sizeBytes: 1024 * GiB });
    await e.patchLv(volumes[11]!, [{ op: 'replace', path: '/spec/size', value: '96Mi' }]);
    await Promise.all([...snapshots, ...restores, ...clones].map((s) => e.waitLv(s.name, ready)));
    await e.waitLv(failed, (lv) => Boolean(lv?.status?.code));
    await e.waitLv(volumes[11]!, (lv) => lv?.status?.currentSize === '96Mi');
    // the last status writes come back as watch events; let the reconciler see them
    await new Promise((r) => setTimeout(r, 2000));

    // the counters count: the work above went through them
    const busyRequests = kc.requests.length;
    const busyLvmd = await lvmdCounts();
    expect(busyRequests).toBeGreaterThan(2 * volumes.length);
    expect(busyLvmd.requests).toBeGreaterThan(volumes.length);
    expect(busyLvmd.lvm).toBeGreaterThan(0);
    const watchesBefore = kc.watches;
    expect(watchesBefore).toBeGreaterThanOrEqual(2); // its LogicalVolumes and its Node

    await new Promise((r) => setTimeout(r, IDLE_MS));

    const idleRequests = kc.requests.slice(busyRequests);
    const idleLvmd = await lvmdCounts();
    expect({
      apiRequests: idleRequests,
      lvmdRequests: idleLvmd.requests - busyLvmd.requests,
      lvmInvocations: idleLvmd.lvm - busyLvmd.lvm,
    }).toEqual({ apiRequests: [], lvmdRequests: 0, lvmInvocations: 0 });
    // watches re-open only when the server ends them (after 5 to 10 minutes)
    expect(kc.watches - watchesBefore).toBe(0);
    expect(node.informer.list().length).toBe(volumes.length + snapshots.length + restores.length + clones.length + 1);
  }, 120_000 + IDLE_MS);
});
