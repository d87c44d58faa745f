/**
 * The Node's capacity annotations and TopoLVM's node metrics follow lvmd-http's watch
 * stream; the Node is written only when a figure changed. Plus the CSI socket's Identity
 * and NodeGetInfo.
 */
import * as path from 'node:path';
import { Watch, type V1Node } from '@kubernetes/client-node';
import { callUnary, csiClient, GrpcStatus } from '@copse/csi-grpc';
import type { RunningCsiNode } from '@copse/csi-node';
import type { GetPluginInfoResponse__Output, NodeGetCapabilitiesResponse__Output, NodeGetInfoResponse__Output, ProbeResponse__Output } from '@copse/csi-spec';
import { capacityAnnotation, isLogicalVolumeReady, type LogicalVolume } from '@copse/k8s-crd';
import type { DeviceClass } from '@copse/lvmd-api';
import { GiB, until, useEnv } from './fixture';

const env = useEnv();
let node: RunningCsiNode;

beforeAll(async () => {
  node = await env().startNode({ metrics: { host: '127.0.0.1', port: 0 }, csiEndpoint: path.join(env().dir, 'csi.sock') });
}, 60_000);
afterAll(() => node?.stop());

const ready = (lv: LogicalVolume | undefined) => Boolean(lv && isLogicalVolumeReady(lv));

function expected(classes: DeviceClass[]): Record<string, string> {
  const e = env();
  const out: Record<string, string> = {};
  for (const dc of classes) {
    out[capacityAnnotation(e.names, dc.name)] = String(dc.freeBytes);
    if (dc.default) out[e.names.defaultCapacityAnnotation] = String(dc.freeBytes);
  }
  return out;
}

function capacityOf(n: V1Node): Record<string, string> {
  const prefix = env().names.capacityAnnotationPrefix;
  return Object.fromEntries(Object.entries(n.metadata?.annotations ?? {}).filter(([k]) => k.startsWith(prefix)).sort(([a], [b]) => a.localeCompare(b)));
}

async function nodeSays(want: Record<string, string>): Promise<boolean> {
  const sorted = Object.fromEntries(Object.entries(want).sort(([a], [b]) => a.localeCompare(b)));
  return JSON.stringify(capacityOf(await env().getNode())) === JSON.stringify(sorted);
}

async function metric(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${node.metricsPort}/metrics`)).text();
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && want.every((w) => l.includes(w)));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

describe('capacity annotations', () => {
  it("writes every device class's free bytes and the default class's under 00default, and the Node finalizer", async () => {
    const e = env();
    const classes = await e.lvmd.client.listDeviceClasses();
    const want = expected(classes);
    expect(Object.keys(want)).toEqual([capacityAnnotation(e.names, 'thin'), e.names.defaultCapacityAnnotation, capacityAnnotation(e.names, 'thick')]);
    await until(() => nodeSays(want), `the Node to carry ${JSON.stringify(want)}`);
    expect((await e.getNode()).metadata!.finalizers).toContain(e.names.nodeFinalizer);
  });

  it('follows every change lvmd-http reports, and writes the Node only when a figure changed', async () => {
    const e = env();
    const modified: string[] = [];
    const watch = await new Watch(e.kc).watch(
      '/api/v1/nodes',
      { fieldSelector: `metadata.name=${e.nodeName}`, resourceVersion: (await e.getNode()).metadata!.resourceVersion },
      (type, obj: V1Node) => {
        if (type === 'MODIFIED') modified.push(JSON.stringify(capacityOf(obj)));
      },
      () => undefined,
    );
    try {
      const name = e.name('pvc');
      await e.createLv({ name, sizeBytes: GiB, deviceClass: 'thick' });
      const lv = await e.waitLv(name, ready);
      const afterCreate = expected(await e.lvmd.client.listDeviceClasses());
      await until(() => nodeSays(afterCreate), 'the thick class to shrink on the Node');
      const writes = modified.length;
      expect(writes).toBeGreaterThanOrEqual(1);

      // a change lvmd-http reports that moves no figure: capacity events, no Node write
      const events = () => node.registry.getSingleMetric('copse_node_lvmd_watch_events_total')!.get().then((m) => m.values.find((v) => v.labels['type'] === 'capacity')?.value ?? 0);
      const before = await events();
      await e.lvmd.client.setActivation(lv!.status!.volumeID!, { active: false }, 'thick');
      await e.lvmd.client.setActivation(lv!.status!.volumeID!, { active: true }, 'thick');
      await until(async () => (await events()) >= before + 2, 'two capacity events');
      // then one that moves a figure: once the Node shows it, every earlier write has been seen
      const second = e.name('pvc');
      await e.createLv({ name: second, sizeBytes: GiB, deviceClass: 'thick' });
      await e.waitLv(second, ready);
      const afterSecond = expected(await e.lvmd.client.listDeviceClasses());
      await until(() => nodeSays(afterSecond), 'the second create on the Node');
      await until(() => modified.length > writes, 'the watch to deliver the write');
      expect(modified.length).toBe(writes + 1);
    } finally {
      watch.abort();
    }
  });

  it("exports TopoLVM's node metrics from the same figures", async () => {
    const e = env();
    const all = await e.lvmd.client.listDeviceClasses();
    const thin = all.find((d) => d.name === 'thin') as DeviceClass;
    const thick = all.find((d) => d.name === 'thick') as DeviceClass;
    await until(async () => (await metric('topolvm_volumegroup_available_bytes', { device_class: 'thick' })) === thick.freeBytes, 'the thick gauge');
    const labels = { node: e.nodeName, device_class: 'thin' };
    expect(await metric('topolvm_volumegroup_available_bytes', labels)).toBe(thin.freeBytes);
    expect(await metric('topolvm_volumegroup_size_bytes', labels)).toBe(thin.vgSizeBytes);
    expect(await metric('topolvm_thinpool_size_bytes', labels)).toBe(thin.thinPool!.sizeBytes);
    expect(await metric('topolvm_thinpool_data_percent', labels)).toBe(thin.thinPool!.dataPercent);
    expect(await metric('topolvm_thinpool_metadata_percent', labels)).toBe(thin.thinPool!.metadataPercent);
    expect(await metric('topolvm_thinpool_overprovisioned_available', labels)).toBe(thin.thinPool!.overprovisionedFreeBytes);
    expect(await metric('topolvm_thinpool_size_bytes', { device_class: 'thick' })).toBeUndefined(); // thin classes only, as TopoLVM
    expect(await metric('copse_node_lvmd_watch_connected', {})).toBe(1);
  });

  it('follows lvmd-http across its restart (a new epoch: it starts again from a snapshot)', async () => {
    const e = env();
    const reconnects = () => node.registry.getSingleMetric('copse_node_lvmd_watch_reconnects_total')!.get().then((m) => m.values.reduce((a, v) => a + v.value, 0));
    const before = await reconnects();
    await e.lvmd.stop();
    await e.lvmd.start();
    await until(async () => node.follower.connected && (await reconnects()) > before, 'the watch stream to reconnect');
    // a change made right after the restart reaches the Node
    await e.lvmd.client.createLogicalVolume(e.name('direct'), { deviceClass: 'thick', sizeBytes: GiB });
    const want = expected(await e.lvmd.client.listDeviceClasses());
    await until(() => nodeSays(want), 'the Node to follow the restarted lvmd-http');
  });
});

describe('the CSI socket', () => {
  it('answers Identity, and the Node service with the driver name, the topology key of the name set and its capabilities', async () => {
    const e = env();
    const identity = csiClient('Identity', node.csi!.path);
    const csiNode = csiClient('Node', node.csi!.path);
    try {
      const info = await callUnary<GetPluginInfoResponse__Output>((cb) => identity.GetPluginInfo({}, cb));
      expect(info.name).toBe(e.names.driverName);
      const probe = await callUnary<ProbeResponse__Output>((cb) => identity.Probe({}, cb));
      expect(probe.ready?.value).toBe(true);
      const nodeInfo = await callUnary<NodeGetInfoResponse__Output>((cb) => csiNode.NodeGetInfo({}, cb));
      expect(nodeInfo).toMatchObject({ node_id: e.nodeName, accessible_topology: { segments: { [e.names.topologyNodeKey]: e.nodeName } } });
      const caps = await callUnary<NodeGetCapabilitiesResponse__Output>((cb) => csiNode.NodeGetCapabilities({}, cb));
      expect(caps.capabilities.map((c) => c.rpc?.type).sort()).toEqual(['EXPAND_VOLUME', 'GET_VOLUME_STATS', 'VOLUME_CONDITION']);
      // the Node service asks lvmd-http, and lvmd-http's not-found reaches the caller as NOT_FOUND
      const stats = callUnary((cb) => csiNode.NodeGetVolumeStats({ volume_id: 'no-such-volume', volume_path: e.dir }, cb));
      await expect(stats).rejects.toMatchObject({ code: GrpcStatus.NOT_FOUND, details: expect.stringContaining('no-such-volume') });
    } finally {
      identity.close();
      csiNode.close();
    }
  });
});
