import type { V1Node } from '@kubernetes/client-node';
import { nameSet } from '@copse/k8s-crd';
import type { DeviceClass } from '@copse/lvmd-api';
import { desiredCapacityAnnotations, nodeCapacityPatch } from './annotations';

const names = nameSet();
const io = nameSet('topolvm.io');

function dc(name: string, freeBytes: number, isDefault = false): DeviceClass {
  return { name, volumeGroup: 'vg', type: 'thin', default: isDefault, spareBytes: 0, vgSizeBytes: 100, vgFreeBytes: 50, extentSizeBytes: 4, freeBytes };
}

describe('desiredCapacityAnnotations', () => {
  it('writes every class and the default one under 00default, in bytes as strings, as TopoLVM', () => {
    expect(desiredCapacityAnnotations(names, [dc('thin', 5368709120, true), dc('thick', 1024)])).toEqual({
      'capacity.topolvm.cybozu.com/thin': '5368709120',
      'capacity.topolvm.cybozu.com/00default': '5368709120',
      'capacity.topolvm.cybozu.com/thick': '1024',
    });
    expect(Object.keys(desiredCapacityAnnotations(io, [dc('ssd', 1, true)]))).toEqual(['capacity.topolvm.io/ssd', 'capacity.topolvm.io/00default']);
  });

  it('counts a lone class as the default one', () => {
    expect(desiredCapacityAnnotations(names, [dc('only', 7)])).toMatchObject({ 'capacity.topolvm.cybozu.com/00default': '7' });
  });
});

describe('nodeCapacityPatch', () => {
  const desired = { 'capacity.topolvm.cybozu.com/thin': '10', 'capacity.topolvm.cybozu.com/00default': '10' };
  const node = (annotations?: Record<string, string>, finalizers?: string[]): V1Node => ({ metadata: { name: 'n', resourceVersion: '7', annotations, finalizers } });

  it('writes nothing when the Node already says it', () => {
    expect(nodeCapacityPatch(names, node({ ...desired, other: 'x' }, [names.nodeFinalizer]), desired)).toBeUndefined();
  });

  it('changes only what differs, removes classes no longer reported, adds the Node finalizer, guarded by resourceVersion', () => {
    const patch = nodeCapacityPatch(
      names,
      node({ 'capacity.topolvm.cybozu.com/thin': '9', 'capacity.topolvm.cybozu.com/00default': '10', 'capacity.topolvm.cybozu.com/gone': '1', other: 'x' }, ['x']),
      desired,
    );
    expect(patch).toEqual([
      { op: 'replace', path: '/metadata/resourceVersion', value: '7' },
      { op: 'add', path: '/metadata/annotations/capacity.topolvm.cybozu.com~1thin', value: '10' },
      { op: 'remove', path: '/metadata/annotations/capacity.topolvm.cybozu.com~1gone' },
      { op: 'add', path: '/metadata/finalizers/-', value: names.nodeFinalizer },
    ]);
  });

  it('creates the annotation and finalizer lists of a bare Node, and leaves a deleting Node alone', () => {
    expect(nodeCapacityPatch(names, node(), desired)).toEqual([
      { op: 'replace', path: '/metadata/resourceVersion', value: '7' },
      { op: 'add', path: '/metadata/annotations', value: desired },
      { op: 'add', path: '/metadata/finalizers', value: [names.nodeFinalizer] },
    ]);
    const deleting = node();
    deleting.metadata!.deletionTimestamp = new Date();
    expect(nodeCapacityPatch(names, deleting, desired)).toBeUndefined();
  });
});
