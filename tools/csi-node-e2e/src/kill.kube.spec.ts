/**
 * Crashes in the middle of work: csi-node as a real process (apps/csi-node/dist/main.js)
 * and lvmd-http on the simulated lvm2 are killed with SIGKILL while 50 mixed operations
 * (creates, snapshots, restores, clones, resizes, deletes) are in flight, and started again.
 * Every operation converges: each object that remains is Ready at the size asked, each
 * deleted one is gone, and lvmd-http's volumes are exactly the remaining objects' volumes:
 * no orphan, none missing, none incomplete.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isLogicalVolumeReady, quantityToBytes, type LogicalVolume } from '@copse/k8s-crd';
import { MiB, WORKSPACE, until, useEnv } from './fixture';

const CSI_NODE_MAIN = path.join(WORKSPACE, 'apps', 'csi-node', 'dist', 'main.js');
const env = useEnv();

/** csi-node as the process a DaemonSet runs. */
class CsiNodeProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  output = '';
  starts = 0;

  constructor(private readonly argv: string[]) {}

  async start(): Promise<void> {
    const child = spawn(process.execPath, [CSI_NODE_MAIN, ...this.argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.starts += 1;
    let out = '';
    child.stdout!.on('data', (d: Buffer) => ((out += d.toString()), (this.output += d.toString())));
    child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    await until(() => out.includes('"csi-node ready"') || child.exitCode !== null, 'csi-node to be ready', 60_000);
    if (child.exitCode !== null) throw new Error(`csi-node exited with ${child.exitCode}:\n${this.output.slice(-4000)}`);
  }

  async kill(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await this.exited;
  }
}

let csiNode: CsiNodeProcess;

beforeAll(() => {
  if (!fs.existsSync(CSI_NODE_MAIN)) throw new Error(`${CSI_NODE_MAIN} not found: build first (npx nx run @copse/csi-node:build)`);
  const e = env();
  csiNode = new CsiNodeProcess([
    '--node-name', e.nodeName,
    '--kubeconfig', e.kubeconfigPath,
    '--lvmd-socket', e.lvmd.socket,
    '--csi-socket', path.join(e.dir, 'csi.sock'),
    '--metrics-address', '',
    '--log-level', 'info',
  ]);
});
afterAll(() => csiNode?.kill('SIGTERM'));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Expected {
  /** undefined: deleted, the object must be gone */
  size?: string;
}

describe('SIGKILL in the middle of 50 mixed operations', () => {
  it('converges once csi-node and lvmd-http run again: every object as asked, one LV per object, no orphan', async () => {
    const e = env();
    await csiNode.start();
    const expected = new Map<string, Expected>();
    const ops: Array<() => Promise<unknown>> = [];
    const create = (name: string, sizeMi: number, source?: { name: string; accessType: 'ro' | 'rw' }) =>
      ops.push(() => {
        expected.set(name, { size: `${sizeMi}Mi` });
        return e.createLv({ name, sizeBytes: sizeMi * MiB, ...(source ? { source } : {}) });
      });
    const resize = (name: string, sizeMi: number) =>
      ops.push(() => {
        expected.set(name, { size: `${sizeMi}Mi` });
        return e.patchLv(name, [{ op: 'replace', path: '/spec/size', value: `${sizeMi}Mi` }]);
      });
    const remove = (name: string) =>
      ops.push(() => {
        expected.set(name, {});
        return e.deleteLv(name);
      });

    const base = Array.from({ length: 10 }, () => e.name('pvc'));
    const snapshots = base.slice(0, 8).map(() => e.name('snapshot'));
    const restores = snapshots.slice(0, 5).map(() => e.name('restore'));
    const clones = base.slice(0, 5).map(() => e.name('clone'));
    const scratch = Array.from({ length: 5 }, () => e.name('scratch'));
    const late = Array.from({ length: 3 }, () => e.name('late'));
    for (const n of base) create(n, 64);
    snapshots.forEach((n, i) => create(n, 64, { name: base[i]!, accessType: 'ro' }));
    restores.forEach((n, i) => create(n, 96, { name: snapshots[i]!, accessType: 'rw' }));
    clones.forEach((n, i) => create(n, 64, { name: base[i]!, accessType: 'rw' }));
    for (const n of scratch) create(n, 32);
    // grow what nothing is made from (a source grown before its snapshot is made would
    // rightly refuse the smaller snapshot with OUT_OF_RANGE)
    for (const n of [...clones, base[9]!]) resize(n, 128);
    for (const n of scratch) remove(n);
    for (const n of restores.slice(0, 3)) remove(n);
    for (const n of late) create(n, 48);
    expect(ops).toHaveLength(50);

    // how many of the objects sent so far had not converged when a crash came
    const pendingAtCrash: number[] = [];
    const countPending = async () => {
      const items = await Promise.all([...expected.keys()].map((n) => e.getLv(n)));
      pendingAtCrash.push(items.filter((lv, i) => {
        const want = [...expected.values()][i]!;
        return want.size === undefined ? lv !== undefined : !(lv && isLogicalVolumeReady(lv) && lv.status?.currentSize === want.size);
      }).length);
    };
    // the crashes, by how many operations have been sent
    const crashes = new Map<number, () => Promise<void>>([
      [12, async () => {
        await csiNode.kill('SIGKILL');
        await countPending();
        await csiNode.start();
      }],
      [30, async () => {
        await e.lvmd.kill();
        await countPending();
        await sleep(300);
        await e.lvmd.start();
      }],
      [42, async () => {
        await Promise.all([csiNode.kill('SIGKILL'), e.lvmd.kill()]);
        await countPending();
        await e.lvmd.start();
        await csiNode.start();
      }],
    ]);
    const inFlight: Promise<unknown>[] = [];
    for (let i = 0; i < ops.length; i++) {
      inFlight.push(ops[i]!());
      await sleep(30);
      await crashes.get(i + 1)?.();
    }
    await Promise.all(inFlight);
    expect(csiNode.starts).toBe(3);
    // the crashes came with work under way, not between settled batches
    expect(pendingAtCrash).toHaveLength(3);
    expect(pendingAtCrash.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    process.stdout.write(`objects not yet converged at each crash: ${pendingAtCrash.join(', ')}\n`);

    for (const [name, want] of expected) {
      const lv = await e.waitLv(
        name,
        (x) => (want.size === undefined ? x === undefined : Boolean(x && isLogicalVolumeReady(x) && x.status?.currentSize === want.size)),
        120_000,
      ).catch(async (err: unknown) => {
        throw new Error(`${name} did not converge to ${JSON.stringify(want)}: ${JSON.stringify((await e.getLv(name))?.status)}\n${(err as Error).message}`);
      });
      if (lv) expect(lv.status!.volumeID).toBe(lv.metadata!.uid);
    }

    const remaining = (await Promise.all([...expected].filter(([, w]) => w.size).map(([n]) => e.getLv(n)))) as LogicalVolume[];
    const volumes = await e.lvmd.client.listLogicalVolumes();
    expect(volumes.filter((v) => v.state === 'incomplete').map((v) => v.name)).toEqual([]);
    expect(volumes.map((v) => v.name).sort()).toEqual(remaining.map((lv) => lv.status!.volumeID!).sort());
    for (const lv of remaining) {
      const v = volumes.find((x) => x.name === lv.status!.volumeID)!;
      expect(v.sizeBytes).toBe(quantityToBytes(lv.status!.currentSize!));
      const source = lv.spec.source ? remaining.find((s) => s.metadata!.name === lv.spec.source) : undefined;
      if (source) expect(v.origin).toBe(source.status!.volumeID);
      expect(v.accessType).toBe(lv.spec.accessType === 'ro' ? 'ro' : 'rw');
    }
  }, 600_000);
});
