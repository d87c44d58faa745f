/**
 * The parts that run once per cluster, through the real processes: orphan collection (a
 * claim deleted while its volume was being made, TopoLVM #1104), node cleanup (a deleted
 * Node's LogicalVolumes removed and its claims released, TopoLVM's node finalizer), the switch
 * that turns node cleanup off, and leader election (one replica leads; another takes over when
 * it dies).
 */
import type { V1Node, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { apiCall, waitFor } from '@copse/controller-runtime';
import { GrpcStatus as status } from '@copse/csi-grpc';
import type { CreateSnapshotResponse__Output, CreateVolumeResponse__Output } from '@copse/csi-spec';
import type { LogicalVolume } from '@copse/k8s-crd';
import { call, ControllerProcess, failure } from './controller-process';
import { GiB, onNodes, useStack, volumeRequest, type Stack } from './fixture';

/** Short leases so that a takeover happens within seconds (validated like any flags). */
const LEASE = ['--lease-duration=3', '--renew-deadline=2', '--retry-period=0.5'];
const LEADING = 'running node cleanup and orphan collection';

const stack = useStack({
  nodes: ['a', 'b', 'c', 'd'].map((key) => ({ key, free: { '': 100 * GiB } })),
  controller: { args: LEASE },
});

const PVC_NAME = 'csi.storage.k8s.io/pvc/name';
const PVC_NAMESPACE = 'csi.storage.k8s.io/pvc/namespace';

/** CreateVolume as external-provisioner sends it for a claim (through `via`, default the stack's controller). */
async function volumeFor(s: Stack, claim: V1PersistentVolumeClaim, node: string, options: { deadlineMs?: number; via?: ControllerProcess } = {}) {
  const name = `pvc-${claim.metadata?.uid}`;
  const request = {
    ...volumeRequest(s, name, { bytes: GiB }),
    accessibility_requirements: onNodes(s, node),
  };
  request.parameters = { ...request.parameters, [PVC_NAME]: claim.metadata!.name!, [PVC_NAMESPACE]: claim.metadata!.namespace! };
  const response = options.via
    ? call<unknown, CreateVolumeResponse__Output>(options.via.controller(), 'CreateVolume', request, options)
    : s.call<CreateVolumeResponse__Output>('CreateVolume', request, options);
  return { name, response };
}

async function claimGone(s: Stack, claim: V1PersistentVolumeClaim, timeoutMs = 20_000): Promise<void> {
  const { namespace, name } = claim.metadata as { namespace: string; name: string };
  await waitFor<V1PersistentVolumeClaim>({
    kubeConfig: s.cluster.kc,
    path: `/api/v1/namespaces/${namespace}/persistentvolumeclaims`,
    name,
    get: () => apiCall(() => s.cluster.core.readNamespacedPersistentVolumeClaim({ namespace, name })),
    condition: (pvc) => pvc === undefined,
    timeoutMs,
  });
}

async function nodeGone(s: Stack, name: string, timeoutMs = 20_000): Promise<void> {
  await waitFor<V1Node>({
    kubeConfig: s.cluster.kc,
    path: '/api/v1/nodes',
    name,
    get: () => apiCall(() => s.cluster.core.readNode({ name })),
    condition: (node) => node === undefined,
    timeoutMs,
  });
}

async function lvWith(s: Stack, name: string, condition: (lv: LogicalVolume | undefined) => boolean): Promise<LogicalVolume | undefined> {
  const { group, version, plural } = s.cluster.names.logicalVolumes;
  return waitFor<LogicalVolume>({
    kubeConfig: s.cluster.kc,
    path: `/apis/${group}/${version}/${plural}`,
    name,
    get: () => apiCall(() => s.cluster.custom.getClusterCustomObject({ group, version, plural, name })) as Promise<LogicalVolume>,
    condition,
    timeoutMs: 20_000,
  });
}

describe('orphan collection (TopoLVM #1104)', () => {
  it('removes a volume whose claim was deleted while the node was still making it', async () => {
    const s = stack();
    const claim = await s.cluster.createClaim(s.cluster.name('claim'), 'any');
    const held = s.node('a').hold('create', (lv) => lv.spec.name === `pvc-${claim.metadata?.uid}`);
    const { name, response } = await volumeFor(s, claim, 'a', { deadlineMs: 1_500 });
    await held.reached;
    expect((await failure(response)).code).toBe(status.DEADLINE_EXCEEDED);
    const lv = await s.cluster.getLogicalVolume(name);
    expect(lv?.metadata?.annotations?.[s.cluster.names.pvcUidAnnotation]).toBe(claim.metadata?.uid);
    expect(lv?.metadata?.annotations?.[s.cluster.names.pvcAnnotation]).toBe(`${s.cluster.namespace}/${claim.metadata?.name}`);

    await apiCall(() => s.cluster.core.deleteNamespacedPersistentVolumeClaim({ namespace: s.cluster.namespace, name: claim.metadata!.name! }));
    held.release();
    await s.cluster.waitGone(name);
    await s.controller.waitForLog((l) => l.msg.startsWith('deleted an orphaned LogicalVolume') && l['logicalVolume'] === name);
    expect(await s.controller.metrics()).toMatch(/csi_controller_orphaned_logical_volumes_removed_total [1-9]/);
  });

  it('never removes a volume that reached a PersistentVolume, nor one whose claim exists', async () => {
    const s = stack();
    const bound = await s.cluster.createClaim(s.cluster.name('claim'), 'any');
    const kept = await s.cluster.createClaim(s.cluster.name('claim'), 'any');
    const b = await volumeFor(s, bound, 'a');
    const k = await volumeFor(s, kept, 'a');
    const boundId = (await b.response).volume!.volume_id;
    await k.response;
    const pvName = s.cluster.name('pv');
    await s.cluster.createPersistentVolume(pvName, boundId, bound);
    await lvWith(s, b.name, (lv) => lv?.metadata?.annotations?.[s.cluster.names.persistentVolumeAnnotation] === pvName);
    await apiCall(() => s.cluster.core.deleteNamespacedPersistentVolumeClaim({ namespace: s.cluster.namespace, name: bound.metadata!.name! }));

    // an orphan made after both: once it is collected, the deletion before it was seen too
    const late = await s.cluster.createClaim(s.cluster.name('claim'), 'any');
    const held = s.node('a').hold('create', (lv) => lv.spec.name === `pvc-${late.metadata?.uid}`);
    const o = await volumeFor(s, late, 'a', { deadlineMs: 1_000 });
    await held.reached;
    expect((await failure(o.response)).code).toBe(status.DEADLINE_EXCEEDED);
    await apiCall(() => s.cluster.core.deleteNamespacedPersistentVolumeClaim({ namespace: s.cluster.namespace, name: late.metadata!.name! }));
    held.release();
    await s.cluster.waitGone(o.name);

    expect(await s.cluster.getLogicalVolume(b.name)).toBeDefined();
    expect(await s.cluster.getLogicalVolume(k.name)).toBeDefined();
  });
});

describe('node cleanup', () => {
  it('holds a Node that serves the driver with a finalizer; once it is deleted, removes its LogicalVolumes and releases its claims', async () => {
    const s = stack();
    const node = s.nodeName('b');
    const { names } = s.cluster;
    await waitFor<V1Node>({
      kubeConfig: s.cluster.kc,
      path: '/api/v1/nodes',
      name: node,
      get: () => apiCall(() => s.cluster.core.readNode({ name: node })),
      condition: (n) => Boolean(n?.metadata?.finalizers?.includes(names.nodeFinalizer)),
      timeoutMs: 20_000,
    });
    const storageClass = s.cluster.name('sc');
    await s.cluster.createStorageClass(storageClass, { [names.deviceClassParameter]: s.deviceClass });
    // a WaitForFirstConsumer claim the scheduler put there, and an Immediate one bound to a volume there
    const selected = await s.cluster.createClaim(s.cluster.name('claim'), storageClass, { 'volume.kubernetes.io/selected-node': node });
    const immediate = await s.cluster.createClaim(s.cluster.name('claim'), storageClass);
    const v = await volumeFor(s, immediate, 'b');
    const volumeId = (await v.response).volume!.volume_id;
    await s.cluster.createPersistentVolume(s.cluster.name('pv'), volumeId, immediate);
    const snapshotName = s.cluster.name('snapshot');
    await s.call<CreateSnapshotResponse__Output>('CreateSnapshot', { name: snapshotName, source_volume_id: volumeId });
    // elsewhere: untouched
    const other = await s.cluster.createClaim(s.cluster.name('claim'), storageClass, { 'volume.kubernetes.io/selected-node': s.nodeName('a') });

    await s.node('b').stop(); // the node is dead: nothing but the controller will act
    await apiCall(() => s.cluster.core.deleteNode({ name: node }));
    await nodeGone(s, node);
    expect((await s.cluster.listLogicalVolumes()).filter((lv) => lv.spec.nodeName === node)).toEqual([]);
    await claimGone(s, selected);
    await claimGone(s, immediate);
    expect(await apiCall(() => s.cluster.core.readNamespacedPersistentVolumeClaim({ namespace: s.cluster.namespace, name: other.metadata!.name! }))).toBeDefined();
    expect(await s.controller.metrics()).toMatch(/csi_controller_node_cleanup_objects_total\{kind="logicalvolume"\} 2/);
  });
});

describe('leader election and the switch', () => {
  it('runs the cluster-wide work on one replica; another takes over when it dies, and cleans up', async () => {
    const s = stack();
    const second = await new ControllerProcess(s.cluster, { args: LEASE }).start();
    try {
      await s.controller.waitForLog((l) => l.msg === LEADING);
      expect(await s.controller.metrics()).toMatch(/^csi_controller_leader 1$/m);
      expect(await second.metrics()).toMatch(/^csi_controller_leader 0$/m);
      expect(second.lines.some((l) => l.msg === LEADING)).toBe(false);
      // the replica that does not lead serves CSI calls all the same
      const node = s.nodeName('c');
      const c = await volumeFor(s, await s.cluster.createClaim(s.cluster.name('claim'), 'any'), 'c', { via: second });
      expect((await c.response).volume?.accessible_topology).toEqual([{ segments: { [s.cluster.names.topologyNodeKey]: node } }]);
      await s.node('c').stop();
      expect(await s.controller.stop('SIGKILL')).toBeNull();
      await second.waitForLog((l) => l.msg === LEADING, 20_000);
      await apiCall(() => s.cluster.core.deleteNode({ name: node }));
      await nodeGone(s, node);
      await s.cluster.waitGone(c.name);
    } finally {
      await second.close();
    }
  });

  it('with --node-cleanup=false, lets a deleted Node go and leaves its LogicalVolumes', async () => {
    const s = stack();
    const third = await new ControllerProcess(s.cluster, { args: ['--node-cleanup=false', '--leader-election=false'] }).start();
    try {
      const node = s.nodeName('d');
      await third.waitForLog((l) => l.msg === LEADING);
      const d = await volumeFor(s, await s.cluster.createClaim(s.cluster.name('claim'), 'any'), 'd', { via: third });
      await d.response;
      await s.node('d').stop();
      await apiCall(() => s.cluster.core.deleteNode({ name: node }));
      await nodeGone(s, node); // the finalizer an earlier replica added is released
      expect(await s.cluster.getLogicalVolume(d.name)).toMatchObject({ spec: { nodeName: node } });
    } finally {
      await third.close();
    }
  });
});
