/**
 * csi-node on real lvm2: csi-node and lvmd-http run as services in the test node (QEMU,
 * real dm-thin), the API test server on this host's loopback, reached from the guest
 * through a per-connection forward (guest 10.0.2.100:6443 -> host 127.0.0.1:<port>). The
 * test creates LogicalVolume objects as csi-controller does and checks `lvs` in the guest.
 * One boot for the whole file.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { apiCall, collectionPath, isNotFound, waitFor } from '@copse/controller-runtime';
import { capacityAnnotation, isLogicalVolumeReady, logicalVolumeCrd, nameSet, newLogicalVolume, quantityToBytes, type LogicalVolume } from '@copse/k8s-crd';
import { startTestApiServer, type RunningTestApiServer } from '@copse/kube-test-apiserver';
import { LvmdClient } from '@copse/lvmd-api';
import { describeWithTestNode, GUEST_WORKSPACE, lvmdHttpService, startTestNode, workspaceShares, type TestNode } from '@copse/testnode';
import { GiB, MiB, WORKSPACE } from './fixture';

const VG = 'vgcsi';
const NODE_NAME = 'node-real';
const PORT = { lvmd: 8080, metrics: 9100, api: 6443 } as const;
const CSI_NODE_MAIN = path.join(WORKSPACE, 'apps', 'csi-node', 'dist', 'main.js');
const names = nameSet();
const { group, version, plural } = names.logicalVolumes;

interface LvsRow {
  lv_name: string;
  lv_attr: string;
  lv_size: string;
  origin: string;
}

describeWithTestNode('csi-node on real lvm2', () => {
  let dir: string;
  let server: RunningTestApiServer;
  let kc: KubeConfig;
  let custom: CustomObjectsApi;
  let core: CoreV1Api;
  let node: TestNode;
  let lvmd: LvmdClient;
  let counter = 0;

  beforeAll(async () => {
    for (const main of [CSI_NODE_MAIN, path.join(WORKSPACE, 'apps', 'lvmd-http', 'dist', 'main.js')]) {
      if (!fs.existsSync(main)) throw new Error(`${main} not found: build first (npx nx run-many -t build)`);
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'copse-csi-node-real-'));
    server = await startTestApiServer({ port: 0, kubeconfigPath: path.join(dir, 'kubeconfig'), snapshotCrds: false, logLevel: 'warn' });
    kc = new KubeConfig();
    kc.loadFromFile(path.join(dir, 'kubeconfig'));
    custom = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
    await apiCall(() => custom.createClusterCustomObject({ group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions', body: structuredClone(logicalVolumeCrd(names)) }));
    await apiCall(() => core.createNode({ body: { metadata: { name: NODE_NAME } } }));

    const token = randomBytes(24).toString('hex');
    const hostPort = Number(new URL(server.url).port);
    node = await startTestNode({
      disks: [{ sizeBytes: 4 * GiB }],
      volumeGroups: [{ name: VG, disks: [0], thinPools: [{ name: 'pool0', sizeBytes: GiB }] }],
      shares: workspaceShares(WORKSPACE),
      services: [
        lvmdHttpService({ name: 'lvmd-http', port: PORT.lvmd, configFile: 'lvmd.yaml', tokenFile: 'lvmd.token' }),
        {
          name: 'csi-node',
          cwd: GUEST_WORKSPACE,
          argv: [
            'node', `${GUEST_WORKSPACE}/apps/csi-node/dist/main.js`,
            '--node-name', NODE_NAME,
            '--kubeconfig', '/testnode/files/kubeconfig',
            '--lvmd-url', `http://127.0.0.1:${PORT.lvmd}`,
            '--lvmd-token-file', '/testnode/files/lvmd.token',
            '--csi-socket', '/run/csi-node.sock',
            '--metrics-address', `0.0.0.0:${PORT.metrics}`,
          ],
        },
      ],
      forwards: [PORT.lvmd, PORT.metrics],
      hostServices: [{ guestPort: PORT.api, hostPort }],
      files: {
        'lvmd.yaml': ['device-classes:', '  - name: thin', `    volume-group: ${VG}`, '    default: true', '    type: thin', '    thin-pool:', '      name: pool0', '      overprovision-ratio: 5', '  - name: thick', `    volume-group: ${VG}`, '    spare-gb: 1', ''].join('\n'),
        'lvmd.token': `${token}\n`,
        kubeconfig: server.kubeconfigYaml().replace(server.url, `http://10.0.2.100:${PORT.api}`),
      },
      memoryMiB: 1536,
      bootTimeoutMs: 240_000,
    });
    try {
      await node.waitForHttp(PORT.lvmd, '/readyz', { timeoutMs: 120_000 });
      await node.waitForHttp(PORT.metrics, '/healthz', { timeoutMs: 120_000 });
    } catch (e) {
      const logs = await node.logs();
      throw new Error(`${(e as Error).message}\n${logs.slice(-6000)}`);
    }
    lvmd = new LvmdClient({ endpoint: `http://127.0.0.1:${node.hostPort(PORT.lvmd)}`, token, timeoutMs: 300_000 });
  }, 600_000);

  afterAll(async () => {
    await lvmd?.close();
    await node?.stop();
    await server?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  const name = (prefix: string) => `${prefix}-${++counter}`;
  const ready = (lv: LogicalVolume | undefined) => Boolean(lv && isLogicalVolumeReady(lv));

  async function create(input: Parameters<typeof newLogicalVolume>[1]): Promise<LogicalVolume> {
    return (await apiCall(() => custom.createClusterCustomObject({ group, version, plural, body: newLogicalVolume(names, input) }))) as LogicalVolume;
  }

  function wait(lvName: string, condition: (lv: LogicalVolume | undefined) => boolean, timeoutMs = 180_000): Promise<LogicalVolume | undefined> {
    return waitFor<LogicalVolume>({
      kubeConfig: kc,
      path: collectionPath(names.logicalVolumes),
      name: lvName,
      get: () => apiCall(() => custom.getClusterCustomObject({ group, version, plural, name: lvName })) as Promise<LogicalVolume>,
      condition,
      timeoutMs,
    });
  }

  async function lvs(): Promise<Map<string, LvsRow>> {
    const r = await node.control.lvm(['lvs', VG, '--units', 'b', '--nosuffix', '--reportformat', 'json', '-o', 'lv_name,lv_attr,lv_size,origin']);
    expect(r.exitCode).toBe(0);
    const rows = (JSON.parse(r.stdout) as { report: { lv: LvsRow[] }[] }).report[0]!.lv;
    return new Map(rows.map((row) => [row.lv_name, row]));
  }

  async function objects(): Promise<LogicalVolume[]> {
    return ((await apiCall(() => custom.listClusterCustomObject({ group, version, plural }))) as { items: LogicalVolume[] }).items;
  }

  it('creates a volume, a read-only snapshot, a larger restore and a clone as thin LVs named by the objects\' UIDs', async () => {
    const src = name('pvc');
    await create({ name: src, nodeName: NODE_NAME, sizeBytes: 256 * MiB });
    const source = await wait(src, ready);
    const size = quantityToBytes(source!.status!.currentSize!);
    const snap = name('snapshot');
    await create({ name: snap, nodeName: NODE_NAME, sizeBytes: size, source: { name: src, accessType: 'ro' } });
    const s = await wait(snap, ready);
    const restore = name('restore');
    const clone = name('clone');
    await create({ name: restore, nodeName: NODE_NAME, sizeBytes: 512 * MiB, source: { name: snap, accessType: 'rw' } });
    await create({ name: clone, nodeName: NODE_NAME, sizeBytes: size, source: { name: src, accessType: 'rw' } });
    const [r, c] = await Promise.all([wait(restore, ready), wait(clone, ready)]);

    const rows = await lvs();
    const row = (lv: LogicalVolume | undefined) => rows.get(lv!.status!.volumeID!)!;
    expect(row(source).lv_attr).toMatch(/^Vwi-a/); // thin, writable, active
    expect(row(s)).toMatchObject({ origin: source!.status!.volumeID, lv_attr: expect.stringMatching(/^Vri-a/) }); // read-only
    expect(row(r)).toMatchObject({ origin: s!.status!.volumeID, lv_size: String(512 * MiB), lv_attr: expect.stringMatching(/^Vwi-a/) });
    expect(row(c)).toMatchObject({ origin: source!.status!.volumeID, lv_attr: expect.stringMatching(/^Vwi-a/) });
    expect(quantityToBytes(r!.status!.currentSize!)).toBe(512 * MiB);
  }, 300_000);

  it('grows an LV when spec.size grows, and deletes LVs with their objects', async () => {
    const vol = name('pvc');
    await create({ name: vol, nodeName: NODE_NAME, sizeBytes: 128 * MiB });
    const lv = await wait(vol, ready);
    await apiCall(() => custom.patchClusterCustomObject({ group, version, plural, name: vol, body: [{ op: 'replace', path: '/spec/size', value: '200Mi' }] }));
    await wait(vol, (x) => x?.status?.currentSize === '200Mi');
    expect((await lvs()).get(lv!.status!.volumeID!)!.lv_size).toBe(String(200 * MiB));
    await apiCall(() => custom.deleteClusterCustomObject({ group, version, plural, name: vol }));
    await wait(vol, (x) => x === undefined);
    expect((await lvs()).has(lv!.status!.volumeID!)).toBe(false);
  }, 300_000);

  it('keeps the Node\'s capacity annotations equal to lvmd-http\'s figures', async () => {
    const classes = await lvmd.listDeviceClasses();
    const want = Object.fromEntries(classes.map((dc) => [capacityAnnotation(names, dc.name), String(dc.freeBytes)]));
    const deadline = Date.now() + 60_000;
    let annotations: Record<string, string> = {};
    while (Date.now() < deadline) {
      annotations = (await apiCall(() => core.readNode({ name: NODE_NAME }))).metadata?.annotations ?? {};
      if (Object.entries(want).every(([k, v]) => annotations[k] === v)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(annotations).toMatchObject(want);
    expect(annotations[names.defaultCapacityAnnotation]).toBe(want[capacityAnnotation(names, 'thin')]);
  }, 120_000);

  it('converges after csi-node is killed in the middle of creates and deletes: lvs agrees with the objects, no orphan', async () => {
    const keep = Array.from({ length: 6 }, () => name('pvc'));
    for (const n of keep) await create({ name: n, nodeName: NODE_NAME, sizeBytes: 64 * MiB });
    const doomed = name('pvc');
    await create({ name: doomed, nodeName: NODE_NAME, sizeBytes: 64 * MiB });
    await wait(doomed, ready);
    await apiCall(() => custom.deleteClusterCustomObject({ group, version, plural, name: doomed }));
    await node.control.killService('csi-node', 'SIGKILL');
    await node.control.startService('csi-node');
    await Promise.all(keep.map((n) => wait(n, ready)));
    await wait(doomed, (x) => x === undefined);

    const rows = await lvs();
    const all = await objects();
    const ids = new Set(all.map((lv) => lv.status?.volumeID ?? lv.metadata!.uid!));
    const volumes = [...rows.values()].filter((r) => r.lv_name !== 'pool0' && !r.lv_name.startsWith('['));
    expect(volumes.map((r) => r.lv_name).sort()).toEqual([...ids].sort()); // one LV per object, nothing else
  }, 600_000);

  it('after every object is deleted: no LV is left but the pool', async () => {
    for (const lv of await objects()) {
      try {
        await apiCall(() => custom.deleteClusterCustomObject({ group, version, plural, name: lv.metadata!.name! }));
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    for (const lv of await objects()) await wait(lv.metadata!.name!, (x) => x === undefined);
    const left = [...(await lvs()).keys()].filter((n) => n !== 'pool0' && !n.startsWith('['));
    expect(left).toEqual([]);
  }, 600_000);
});
