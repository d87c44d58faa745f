import { capacityAnnotation, DEFAULT_API_GROUP, nameSet, parseApiGroup, type NameSet } from './names';

// The literal names TopoLVM users have in their manifests (TopoLVM's constants.go, both modes).
const expected: Record<string, Omit<NameSet, 'logicalVolumes'>> = {
  'topolvm.cybozu.com': {
    group: 'topolvm.cybozu.com',
    apiVersion: 'topolvm.cybozu.com/v1',
    crdName: 'logicalvolumes.topolvm.cybozu.com',
    driverName: 'topolvm.cybozu.com',
    topologyNodeKey: 'topology.topolvm.cybozu.com/node',
    capacityAnnotationPrefix: 'capacity.topolvm.cybozu.com/',
    defaultCapacityAnnotation: 'capacity.topolvm.cybozu.com/00default',
    capacityResource: 'topolvm.cybozu.com/capacity',
    deviceClassParameter: 'topolvm.cybozu.com/device-class',
    lvcreateOptionClassParameter: 'topolvm.cybozu.com/lvcreate-option-class',
    logicalVolumeFinalizer: 'topolvm.cybozu.com/logicalvolume',
    nodeFinalizer: 'topolvm.cybozu.com/node',
    pvcFinalizer: 'topolvm.cybozu.com/pvc',
    resizeRequestedAtAnnotation: 'topolvm.cybozu.com/resize-requested-at',
    pendingDeletionAnnotation: 'topolvm.cybozu.com/pendingdeletion',
    nodeLabel: 'topolvm.cybozu.com/node',
    pvcUidAnnotation: 'topolvm.cybozu.com/pvc-uid',
    pvcAnnotation: 'topolvm.cybozu.com/pvc',
    persistentVolumeAnnotation: 'topolvm.cybozu.com/pv',
    contentSourceAnnotation: 'topolvm.cybozu.com/content-source',
  },
  'topolvm.io': {
    group: 'topolvm.io',
    apiVersion: 'topolvm.io/v1',
    crdName: 'logicalvolumes.topolvm.io',
    driverName: 'topolvm.io',
    topologyNodeKey: 'topology.topolvm.io/node',
    capacityAnnotationPrefix: 'capacity.topolvm.io/',
    defaultCapacityAnnotation: 'capacity.topolvm.io/00default',
    capacityResource: 'topolvm.io/capacity',
    deviceClassParameter: 'topolvm.io/device-class',
    lvcreateOptionClassParameter: 'topolvm.io/lvcreate-option-class',
    logicalVolumeFinalizer: 'topolvm.io/logicalvolume',
    nodeFinalizer: 'topolvm.io/node',
    pvcFinalizer: 'topolvm.io/pvc',
    resizeRequestedAtAnnotation: 'topolvm.io/resize-requested-at',
    pendingDeletionAnnotation: 'topolvm.io/pendingdeletion',
    nodeLabel: 'topolvm.io/node',
    pvcUidAnnotation: 'topolvm.io/pvc-uid',
    pvcAnnotation: 'topolvm.io/pvc',
    persistentVolumeAnnotation: 'topolvm.io/pv',
    contentSourceAnnotation: 'topolvm.io/content-source',
  },
};

describe('name sets', () => {
  it('defaults to the seeds\' group, topolvm.cybozu.com', () => {
    expect(DEFAULT_API_GROUP).toBe('topolvm.cybozu.com');
    expect(nameSet().driverName).toBe('topolvm.cybozu.com');
  });

  it.each(Object.entries(expected))('holds every TopoLVM name for %s', (group, names) => {
    const set = nameSet(parseApiGroup(group));
    const { logicalVolumes, ...rest } = set;
    expect(rest).toEqual(names);
    expect(logicalVolumes).toEqual({ group, version: 'v1', plural: 'logicalvolumes', kind: 'LogicalVolume', namespaced: false });
  });

  it('switches every name with the one setting: no name of one set mentions the other group', () => {
    const legacy = JSON.stringify(nameSet(parseApiGroup('topolvm.cybozu.com')));
    const current = JSON.stringify(nameSet(parseApiGroup('topolvm.io')));
    expect(legacy).not.toContain('topolvm.io');
    expect(current).not.toContain('cybozu');
  });

  it('is frozen, so no caller can change a name for everyone', () => {
    const set = nameSet();
    expect(Object.isFrozen(set)).toBe(true);
    expect(Object.isFrozen(set.logicalVolumes)).toBe(true);
  });

  it('reads the setting: empty means the default, anything else must be one of the two groups', () => {
    expect(parseApiGroup(undefined)).toBe('topolvm.cybozu.com');
    expect(parseApiGroup('')).toBe('topolvm.cybozu.com');
    expect(parseApiGroup('topolvm.io')).toBe('topolvm.io');
    expect(() => parseApiGroup('topolvm.example.com')).toThrow(
      'unknown API group "topolvm.example.com": expected one of topolvm.cybozu.com, topolvm.io',
    );
    expect(() => parseApiGroup('TOPOLVM.IO')).toThrow(RangeError);
  });

  it('names the default device class 00default in capacity annotations, as TopoLVM does', () => {
    const names = nameSet();
    expect(capacityAnnotation(names, '')).toBe('capacity.topolvm.cybozu.com/00default');
    expect(capacityAnnotation(names, undefined)).toBe(names.defaultCapacityAnnotation);
    expect(capacityAnnotation(nameSet(parseApiGroup('topolvm.io')), 'ssd')).toBe('capacity.topolvm.io/ssd');
  });
});
