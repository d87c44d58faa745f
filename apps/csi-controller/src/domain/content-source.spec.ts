import { decodeContentSource, encodeContentSource, toCsiContentSource } from './content-source';

describe('content sources on LogicalVolumes', () => {
  it('round-trips volumes and snapshots', () => {
    expect(decodeContentSource(encodeContentSource({ kind: 'volume', id: 'v1' }))).toEqual({ kind: 'volume', id: 'v1' });
    expect(decodeContentSource('snapshot:s:1')).toEqual({ kind: 'snapshot', id: 's:1' });
  });
  it.each([undefined, '', 'volume', 'volume:', 'disk:x'])('reads nothing from %j', (value) => {
    expect(decodeContentSource(value)).toBeUndefined();
  });
  it('gives the CSI message', () => {
    expect(toCsiContentSource({ kind: 'snapshot', id: 's1' })).toEqual({ snapshot: { snapshot_id: 's1' } });
    expect(toCsiContentSource({ kind: 'volume', id: 'v1' })).toEqual({ volume: { volume_id: 'v1' } });
  });
});
