/**
 * lvmd-http as its own process on this host (simulated lvm2), for the suites that need
 * real processes: socket ownership between two instances, TLS on a real listener.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { LVMD_MAIN, WORKSPACE } from './fixture';

export const DEV_CONFIG = path.join(WORKSPACE, 'apps', 'lvmd-http', 'dev', 'lvmd.yaml');

export interface LvmdProcess {
  readonly child: ChildProcess;
  /** what it printed so far, stdout and stderr */
  output(): string;
  /** its "lvmd-http ready" log line, once it is serving */
  readonly ready: Promise<{ listen: string }>;
  /** its exit code (null when killed by a signal) */
  readonly exited: Promise<number | null>;
  /** SIGTERM (or another signal), then its exit */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function startLvmd(args: readonly string[]): LvmdProcess {
  const child = spawn(process.execPath, [LVMD_MAIN, '--config', DEV_CONFIG, '--backend', 'sim', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<{ listen: string }>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      for (const line of output.split('\n')) {
        if (!line.includes('"lvmd-http ready"')) continue;
        resolve(JSON.parse(line) as { listen: string });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`lvmd-http exited (${code}) before it was ready:\n${output}`)));
  });
  ready.catch(() => undefined);
  return {
    child,
    output: () => output,
    ready,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
