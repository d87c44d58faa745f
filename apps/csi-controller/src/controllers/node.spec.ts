import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { nameSet, newLogicalVolume, type LogicalVolume } from '@copse/k8s-crd';
import type { NodeMeta } from '../k8s/nodes';
import { decideNode, SELECTED_NODE_ANNOTATION, type NodeState } from './node';

const names = nameSet();
const policy = { names, cleanup: true };

function node(over: { deleting?: boolean; finalizer?: boolean; capacity?: boolean } = {}): NodeMeta {
  return {
    metadata: {
      name: 'node-a',
      annotations: over.capacity === false ? {} : { [names.defaultCapacityAnnotation]: '1000' },
      finalizers: over.finalizer ? [names.nodeFinalizer, 'example.com/other'] : ['example.com/other'],
      deletionTimestamp: over.deleting ? new Date() : undefined,
    },
  };
}

function lv(name: string, volumeID?: string): LogicalVolume {
  const o = newLogicalVolume(names, { name, nodeName: 'node-a', sizeBytes: 1024 });
  o.metadata!.uid = `uid-${name}`;
  if (volumeID) o.status = { volumeID };
  return o;
}

const claim = (name: string, over: { node?: string; sc?: string; deleting?: boolean } = {}): V1PersistentVolumeClaim => ({
  metadata: {
    name,
    namespace: 'db',
    uid: `uid-${name}`,
    annotations: over.node ? { [SELECTED_NODE_ANNOTATION]: over.node } : {},
    deletionTimestamp: over.deleting ? new Date() : undefined,
  },
  spec: { storageClassName: over.sc ?? 'copse' },
});

const pv = (handle: string, claimUid: string, driver = names.driverName): V1PersistentVolume => ({
  metadata: { name: `pv-${handle}` },
  spec: { csi: { driver, volumeHandle: handle }, claimRef: { uid: claimUid } },
});

function state(over: Partial<NodeState>): NodeState {
  return { name: 'node-a', node: node(), observedDeletion: false, logicalVolumes: [], claims: [], persistentVolumes: [], storageClasses: new Set(['copse']), ...over };
}

describe('a node', () => {
  it('that serves the driver gets the finalizer that holds it until cleanup', () => {
    expect(decideNode(state({}), policy)).toEqual([{ type: 'add-finalizer' }]);
    expect(decideNode(state({ node: node({ capacity: false }), logicalVolumes: [lv('v1')] }), policy)).toEqual([{ type: 'add-finalizer' }]);
  });

  it('that does not serve it, already has it, or with cleanup off, is left alone', () => {
    expect(decideNode(state({ node: node({ capacity: false }) }), policy)).toEqual([]);
    expect(decideNode(state({ node: node({ finalizer: true }) }), policy)).toEqual([]);
    expect(decideNode(state({}), { ...policy, cleanup: false })).toEqual([]);
  });

  it('being deleted: its claims are deleted, its LogicalVolumes removed, then its finalizer', () => {
    const s = state({
      node: node({ deleting: true, finalizer: true }),
      logicalVolumes: [lv('v1', 'id-1'), lv('v2', 'id-2')],
      claims: [
        claim('placed-here', { node: 'node-a' }),
        claim('placed-elsewhere', { node: 'node-b' }),
        claim('other-driver', { node: 'node-a', sc: 'nfs' }),
        claim('bound-here'),
        claim('going-already', { node: 'node-a', deleting: true }),
      ],
      persistentVolumes: [pv('id-2', 'uid-bound-here'), pv('id-1', 'uid-placed-elsewhere', 'other.driver')],
    });
    expect(decideNode(s, policy)).toEqual([
      { type: 'delete-claim', namespace: 'db', name: 'placed-here', uid: 'uid-placed-here' },
      { type: 'delete-claim', namespace: 'db', name: 'bound-here', uid: 'uid-bound-here' },
      { type: 'delete-logical-volume', name: 'v1', uid: 'uid-v1' },
      { type: 'delete-logical-volume', name: 'v2', uid: 'uid-v2' },
      { type: 'remove-finalizer' },
    ]);
  });

  it('being deleted with cleanup off: only its finalizer goes (TopoLVM --skip-node-finalize)', () => {
    const s = state({ node: node({ deleting: true, finalizer: true }), logicalVolumes: [lv('v1')], claims: [claim('placed-here', { node: 'node-a' })] });
    expect(decideNode(s, { ...policy, cleanup: false })).toEqual([{ type: 'remove-finalizer' }]);
  });

  it('seen deleted without the finalizer: its volumes are still cleaned up', () => {
    const s = state({ node: undefined, observedDeletion: true, logicalVolumes: [lv('v1')] });
    expect(decideNode(s, policy)).toEqual([{ type: 'delete-logical-volume', name: 'v1', uid: 'uid-v1' }]);
    expect(decideNode({ ...s, observedDeletion: false }, policy)).toEqual([]);
  });
});
