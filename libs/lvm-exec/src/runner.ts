// The only module in Copse's product code that spawns processes (lint-enforced): lvm and dmsetup.
import { execFile, spawn } from 'node:child_process';
import {
  LvmCancelledError,
  LvmUnavailableError,
  type DmsetupRunner,
  type LvmResult,
  type LvmRunOptions,
  type LvmRunner,
} from '@copse/lvm-model';

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

export interface ExecDmsetupRunnerOptions {
  /** the dmsetup binary, e.g. /sbin/dmsetup */
  readonly dmsetupPath: string;
  /** argv placed before dmsetup: the same prefix as lvm's (e.g. nsenter into the host's namespaces) */
  readonly commandPrefix: readonly string[];
  /** kill a command other than `wait` when it takes longer than this (0: never) */
  readonly timeoutMs?: number;
  /**
   * argv that runs the rest of its argv so that it is killed when its parent dies, e.g.
   * ["/usr/bin/setpriv", "--pdeathsig", "KILL", "--"]. Wraps `dmsetup wait`, which sleeps
   * until the pool's next event, so that it cannot outlive a killed lvmd-http; put outside
   * the prefix too, since a prefix such as `nsenter -p` forks and is a parent of its own.
   * Empty: no guard.
   */
  readonly parentDeathGuard?: readonly string[];
  /** PATH handed to dmsetup; nothing else of our environment is passed on */
  readonly path?: string;
}

/**
 * The argv the dmsetup runner spawns for `argv` (exported for tests): the prefix and the
 * dmsetup path before it, and for `wait` the parent-death guard before each process that
 * has a parent to lose (before the prefix, and inside it before dmsetup).
 */
export function dmsetupCommand(o: ExecDmsetupRunnerOptions, argv: readonly string[]): string[] {
  const guard = argv[0] === 'wait' ? (o.parentDeathGuard ?? []) : [];
  if (guard.length === 0) return [...o.commandPrefix, o.dmsetupPath, ...argv];
  const inner = o.commandPrefix.length > 0 ? guard : [];
  return [...guard, ...o.commandPrefix, ...inner, o.dmsetupPath, ...argv];
}

/**
 * Runs real dmsetup under the lvm runner's rules (argv array, no shell, LC_ALL=C, stdin
 * closed, the caller's AbortSignal kills it) and two more, because `dmsetup wait` sleeps
 * for as long as a pool has no event:
 * - each command runs in a process group of its own and a kill goes to the whole group,
 *   so the child a forking prefix (nsenter -p) starts dies with it;
 * - `wait` runs under the parent-death guard, so a SIGKILLed lvmd-http leaves no sleeper.
 * `wait` has no timeout; other commands have timeoutMs.
 */
export class ExecDmsetupRunner implements DmsetupRunner {
  constructor(private readonly options: ExecDmsetupRunnerOptions) {}

  run(argv: readonly string[], options: LvmRunOptions = {}): Promise<LvmResult> {
    const full = dmsetupCommand(this.options, argv);
    const shown = ['dmsetup', ...argv];
    const [file, ...args] = full as [string, ...string[]];
    const timeoutMs = argv[0] === 'wait' ? 0 : (this.options.timeoutMs ?? 0);
    return new Promise((resolve, reject) => {
      const { signal } = options;
      if (signal?.aborted) {
        reject(new LvmCancelledError(shown));
        return;
      }
      const child = spawn(file, args, {
        env: { PATH: this.options.path ?? '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
        windowsHide: true,
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let size = 0;
      let ended: 'aborted' | 'timeout' | 'overflow' | undefined;
      const killGroup = (why: 'aborted' | 'timeout' | 'overflow') => {
        ended ??= why;
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      };
      const collect = (into: Buffer[]) => (b: Buffer) => {
        size += b.length;
        if (size > MAX_OUTPUT_BYTES) killGroup('overflow');
        else into.push(b);
      };
      child.stdout.on('data', collect(out));
      child.stderr.on('data', collect(err));
      const onAbort = () => killGroup('aborted');
      signal?.addEventListener('abort', onAbort, { once: true });
      const timer = timeoutMs > 0 ? setTimeout(() => killGroup('timeout'), timeoutMs) : undefined;
      const done = () => {
        signal?.removeEventListener('abort', onAbort);
        if (timer) clearTimeout(timer);
      };
      child.on('error', (e) => {
        done();
        reject(new LvmUnavailableError(full, e));
      });
      child.on('close', (code, killedBy) => {
        done();
        const stdout = Buffer.concat(out).toString('utf8');
        const stderr = Buffer.concat(err).toString('utf8');
        if (ended === 'aborted') reject(new LvmCancelledError(shown));
        else if (ended === 'timeout') resolve({ exitCode: -1, stdout, stderr: `${stderr}\n  killed after ${timeoutMs} ms` });
        else if (ended === 'overflow') resolve({ exitCode: -1, stdout, stderr: `${stderr}\n  killed: more than ${MAX_OUTPUT_BYTES} bytes of output` });
        else resolve({ exitCode: code ?? 128, stdout, stderr: killedBy ? `${stderr}\n  killed by ${killedBy}` : stderr });
      });
    });
  }
}
