/** The event recorder against a Kubernetes API: core/v1 Events, aggregated as client-go does. */
import { CoreV1Api, type CoreV1Event } from '@kubernetes/client-node';
import { apiCall, COMBINED_PREFIX, EventRecorder, isNotFound } from '@copse/controller-runtime';
import type { LogicalVolume } from '@copse/k8s-crd';
import { useCluster } from './cluster';

const cluster = useCluster();

function core(): CoreV1Api {
  return cluster().kc.makeApiClient(CoreV1Api);
}

async function eventsAbout(uid: string): Promise<CoreV1Event[]> {
  const list = await apiCall(() => core().listNamespacedEvent({ namespace: cluster().namespace }));
  const mine = list.items.filter((e) => e.involvedObject.uid === uid);
  for (const e of mine) {
    cluster().onClose(async () => {
      try {
        await apiCall(() => core().deleteNamespacedEvent({ name: e.metadata!.name!, namespace: e.metadata!.namespace! }));
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    });
  }
  return mine;
}

describe('event recorder', () => {
  let lv: LogicalVolume;
  beforeAll(async () => {
    const c = cluster();
    lv = await c.createLogicalVolume(c.logicalVolume('events'));
  });

  it('writes an Event about the object, and counts identical ones on it instead of writing more', async () => {
    const recorder = new EventRecorder({ kubeConfig: cluster().kc, component: 'copse-e2e', host: 'node-a' });
    for (let i = 0; i < 5; i++) recorder.event(lv, 'Warning', 'CreateFailed', 'not enough space in pool0');
    recorder.event(lv, 'Normal', 'Created', 'logical volume created');
    await recorder.flush();

    const events = await eventsAbout(lv.metadata!.uid!);
    expect(events).toHaveLength(2);
    const failed = events.find((e) => e.reason === 'CreateFailed') as CoreV1Event;
    expect(failed).toMatchObject({
      type: 'Warning',
      message: 'not enough space in pool0',
      count: 5,
      source: { component: 'copse-e2e', host: 'node-a' },
      reportingComponent: 'copse-e2e',
      reportingInstance: 'node-a',
      involvedObject: {
        kind: 'LogicalVolume',
        apiVersion: cluster().names.apiVersion,
        name: lv.metadata!.name,
        uid: lv.metadata!.uid,
      },
    });
    expect(failed.metadata?.namespace).toBe('default'); // a cluster-scoped object's events go to default
    expect(failed.metadata?.name).toMatch(new RegExp(`^${lv.metadata!.name}\\.[0-9a-f]+$`));
    expect(new Date(failed.lastTimestamp as Date).getTime()).toBeGreaterThanOrEqual(new Date(failed.firstTimestamp as Date).getTime());
    expect(events.find((e) => e.reason === 'Created')).toMatchObject({ type: 'Normal', count: 1 });
  });

  it('folds similar events with changing messages into one', async () => {
    const c = cluster();
    const other = await c.createLogicalVolume(c.logicalVolume('similar'));
    const recorder = new EventRecorder({ kubeConfig: c.kc, component: 'copse-e2e', host: 'node-a' });
    for (let i = 0; i < 15; i++) recorder.event(other, 'Warning', 'PoolFilling', `pool0 at ${80 + i}%`);
    await recorder.flush();
    const events = await eventsAbout(other.metadata!.uid!);
    expect(events).toHaveLength(10);
    const combined = events.find((e) => e.message?.startsWith(COMBINED_PREFIX));
    expect(combined).toMatchObject({ count: 6, message: `${COMBINED_PREFIX}pool0 at 94%` });
  });
});
