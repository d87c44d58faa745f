/**
 * kubectl against the test server: apply of a CRD and a custom resource, get with printer
 * columns, patch, wait, delete. Uses $KUBECTL or kubectl on PATH; skips, saying so, without one.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { stringify } from 'yaml';
import type { RunningTestApiServer } from './index';
import { LV_CRD, lv, start } from './test-support/http';

function findKubectl(): string | undefined {
  if (process.env.KUBECTL) return process.env.KUBECTL;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir && existsSync(join(dir, 'kubectl'))) return join(dir, 'kubectl');
  return undefined;
}

const kubectlPath = findKubectl();
if (!kubectlPath) console.warn('kubectl.spec.ts: SKIPPED: no kubectl on PATH and KUBECTL unset');
const maybe = kubectlPath ? describe : describe.skip;

maybe(`kubectl (${kubectlPath ?? 'absent'}) against kube-test-apiserver`, () => {
  let server: RunningTestApiServer;
  let dir: string;
  const run = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(kubectlPath as string, ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), ...args], { timeout: 60_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kta-kubectl-'));
    server = await start({ kubeconfigPath: join(dir, 'kubeconfig') });
    writeFileSync(join(dir, 'crd.yaml'), stringify(LV_CRD));
    writeFileSync(join(dir, 'lv.yaml'), stringify(lv('kubectl-lv')));
  }, 30_000);
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('apply a CRD and a custom resource, get with printer columns, patch, wait, delete with a finalizer', async () => {
    expect(await run('apply', '-f', join(dir, 'crd.yaml'))).toMatchObject({ code: 0 });
    expect((await run('wait', '--for=condition=Established', 'crd/logicalvolumes.topolvm.cybozu.com', '--timeout=10s')).code).toBe(0);
    const applied = await run('apply', '-f', join(dir, 'lv.yaml'));
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toContain('logicalvolume.topolvm.cybozu.com/kubectl-lv created');
    const get = await run('get', 'logicalvolumes');
    expect(get.stdout.split('\n')[0]).toMatch(/^NAME\s+NODE\s+SIZE\s+AGE$/);
    expect(get.stdout).toMatch(/kubectl-lv\s+node1\s+1Gi\s+\d+s/);
    expect((await run('patch', 'logicalvolume', 'kubectl-lv', '--type=merge', '-p', '{"metadata":{"finalizers":["topolvm.cybozu.com/logicalvolume"]}}')).code).toBe(0);
    const minor = Number(/Minor:"(\d+)|"minor":\s*"(\d+)/.exec((await run('version', '--client', '-o', 'json')).stdout)?.slice(1).find(Boolean) ?? '0');
    if (minor >= 24) {
      // --subresource and wait --for=jsonpath came with kubectl 1.24 and 1.23
      expect((await run('patch', 'logicalvolume', 'kubectl-lv', '--subresource=status', '--type=merge', '-p', '{"status":{"volumeID":"vol-1"}}')).code).toBe(0);
      expect((await run('wait', '--for=jsonpath={.status.volumeID}=vol-1', 'logicalvolume/kubectl-lv', '--timeout=10s')).code).toBe(0);
    } else {
      const r = await fetch(`${server.url}/apis/topolvm.cybozu.com/v1/logicalvolumes/kubectl-lv/status`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/merge-patch+json' },
        body: JSON.stringify({ status: { volumeID: 'vol-1' } }),
      });
      expect(r.status).toBe(200);
      expect((await run('get', 'logicalvolume', 'kubectl-lv', '-o', 'jsonpath={.status.volumeID}')).stdout).toBe('vol-1');
    }
    expect((await run('delete', 'logicalvolume', 'kubectl-lv', '--wait=false')).code).toBe(0);
    const pending = await run('get', 'logicalvolume', 'kubectl-lv', '-o', 'jsonpath={.metadata.deletionTimestamp}');
    expect(pending.stdout).toMatch(/^\d{4}-/);
    expect((await run('patch', 'logicalvolume', 'kubectl-lv', '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]')).code).toBe(0);
    const gone = await run('get', 'logicalvolume', 'kubectl-lv');
    expect(gone.stderr).toContain('logicalvolumes.topolvm.cybozu.com "kubectl-lv" not found');
  }, 120_000);

  test('get of built-in kinds prints their usual columns', async () => {
    const ns = await run('get', 'namespaces');
    expect(ns.stdout.split('\n')[0]).toMatch(/^NAME\s+STATUS\s+AGE$/);
    expect(ns.stdout).toMatch(/default\s+Active/);
  }, 60_000);
});
