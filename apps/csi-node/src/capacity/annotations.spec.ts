import type { V1Node } from '@kubernetes/client-node';
import { CURRENT_API_GROUP, nameSet } from '@copse/k8s-crd';
import type { DeviceClass } from '@copse/lvmd-api';
import { desiredCapacityAnnotations, nodeCapacityPatch } from './annotations';

const names = nameSet();
const io = nameSet(CURRENT_API_GROUP);
const cap = (name: string) => `${names.capacityAnnotationPrefix}${name}`;
const ptr = (name: string) => `${names.capacityAnnotationPrefix.replace('/', '~1')}${name}`;

function dc(name: string, freeBytes: number, isDefault = false): DeviceClass {
  return { name, volumeGroup: 'vg', type: 'thin', default: isDefault, spareBytes: 0, vgSizeBytes: 100, vgFreeBytes: 50, extentSizeBytes: 4, freeBytes };
}

describe('desiredCapacityAnnotations', () => {
  it('writes every class and the default one under 00default, in bytes as strings, as TopoLVM', () => {
    expect(desiredCapacityAnnotations(names, [dc('thin', 5368709120, true), dc('thick', 1024)])).toEqual({
      [cap('thin')]: '5368709120',
      [cap('00default')]: '5368709120',
      [cap('thick')]: '1024',
    });
    expect(Object.keys(desiredCapacityAnnotations(io, [dc('ssd', 1, true)]))).toEqual([`${io.capacityAnnotationPrefix}ssd`, io.defaultCapacityAnnotation]);
  });

  it('counts a lone class as the default one', () => {
    expect(desiredCapacityAnnotations(names, [dc('only', 7)])).toMatchObject({ [names.defaultCapacityAnnotation]: '7' });
  });
});

describe('nodeCapacityPatch', () => {
  const desired = { [cap('thin')]: '10', [cap('00default')]: '10' };
  const node = (annotations?: Record<string, string>, finalizers?: string[]): V1Node => ({ metadata: { name: 'n', resourceVersion: '7', annotations, finalizers } });

  it('writes nothing when the Node already says it', () => {
    expect(nodeCapacityPatch(names, node({ ...desired, other: 'x' }, [names.nodeFinalizer]), desired)).toBeUndefined();
  });

  it('changes only what differs, removes classes no longer reported, adds the Node finalizer, guarded by resourceVersion', () => {
    const patch = nodeCapacityPatch(
      names,
      node({ [cap('thin')]: '9', [cap('00default')]: '10', [cap('gone')]: '1', other: 'x' }, ['x']),
      desired,
    );
    expect(patch).toEqual([
      { op: 'replace', path: '/metadata/resourceVersion', value: '7' },
      { op: 'add', path: `/metadata/annotations/${ptr('thin')}`, value: '10' },
      { op: 'remove', path: `/metadata/annotations/${ptr('gone')}` },
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
