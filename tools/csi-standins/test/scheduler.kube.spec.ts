/**
 * The scheduler stand-in (--schedule-pods): pods made without a node, as a user makes them, are
 * bound to a stand-in node that fits their node affinity and their volumes, after the volume
 * binder's PreBind (selected-node, then Bound); a pod that fits nowhere gets FailedScheduling.
 * Against a real cluster (KUBECONFIG) the real kube-scheduler plays this part: skipped there.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { apiCall } from '@copse/controller-runtime';
import { useEnv, type Env } from './env';

const realCluster = process.env['KUBECONFIG'] !== undefined;
const env = realCluster ? undefined : useEnv({ nodes: ['a', 'b'], settings: { schedulePods: true } });
const describeStandIn = realCluster ? describe.skip : describe;

async function unscheduledPod(e: Env, claimName: string, affinityTo?: string[]): Promise<V1Pod> {
  return apiCall(() =>
    e.api.core.createNamespacedPod({
      namespace: e.namespace,
      body: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: e.name('pod') },
        spec: {
          ...(affinityTo
            ? { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: e.topologyKey, operator: 'In', values: affinityTo }] }] } } } }
            : {}),
          containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.9' }],
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }],
        },
      },
    }),
  );
}

async function running(e: Env, pod: V1Pod): Promise<V1Pod> {
  return e.eventually(async () => {
    const p = await apiCall(() => e.api.core.readNamespacedPod({ namespace: e.namespace, name: pod.metadata?.name as string }));
    return p.status?.phase === 'Running' ? p : undefined;
  }, `pod ${pod.metadata?.name} Running`);
}

describeStandIn('scheduler stand-in', () => {
  it('binds a pod to the node its affinity names, selecting that node for its WaitForFirstConsumer claim first', async () => {
    const e = env!();
    const node = e.nodes[1] as string;
    const sc = await e.storageClass({ volumeBindingMode: 'WaitForFirstConsumer' });
    const claim = await e.pvc({ storageClassName: sc.metadata?.name as string });
    const pod = await running(e, await unscheduledPod(e, claim.metadata?.name as string, [node]));
    expect(pod.spec?.nodeName).toBe(node);
    const bound = await e.readPvc(claim.metadata?.name as string);
    expect(bound.metadata?.annotations?.['volume.kubernetes.io/selected-node']).toBe(node);
    expect(await e.events(pod)).toContainEqual(['Normal', 'Scheduled', `Successfully assigned ${e.namespace}/${pod.metadata?.name} to ${node}`]);
  });

  it("binds a pod with a bound claim to the node of the claim's volume", async () => {
    const e = env!();
    const sc = await e.storageClass({});
    const claim = await e.bound((await e.pvc({ storageClassName: sc.metadata?.name as string })).metadata?.name as string);
    const pv = await e.readPv(claim.spec?.volumeName as string);
    const volumeNode = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms[0]?.matchExpressions?.[0]?.values?.[0];
    expect(e.nodes).toContain(volumeNode);
    const pod = await running(e, await unscheduledPod(e, claim.metadata?.name as string));
    expect(pod.spec?.nodeName).toBe(volumeNode);
  });

  it('leaves a pod that fits no node unbound, with FailedScheduling saying why', async () => {
    const e = env!();
    const sc = await e.storageClass({ volumeBindingMode: 'WaitForFirstConsumer' });
    const claim = await e.pvc({ storageClassName: sc.metadata?.name as string });
    const pod = await unscheduledPod(e, claim.metadata?.name as string, ['no-such-node']);
    const events = await e.eventually(async () => {
      const list = await e.events(pod);
      return list.some(([, reason]) => reason === 'FailedScheduling') ? list : undefined;
    }, 'FailedScheduling');
    expect(events).toContainEqual(['Warning', 'FailedScheduling', "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector."]);
    const now = await apiCall(() => e.api.core.readNamespacedPod({ namespace: e.namespace, name: pod.metadata?.name as string }));
    expect(now.spec?.nodeName).toBeUndefined();
    expect((await e.readPvc(claim.metadata?.name as string)).metadata?.annotations?.['volume.kubernetes.io/selected-node']).toBeUndefined();
  });
});
