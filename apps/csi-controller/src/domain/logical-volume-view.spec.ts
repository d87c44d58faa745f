import { nameSet, newLogicalVolume, type LogicalVolume } from '@copse/k8s-crd';
import { currentBytes, healthOf, incompatibility, kindOf, type WantedVolume } from './logical-volume-view';

const GiB = 1024 ** 3;
const names = nameSet();

function lv(over: Partial<LogicalVolume['spec']> = {}, status?: LogicalVolume['status'], deleting = false): LogicalVolume {
  const o = newLogicalVolume(names, { name: 'pvc-1', nodeName: 'node-a', sizeBytes: 2 * GiB, deviceClass: 'thin' });
  o.spec = { ...o.spec, ...over };
  if (status) o.status = status;
  if (deleting) o.metadata!.deletionTimestamp = new Date();
  return o;
}

const wanted: WantedVolume = {
  csiName: 'pvc-1',
  kind: 'volume',
  deviceClass: 'thin',
  lvcreateOptionClass: '',
  minBytes: GiB,
  limitBytes: 0,
  nodeAllowed: () => true,
};

describe('reading a LogicalVolume', () => {
  it('tells snapshots (ro) from volumes (plain, rw restores and clones)', () => {
    expect(kindOf(lv())).toBe('volume');
    expect(kindOf(lv({ source: 's', accessType: 'rw' }))).toBe('volume');
    expect(kindOf(lv({ source: 's', accessType: 'ro' }))).toBe('snapshot');
  });

  it('takes the real size from status.currentSize, spec.size before the node reported', () => {
    expect(currentBytes(lv({}, { volumeID: 'x', currentSize: '2052Mi' }))).toBe(2052 * 1024 ** 2);
    expect(currentBytes(lv())).toBe(2 * GiB);
  });
});

describe('a repeated create', () => {
  it('matches when the existing size lies within the range asked', () => {
    expect(incompatibility(lv(), wanted)).toBeUndefined();
    expect(incompatibility(lv(), { ...wanted, minBytes: 2 * GiB, limitBytes: 2 * GiB })).toBeUndefined();
  });

  it.each<[string, LogicalVolume, Partial<WantedVolume>, string]>([
    ['a smaller volume', lv(), { minBytes: 3 * GiB }, `already exists with ${2 * GiB} bytes; this request asks for at least ${3 * GiB} bytes`],
    ['a larger one than the limit', lv(), { limitBytes: GiB }, 'this request asks for'],
    ['another class', lv(), { deviceClass: 'ssd' }, 'already exists in device class "thin"; this request asks for "ssd"'],
    ['another option class', lv(), { lvcreateOptionClass: 'striped' }, 'lvcreate option class'],
    ['another source', lv({ source: 'snap-1', accessType: 'rw' }), { source: 'snap-2' }, 'another source (LogicalVolume snap-1; this request: LogicalVolume snap-2)'],
    ['a snapshot of the name', lv({ source: 'v', accessType: 'ro' }), { source: 'v' }, 'already exists as a snapshot'],
    ['another CSI name behind the object name', lv({ name: 'PVC-1' }), {}, 'which holds another name ("PVC-1")'],
    ['an excluded node', lv(), { nodeAllowed: () => false }, 'already exists on node node-a, which accessibility_requirements exclude'],
  ])('refuses %s', (_what, object, over, message) => {
    expect(incompatibility(object, { ...wanted, ...over })).toContain(message);
  });
});

describe('volume health', () => {
  it('is normal once the node made it and nothing fails', () => {
    expect(healthOf(lv({}, { volumeID: 'x' }))).toEqual({ abnormal: false, message: 'the logical volume exists on node node-a' });
  });
  it.each<[string, LogicalVolume, string]>([
    ['a failure the node reported', lv({}, { volumeID: 'x', code: 13, message: 'lvresize failed' }), 'node node-a: Internal: lvresize failed'],
    ['deletion', lv({}, { volumeID: 'x' }, true), 'the volume is being deleted from node node-a'],
    ['no LV yet', lv(), 'the volume is not created on node node-a yet'],
    [
      'a condition the node keeps False',
      lv({}, { volumeID: 'x', conditions: [{ type: 'Healthy', status: 'False', reason: 'PoolOutOfData', message: 'pool0 is out of data space', lastTransitionTime: '2026-01-01T00:00:00Z' }] }),
      'Healthy PoolOutOfData: pool0 is out of data space',
    ],
  ])('is abnormal on %s', (_what, object, message) => {
    expect(healthOf(object)).toEqual({ abnormal: true, message });
  });
});
