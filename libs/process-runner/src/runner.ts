// The only module in Copse's product code that spawns processes (lint-enforced). Every
// command layer (lvm, dmsetup, filesystem and mount tools) runs its commands through it.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { CommandCancelledError, CommandUnavailableError, KILLED_EXIT_CODE, type CommandResult, type CommandRunOptions, type CommandRunner } from './command';

export interface ProcessRunnerOptions {
  /**
   * argv placed before every command, e.g. ["/usr/bin/nsenter", "-t", "1", "-m", "-u",
   * "-i", "-n", "-p", "--"] to run it in the host's namespaces from a pod. Empty: none.
   */
  readonly commandPrefix?: readonly string[];
  /** PATH handed to the command (and used to find argv[0]); nothing else of our environment is passed on */
  readonly path?: string;
  /** more environment for every command (LC_ALL=C is always set and cannot be overridden) */
  readonly env?: Readonly<Record<string, string>>;
  /** kill a command that runs longer than this (0: never); CommandRunOptions.timeoutMs overrides it */
  readonly timeoutMs?: number;
  /** kill a command that prints more than this on stdout and stderr together */
  readonly maxOutputBytes?: number;
}

export const DEFAULT_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';
export const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/**
 * Runs real programs under the rules every Copse command follows:
 * - an argv array, never a shell: nothing in an argument is interpreted;
 * - LC_ALL=C and a fixed PATH, nothing else of the parent's environment (no secrets leak
 *   into a child, and output is in the language the parsers read);
 * - stdin is /dev/null, so a prompt reads end-of-file and answers "no";
 * - the command runs in a process group of its own, and a kill goes to the whole group,
 *   so the children of a forking prefix (nsenter -p) or of a wrapper die with it;
 * - the caller's AbortSignal kills it (SIGKILL) and the call rejects at once with
 *   CommandCancelledError (TopoLVM #1163: no orphaned processes after kubelet gives up);
 * - a timeout kills it and the call answers exit code -1 with the reason on stderr.
 * A call never waits for a killed process to be reaped: one stuck in the kernel
 * (uninterruptible I/O on a failed device) must not hold its caller forever.
 */
export class ProcessRunner implements CommandRunner {
  constructor(private readonly options: ProcessRunnerOptions = {}) {}

  run(argv: readonly string[], options: CommandRunOptions = {}): Promise<CommandResult> {
    if (argv.length === 0 || argv[0] === '') return Promise.reject(new Error('ProcessRunner.run: empty argv'));
    const full = [...(this.options.commandPrefix ?? []), ...argv];
    const [file, ...args] = full as [string, ...string[]];
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs ?? 0;
    const maxOutput = this.options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    const { signal } = options;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(new CommandCancelledError(argv));
        return;
      }
      let settled = false;
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let size = 0;
      const text = (chunks: Buffer[]) => Buffer.concat(chunks).toString('utf8');
      const child = spawn(file, args, {
        env: { ...this.options.env, PATH: this.options.path ?? DEFAULT_PATH, LC_ALL: 'C' },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
        windowsHide: true,
      });
      const killGroup = () => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      };
      const finish = (settle: () => void) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        if (timer) clearTimeout(timer);
        settle();
      };
      const killed = (why: string) =>
        finish(() => {
          killGroup();
          resolve({ exitCode: KILLED_EXIT_CODE, stdout: text(out), stderr: `${text(err)}\n  killed: ${why}` });
        });
      const onAbort = () =>
        finish(() => {
          killGroup();
          reject(new CommandCancelledError(argv));
        });
      signal?.addEventListener('abort', onAbort, { once: true });
      const timer = timeoutMs > 0 ? setTimeout(() => killed(`running longer than ${timeoutMs} ms`), timeoutMs) : undefined;
      const collect = (into: Buffer[]) => (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxOutput) killed(`more than ${maxOutput} bytes of output`);
        else into.push(chunk);
      };
      child.stdout.on('data', collect(out));
      child.stderr.on('data', collect(err));
      child.on('error', (e) => finish(() => reject(new CommandUnavailableError(full, e))));
      child.on('close', (code, bySignal) =>
        finish(() =>
          resolve({
            exitCode: code ?? 128 + (bySignal ? (constants.signals[bySignal] ?? 0) : 0),
            stdout: text(out),
            stderr: bySignal ? `${text(err)}\n  killed by ${bySignal}` : text(err),
          }),
        ),
      );
    });
  }
}
