#!/usr/bin/env node
/**
 * The Copse sandbox: the whole stack on this machine, for kubectl (the README's main job).
 * A local stand-in for a cluster, not one: see docs/sandbox.md.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Stack, WORKSPACE } from './stack';

const USAGE = `Usage: sandbox [--dir DIR] [--nodes N] [--log-level LEVEL]

Starts Copse on this machine with TEST stand-ins for Kubernetes (see docs/sandbox.md): the API
test server, csi-controller, and per node lvmd-http on the simulated lvm2 and csi-node, with
stand-ins for the sidecars, the scheduler and kubelet. Prints the kubeconfig to use with
kubectl; Ctrl-C stops everything.

  --dir DIR          where the kubeconfig, sockets, state and logs go (default run/sandbox);
                     emptied at start
  --nodes N          simulated nodes, named topolvm-example-worker, topolvm-example-worker2, ...
                     as in the seeds' examples (default 2)
  --log-level LEVEL  csi-controller's and csi-node's log level (info)`;

/** The node names of the seeds' examples (a kind cluster called topolvm-example). */
export function nodeNames(count: number): string[] {
  if (!Number.isInteger(count) || count < 1 || count > 16) throw new Error(`--nodes ${count}: expected a whole number from 1 to 16`);
  return Array.from({ length: count }, (_, i) => `topolvm-example-worker${i === 0 ? '' : i + 1}`);
}

/** The pid in DIR's lock file when that process still runs. */
export function runningSandbox(lockFile: string): number | undefined {
  if (!existsSync(lockFile)) return undefined;
  const pid = Number.parseInt(readFileSync(lockFile, 'utf8'), 10);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string' },
      nodes: { type: 'string' },
      'log-level': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const dir = resolve(values.dir ?? join(WORKSPACE, 'run', 'sandbox'));
  const names = nodeNames(values.nodes === undefined ? 2 : Number(values.nodes));
  const lockFile = join(dir, 'sandbox.pid');
  const other = runningSandbox(lockFile);
  if (other !== undefined) {
    process.stderr.write(`sandbox: one is already running in ${dir} (pid ${other}): use it, stop it with Ctrl-C in its terminal (or kill ${other}), or pass another --dir\n`);
    return 1;
  }
  rmSync(dir, { recursive: true, force: true });
  const stack = new Stack({ dir, nodeNames: names, logFiles: true, schedulePods: true, logLevel: values['log-level'] ?? 'info' });
  writeFileSync(lockFile, `${process.pid}\n`);

  let stopping: Promise<void> | undefined;
  const stop = (why: string) => {
    stopping ??= (async () => {
      process.stdout.write(`\nsandbox: ${why}: stopping...\n`);
      await stack.stop();
      rmSync(lockFile, { force: true });
      process.stdout.write('sandbox: stopped\n');
    })();
    return stopping;
  };
  process.once('SIGINT', () => void stop('interrupted').then(() => process.exit(0)));
  process.once('SIGTERM', () => void stop('terminated').then(() => process.exit(0)));

  const shown = (p: string) => (p.startsWith(process.cwd()) ? relative(process.cwd(), p) || '.' : p);
  process.stdout.write(`sandbox: starting in ${shown(dir)} (nodes: ${names.join(', ')})...\n`);
  try {
    await stack.start();
  } catch (err) {
    process.stderr.write(`sandbox: could not start: ${(err as Error).message}\n${stack.logs()}\n`);
    await stop('start failed');
    return 1;
  }
  // a component that dies takes the sandbox down with a pointer to its log
  for (const p of stack.processes()) {
    void p.whenExited().then(async () => {
      if (stopping) return;
      process.stderr.write(`sandbox: ${p.name} exited (${p.exitStatus}); its log: ${shown(stack.logFile(p.name) ?? '')}\n${p.tail(20)}\n`);
      await stop(`${p.name} exited`);
      process.exit(1);
    });
  }
  const kubeconfig = shown(stack.kubeconfig);
  process.stdout.write(
    [
      '',
      'Copse is running (on the simulated lvm2, with TEST stand-ins for Kubernetes: docs/sandbox.md).',
      `  kubeconfig: ${stack.kubeconfig}`,
      `  logs:       ${shown(join(dir, 'logs'))}/`,
      '',
      'In another terminal:',
      `  export KUBECONFIG=${resolve(kubeconfig)}`,
      '  kubectl apply -f examples/storageclass.yaml -f examples/volumesnapshotclass.yaml',
      '  kubectl apply -f examples/pvc-and-pod.yaml',
      '  kubectl get pvc,logicalvolumes',
      '',
      'The whole walkthrough (snapshot, restore, clone) is in docs/sandbox.md. Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
  await new Promise<never>(() => undefined);
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`sandbox: ${err.message}\n`);
      process.exit(2);
    },
  );
}
