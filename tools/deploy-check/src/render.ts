// Renders deploy/'s overlays with `kubectl kustomize` (whatever kubectl is on PATH: 1.32's
// kustomize v5 on the build machines, Debian 1.20's v2 where CI installs it) and asks the
// apps for their flag tables (`--help=json`), so the checks compare against the code.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

const run = promisify(execFile);
export const workspace = join(__dirname, '../../..');

/** A rendered object: only what the checks read is typed. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [key: string]: unknown;
}

export async function render(overlay: string, kubectl = 'kubectl'): Promise<{ text: string; objects: K8sObject[] }> {
  const { stdout } = await run(kubectl, ['kustomize', join(workspace, overlay)], { maxBuffer: 16 << 20 });
  const objects = parseAllDocuments(stdout).map((d) => {
    if (d.errors.length) throw d.errors[0];
    return d.toJS() as K8sObject;
  });
  return { text: stdout, objects };
}

export async function kubectlVersion(kubectl = 'kubectl'): Promise<string> {
  const { stdout, stderr } = await run(kubectl, ['version', '--client'], { maxBuffer: 1 << 20 }).catch((e: { stdout?: string; stderr?: string }) => ({
    stdout: e.stdout ?? '',
    stderr: e.stderr ?? '',
  }));
  return `${stdout}${stderr}`.trim().split('\n')[0] ?? '';
}

export interface FlagSpec {
  name: string;
  type: 'string' | 'boolean';
}

/** The app's own flag table, from its built entry point (`--help=json`). */
export async function appFlags(entry: string): Promise<FlagSpec[]> {
  const { stdout } = await run(process.execPath, [join(workspace, entry), '--help=json']);
  return (JSON.parse(stdout) as { flags: FlagSpec[] }).flags;
}
