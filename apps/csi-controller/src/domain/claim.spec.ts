import { claimOf } from './claim';

const uid = '4f5c0b7e-7a47-4a4c-9f4e-2c1d0e9b8a71';

describe('the claim a volume is made for', () => {
  it('reads the UID from external-provisioner\'s volume name, with any prefix', () => {
    expect(claimOf(`pvc-${uid}`, {})).toEqual({ uid });
    expect(claimOf(`data-${uid}`, {})).toEqual({ uid });
  });
  it('adds namespace and name when --extra-create-metadata sent them', () => {
    expect(claimOf(`pvc-${uid}`, { 'csi.storage.k8s.io/pvc/name': 'data', 'csi.storage.k8s.io/pvc/namespace': 'db' })).toEqual({ uid, namespace: 'db', name: 'data' });
  });
  it.each(['sanity-volume-1', `pvc-${uid.slice(0, 8)}`, `pvc-${uid.toUpperCase()}`])('knows none for %s', (name) => {
    expect(claimOf(name, {})).toBeUndefined();
  });
});
