// The only module in Copse's product code that spawns processes (lint-enforced).
import { execFile } from 'node:child_process';
import { LvmCancelledError, LvmUnavailableError, type LvmResult, type LvmRunOptions, type LvmRunner } from '@copse/lvm-model';

export { LvmCancelledError, LvmUnavailableError };

export interface ExecLvmRunnerOptions {
  /** the lvm binary, e.g. /sbin/lvm; subcommands are passed as its first argument */
  readonly lvmPath: string;
  /** argv placed before the lvm binary, e.g. nsenter into the host's namespaces in a pod */
  readonly commandPrefix: readonly string[];
  /** kill lvm when it takes longer than this (0: never) */
  readonly timeoutMs?: number;
  /** PATH handed to lvm; nothing else of our environment is passed on */
  readonly path?: string;
}

const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/**
 * Runs real lvm2: execFile with an argv array (never a shell), LC_ALL=C, stdin closed so
 * that a confirmation prompt reads EOF and answers "no", the child killed with SIGKILL when
 * the caller's AbortSignal fires (TopoLVM #1163: no orphaned lvm processes).
 */
export class ExecLvmRunner implements LvmRunner {
  constructor(private readonly options: ExecLvmRunnerOptions) {}

  run(argv: readonly string[], options: LvmRunOptions = {}): Promise<LvmResult> {
    const full = [...this.options.commandPrefix, this.options.lvmPath, ...argv];
    const [file, ...args] = full as [string, ...string[]];
    return new Promise((resolve, reject) => {
      if (options.signal?.aborted) {
        reject(new LvmCancelledError(argv));
        return;
      }
      const child = execFile(
        file,
        args,
        {
          env: {
            PATH: this.options.path ?? '/usr/sbin:/usr/bin:/sbin:/bin',
            LC_ALL: 'C',
            LVM_SUPPRESS_FD_WARNINGS: '1',
          },
          encoding: 'utf8',
          maxBuffer: MAX_OUTPUT_BYTES,
          timeout: this.options.timeoutMs ?? 0,
          killSignal: 'SIGKILL',
          signal: options.signal,
          windowsHide: true,
        },
        (error, stdout, stderr) => {
          if (!error) {
            resolve({ exitCode: 0, stdout, stderr });
            return;
          }
          const e = error as NodeJS.ErrnoException & { code?: number | string; killed?: boolean };
          if (e.name === 'AbortError') {
            reject(new LvmCancelledError(argv));
          } else if (typeof e.code === 'number') {
            resolve({ exitCode: e.code, stdout, stderr });
          } else if (e.killed) {
            resolve({ exitCode: -1, stdout, stderr: `${stderr}\n  killed after ${this.options.timeoutMs} ms` });
          } else {
            reject(new LvmUnavailableError(full, e));
          }
        },
      );
      child.stdin?.end();
    });
  }
}
