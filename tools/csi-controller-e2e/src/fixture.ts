/**
 * One stack per spec file: the cluster (test server or KUBECONFIG), Nodes with capacity
 * annotations and a test node reconciler each, and the csi-controller process.
 */
import type { ControllerClient, CreateVolumeRequest, VolumeCapability } from '@copse/csi-spec';
import { call, ControllerProcess, type ControllerProcessOptions } from './controller-process';
import { connect, type Cluster } from './cluster';
import { TestNode } from './test-node';

export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;

export interface NodeSpec {
  /** suffix of the node's name: `<runId>-<key>` */
  readonly key: string;
  /** free bytes per device class; '' is the run's own class */
  readonly free: Record<string, number>;
  /** start no test node for it (a dead node) */
  readonly dead?: boolean;
}

export interface Stack {
  readonly cluster: Cluster;
  readonly controller: ControllerProcess;
  readonly client: ControllerClient;
  /** the test node of a node key */
  node(key: string): TestNode;
  /** the Node name of a key */
  nodeName(key: string): string;
  /** the run's device class (what a StorageClass would name) */
  readonly deviceClass: string;
  call<Res = unknown>(method: string, request: unknown, options?: { deadlineMs?: number }): Promise<Res>;
}

export function useStack(spec: { nodes: readonly NodeSpec[]; controller?: ControllerProcessOptions }): () => Stack {
  let stack: Stack | undefined;
  const nodes = new Map<string, TestNode>();
  let controller: ControllerProcess | undefined;
  let cluster: Cluster | undefined;
  beforeAll(async () => {
    cluster = await connect();
    const c = cluster;
    const dc = c.deviceClass;
    const nodeName = (key: string) => `${c.runId}-${key}`;
    for (const n of spec.nodes) {
      const free = Object.fromEntries(Object.entries(n.free).map(([k, v]) => [k === '' ? dc : k, v]));
      await c.createNode(nodeName(n.key), free);
      if (n.dead) continue;
      const tn = new TestNode({ kubeConfig: c.kc, names: c.names, nodeName: nodeName(n.key), deviceClasses: Object.keys(free) });
      await tn.start();
      nodes.set(n.key, tn);
    }
    controller = await new ControllerProcess(c, spec.controller).start();
    const client = controller.controller();
    stack = {
      cluster: c,
      controller,
      client,
      node: (key) => {
        const tn = nodes.get(key);
        if (!tn) throw new Error(`no test node ${key}`);
        return tn;
      },
      nodeName,
      deviceClass: dc,
      call: (method, request, options) => call(client, method, request, options),
    };
  }, 90_000);
  afterAll(async () => {
    await controller?.close();
    for (const tn of nodes.values()) await tn.stop();
    await cluster?.close();
  }, 120_000);
  return () => {
    if (!stack) throw new Error('the stack is not up (did beforeAll fail?)');
    return stack;
  };
}

export function mount(fsType = 'ext4', mode: VolumeCapability['access_mode'] = { mode: 'SINGLE_NODE_WRITER' }): VolumeCapability {
  return { mount: { fs_type: fsType, mount_flags: [] }, access_mode: mode };
}

export function block(mode: VolumeCapability['access_mode'] = { mode: 'SINGLE_NODE_WRITER' }): VolumeCapability {
  return { block: {}, access_mode: mode };
}

/** A CreateVolume request in the run's device class. */
export function volumeRequest(s: Stack, name: string, more: Partial<CreateVolumeRequest> & { bytes?: number } = {}): CreateVolumeRequest {
  const { bytes, ...rest } = more;
  return {
    name,
    volume_capabilities: [mount()],
    capacity_range: bytes === undefined ? undefined : { required_bytes: bytes },
    parameters: { [s.cluster.names.deviceClassParameter]: s.deviceClass },
    ...rest,
  };
}

/** accessibility_requirements naming these nodes, the first preferred. */
export function onNodes(s: Stack, ...keys: string[]): CreateVolumeRequest['accessibility_requirements'] {
  const topo = (key: string) => ({ segments: { [s.cluster.names.topologyNodeKey]: s.nodeName(key) } });
  return { preferred: keys.slice(0, 1).map(topo), requisite: keys.map(topo) };
}
