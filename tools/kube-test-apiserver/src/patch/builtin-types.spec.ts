import { builtinKinds, builtinType } from './builtin-types';
import { fieldType } from './schema';
import type { ListType, MapType, TypeNode } from './schema';

const at = (root: TypeNode | undefined, ...path: string[]): TypeNode => {
  let cur = root!;
  for (const p of path) cur = p === '[]' ? (cur as ListType).items : fieldType(cur, p);
  return cur;
};

describe('the table of built-in kinds', () => {
  it('knows every kind the project touches', () => {
    expect(builtinKinds().sort()).toEqual(
      [
        'coordination.k8s.io/v1/Lease',
        'events.k8s.io/v1/Event',
        'storage.k8s.io/v1/CSIDriver',
        'storage.k8s.io/v1/CSINode',
        'storage.k8s.io/v1/CSIStorageCapacity',
        'storage.k8s.io/v1/StorageClass',
        'storage.k8s.io/v1/VolumeAttachment',
        'v1/ConfigMap',
        'v1/Event',
        'v1/Namespace',
        'v1/Node',
        'v1/PersistentVolume',
        'v1/PersistentVolumeClaim',
        'v1/Pod',
        'v1/Secret',
      ].sort(),
    );
  });

  // What kubectl patches and applies rely on, as x-kubernetes-* says it for the real server.
  it.each<[string, string, string[], Partial<ListType>]>([
    ['v1', 'Pod', ['spec', 'containers'], { listType: 'map', keys: ['name'], patchStrategy: 'merge', patchMergeKey: 'name' }],
    ['v1', 'Pod', ['spec', 'containers', '[]', 'ports'], { listType: 'map', keys: ['containerPort', 'protocol'], patchMergeKey: 'containerPort' }],
    ['v1', 'Pod', ['spec', 'containers', '[]', 'env'], { listType: 'map', keys: ['name'], patchMergeKey: 'name' }],
    ['v1', 'Pod', ['spec', 'volumes'], { listType: 'map', keys: ['name'], patchMergeKey: 'name' }],
    ['v1', 'Pod', ['spec', 'tolerations'], { listType: 'atomic' }],
    // atomic for apply, merged by ip for strategic merge patch, as the Go field says
    ['v1', 'Pod', ['status', 'hostIPs'], { listType: 'atomic', patchStrategy: 'merge', patchMergeKey: 'ip' }],
    ['v1', 'Pod', ['metadata', 'finalizers'], { listType: 'set', patchStrategy: 'merge' }],
    ['v1', 'Pod', ['metadata', 'ownerReferences'], { listType: 'map', keys: ['uid'], patchMergeKey: 'uid' }],
    ['v1', 'PersistentVolumeClaim', ['spec', 'accessModes'], { listType: 'atomic' }],
    ['v1', 'PersistentVolumeClaim', ['status', 'conditions'], { listType: 'map', keys: ['type'], patchMergeKey: 'type' }],
    ['v1', 'Node', ['status', 'addresses'], { listType: 'map', keys: ['type'], patchMergeKey: 'type' }],
    ['v1', 'Node', ['spec', 'podCIDRs'], { listType: 'set', patchStrategy: 'merge' }],
    ['v1', 'Node', ['spec', 'taints'], { listType: 'atomic' }],
    ['v1', 'Namespace', ['spec', 'finalizers'], { listType: 'atomic' }],
    ['storage.k8s.io/v1', 'CSINode', ['spec', 'drivers'], { listType: 'map', keys: ['name'], patchMergeKey: 'name' }],
    ['storage.k8s.io/v1', 'CSIDriver', ['spec', 'volumeLifecycleModes'], { listType: 'set' }],
    ['storage.k8s.io/v1', 'StorageClass', ['allowedTopologies'], { listType: 'atomic' }],
  ])('%s %s .%s', (apiVersion, kind, path, want) => {
    expect(at(builtinType(apiVersion, kind), ...path)).toMatchObject({ kind: 'list', ...want });
  });

  it('marks atomic structs and maps, and the granular claimRef', () => {
    expect((at(builtinType('v1', 'PersistentVolumeClaim'), 'spec', 'selector') as MapType).atomic).toBe(true);
    expect((at(builtinType('v1', 'Pod'), 'spec', 'nodeSelector') as MapType).atomic).toBe(true);
    expect((at(builtinType('v1', 'Pod'), 'metadata', 'ownerReferences', '[]') as MapType).atomic).toBe(true);
    expect((at(builtinType('v1', 'PersistentVolume'), 'spec', 'claimRef') as MapType).atomic).toBe(false);
    expect((at(builtinType('v1', 'PersistentVolume'), 'spec', 'nodeAffinity', 'required') as MapType).atomic).toBe(true);
  });

  it('declares every field (scalars too), so a PVC keeps storageClassName and a typo is unknown', () => {
    const spec = at(builtinType('v1', 'PersistentVolumeClaim'), 'spec') as MapType;
    expect(spec.closed).toBe(true);
    expect(Object.keys(spec.fields!)).toEqual(expect.arrayContaining(['storageClassName', 'volumeMode', 'volumeName', 'resources', 'dataSourceRef']));
    expect(spec.fields!.storageClasName).toBeUndefined();
  });

  it('records Go zero values and key defaults', () => {
    expect((builtinType('v1', 'PersistentVolumeClaim') as MapType).zero).toEqual({ metadata: {}, spec: {}, status: {} });
    expect((at(builtinType('v1', 'PersistentVolumeClaim'), 'spec') as MapType).zero).toEqual({ resources: {} });
    expect((at(builtinType('v1', 'Pod'), 'spec', 'containers', '[]', 'ports', '[]') as MapType).defaults).toEqual({ protocol: 'TCP' });
  });
});
