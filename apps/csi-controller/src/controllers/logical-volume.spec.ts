import { nameSet, newLogicalVolume, type LogicalVolume } from '@copse/k8s-crd';
import { decideLogicalVolume, recordedClaim } from './logical-volume';

const names = nameSet();

function lv(annotations: Record<string, string>, over: { snapshot?: boolean; deleting?: boolean } = {}): LogicalVolume {
  const o = newLogicalVolume(names, {
    name: 'pvc-1',
    nodeName: 'node-a',
    sizeBytes: 1024,
    annotations,
    source: over.snapshot ? { name: 'v', accessType: 'ro' } : undefined,
  });
  if (over.deleting) o.metadata!.deletionTimestamp = new Date();
  return o;
}

const claimed = { [names.pvcUidAnnotation]: 'u1' };

describe('a LogicalVolume and its claim', () => {
  it('whose claim is gone and that never reached a PersistentVolume is an orphan', () => {
    expect(decideLogicalVolume({ lv: lv(claimed), persistentVolume: undefined, claimExists: false }, names)).toEqual([{ type: 'collect-orphan', claimUid: 'u1' }]);
  });

  it('whose claim exists is kept', () => {
    expect(decideLogicalVolume({ lv: lv(claimed), persistentVolume: undefined, claimExists: true }, names)).toEqual([]);
  });

  it('that has a PersistentVolume gets it recorded, once', () => {
    expect(decideLogicalVolume({ lv: lv(claimed), persistentVolume: 'pvc-1', claimExists: false }, names)).toEqual([
      { type: 'record-persistent-volume', persistentVolume: 'pvc-1' },
    ]);
    const recorded = lv({ ...claimed, [names.persistentVolumeAnnotation]: 'pvc-1' });
    expect(decideLogicalVolume({ lv: recorded, persistentVolume: 'pvc-1', claimExists: false }, names)).toEqual([]);
  });

  it('that reached a PersistentVolume once is never collected (Retain, PersistentVolume deleted by hand)', () => {
    const recorded = lv({ ...claimed, [names.persistentVolumeAnnotation]: 'pvc-1' });
    expect(decideLogicalVolume({ lv: recorded, persistentVolume: undefined, claimExists: false }, names)).toEqual([]);
  });

  it('without a recorded claim (TopoLVM\'s, csi-sanity\'s), a snapshot, or being deleted is left alone', () => {
    expect(decideLogicalVolume({ lv: lv({}), persistentVolume: undefined, claimExists: undefined }, names)).toEqual([]);
    expect(decideLogicalVolume({ lv: lv(claimed, { snapshot: true }), persistentVolume: undefined, claimExists: false }, names)).toEqual([]);
    expect(decideLogicalVolume({ lv: lv(claimed, { deleting: true }), persistentVolume: undefined, claimExists: false }, names)).toEqual([]);
    expect(decideLogicalVolume({ lv: undefined, persistentVolume: undefined, claimExists: undefined }, names)).toEqual([]);
  });

  it('reads the recorded claim', () => {
    expect(recordedClaim(lv({ ...claimed, [names.pvcAnnotation]: 'db/data' }), names)).toEqual({ uid: 'u1', namespace: 'db', name: 'data' });
    expect(recordedClaim(lv(claimed), names)).toEqual({ uid: 'u1' });
  });
});
