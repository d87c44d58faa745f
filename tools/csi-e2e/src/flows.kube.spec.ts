/**
 * The seeds' flows end to end, driven with kubectl only: a claim on a thin class, a
 * VolumeSnapshot, a restore from it, a PVC-to-PVC clone, expansion, deletes; and the refusals a
 * user meets (a restore smaller than its snapshot, a clone asked for on another node). Every
 * component runs as a real process (stack.ts): the API test server, two nodes each with
 * lvmd-http on the simulated lvm2 and csi-node, csi-controller, and the sidecar TEST stand-ins.
 *
 * Publishing (pods) is not part of this suite: csi-node formats and mounts real devices, which
 * the simulated lvm2 has none of.
 */
import { Stack, DEVICE_CLASS, type StackNode } from '@copse/sandbox';

const stack = new Stack();
const GiB = 1024 ** 3;
const NS = 'default';
let n1: StackNode;
let n2: StackNode;
let thin: string;
let snapshotClass: string;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>;

beforeAll(async () => {
  try {
    await stack.start();
  } catch (err) {
    const logs = stack.logs();
    await stack.stop();
    throw new Error(`${(err as Error).message}\n${logs}`);
  }
  [n1, n2] = stack.nodes as [StackNode, StackNode];
  thin = `copse-thin-${stack.runId}`;
  snapshotClass = `copse-snap-${stack.runId}`;
  const k = stack.kubectl;
  await k.apply(
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: thin },
      provisioner: stack.names.driverName,
      parameters: { [stack.names.deviceClassParameter]: DEVICE_CLASS, 'csi.storage.k8s.io/fstype': 'xfs' },
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
      reclaimPolicy: 'Delete',
    },
    { apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshotClass', metadata: { name: snapshotClass }, driver: stack.names.driverName, deletionPolicy: 'Delete' },
  );
}, 240_000);

afterAll(async () => {
  await stack.stop();
}, 60_000);

/** Polls kubectl (the way a user watches) until `check` holds of the object, or fails with the stack's logs. */
async function until(args: string[], what: string, check: (o: Obj | undefined) => boolean, timeoutMs = 60_000): Promise<Obj | undefined> {
  const deadline = Date.now() + timeoutMs;
  let last: Obj | undefined;
  for (;;) {
    last = await stack.kubectl.getJson(args);
    if (check(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last?.['status'] ?? last)}\n${stack.logs()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function claim(name: string, size: string, extra: Obj = {}): Obj {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: NS, ...(extra['metadata'] ?? {}) },
    spec: { accessModes: ['ReadWriteOnce'], storageClassName: thin, resources: { requests: { storage: size } }, ...(extra['spec'] ?? {}) },
  };
}

/** The scheduler's choice, by hand (there is no scheduler): provisioning of a WaitForFirstConsumer claim starts. */
const onNode = (node: StackNode) => ({ metadata: { annotations: { 'volume.kubernetes.io/selected-node': node.name } } });

async function bound(name: string): Promise<Obj> {
  return (await until(['pvc', name, '-n', NS], `claim ${name} Bound`, (o) => o?.['status']?.phase === 'Bound')) as Obj;
}

async function logicalVolumes(): Promise<Obj[]> {
  const list = await stack.kubectl.getJson<{ items: Obj[] }>([stack.names.logicalVolumes.plural]);
  return list?.items ?? [];
}

async function logicalVolumeNamed(csiName: string): Promise<Obj> {
  const lv = (await logicalVolumes()).find((x) => x['spec']?.name === csiName);
  if (!lv) throw new Error(`no LogicalVolume with spec.name ${csiName}`);
  return lv;
}

async function events(name: string): Promise<string[]> {
  const list = await stack.kubectl.getJson<{ items: Obj[] }>(['events', '-n', NS, '--field-selector', `involvedObject.name=${name}`]);
  return (list?.items ?? []).map((e) => `${e['reason']}: ${e['message']}`);
}

describe('kubectl-driven snapshot, restore and clone on the simulated lvm2', () => {
  let srcVolumeId = '';
  let snapVolumeId = '';

  it('provisions a claim on the node the scheduler chose, as a thin LV named by the LogicalVolume\'s UID', async () => {
    await stack.kubectl.apply(claim('src', '1Gi', onNode(n1)));
    const pvc = await bound('src');
    const pv = (await stack.kubectl.getJson(['pv', pvc['spec'].volumeName])) as Obj;
    expect(pv['metadata'].name).toBe(`pvc-${pvc['metadata'].uid}`);
    expect(pv['spec'].csi.driver).toBe(stack.names.driverName);
    expect(pv['spec'].csi.fsType).toBe('xfs');
    expect(pv['spec'].nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0]).toEqual({ key: stack.names.topologyNodeKey, operator: 'In', values: [n1.name] });
    const lv = await logicalVolumeNamed(pv['metadata'].name);
    expect(lv['spec']).toMatchObject({ nodeName: n1.name, deviceClass: DEVICE_CLASS, size: '1Gi' });
    srcVolumeId = lv['status'].volumeID;
    expect(pv['spec'].csi.volumeHandle).toBe(srcVolumeId);
    expect(stack.simulatedLvs(n1)).toContain(srcVolumeId);
    expect(stack.simulatedLvs(n2)).not.toContain(srcVolumeId);
    expect(await events('src')).toContain(`ProvisioningSucceeded: Successfully provisioned volume ${pv['metadata'].name}`);
  });

  it('publishes CSIStorageCapacity per node from GetCapacity (capacity tracking)', async () => {
    const list = await until(['csistoragecapacities', '-n', 'default'], 'a CSIStorageCapacity per node', (o) => (o?.['items'] ?? []).filter((c: Obj) => c['storageClassName'] === thin).length === 2);
    const mine = (list?.['items'] as Obj[]).filter((c) => c['storageClassName'] === thin);
    expect(mine.map((c) => c['nodeTopology'].matchLabels[stack.names.topologyNodeKey]).sort()).toEqual([n1.name, n2.name].sort());
    for (const c of mine) expect(Number.parseInt(String(c['capacity']), 10)).toBeGreaterThan(0);
  });

  it('takes a VolumeSnapshot: ready, restoreSize the source\'s size, a read-only thin snapshot of the source\'s LV', async () => {
    await stack.kubectl.apply({ apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshot', metadata: { name: 'snap', namespace: NS }, spec: { volumeSnapshotClassName: snapshotClass, source: { persistentVolumeClaimName: 'src' } } });
    const snap = (await until(['volumesnapshot', 'snap', '-n', NS], 'snapshot ready', (o) => o?.['status']?.readyToUse === true)) as Obj;
    expect(snap['status'].restoreSize).toBe('1Gi');
    const content = (await stack.kubectl.getJson(['volumesnapshotcontent', snap['status'].boundVolumeSnapshotContentName])) as Obj;
    const lv = await logicalVolumeNamed(`snapshot-${snap['metadata'].uid}`);
    const srcLv = (await logicalVolumes()).find((x) => x['status']?.volumeID === srcVolumeId) as Obj;
    expect(lv['spec']).toMatchObject({ nodeName: n1.name, accessType: 'ro', source: srcLv['metadata'].name });
    snapVolumeId = lv['status'].volumeID;
    expect(content['status'].snapshotHandle).toBe(snapVolumeId);
    expect(stack.simulatedLvs(n1)).toContain(snapVolumeId);
  });

  it('restores the snapshot into a larger claim on the source\'s node', async () => {
    await stack.kubectl.apply(claim('restored', '2Gi', { ...onNode(n1), spec: { dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'snap' } } }));
    const pvc = await bound('restored');
    expect(pvc['status'].capacity.storage).toBe('2Gi');
    const lv = await logicalVolumeNamed(pvc['spec'].volumeName);
    const snapLv = (await logicalVolumes()).find((x) => x['status']?.volumeID === snapVolumeId) as Obj;
    expect(lv['spec']).toMatchObject({ nodeName: n1.name, accessType: 'rw', source: snapLv['metadata'].name, size: '2Gi' });
    expect(stack.simulatedLvs(n1)).toContain(lv['status'].volumeID);
  });

  it('clones the live claim (PVC to PVC) on the source\'s node', async () => {
    await stack.kubectl.apply(claim('clone', '1Gi', { ...onNode(n1), spec: { dataSource: { kind: 'PersistentVolumeClaim', name: 'src' } } }));
    const pvc = await bound('clone');
    const lv = await logicalVolumeNamed(pvc['spec'].volumeName);
    const srcLv = (await logicalVolumes()).find((x) => x['status']?.volumeID === srcVolumeId) as Obj;
    expect(lv['spec']).toMatchObject({ nodeName: n1.name, accessType: 'rw', source: srcLv['metadata'].name });
  });

  it('snapshots a restore and restores that snapshot (a snapshot of a restore of a snapshot)', async () => {
    await stack.kubectl.apply({ apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshot', metadata: { name: 'snap2', namespace: NS }, spec: { volumeSnapshotClassName: snapshotClass, source: { persistentVolumeClaimName: 'restored' } } });
    const snap2 = (await until(['volumesnapshot', 'snap2', '-n', NS], 'snapshot of the restore ready', (o) => o?.['status']?.readyToUse === true)) as Obj;
    expect(snap2['status'].restoreSize).toBe('2Gi');
    await stack.kubectl.apply(claim('restored2', '2Gi', { ...onNode(n1), spec: { dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'snap2' } } }));
    const pvc = await bound('restored2');
    const lv = await logicalVolumeNamed(pvc['spec'].volumeName);
    const snap2Lv = await logicalVolumeNamed(`snapshot-${snap2['metadata'].uid}`);
    expect(lv['spec']).toMatchObject({ nodeName: n1.name, accessType: 'rw', source: snap2Lv['metadata'].name });
    expect(stack.simulatedLvs(n1)).toContain(lv['status'].volumeID);
  });

  it('expands a claim: the LV grows, the filesystem waits for the node (FileSystemResizePending)', async () => {
    await stack.kubectl.ok(['patch', 'pvc', 'src', '-n', NS, '--type', 'merge', '-p', JSON.stringify({ spec: { resources: { requests: { storage: '2Gi' } } } })]);
    const pvc = (await until(['pvc', 'src', '-n', NS], 'FileSystemResizePending', (o) => (o?.['status']?.conditions ?? []).some((c: Obj) => c['type'] === 'FileSystemResizePending'))) as Obj;
    const pv = (await stack.kubectl.getJson(['pv', pvc['spec'].volumeName])) as Obj;
    expect(pv['spec'].capacity.storage).toBe('2Gi');
    const lv = await logicalVolumeNamed(pv['metadata'].name);
    expect(lv['spec'].size).toBe('2Gi');
    expect(lv['status'].currentSize).toBe('2Gi');
  });

  it('refuses a restore smaller than the snapshot, before any volume is made', async () => {
    await stack.kubectl.apply(claim('small', '512Mi', { ...onNode(n1), spec: { dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'snap' } } }));
    await until(['events', '-n', NS, '--field-selector', 'involvedObject.name=small'], 'ProvisioningFailed', (o) => (o?.['items'] ?? []).some((e: Obj) => e['reason'] === 'ProvisioningFailed'));
    expect((await events('small')).join('\n')).toContain(`requested volume size ${512 * 1024 ** 2} is less than the size ${GiB} for the source snapshot snap`);
    const pvc = (await stack.kubectl.getJson(['pvc', 'small', '-n', NS])) as Obj;
    expect(pvc['status'].phase).toBe('Pending');
    expect((await logicalVolumes()).some((x) => x['spec']?.name === `pvc-${pvc['metadata'].uid}`)).toBe(false);
    await stack.kubectl.ok(['delete', 'pvc', 'small', '-n', NS]);
  });

  it('refuses a clone whose class allows only another node (InvalidArgument), leaving nothing behind', async () => {
    const elsewhere = `copse-thin-${stack.runId}-n2`;
    await stack.kubectl.apply({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: elsewhere },
      provisioner: stack.names.driverName,
      parameters: { [stack.names.deviceClassParameter]: DEVICE_CLASS },
      allowedTopologies: [{ matchLabelExpressions: [{ key: stack.names.topologyNodeKey, values: [n2.name] }] }],
    });
    // the source is 2Gi after the expansion above
    await stack.kubectl.apply(claim('far', '2Gi', { spec: { storageClassName: elsewhere, dataSource: { kind: 'PersistentVolumeClaim', name: 'src' } } }));
    await until(['events', '-n', NS, '--field-selector', 'involvedObject.name=far'], 'ProvisioningFailed', (o) => (o?.['items'] ?? []).some((e: Obj) => e['reason'] === 'ProvisioningFailed'));
    const failed = (await events('far')).filter((m) => m.startsWith('ProvisioningFailed'));
    expect(failed.join('\n')).toContain('rpc error: code = InvalidArgument');
    const pvc = (await stack.kubectl.getJson(['pvc', 'far', '-n', NS])) as Obj;
    expect(pvc['status'].phase).toBe('Pending');
    expect((await logicalVolumes()).some((x) => x['spec']?.name === `pvc-${pvc['metadata'].uid}`)).toBe(false);
    expect(stack.simulatedLvs(n2)).toEqual([]);
    await stack.kubectl.ok(['delete', 'pvc', 'far', '-n', NS]);
    await stack.kubectl.ok(['delete', 'storageclass', elsewhere]);
  });

  it('deletes the source first: restore and clone stay; then everything, leaving no PV, LogicalVolume or LV', async () => {
    await stack.kubectl.ok(['delete', 'pvc', 'src', '-n', NS, '--wait=false']);
    // the snapshot holds on to its source claim only while being made; the LV of the source goes
    await until(['pvc', 'src', '-n', NS], 'the source claim gone', (o) => o === undefined);
    await until([stack.names.logicalVolumes.plural], 'the source LogicalVolume gone', (o) => !(o?.['items'] ?? []).some((x: Obj) => x['status']?.volumeID === srcVolumeId));
    expect(stack.simulatedLvs(n1)).not.toContain(srcVolumeId);
    for (const name of ['restored', 'clone', 'restored2']) expect(((await stack.kubectl.getJson(['pvc', name, '-n', NS])) as Obj)['status'].phase).toBe('Bound');

    await stack.kubectl.ok(['delete', 'pvc', 'restored', 'clone', 'restored2', '-n', NS]);
    await stack.kubectl.ok(['delete', 'volumesnapshot', 'snap', 'snap2', '-n', NS]);
    await until([stack.names.logicalVolumes.plural], 'no LogicalVolume', (o) => (o?.['items'] ?? []).length === 0);
    await until(['pv'], 'no PersistentVolume', (o) => (o?.['items'] ?? []).length === 0);
    await until(['volumesnapshotcontents'], 'no VolumeSnapshotContent', (o) => (o?.['items'] ?? []).length === 0);
    expect(stack.simulatedLvs(n1)).toEqual([]);
    expect(stack.simulatedLvs(n2)).toEqual([]);
  });
});
