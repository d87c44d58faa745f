/**
 * The kubelet stand-in (with node-driver-registrar's part) and the external-resizer stand-in:
 * the Node and CSINode a registration leaves, the NodePublishVolume a pod on the node causes
 * (a pod made as kubectl makes it, with spec.nodeName), the pod's status, the expansion of a
 * published claim (controller, then node), stats, and the unpublish a deleted pod causes.
 */
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { apiCall } from '@copse/controller-runtime';
import { GiB } from './fake-plugin';
import { useEnv, type Env } from './env';

const env = useEnv({ nodes: ['a', 'b'] });

async function userPod(e: Env, node: string, claimName: string, readOnly = false): Promise<V1Pod> {
  return apiCall(() =>
    e.api.core.createNamespacedPod({
      namespace: e.namespace,
      body: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: e.name('pod') },
        spec: {
          nodeName: node,
          containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.9' }],
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName, readOnly } }],
        },
      },
    }),
  );
}

async function waitForPod(e: Env, name: string, check: (p: V1Pod | undefined) => boolean): Promise<V1Pod | undefined> {
  return e.eventually(async () => {
    const pod = await apiCall(() => e.api.core.readNamespacedPod({ namespace: e.namespace, name })).catch(() => undefined);
    return check(pod) ? (pod ?? null) : undefined;
  }, `pod ${name}`) as Promise<V1Pod | undefined>;
}

describe('kubelet stand-in', () => {
  it('registers the driver as node-driver-registrar and kubelet do: node id annotation, topology label, CSINode entry', async () => {
    const e = env();
    for (const name of e.nodes) {
      const node = await apiCall(() => e.api.core.readNode({ name }));
      expect(JSON.parse(node.metadata?.annotations?.['csi.volume.kubernetes.io/nodeid'] ?? '{}')).toEqual({ [e.driverName]: name });
      expect(node.metadata?.labels?.[e.topologyKey]).toBe(name);
      const csiNode = await apiCall(() => e.api.storage.readCSINode({ name }));
      expect(csiNode.spec.drivers).toEqual([{ name: e.driverName, nodeID: name, topologyKeys: [e.topologyKey] }]);
      expect(csiNode.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Node', name, uid: node.metadata?.uid });
    }
  });

  it('publishes the claims of a pod made with spec.nodeName (selected-node for WaitForFirstConsumer), marks it Running, and unpublishes when it is deleted', async () => {
    const e = env();
    const node = e.nodes[1] as string;
    const sc = await e.storageClass({ volumeBindingMode: 'WaitForFirstConsumer', parameters: { 'csi.storage.k8s.io/fstype': 'ext4' }, mountOptions: ['noatime'] });
    const claim = await e.pvc({ storageClassName: sc.metadata?.name as string });
    const pod = await userPod(e, node, claim.metadata?.name as string);
    const running = await waitForPod(e, pod.metadata?.name as string, (p) => p?.status?.phase === 'Running');
    expect(running?.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(running?.status?.containerStatuses?.[0]).toMatchObject({ name: 'app', ready: true });

    const bound = await e.readPvc(claim.metadata?.name as string);
    expect(bound.metadata?.annotations?.['volume.kubernetes.io/selected-node']).toBe(node);
    const pv = await e.readPv(bound.spec?.volumeName as string);
    const create = e.plugin.requests('CreateVolume').find((r) => r.name === pv.metadata?.name);
    expect(create.accessibility_requirements.preferred[0]).toEqual({ segments: { [e.topologyKey]: node } });

    const publish = e.plugin.requests('NodePublishVolume').find((r) => r.volume_id === pv.spec?.csi?.volumeHandle);
    expect(publish).toEqual({
      volume_id: pv.spec?.csi?.volumeHandle,
      publish_context: {},
      staging_target_path: '',
      target_path: join(e.standIns.kubeletRootDir, node, 'pods', pod.metadata?.uid as string, 'volumes/kubernetes.io~csi', pv.metadata?.name as string, 'mount'),
      volume_capability: { mount: { fs_type: 'ext4', mount_flags: ['noatime'], volume_mount_group: '' }, access_mode: { mode: 'SINGLE_NODE_WRITER' }, access_type: 'mount' },
      readonly: false,
      secrets: {},
      volume_context: pv.spec?.csi?.volumeAttributes,
    });

    await apiCall(() => e.api.core.deleteNamespacedPod({ namespace: e.namespace, name: pod.metadata?.name as string }));
    await e.eventually(async () => (e.plugin.requests('NodeUnpublishVolume').some((r) => r.target_path === publish.target_path) ? true : undefined), 'NodeUnpublishVolume');
    await waitForPod(e, pod.metadata?.name as string, (p) => p === undefined);
    expect(e.standIns.kubelet(node).published()).toEqual([]);
  });

  it('expands a published claim: ControllerExpandVolume, FileSystemResizePending, NodeExpandVolume, the new capacity', async () => {
    const e = env();
    const sc = await e.storageClass({ allowVolumeExpansion: true });
    const claim = await e.bound((await e.pvc({ storageClassName: sc.metadata?.name as string })).metadata?.name as string);
    // Immediate binding: the pod goes where the volume is (the scheduler's volume node affinity)
    const pvAffinity = (await e.readPv(claim.spec?.volumeName as string)).spec?.nodeAffinity?.required?.nodeSelectorTerms[0]?.matchExpressions?.[0];
    const node = pvAffinity?.values?.[0] as string;
    expect(e.nodes).toContain(node);
    const pod = await userPod(e, node, claim.metadata?.name as string);
    await waitForPod(e, pod.metadata?.name as string, (p) => p?.status?.phase === 'Running');
    const publication = e.standIns.kubelet(node).published().find((p) => p.claim.name === claim.metadata?.name);
    expect(publication).toBeDefined();

    await apiCall(() =>
      e.api.core.patchNamespacedPersistentVolumeClaim({
        namespace: e.namespace,
        name: claim.metadata?.name as string,
        body: [{ op: 'replace', path: '/spec/resources/requests/storage', value: '3Gi' }],
      }),
    );
    const expanded = await e.waitForPvc(claim.metadata?.name as string, (c) => c?.status?.capacity?.['storage'] === '3Gi');
    expect(expanded?.status?.conditions ?? []).toEqual([]);
    const handle = (await e.readPv(claim.spec?.volumeName as string)).spec?.csi?.volumeHandle;
    expect(e.plugin.requests('ControllerExpandVolume').find((r) => r.volume_id === handle)).toMatchObject({ volume_id: handle, capacity_range: { required_bytes: String(3 * GiB), limit_bytes: '0' } });
    expect(e.plugin.requests('NodeExpandVolume').find((r) => r.volume_id === handle)).toMatchObject({
      volume_id: handle,
      volume_path: publication?.targetPath,
      capacity_range: { required_bytes: String(3 * GiB) },
    });
    const stats = await e.standIns.kubelet(node).stats(publication as never);
    expect(stats.usage[0]).toMatchObject({ unit: 'BYTES', total: String(3 * GiB), used: '4096' });
    await apiCall(() => e.api.core.deleteNamespacedPod({ namespace: e.namespace, name: pod.metadata?.name as string }));
    await waitForPod(e, pod.metadata?.name as string, (p) => p === undefined);
  });
});
