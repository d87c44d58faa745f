/**
 * kubectl against the cluster, as a user drives Copse: apply -f of a LogicalVolume (the CRD
 * deploy/ ships), a PVC and a VolumeSnapshot; get with printer columns, -o wide, -o yaml,
 * --watch; client-side and server-side apply; patch of each type; wait for a condition, a
 * JSONPath value and a deletion; delete with a finalizer pending, then removed; explain and
 * validation through the server's OpenAPI.
 *
 * The binary is $KUBECTL (default `kubectl`): CI runs it with Debian's kubectl 1.20 where no
 * other exists, the build machines with 1.32. Everything here passes with both, except
 * `wait --for=jsonpath`, which kubectl gained in 1.23 (the test says so when it skips).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { useCluster } from './fixture';
import { defaultHeader, ensureCrd, ensureVolumeSnapshotCrds, kindOf, LOGICAL_VOLUME_CRD_FILE, readCrdFile } from './copse-kinds';
import type { CustomKind } from './crds';
import { Kubectl, parseTable } from './kubectl';
import { expectOk, MERGE, resourcePath, type Obj } from './kube';

const cluster = useCluster();
let kubectl: Kubectl;
let minor: number;
let ns: string;
let dir: string;
let lvCrd: Obj;
let lv: CustomKind;
let vs: CustomKind;
/** kubectl's short resource argument for LogicalVolumes of the CRD in use, e.g. logicalvolumes.topolvm.cybozu.com */
let lvResource: string;

const AGE = /^(\d+s|\d+m\d*s?|\d+h\d*m?|\d+d\d*h?)$/;

beforeAll(async () => {
  const c = cluster();
  kubectl = new Kubectl(c.kubeconfigPath);
  minor = await kubectl.clientMinor();
  ns = await c.createNamespace('kubectl');
  lvCrd = await ensureCrd(c, readCrdFile(LOGICAL_VOLUME_CRD_FILE));
  lv = kindOf(lvCrd);
  lvResource = `${lv.plural}.${lv.group}`;
  vs = (await ensureVolumeSnapshotCrds(c)).kinds['VolumeSnapshot'] as CustomKind;
  dir = mkdtempSync(join(tmpdir(), 'copse-kubectl-'));
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * Writes the objects as one multi-document YAML file and returns its path. kubectl reads
 * YAML 1.1 (a bare yes is a boolean there): strings are written so that it reads strings.
 */
function manifest(file: string, ...objects: Obj[]): string {
  const path = join(dir, file);
  writeFileSync(path, objects.map((o) => stringify(o, { version: '1.1' })).join('---\n'));
  return path;
}

function logicalVolume(name: string, spec: Obj = {}, metadata: Obj = {}): Obj {
  const c = cluster();
  return {
    apiVersion: lv.apiVersion,
    kind: lv.kind,
    metadata: { name, ...metadata, labels: c.labels(metadata.labels) },
    spec: { name: `pvc-${name}`, nodeName: 'conformance-node-1', size: '1Gi', deviceClass: 'ssd', ...spec },
  };
}

function pvc(name: string, storageClassName: string): Obj {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: ns, labels: cluster().labels() },
    spec: { accessModes: ['ReadWriteOnce'], storageClassName, resources: { requests: { storage: '1Gi' } } },
  };
}

function volumeSnapshot(name: string, claim: string, snapshotClass: string): Obj {
  return {
    apiVersion: vs.apiVersion,
    kind: 'VolumeSnapshot',
    metadata: { name, namespace: ns, labels: cluster().labels() },
    spec: { volumeSnapshotClassName: snapshotClass, source: { persistentVolumeClaimName: claim } },
  };
}

/** Creates the objects with `kubectl apply -f` and remembers them for cleanup. */
async function applied(file: string, ...objects: Obj[]): Promise<string> {
  const c = cluster();
  for (const o of objects) {
    if (o.kind === lv.kind) c.track(lv.path(undefined, o.metadata.name));
    if (o.kind === 'PersistentVolumeClaim') c.track(resourcePath('v1', 'persistentvolumeclaims', ns, o.metadata.name));
    if (o.kind === 'VolumeSnapshot') c.track(vs.path(ns, o.metadata.name));
  }
  return kubectl.ok(['apply', '-f', manifest(file, ...objects)]);
}

describe('kubectl reaches the server', () => {
  it('reports the server version', async () => {
    const out = JSON.parse(await kubectl.ok(['version', '-o', 'json']));
    expect(out.serverVersion.gitVersion).toMatch(/^v\d+\.\d+\.\d+/);
  });

  it('lists the resources, custom ones included', async () => {
    const out = await kubectl.ok(['api-resources']);
    const lines = out.split('\n');
    expect(lines.some((l) => /^persistentvolumeclaims\s+pvc\s/.test(l))).toBe(true);
    expect(lines.some((l) => l.startsWith(`${lv.plural} `) && l.includes(lv.kind))).toBe(true);
    expect(lines.some((l) => l.startsWith('volumesnapshots ') && l.includes('VolumeSnapshot'))).toBe(true);
    const group = await kubectl.ok(['api-resources', `--api-group=${lv.group}`, '-o', 'name']);
    expect(group.split('\n')).toContain(lvResource);
  });
});

describe('apply -f, get', () => {
  it('creates a LogicalVolume, a PVC and a VolumeSnapshot, then leaves them unchanged', async () => {
    const c = cluster();
    const name = c.name('lv');
    const claim = c.name('pvc');
    const snap = c.name('vs');
    const objects = [logicalVolume(name), pvc(claim, c.name('cls')), volumeSnapshot(snap, claim, c.name('vsc'))];
    const created = await applied('three.yaml', ...objects);
    expect(created.split('\n').filter(Boolean)).toEqual([
      `${lv.singular}.${lv.group}/${name} created`,
      `persistentvolumeclaim/${claim} created`,
      `volumesnapshot.snapshot.storage.k8s.io/${snap} created`,
    ]);
    const again = await kubectl.ok(['apply', '-f', join(dir, 'three.yaml')]);
    expect(again.split('\n').filter(Boolean)).toEqual([
      `${lv.singular}.${lv.group}/${name} unchanged`,
      `persistentvolumeclaim/${claim} unchanged`,
      `volumesnapshot.snapshot.storage.k8s.io/${snap} unchanged`,
    ]);
  });

  it("prints a LogicalVolume with the CRD's printer columns, and the wide ones with -o wide", async () => {
    const c = cluster();
    const name = c.name('lv');
    await applied('lv-get.yaml', logicalVolume(name, { size: '5Gi', deviceClass: 'nvme' }));
    const { header, rows } = parseTable(await kubectl.ok(['get', lvResource, name]));
    expect(header).toEqual(defaultHeader(lvCrd));
    expect(rows).toHaveLength(1);
    const row = Object.fromEntries(header.map((h, i) => [h, rows[0]?.[i]]));
    expect(row['NAME']).toBe(name);
    expect(row['AGE']).toMatch(AGE);
    expect(Object.values(row)).toEqual(expect.arrayContaining(['conformance-node-1', 'nvme', '5Gi']));
    const wide = parseTable(await kubectl.ok(['get', lvResource, name, '-o', 'wide']));
    expect(wide.header.length).toBeGreaterThan(header.length);
    expect(wide.header.slice(0, header.length)).toEqual(header);
  });

  it('prints a PVC and a VolumeSnapshot with their columns', async () => {
    const c = cluster();
    const claim = c.name('pvc');
    const klass = c.name('cls');
    const snap = c.name('vs');
    const snapClass = c.name('vsc');
    await applied('pvc-vs.yaml', pvc(claim, klass), volumeSnapshot(snap, claim, snapClass));
    const p = parseTable(await kubectl.ok(['get', 'pvc', claim, '-n', ns]));
    expect(p.header.slice(0, 6)).toEqual(['NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS']);
    expect(p.header).toContain('AGE');
    expect(p.rows[0]?.slice(0, 6)).toEqual([claim, 'Pending', '', '', '', klass]);
    const v = parseTable(await kubectl.ok(['get', 'volumesnapshot', snap, '-n', ns]));
    expect(v.header).toEqual(expect.arrayContaining(['NAME', 'READYTOUSE', 'SOURCEPVC', 'SNAPSHOTCLASS', 'AGE']));
    const row = Object.fromEntries(v.header.map((h, i) => [h, v.rows[0]?.[i]]));
    expect(row).toMatchObject({ NAME: snap, SOURCEPVC: claim, SNAPSHOTCLASS: snapClass });
  });

  it('prints the object as YAML, with the last-applied configuration', async () => {
    const c = cluster();
    const name = c.name('lv');
    await applied('lv-yaml.yaml', logicalVolume(name, { lvcreateOptionClass: 'striped' }));
    const obj = parse(await kubectl.ok(['get', lvResource, name, '-o', 'yaml']));
    expect(obj).toMatchObject({ apiVersion: lv.apiVersion, kind: lv.kind, metadata: { name }, spec: { nodeName: 'conformance-node-1', size: '1Gi', lvcreateOptionClass: 'striped' } });
    expect(obj.metadata.uid).toEqual(expect.any(String));
    const lastApplied = JSON.parse(obj.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
    expect(lastApplied.spec.lvcreateOptionClass).toBe('striped');
    expect(await kubectl.ok(['get', lvResource, name, '-o', 'jsonpath={.spec.deviceClass}'])).toBe('ssd');
  });

  it('removes, on a second apply, what the file no longer has', async () => {
    const c = cluster();
    const name = c.name('lv');
    await applied('lv-v1.yaml', logicalVolume(name, { lvcreateOptionClass: 'striped' }, { labels: { extra: 'yes' } }));
    const out = await kubectl.ok(['apply', '-f', manifest('lv-v2.yaml', logicalVolume(name, { size: '2Gi' }))]);
    expect(out.trim()).toBe(`${lv.singular}.${lv.group}/${name} configured`);
    const obj = expectOk(await c.api.get(lv.path(undefined, name)));
    expect(obj.spec.lvcreateOptionClass).toBeUndefined();
    expect(obj.spec.size).toBe('2Gi');
    expect(obj.metadata.labels.extra).toBeUndefined();
  });

  it('follows changes with get --watch', async () => {
    const c = cluster();
    const name = c.name('cm');
    expectOk(await c.api.post(resourcePath('v1', 'configmaps', ns), { metadata: { name, labels: c.labels() }, data: { a: '1' } }), 201);
    const watcher = kubectl.start(['get', 'configmap', name, '-n', ns, '--watch']);
    try {
      const rowsOf = (): number => watcher.output().split('\n').filter((l) => l.startsWith(`${name} `)).length;
      const until = async (n: number): Promise<void> => {
        const deadline = Date.now() + 20_000;
        while (rowsOf() < n) {
          if (Date.now() > deadline) throw new Error(`kubectl get --watch printed: ${watcher.output()}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      };
      await until(1);
      expectOk(await c.api.patch(resourcePath('v1', 'configmaps', ns, name), MERGE, { data: { b: '2' } }));
      await until(2);
      const lines = watcher.output().split('\n').filter((l) => l.startsWith(`${name} `));
      expect(lines[0]).toMatch(new RegExp(`^${name}\\s+1\\s`));
      expect(lines[1]).toMatch(new RegExp(`^${name}\\s+2\\s`));
    } finally {
      watcher.child.kill();
    }
  });
});

describe('patch', () => {
  it('applies merge and JSON patches to a LogicalVolume', async () => {
    const c = cluster();
    const name = c.name('lv');
    await applied('lv-patch.yaml', logicalVolume(name));
    const merged = await kubectl.ok(['patch', lvResource, name, '--type', 'merge', '-p', JSON.stringify({ spec: { size: '3Gi' }, metadata: { labels: { patched: 'merge' } } })]);
    expect(merged.trim()).toBe(`${lv.singular}.${lv.group}/${name} patched`);
    await kubectl.ok(['patch', lvResource, name, '--type', 'json', '-p', JSON.stringify([{ op: 'replace', path: '/spec/deviceClass', value: 'hdd' }, { op: 'add', path: '/metadata/labels/json', value: 'yes' }])]);
    const obj = expectOk(await c.api.get(lv.path(undefined, name)));
    expect(obj.spec).toMatchObject({ size: '3Gi', deviceClass: 'hdd' });
    expect(obj.metadata.labels).toMatchObject({ patched: 'merge', json: 'yes' });
  });

  it('refuses a strategic merge patch on a LogicalVolume, naming the patch types it takes', async () => {
    const c = cluster();
    const name = c.name('lv');
    await applied('lv-smp.yaml', logicalVolume(name));
    const res = await kubectl.run(['patch', lvResource, name, '--type', 'strategic', '-p', JSON.stringify({ spec: { size: '4Gi' } })]);
    expect(res.code).not.toBe(0);
    // kubectl 1.32 wraps it ("... is not supported by ..."), 1.20 prints the server's Status;
    // both show the media types the server accepts
    expect(res.stderr).toContain('accepted media types include: application/json-patch+json, application/merge-patch+json');
    expect(expectOk(await c.api.get(lv.path(undefined, name))).spec.size).toBe('1Gi');
  });

  it('applies a strategic merge patch (the default type) to a PVC, merging its finalizers', async () => {
    const c = cluster();
    const claim = c.name('pvc');
    await applied('pvc-smp.yaml', pvc(claim, c.name('cls')));
    await kubectl.ok(['patch', 'pvc', claim, '-n', ns, '-p', JSON.stringify({ metadata: { finalizers: ['conformance.copse.io/a'] } })]);
    await kubectl.ok(['patch', 'pvc', claim, '-n', ns, '--type', 'strategic', '-p', JSON.stringify({ metadata: { finalizers: ['conformance.copse.io/b'] } })]);
    const obj = expectOk(await c.api.get(resourcePath('v1', 'persistentvolumeclaims', ns, claim)));
    expect(obj.metadata.finalizers).toEqual(expect.arrayContaining(['conformance.copse.io/a', 'conformance.copse.io/b']));
    await kubectl.ok(['patch', 'pvc', claim, '-n', ns, '--type', 'json', '-p', JSON.stringify([{ op: 'test', path: '/status/phase', value: 'Pending' }])]);
    await kubectl.ok(['patch', 'pvc', claim, '-n', ns, '-p', JSON.stringify({ metadata: { '$deleteFromPrimitiveList/finalizers': ['conformance.copse.io/a', 'conformance.copse.io/b'] } })]);
    const after = expectOk(await c.api.get(resourcePath('v1', 'persistentvolumeclaims', ns, claim)));
    expect(after.metadata.finalizers ?? []).not.toContain('conformance.copse.io/a');
  });
});

describe('server-side apply', () => {
  it('applies, refuses a conflicting manager, and yields to --force-conflicts', async () => {
    const c = cluster();
    const name = c.name('cm');
    const cm = (value: string): Obj => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels: c.labels() }, data: { owner: value } });
    const first = await kubectl.ok(['apply', '--server-side', '-f', manifest('ssa-1.yaml', cm('kubectl'))]);
    expect(first.trim()).toBe(`configmap/${name} serverside-applied`);
    const conflict = await kubectl.run(['apply', '--server-side', '--field-manager=other', '-f', manifest('ssa-2.yaml', cm('other'))]);
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toContain('conflict');
    expect(conflict.stderr).toContain('.data.owner');
    await kubectl.ok(['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', join(dir, 'ssa-2.yaml')]);
    const obj = expectOk(await c.api.get(resourcePath('v1', 'configmaps', ns, name)));
    expect(obj.data.owner).toBe('other');
    expect((obj.metadata.managedFields as Obj[]).map((m) => `${m.manager}/${m.operation}`)).toEqual(expect.arrayContaining(['kubectl/Apply', 'other/Apply']));
  });
});

describe('wait', () => {
  /** Starts `kubectl wait`, then (after it has had time to start watching) changes the object. */
  async function waitWhile(args: string[], change: () => Promise<void>): Promise<string> {
    const waiting = kubectl.run(['wait', ...args, '--timeout=60s'], 90_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await change();
    const res = await waiting;
    if (res.code !== 0) throw new Error(`kubectl wait ${args.join(' ')} exited ${res.code}: ${res.stdout} ${res.stderr}`);
    return res.stdout;
  }

  it('for a condition a controller sets on status', async () => {
    const c = cluster();
    const name = c.name('lv');
    await applied('lv-wait.yaml', logicalVolume(name));
    const out = await waitWhile(['--for=condition=Ready', `${lvResource}/${name}`], async () => {
      expectOk(
        await c.api.patch(`${lv.path(undefined, name)}/status`, MERGE, {
          status: { volumeID: `vol-${name}`, currentSize: '1Gi', conditions: [{ type: 'Ready', status: 'True', reason: 'Created', message: 'created', lastTransitionTime: '2025-01-02T03:04:05Z' }] },
        }),
      );
    });
    expect(out.trim()).toBe(`${lv.singular}.${lv.group}/${name} condition met`);
    const { header, rows } = parseTable(await kubectl.ok(['get', lvResource, name]));
    expect(rows[0]?.[header.indexOf('READY')]).toBe('True');
  });

  it('for a JSONPath value (kubectl 1.23 and later)', async () => {
    if (minor < 23) {
      console.warn(`[kube-conformance] kubectl 1.${minor} has no "wait --for=jsonpath" (added in 1.23): this check runs with the newer kubectl only`);
      return;
    }
    const c = cluster();
    const name = c.name('lv');
    await applied('lv-jsonpath.yaml', logicalVolume(name));
    const out = await waitWhile([`--for=jsonpath={.status.volumeID}=vol-${name}`, `${lvResource}/${name}`], async () => {
      expectOk(await c.api.patch(`${lv.path(undefined, name)}/status`, MERGE, { status: { volumeID: `vol-${name}` } }));
    });
    expect(out.trim()).toBe(`${lv.singular}.${lv.group}/${name} condition met`);
  });
});

describe('delete', () => {
  it('leaves an object with a finalizer pending, marked, until the finalizer is removed', async () => {
    const c = cluster();
    const name = c.name('lv');
    const finalizer = `${lv.group}/logicalvolume`;
    await applied('lv-fin.yaml', logicalVolume(name, {}, { finalizers: [finalizer] }));
    const deleted = await kubectl.ok(['delete', lvResource, name, '--wait=false']);
    expect(deleted.trim()).toBe(`${lv.singular}.${lv.group} "${name}" deleted`);
    const stamp = await kubectl.ok(['get', lvResource, name, '-o', 'jsonpath={.metadata.deletionTimestamp}']);
    expect(stamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(parseTable(await kubectl.ok(['get', lvResource, name])).rows).toHaveLength(1);

    const waiting = kubectl.run(['wait', '--for=delete', `${lvResource}/${name}`, '--timeout=60s'], 90_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await kubectl.ok(['patch', lvResource, name, '--type', 'json', '-p', JSON.stringify([{ op: 'remove', path: '/metadata/finalizers' }])]);
    const waited = await waiting;
    expect(waited.code).toBe(0);
    const gone = await kubectl.run(['get', lvResource, name]);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toContain(`Error from server (NotFound): ${lv.plural}.${lv.group} "${name}" not found`);
  });

  it('deletes what a manifest names with delete -f', async () => {
    const c = cluster();
    const claim = c.name('pvc');
    await applied('pvc-del.yaml', pvc(claim, c.name('cls')));
    const out = await kubectl.ok(['delete', '-f', join(dir, 'pvc-del.yaml'), '--wait=false']);
    // newer kubectl adds the namespace: `... deleted from <ns> namespace`
    expect(out.trim()).toMatch(new RegExp(`^persistentvolumeclaim "${claim}" deleted( from ${ns} namespace)?$`));
  });
});

describe('OpenAPI', () => {
  it('explains a LogicalVolume field', async () => {
    const out = await kubectl.ok(['explain', `${lv.plural}.spec`, `--api-version=${lv.apiVersion}`]);
    expect(out).toContain('nodeName');
    expect(out).toContain('deviceClass');
  });

  it('refuses a LogicalVolume with a misspelt field, naming it', async () => {
    const c = cluster();
    const name = c.name('lv');
    const bad = logicalVolume(name);
    bad.spec.nodname = bad.spec.nodeName;
    const res = await kubectl.run(['create', '-f', manifest('lv-typo.yaml', bad)]);
    c.track(lv.path(undefined, name));
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('nodname');
    expect((await c.api.get(lv.path(undefined, name))).status).toBe(404);
  });

  it('refuses a LogicalVolume the schema rejects, naming the field', async () => {
    const c = cluster();
    const name = c.name('lv');
    const res = await kubectl.run(['apply', '-f', manifest('lv-bad.yaml', logicalVolume(name, { accessType: 'rwx' }))]);
    c.track(lv.path(undefined, name));
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('accessType');
  });
});
