import { GrpcStatus } from '@copse/csi-grpc';
import { nameSet, newLogicalVolume, withReadyCondition, type LogicalVolume } from '@copse/k8s-crd';
import { createdStatus, decide, failedStatus, resizedStatus, sourceNeeded, type DecideInput, type Step } from './decide';

const names = nameSet();
const NODE = 'node-a';
const GiB = 1024 ** 3;

function lv(name: string, o: { size?: number; source?: { name: string; accessType: 'ro' | 'rw' }; node?: string; deviceClass?: string; optionClass?: string } = {}): LogicalVolume {
  const obj = newLogicalVolume(names, {
    name,
    nodeName: o.node ?? NODE,
    sizeBytes: o.size ?? GiB,
    deviceClass: o.deviceClass,
    lvcreateOptionClass: o.optionClass,
    source: o.source,
  });
  obj.metadata!.uid = `uid-${name}`;
  return obj;
}

function ready(obj: LogicalVolume, currentSize = GiB): LogicalVolume {
  return { ...obj, status: createdStatus(obj.status ?? {}, obj.metadata!.uid!, currentSize) };
}

function run(input: Partial<DecideInput> & { lv: LogicalVolume }): Step {
  return decide({ nodeName: NODE, names, ...input });
}

describe('decide: a new volume', () => {
  it('creates a thin or thick LV named by the UID, in the spec\'s device class and option class', () => {
    expect(run({ lv: lv('pvc-1', { deviceClass: 'thick', optionClass: 'raid1' }) })).toEqual({
      kind: 'create-volume',
      name: 'uid-pvc-1',
      deviceClass: 'thick',
      sizeBytes: GiB,
      lvcreateOptionClass: 'raid1',
    });
    expect(run({ lv: lv('pvc-2') })).toEqual({ kind: 'create-volume', name: 'uid-pvc-2', deviceClass: '', sizeBytes: GiB });
  });

  it('puts the finalizer on before anything exists on disk', () => {
    const o = lv('pvc-1');
    o.metadata!.finalizers = [];
    expect(run({ lv: o })).toEqual({ kind: 'add-finalizer' });
  });

  it('leaves other nodes\' volumes and volumes pending deletion alone', () => {
    expect(run({ lv: lv('pvc-1', { node: 'node-b' }) }).kind).toBe('skip');
    const pending = lv('pvc-2');
    pending.metadata!.annotations = { [names.pendingDeletionAnnotation]: 'true' };
    expect(run({ lv: pending }).kind).toBe('skip');
  });

  it('does not try again a create that failed for good (the controller deletes the object), as TopoLVM', () => {
    const o = lv('pvc-1');
    o.status = failedStatus({}, GrpcStatus.RESOURCE_EXHAUSTED, 'no space');
    expect(run({ lv: o })).toMatchObject({ kind: 'done', reason: expect.stringContaining('RESOURCE_EXHAUSTED: no space') });
  });

  it.each([
    ['a fractional size', '1.5', 'spec.size'],
    ['a zero size', 0, 'spec.size: must be greater than zero'],
  ])('refuses %s with INVALID_ARGUMENT naming the field, without calling lvmd-http', (_what, size, message) => {
    const o = lv('pvc-1');
    o.spec.size = size;
    const step = run({ lv: o });
    expect(step).toMatchObject({ kind: 'write-status', status: { code: GrpcStatus.INVALID_ARGUMENT, message: expect.stringContaining(message) } });
  });
});

describe('decide: snapshots, restores and clones', () => {
  const source = ready(lv('pvc-src'), GiB + 4 * 1024 ** 2); // extent-rounded above its request

  it('asks for the source only while the thin snapshot is still to be made', () => {
    const snap = lv('snap-1', { source: { name: 'pvc-src', accessType: 'ro' } });
    expect(sourceNeeded(snap)).toBe(true);
    expect(sourceNeeded(ready(snap))).toBe(false);
    expect(sourceNeeded(lv('pvc-1'))).toBe(false);
  });

  it.each(['ro', 'rw'] as const)('makes a %s thin snapshot of the source\'s LV (its status.volumeID) at the spec\'s size', (accessType) => {
    const o = lv('snap-1', { source: { name: 'pvc-src', accessType }, size: GiB + 4 * 1024 ** 2 });
    expect(run({ lv: o, source: { found: true, lv: source } })).toEqual({
      kind: 'create-snapshot',
      name: 'uid-snap-1',
      source: 'uid-pvc-src',
      deviceClass: '',
      accessType,
      sizeBytes: GiB + 4 * 1024 ** 2,
    });
  });

  it('compares the size with the source\'s currentSize, not its spec (TopoLVM #1039): smaller is OUT_OF_RANGE', () => {
    const o = lv('restore-1', { source: { name: 'pvc-src', accessType: 'rw' }, size: GiB });
    expect(run({ lv: o, source: { found: true, lv: source } })).toMatchObject({
      kind: 'write-status',
      status: { code: GrpcStatus.OUT_OF_RANGE, message: expect.stringContaining("pvc-src's current size 1077936128 bytes") },
    });
  });

  it('waits for a source that has no volume yet, and fails with a source that failed', () => {
    const o = lv('snap-1', { source: { name: 'pvc-src', accessType: 'ro' } });
    const pending = lv('pvc-src');
    expect(run({ lv: o, source: { found: true, lv: pending } }).kind).toBe('wait');
    const failed = { ...pending, status: failedStatus({}, GrpcStatus.RESOURCE_EXHAUSTED, 'no space') };
    expect(run({ lv: o, source: { found: true, lv: failed } })).toMatchObject({ kind: 'write-status', status: { code: GrpcStatus.FAILED_PRECONDITION } });
  });

  it('fails with NOT_FOUND for a missing source and INVALID_ARGUMENT for a source on another node', () => {
    const o = lv('snap-1', { source: { name: 'pvc-src', accessType: 'ro' } });
    expect(run({ lv: o, source: { found: false } })).toMatchObject({ status: { code: GrpcStatus.NOT_FOUND, message: 'source LogicalVolume pvc-src not found' } });
    const elsewhere = ready(lv('pvc-src', { node: 'node-b' }));
    expect(run({ lv: o, source: { found: true, lv: elsewhere } })).toMatchObject({ status: { code: GrpcStatus.INVALID_ARGUMENT, message: expect.stringContaining('node-b') } });
  });

  it('refuses an accessType other than ro or rw, and an accessType without a source', () => {
    const o = lv('snap-1', { source: { name: 'pvc-src', accessType: 'ro' } });
    (o.spec as { accessType?: string }).accessType = '';
    expect(run({ lv: o, source: { found: true, lv: source } })).toMatchObject({ status: { code: GrpcStatus.INVALID_ARGUMENT } });
    const p = lv('pvc-1');
    p.spec.accessType = 'rw';
    expect(run({ lv: p })).toMatchObject({ status: { code: GrpcStatus.INVALID_ARGUMENT, message: 'spec.accessType is set without spec.source' } });
  });
});

describe('decide: resize', () => {
  it('grows the LV when spec.size passes status.currentSize, and not otherwise', () => {
    const o = ready(lv('pvc-1'), GiB);
    expect(run({ lv: o }).kind).toBe('done');
    o.spec.size = '2Gi';
    expect(run({ lv: o })).toEqual({ kind: 'resize', name: 'uid-pvc-1', deviceClass: '', sizeBytes: 2 * GiB });
  });

  it('resizes to spec.size when currentSize is unknown (a crash before it was written), as TopoLVM', () => {
    const o = ready(lv('pvc-1'));
    delete o.status!.currentSize;
    expect(run({ lv: o }).kind).toBe('resize');
  });

  it('does not repeat a resize that failed for good until spec.size or the resize-requested-at annotation changes', () => {
    const o = ready(lv('pvc-1'));
    o.spec.size = '2Gi';
    o.metadata!.annotations = { [names.resizeRequestedAtAnnotation]: 't1' };
    o.status = failedStatus(o.status!, GrpcStatus.RESOURCE_EXHAUSTED, 'no space');
    const resizeFailure = { sizeBytes: 2 * GiB, requestedAt: 't1' };
    expect(run({ lv: o, resizeFailure }).kind).toBe('done');
    o.metadata!.annotations = { [names.resizeRequestedAtAnnotation]: 't2' };
    expect(run({ lv: o, resizeFailure }).kind).toBe('resize');
    o.metadata!.annotations = { [names.resizeRequestedAtAnnotation]: 't1' };
    o.spec.size = '3Gi';
    expect(run({ lv: o, resizeFailure }).kind).toBe('resize');
  });

  it('clears an error code once nothing is left to do', () => {
    const o = ready(lv('pvc-1'));
    o.status = failedStatus(o.status!, GrpcStatus.RESOURCE_EXHAUSTED, 'no space');
    const step = run({ lv: o });
    expect(step).toMatchObject({ kind: 'write-status', status: { volumeID: 'uid-pvc-1', currentSize: '1Gi' } });
    expect((step as { status: { code?: number } }).status.code).toBeUndefined();
  });
});

describe('decide: delete', () => {
  it('removes the LV by UID, also when status.volumeID was never written (a crash after lvcreate)', () => {
    const o = lv('pvc-1', { deviceClass: 'thick' });
    o.metadata!.deletionTimestamp = new Date();
    expect(run({ lv: o })).toEqual({ kind: 'delete-volume', name: 'uid-pvc-1', deviceClass: 'thick' });
  });

  it('is done once the finalizer is gone, and deletes other nodes\' volumes never', () => {
    const o = lv('pvc-1');
    o.metadata!.deletionTimestamp = new Date();
    o.metadata!.finalizers = ['someone.else/finalizer'];
    expect(run({ lv: o }).kind).toBe('done');
    const other = lv('pvc-2', { node: 'node-b' });
    other.metadata!.deletionTimestamp = new Date();
    expect(run({ lv: other }).kind).toBe('skip');
  });
});

describe('decide: status', () => {
  it('gives a TopoLVM-written status its Ready condition once, then leaves it', () => {
    const o = lv('pvc-1');
    o.status = { volumeID: 'uid-pvc-1', currentSize: '1Gi', code: 0, message: '' };
    const step = run({ lv: o });
    expect(step).toMatchObject({ kind: 'write-status', status: { conditions: [{ type: 'Ready', status: 'True' }] } });
    o.status = (step as { status: LogicalVolume['status'] }).status;
    expect(run({ lv: o }).kind).toBe('done');
  });

  it('builds statuses whose Ready condition agrees with volumeID and code', () => {
    const created = createdStatus({}, 'uid', 1073741824);
    expect(created).toEqual(withReadyCondition({ volumeID: 'uid', currentSize: '1Gi' }, { now: new Date(created.conditions![0]!.lastTransitionTime) }));
    const failed = failedStatus(created, GrpcStatus.OUT_OF_RANGE, 'too small');
    expect(failed).toMatchObject({ volumeID: 'uid', code: GrpcStatus.OUT_OF_RANGE, conditions: [{ status: 'False', reason: 'OutOfRange' }] });
    expect(resizedStatus(failed, 2 * GiB)).toMatchObject({ currentSize: '2Gi', conditions: [{ status: 'True' }] });
  });
});
