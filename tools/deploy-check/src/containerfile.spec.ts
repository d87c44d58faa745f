import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_LVM_COMMAND_PREFIX } from '@copse/lvm-model';
import { podSpec, workloads } from './pods';
import { render, workspace } from './render';

// The Containerfile cannot be built here (no engine, no base image): what can be checked
// without building it, against the code.
const run = promisify(execFile);
const text = readFileSync(join(workspace, 'Containerfile'), 'utf8').replace(/\\\n/g, ' ');
const lines = text.split('\n').filter((l) => !/^\s*#/.test(l));
const instruction = (name: string) => lines.filter((l) => l.startsWith(`${name} `)).map((l) => l.slice(name.length + 1).trim());
const APPS = ['csi-controller', 'csi-node', 'lvmd-http'];
const WORKDIR = instruction('WORKDIR')[0]!;

const pkg = (dir: string) => JSON.parse(readFileSync(join(workspace, dir, 'package.json'), 'utf8')) as { name: string; bin?: Record<string, string>; dependencies?: Record<string, string> };
const dirOf = (name: string) => ['apps', 'libs'].map((top) => `${top}/${name.replace('@copse/', '')}`).find((d) => existsSync(join(workspace, d, 'package.json')))!;

/** The workspace packages the apps run on, from their package.json dependencies. */
function runtimePackages(): string[] {
  const seen = new Set<string>();
  const walk = (dir: string) => {
    if (seen.has(dir)) return;
    seen.add(dir);
    for (const dep of Object.keys(pkg(dir).dependencies ?? {})) if (dep.startsWith('@copse/')) walk(dirOf(dep));
  };
  APPS.forEach((app) => walk(`apps/${app}`));
  return [...seen].sort();
}

/** The programs the code spawns, read from its process layers and defaults. */
async function spawnedPrograms(): Promise<string[]> {
  // csi-node's filesystem and mount commands: every argv in fs-exec's one command module
  const fsCommands = readFileSync(join(workspace, 'libs/fs-exec/src/commands.ts'), 'utf8');
  const programs = [...fsCommands.matchAll(/\[\s*'([a-z0-9_.]+)',/g)].map((m) => m[1]!);
  // lvmd-http's lvm, dmsetup and setpriv (its flag defaults), and the nsenter prefix (lvmd.yaml's default)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parseFlags } = require(join(workspace, 'apps/lvmd-http/dist/flags.js')) as { parseFlags: (argv: string[]) => Record<string, string> };
  const flags = parseFlags([]);
  programs.push(flags['lvmPath']!, flags['dmsetupPath']!, flags['setprivPath']!, DEFAULT_LVM_COMMAND_PREFIX[0]!);
  // what deploy/'s exec probes run
  const { objects } = await render('deploy/base');
  for (const w of workloads(objects)) for (const c of podSpec(w).containers) for (const p of [c.livenessProbe, c.readinessProbe]) if (p?.exec) programs.push(p.exec.command[0]!);
  return [...new Set(programs.map((p) => basename(p)))].sort();
}

describe('Containerfile', () => {
  it('copies only paths that exist after the build', () => {
    const sources = instruction('COPY').filter((c) => !c.startsWith('--from')).flatMap((c) => c.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(10);
    for (const s of sources) expect({ s, exists: existsSync(join(workspace, s)) }).toEqual({ s, exists: true });
  });

  it('copies the package.json and dist/ of every workspace package the apps run on', () => {
    const copied = new Set(instruction('COPY').flatMap((c) => c.split(/\s+/).slice(0, -1)).map((s) => s.replace(/\/$/, '')));
    for (const dir of runtimePackages()) {
      expect({ dir, packageJson: copied.has(`${dir}/package.json`), dist: copied.has(`${dir}/dist`) }).toEqual({ dir, packageJson: true, dist: true });
    }
    expect(copied.has('third_party/csi')).toBe(true); // csi-spec loads the vendored csi.proto
  });

  it("runs node on the apps' bins, where deploy/ expects them", async () => {
    expect(instruction('ENTRYPOINT')).toEqual(['["node"]']);
    const { objects } = await render('deploy/base');
    const commands = workloads(objects).flatMap((w) => podSpec(w).containers.filter((c) => c.image.startsWith('copse:')).map((c) => [c.name, c.command]));
    for (const [name, command] of commands) {
      const bin = pkg(`apps/${name as string}`).bin![name as string]!;
      expect(command).toEqual(['node', join(WORKDIR, 'apps', name as string, bin)]);
    }
    expect(commands).toHaveLength(APPS.length);
  });

  it('installs every program the code spawns', async () => {
    const programs = await spawnedPrograms();
    expect(programs).toEqual(expect.arrayContaining(['blkid', 'mkfs.xfs', 'lvm', 'dmsetup', 'nsenter', 'curl']));
    const installed = new Set(text.match(/apt-get install[^&]*/)![0].split(/\s+/).filter((w) => /^[a-z0-9][a-z0-9.+-]+$/.test(w)));
    const unknown: string[] = [];
    for (const program of [...programs, 'node']) {
      const owner = await run('dpkg', ['-S', `bin/${program}`]).then(
        ({ stdout }) => stdout.split('\n').find((l) => new RegExp(`/s?bin/${program.replace(/\./g, '\\.')}$`).test(l))?.split(':')[0],
        () => undefined,
      );
      if (!owner) {
        unknown.push(program);
        continue;
      }
      expect({ program, owner, installed: owner.split(', ').some((p) => installed.has(p)) }).toEqual({ program, owner, installed: true });
    }
    // which package holds a program is asked of dpkg: CI installs them (tools/testnode/install-deps.sh)
    if (unknown.length > 0 && process.env['CI']) throw new Error(`dpkg knows no package for ${unknown.join(', ')}`);
    if (unknown.length > 0) console.warn(`deploy-check: not checked (not installed here; sudo bash tools/testnode/install-deps.sh): ${unknown.join(', ')}`);
  });
});
