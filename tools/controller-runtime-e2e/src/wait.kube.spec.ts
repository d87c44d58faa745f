/** waitFor against a Kubernetes API: it watches from its read's resourceVersion and never polls. */
import { apiCall, collectionPath, waitFor, WaitTimeoutError } from '@copse/controller-runtime';
import { isLogicalVolumeReady, withReadyCondition, type LogicalVolume } from '@copse/k8s-crd';
import { useCluster } from './cluster';
import { ApiProxy } from './proxy';

const cluster = useCluster();

let proxy: ApiProxy;
beforeAll(async () => {
  proxy = await ApiProxy.start(cluster().kc);
});
afterAll(async () => {
  await proxy?.close();
});

function api() {
  const { custom, names } = cluster();
  const { group, version, plural } = names.logicalVolumes;
  return {
    get: (name: string) => apiCall(() => custom.getClusterCustomObject({ group, version, plural, name })) as Promise<LogicalVolume>,
    /** What a node writes once it has made the volume. */
    setCreated: (name: string) =>
      apiCall(() =>
        custom.patchClusterCustomObjectStatus({
          group,
          version,
          plural,
          name,
          body: [{ op: 'add', path: '/status', value: withReadyCondition({ volumeID: `uid-${name}`, currentSize: '1Gi' }) }],
        }),
      ),
    delete: (name: string) => apiCall(() => custom.deleteClusterCustomObject({ group, version, plural, name })),
  };
}

function options(name: string) {
  const { names } = cluster();
  return { kubeConfig: proxy.kubeConfig(), path: collectionPath(names.logicalVolumes), name };
}

describe('waitFor', () => {
  it('sees a change made right after its read, by watching from the read\'s resourceVersion', async () => {
    const c = cluster();
    const name = (await c.createLogicalVolume(c.logicalVolume('racy'))).metadata!.name!;
    const watchesBefore = proxy.watchRequests.length;
    let reads = 0;
    const ready = await waitFor<LogicalVolume>({
      ...options(name),
      get: async () => {
        reads += 1;
        const read = await api().get(name);
        await api().setCreated(name); // lands after the read, before the watch begins
        return read;
      },
      condition: (lv) => isLogicalVolumeReady(lv ?? { status: undefined }),
      timeoutMs: 10_000,
    });
    expect(ready?.status?.volumeID).toBe(`uid-${name}`);
    expect(reads).toBe(1); // read once, then only watched: no polling
    const watches = proxy.watchRequests.slice(watchesBefore);
    expect(watches).toHaveLength(1);
    expect(watches[0]?.query.get('fieldSelector')).toBe(`metadata.name=${name}`);
    expect(watches[0]?.resourceVersion).toBeTruthy();
  });

  it('returns at once when the condition already holds', async () => {
    const c = cluster();
    const name = (await c.createLogicalVolume(c.logicalVolume('done'))).metadata!.name!;
    await api().setCreated(name);
    const watchesBefore = proxy.watchRequests.length;
    const lv = await waitFor<LogicalVolume>({ ...options(name), get: () => api().get(name), condition: (o) => isLogicalVolumeReady(o ?? {}) });
    expect(lv?.metadata?.name).toBe(name);
    expect(proxy.watchRequests.length).toBe(watchesBefore);
  });

  it('waits for a deletion, and keeps waiting across a cut watch and a 410', async () => {
    const c = cluster();
    const name = (await c.createLogicalVolume(c.logicalVolume('doomed'))).metadata!.name!;
    const watchesBefore = proxy.watchRequests.length;
    const gone = waitFor<LogicalVolume>({ ...options(name), get: () => api().get(name), condition: (o) => o === undefined, timeoutMs: 20_000 });
    await waitUntilWatching(watchesBefore + 1);
    proxy.cutWatches();
    await waitUntilWatching(watchesBefore + 2);
    proxy.expireNextWatch();
    proxy.cutWatches();
    await waitUntilWatching(watchesBefore + 4); // the expired one, then a fresh read and watch
    await api().delete(name);
    await expect(gone).resolves.toBeUndefined();
  });

  it('gives up after its timeout with the object as last seen, and when its signal aborts', async () => {
    const c = cluster();
    const name = (await c.createLogicalVolume(c.logicalVolume('never'))).metadata!.name!;
    const started = Date.now();
    const timedOut = waitFor<LogicalVolume>({ ...options(name), get: () => api().get(name), condition: () => false, timeoutMs: 300 });
    await expect(timedOut).rejects.toBeInstanceOf(WaitTimeoutError);
    await timedOut.catch((e: WaitTimeoutError) => expect((e.lastSeen as LogicalVolume).metadata?.name).toBe(name));
    expect(Date.now() - started).toBeLessThan(5_000);

    const abort = new AbortController();
    const aborted = waitFor<LogicalVolume>({ ...options(name), get: () => api().get(name), condition: () => false, signal: abort.signal });
    setTimeout(() => abort.abort(new Error('caller went away')), 100);
    await expect(aborted).rejects.toThrow('caller went away');
    await new Promise((r) => setTimeout(r, 100));
    expect(proxy.openWatches()).toBe(0);
  });
});

async function waitUntilWatching(requests: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (proxy.watchRequests.length < requests || proxy.openWatches() === 0) {
    if (Date.now() > deadline) throw new Error(`expected ${requests} watch requests, saw ${proxy.watchRequests.length}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
