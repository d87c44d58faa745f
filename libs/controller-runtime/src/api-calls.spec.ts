import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiCallsInSource, EVENT_RECORDER_CALLS, LEADER_ELECTION_CALLS, mergeApiCalls } from './api-calls';

describe('apiCallsInSource', () => {
  it('reads typed client calls, informers, waits, and this library’s recorder and elector', () => {
    const source = `
      this.core = kc.makeApiClient(CoreV1Api);
      const storage = kc.makeApiClient(StorageV1Api);
      this.api = kc.makeApiClient(CustomObjectsApi);
      await this.core.readNamespacedPersistentVolumeClaim({});
      await this.core.listPersistentVolumeClaimForAllNamespaces({});
      await this.core.patchNode({});
      await storage.listStorageClass({});
      await this.api.replaceClusterCustomObjectStatus({});
      await this.api.deleteClusterCustomObject({});
      informerFor<V1Node>(kc, NODES, {});
      waitFor<LogicalVolume>({});
      new EventRecorder({});
      this.client.getLogicalVolume('not a Kubernetes call');
    `;
    expect(apiCallsInSource(source, 'g.example')).toEqual([
      { group: '', resource: 'events', verbs: ['create', 'patch'] },
      { group: '', resource: 'nodes', verbs: ['list', 'watch', 'patch'] },
      { group: '', resource: 'persistentvolumeclaims', verbs: ['get', 'list'] },
      { group: 'g.example', resource: 'logicalvolumes', verbs: ['watch', 'delete'] },
      { group: 'g.example', resource: 'logicalvolumes/status', verbs: ['update'] },
      { group: 'storage.k8s.io', resource: 'storageclasses', verbs: ['list'] },
    ]);
  });

  it('refuses what it cannot read rather than missing a call', () => {
    expect(() => apiCallsInSource('x = kc.makeApiClient(AppsV1Api)', 'g')).toThrow(/unknown API class AppsV1Api/);
    expect(() => apiCallsInSource('informerFor<V1Pod>(kc, PODS)', 'g')).toThrow(/unknown kind V1Pod/);
  });

  it("matches this library's own declarations to its calls", () => {
    const read = (f: string) => readFileSync(join(__dirname, f), 'utf8').replace(/^import .*$/gm, '');
    // events.ts and leader-election.ts make the calls with their own clients
    expect(apiCallsInSource(read('events.ts'), 'g')).toEqual(mergeApiCalls([EVENT_RECORDER_CALLS('g')]));
    expect(apiCallsInSource(read('leader-election.ts'), 'g')).toEqual(mergeApiCalls([LEADER_ELECTION_CALLS('g')]));
  });
});
