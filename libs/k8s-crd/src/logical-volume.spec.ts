import {
  currentSizeBytes,
  isLogicalVolumeReady,
  newLogicalVolume,
  specSizeBytes,
  validateLogicalVolume,
  withReadyCondition,
  type LogicalVolume,
} from './logical-volume';
import { nameSet, parseApiGroup } from './names';

/** A LogicalVolume as TopoLVM writes it (seed 003's restore, after the node created the LV). */
const topolvmObject = {
  apiVersion: 'topolvm.cybozu.com/v1',
  kind: 'LogicalVolume',
  metadata: {
    name: 'pvc-42041aee-79a2-4184-91aa-5e1df6068b9f',
    finalizers: ['topolvm.cybozu.com/logicalvolume'],
    annotations: { 'topolvm.cybozu.com/resize-requested-at': '2026-01-02T03:04:05Z' },
  },
  spec: {
    deviceClass: 'ssd',
    name: 'pvc-42041aee-79a2-4184-91aa-5e1df6068b9f',
    nodeName: '192.168.26.40',
    size: '1Gi',
    source: 'snapcontent-b083470e-8293-47cc-810d-9561bd1754e6',
    accessType: 'rw',
  },
  status: { volumeID: '0a6c2a2e-1b2c-4d5e-8f90-123456789abc', currentSize: '1Gi' },
};

function withSpec(spec: Record<string, unknown>): unknown {
  return { ...topolvmObject, spec: { ...topolvmObject.spec, ...spec } };
}
function withStatus(status: Record<string, unknown>): unknown {
  return { ...topolvmObject, status: { ...topolvmObject.status, ...status } };
}
function without(field: string): unknown {
  const spec: Record<string, unknown> = { ...topolvmObject.spec };
  delete spec[field];
  return { ...topolvmObject, spec };
}

describe('LogicalVolume validation (the CRD schema, plus what it cannot say)', () => {
  it("accepts TopoLVM's objects unchanged, with and without a source", () => {
    expect(validateLogicalVolume(topolvmObject)).toEqual([]);
    expect(validateLogicalVolume(withSpec({ source: undefined, accessType: undefined }))).toEqual([]);
    expect(validateLogicalVolume(withSpec({ size: 1073741824, deviceClass: '' }))).toEqual([]);
    expect(validateLogicalVolume({ ...topolvmObject, status: {} })).toEqual([]);
    expect(validateLogicalVolume(withStatus({ code: 8, message: 'no space left' }))).toEqual([]);
  });

  it('takes any CSI name in spec.name, upper case and spaces included (csi-sanity sends such names)', () => {
    expect(validateLogicalVolume(withSpec({ name: 'sanity-Controller-CreateVolume 8F3A' }))).toEqual([]);
  });

  it.each([
    ['no spec', { ...topolvmObject, spec: undefined }, 'spec', 'Required value'],
    ['no name', without('name'), 'spec.name', 'Required value'],
    ['no nodeName', without('nodeName'), 'spec.nodeName', 'Required value'],
    ['no size', without('size'), 'spec.size', 'Required value'],
    ['a negative size', withSpec({ size: '-1Gi' }), 'spec.size', 'should match'],
    ['a size that is not a quantity', withSpec({ size: 'ten' }), 'spec.size', 'should match'],
    ['a fraction of a byte', withSpec({ size: '1.5' }), 'spec.size', 'not a whole number of bytes'],
    ['a zero size', withSpec({ size: '0' }), 'spec.size', 'greater than zero'],
    ['a negative integer size', withSpec({ size: -5 }), 'spec.size', 'non-negative'],
    ['a size of another type', withSpec({ size: true }), 'spec.size', 'integer or a string'],
    ['an unknown accessType', withSpec({ accessType: 'RW' }), 'spec.accessType', 'Unsupported value'],
    ['accessType without source', withSpec({ source: undefined }), 'spec.source', 'Required value'],
    ['source without accessType', withSpec({ accessType: undefined }), 'spec.accessType', 'Required value'],
    ['a name with a control character CSI bans', withSpec({ name: 'pvc\u0001' }), 'spec.name', 'should match'],
    ['an empty name', withSpec({ name: '' }), 'spec.name', 'at least 1'],
    ['a name longer than 253', withSpec({ name: 'a'.repeat(254) }), 'spec.name', 'more than 253'],
    ['a node name with a slash', withSpec({ nodeName: 'node/1' }), 'spec.nodeName', 'should match'],
    ['a device class of 64 characters', withSpec({ deviceClass: 'd'.repeat(64) }), 'spec.deviceClass', 'more than 63'],
    ['a device class with a space', withSpec({ deviceClass: 'fast ssd' }), 'spec.deviceClass', 'should match'],
    ['a source that is no object name', withSpec({ source: 'Snap_1' }), 'spec.source', 'should match'],
    ['an unknown spec field', withSpec({ nodename: 'x' }), 'spec.nodename', 'unknown field'],
    ['a gRPC code beyond 16', withStatus({ code: 17 }), 'status.code', 'less than or equal to 16'],
    ['a fractional gRPC code', withStatus({ code: 1.5 }), 'status.code', 'must be of type integer'],
    ['a negative current size', withStatus({ currentSize: '-1' }), 'status.currentSize', 'should match'],
  ])('refuses %s, naming the field', (_what, object, field, message) => {
    const errors = validateLogicalVolume(object);
    expect(errors).toContainEqual({ field, message: expect.stringContaining(message) });
  });
});

describe('newLogicalVolume', () => {
  it('builds what the CSI controller creates: finalizer, node label, canonical size, no empty fields', () => {
    const names = nameSet(parseApiGroup('topolvm.io'));
    const lv = newLogicalVolume(names, { name: 'pvc-1', nodeName: 'node-a', sizeBytes: 2 ** 30 });
    expect(lv).toEqual({
      apiVersion: 'topolvm.io/v1',
      kind: 'LogicalVolume',
      metadata: { name: 'pvc-1', finalizers: ['topolvm.io/logicalvolume'], labels: { 'topolvm.io/node': 'node-a' } },
      spec: { name: 'pvc-1', nodeName: 'node-a', size: '1Gi' },
    });
    expect(validateLogicalVolume(lv)).toEqual([]);
  });

  it('carries the source and access type of a snapshot', () => {
    const lv = newLogicalVolume(nameSet(), {
      name: 'snapshot-1',
      nodeName: 'node-a',
      sizeBytes: 1536 * 2 ** 20,
      deviceClass: 'thin',
      source: { name: 'pvc-1', accessType: 'ro' },
    });
    expect(lv.spec).toEqual({ name: 'snapshot-1', nodeName: 'node-a', size: '1536Mi', deviceClass: 'thin', source: 'pvc-1', accessType: 'ro' });
    expect(specSizeBytes(lv)).toBe(1536 * 2 ** 20);
    expect(validateLogicalVolume(lv)).toEqual([]);
  });

  it('keeps a CSI name that is no object name in spec.name, apart from metadata.name', () => {
    const lv = newLogicalVolume(nameSet(), { name: 'sanity-vol-0f1e2d3c4b5a6978', csiName: 'sanity-Vol 1', nodeName: 'node-a', sizeBytes: 2 ** 30 });
    expect(lv.metadata?.name).toBe('sanity-vol-0f1e2d3c4b5a6978');
    expect(lv.spec.name).toBe('sanity-Vol 1');
    expect(validateLogicalVolume(lv)).toEqual([]);
  });
});

describe('readiness', () => {
  const at = new Date('2026-01-02T03:04:05.678Z');
  const later = new Date('2026-01-02T04:00:00Z');

  it('is pending until the node reports a volume ID', () => {
    const status = withReadyCondition({}, { generation: 1, now: at });
    expect(status.conditions).toEqual([
      {
        type: 'Ready',
        status: 'False',
        reason: 'Pending',
        message: 'waiting for the node to create the logical volume',
        lastTransitionTime: '2026-01-02T03:04:05Z',
        observedGeneration: 1,
      },
    ]);
    expect(isLogicalVolumeReady({ status })).toBe(false);
  });

  it('is True once the volume exists, and keeps its transition time while nothing changes', () => {
    const pending = withReadyCondition({}, { now: at });
    const ready = withReadyCondition({ ...pending, volumeID: 'uid-1', currentSize: '1Gi' }, { now: later });
    expect(ready.conditions?.[0]).toMatchObject({ status: 'True', reason: 'VolumeCreated', lastTransitionTime: '2026-01-02T04:00:00Z' });
    const again = withReadyCondition(ready, { now: new Date('2026-01-03T00:00:00Z') });
    expect(again.conditions?.[0]?.lastTransitionTime).toBe('2026-01-02T04:00:00Z');
    expect(again.conditions).toHaveLength(1);
    expect(isLogicalVolumeReady({ status: again })).toBe(true);
  });

  it("is False with the gRPC code's name and the node's message when the node reports an error", () => {
    const failed = withReadyCondition({ volumeID: 'uid-1', code: 8, message: 'not enough space in pool0' }, { now: at });
    expect(failed.conditions?.[0]).toMatchObject({ status: 'False', reason: 'ResourceExhausted', message: 'not enough space in pool0' });
    expect(isLogicalVolumeReady({ status: failed })).toBe(false);
    expect(validateLogicalVolume({ ...topolvmObject, status: failed })).toEqual([]);
  });

  it('reads status.currentSize when there is one', () => {
    const lv = topolvmObject as LogicalVolume;
    expect(currentSizeBytes(lv)).toBe(2 ** 30);
    expect(currentSizeBytes({ ...lv, status: {} })).toBeUndefined();
  });
});
