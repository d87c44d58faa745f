/**
 * The README's main job and docs/sandbox.md's walkthrough, as a user runs them: the sandbox
 * started as `npm start` starts it (its built CLI, in a directory of its own), then exactly the
 * kubectl lines of the doc's "Walkthrough" section, in order, with whatever kubectl is on PATH
 * ($KUBECTL overrides), each step checked by what `kubectl get` shows.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { WORKSPACE } from '../src/stack';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>;

const KUBECTL = process.env['KUBECTL'] || 'kubectl';
const DOC = readFileSync(join(WORKSPACE, 'docs', 'sandbox.md'), 'utf8');

/** The kubectl lines of the doc's Walkthrough section, split into argv (the doc uses no quoting). */
export function walkthroughCommands(doc: string): string[][] {
  const start = doc.indexOf('\n## Walkthrough');
  const end = doc.indexOf('\n## ', start + 1);
  const section = doc.slice(start, end < 0 ? undefined : end);
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  return blocks
    .flatMap((b) => b.split('\n'))
    .map((l) => l.trim())
    .filter((l) => l.startsWith('kubectl '))
    .map((l) => {
      if (/["'`$|;&<>\\]/.test(l)) throw new Error(`walkthrough line needs a shell: ${l}`);
      return l.split(/\s+/).slice(1);
    });
}

let dir: string;
let sandbox: ChildProcess;
let output = '';
let kubeconfig: string;

function kubectl(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(KUBECTL, [...args], { cwd: WORKSPACE, env: { ...process.env, KUBECONFIG: kubeconfig, LC_ALL: 'C' }, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(new Error(`kubectl ${args.join(' ')}: ${error.message}\n${stderr}`));
      else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

async function getJson(args: readonly string[]): Promise<Obj> {
  const r = await kubectl(['get', ...args, '-o', 'json']);
  if (r.code !== 0) throw new Error(`kubectl get ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Obj;
}

/** Polls (as a user re-runs kubectl get) until `check` holds, or fails with the sandbox's output. */
async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${output.slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const claim = async (name: string) => {
  const r = await kubectl(['get', 'pvc', name, '-o', 'json']);
  return r.code === 0 ? (JSON.parse(r.stdout) as Obj) : undefined;
};
const boundClaim = (name: string) => until(`claim ${name} Bound`, async () => ((await claim(name))?.['status']?.phase === 'Bound' ? claim(name) : undefined));
const logicalVolumes = async () => ((await getJson(['logicalvolumes']))['items'] as Obj[]);
const lvOf = async (pvName: string) => (await logicalVolumes()).find((lv) => lv['metadata'].name === pvName);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'copse-sandbox-test-'));
  kubeconfig = join(dir, 'kubeconfig');
  sandbox = spawn(process.execPath, [join(WORKSPACE, 'tools', 'sandbox', 'dist', 'cli.js'), '--dir', dir], { cwd: WORKSPACE, stdio: ['ignore', 'pipe', 'pipe'] });
  sandbox.stdout?.setEncoding('utf8').on('data', (d: string) => (output += d));
  sandbox.stderr?.setEncoding('utf8').on('data', (d: string) => (output += d));
  await until('the sandbox to say it is running', async () => {
    if (sandbox.exitCode !== null) throw new Error(`the sandbox exited (${sandbox.exitCode}):\n${output}`);
    return output.includes('Copse is running') ? true : undefined;
  }, 110_000);
}, 120_000);

afterAll(async () => {
  if (sandbox && sandbox.exitCode === null) {
    const exited = new Promise((r) => sandbox.once('exit', r));
    sandbox.kill('SIGINT');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('the sandbox (npm start)', () => {
  it('prints the kubeconfig it wrote, and refuses a second sandbox in the same directory', async () => {
    expect(output).toContain(`kubeconfig: ${kubeconfig}`);
    const second = await new Promise<{ code: number | null; text: string }>((resolve) => {
      execFile(process.execPath, [join(WORKSPACE, 'tools', 'sandbox', 'dist', 'cli.js'), '--dir', dir], (error, stdout, stderr) =>
        resolve({ code: error ? (error.code as number) : 0, text: stdout + stderr }),
      );
    });
    expect(second.code).toBe(1);
    expect(second.text).toContain(`one is already running in ${dir} (pid ${sandbox.pid})`);
  });

  it("runs docs/sandbox.md's walkthrough with kubectl: claim, snapshot, restore, clone, delete", async () => {
    const commands = walkthroughCommands(DOC);
    const applied = commands.filter((c) => c[0] === 'apply' || c[0] === 'delete').flatMap((c) => c.filter((_, i) => c[i - 1] === '-f'));
    // every example file is applied (and deleted) by the walkthrough
    expect([...new Set(applied)].sort()).toEqual(
      ['examples/clone.yaml', 'examples/pvc-and-pod.yaml', 'examples/restore.yaml', 'examples/snapshot.yaml', 'examples/storageclass.yaml', 'examples/volumesnapshotclass.yaml'].sort(),
    );
    const seen: string[] = [];
    for (const args of commands) {
      const r = await kubectl(args);
      // kubectl says "No resources found" on stderr for an empty list: the walkthrough's last step
      const none = /^No resources found/.test(r.stderr);
      expect([args.join(' '), r.code, none ? '' : r.stderr]).toEqual([args.join(' '), 0, '']);
      seen.push(args.join(' '));
      const files = args.filter((_, i) => args[i - 1] === '-f');
      if (args[0] === 'apply') await checkApplied(files);
      if (args[0] === 'delete') await checkDeleted();
      if (args[0] === 'get' && none) expect(seen.slice(-2)[0]).toMatch(/^delete /);
      else if (args[0] === 'get' && args[1]?.includes('logicalvolumes')) {
        // the printer columns a user reads
        expect(r.stdout).toMatch(/NODE\s+DEVICECLASS\s+SIZE\s+SOURCE\s+ACCESS\s+READY\s+AGE/);
      }
    }
    expect(seen.length).toBeGreaterThanOrEqual(7);
  });
});

let sourceLv: Obj;
let snapshotLv: Obj;

async function checkApplied(files: string[]): Promise<void> {
  if (files.includes('examples/storageclass.yaml')) {
    const sc = await getJson(['storageclass', 'topolvm-provisioner-thin']);
    expect(sc).toMatchObject({ provisioner: 'topolvm.cybozu.com', volumeBindingMode: 'WaitForFirstConsumer', allowVolumeExpansion: true });
  }
  if (files.includes('examples/pvc-and-pod.yaml')) {
    const pvc = await boundClaim('snapshot-pvc');
    sourceLv = (await until('the source LogicalVolume ready', async () => {
      const lv = await lvOf(pvc['spec'].volumeName);
      return lv?.['status']?.volumeID ? lv : undefined;
    })) as Obj;
    expect(sourceLv['spec']).toMatchObject({ nodeName: 'topolvm-example-worker', deviceClass: 'thin', size: '1Gi' });
    // the scheduler stand-in placed the pod; without block devices its mount fails, as the doc says
    const pod = await until('the pod scheduled', async () => {
      const p = await getJson(['pod', 'snapshot-pod']);
      return p['spec'].nodeName ? p : undefined;
    });
    expect(pod['spec'].nodeName).toBe('topolvm-example-worker');
    const events = await until('FailedMount', async () => {
      const list = (await getJson(['events', '--field-selector', 'involvedObject.name=snapshot-pod']))['items'] as Obj[];
      return list.some((e) => e['reason'] === 'FailedMount') ? list : undefined;
    });
    expect(events.find((e) => e['reason'] === 'Scheduled')?.['message']).toBe('Successfully assigned default/snapshot-pod to topolvm-example-worker');
    expect(events.find((e) => e['reason'] === 'FailedMount')?.['message']).toMatch(/is missing on node topolvm-example-worker/);
    expect((await getJson(['pod', 'snapshot-pod']))['status'].phase).toBe('Pending');
  }
  if (files.includes('examples/snapshot.yaml')) {
    const snap = await until('new-snapshot ready', async () => {
      const s = await getJson(['volumesnapshot', 'new-snapshot']);
      return s['status']?.readyToUse === true ? s : undefined;
    });
    expect(snap['status'].restoreSize).toBe('1Gi');
    const content = await getJson(['volumesnapshotcontent', snap['status'].boundVolumeSnapshotContentName]);
    snapshotLv = (await lvOf(`snapshot-${snap['metadata'].uid}`)) as Obj;
    expect(snapshotLv['status'].volumeID).toBe(content['status'].snapshotHandle);
    expect(snapshotLv['spec']).toMatchObject({ nodeName: 'topolvm-example-worker', source: sourceLv['metadata'].name, accessType: 'ro' });
  }
  if (files.includes('examples/restore.yaml')) {
    const pvc = await boundClaim('restore-pvc');
    expect(pvc['status'].capacity.storage).toBe('2Gi');
    const lv = await until('the restore ready', async () => ((await lvOf(pvc['spec'].volumeName))?.['status']?.volumeID ? lvOf(pvc['spec'].volumeName) : undefined));
    expect(lv?.['spec']).toMatchObject({ nodeName: 'topolvm-example-worker', source: snapshotLv['metadata'].name, accessType: 'rw', size: '2Gi' });
  }
  if (files.includes('examples/clone.yaml')) {
    const pvc = await boundClaim('clone-pvc');
    const lv = await until('the clone ready', async () => ((await lvOf(pvc['spec'].volumeName))?.['status']?.volumeID ? lvOf(pvc['spec'].volumeName) : undefined));
    expect(lv?.['spec']).toMatchObject({ nodeName: 'topolvm-example-worker', source: sourceLv['metadata'].name, accessType: 'rw', size: '1Gi' });
  }
}

async function checkDeleted(): Promise<void> {
  await until('every LogicalVolume gone', async () => ((await logicalVolumes()).length === 0 ? true : undefined));
  // and the simulated lvm2 holds no volume any more
  expect(await lvmdVolumes()).toEqual([]);
}

/** lvmd-http's own list of node 1's volumes, as docs/sandbox.md's curl asks for it. */
async function lvmdVolumes(): Promise<unknown[]> {
  const dispatcher = new Agent({ connect: { socketPath: join(dir, 'lvmd-1.sock') } });
  try {
    const r = await request('http://localhost/v1/logical-volumes', { dispatcher });
    expect(r.statusCode).toBe(200);
    const body = (await r.body.json()) as { items: unknown[] };
    return body.items;
  } finally {
    await dispatcher.close();
  }
}
