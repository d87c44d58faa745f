// The lvm and dmsetup runners: lvm2's own rules on top of @copse/process-runner, which
// does the spawning (argv array, never a shell, LC_ALL=C, stdin /dev/null so a prompt
// reads end-of-file and answers "no", a process group per command killed as a whole when
// the caller's AbortSignal fires: TopoLVM #1163, no orphaned lvm processes).
import { CommandCancelledError, CommandUnavailableError, ProcessRunner, type CommandResult } from '@copse/process-runner';
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

/**
 * Runs `run` and answers in lvm-model's terms: the process layer's cancellation and
 * unavailability become LvmCancelledError (naming `shown`, the command as logs show it)
 * and LvmUnavailableError.
 */
async function asLvmResult(shown: readonly string[], run: () => Promise<CommandResult>): Promise<LvmResult> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof CommandCancelledError) throw new LvmCancelledError(shown);
    if (e instanceof CommandUnavailableError) throw new LvmUnavailableError(e.argv, e.cause);
    throw e;
  }
}

/** Runs real lvm2 (subcommand first in argv) through the process layer. */
export class ExecLvmRunner implements LvmRunner {
  private readonly processes: ProcessRunner;

  constructor(private readonly options: ExecLvmRunnerOptions) {
    this.processes = new ProcessRunner({
      commandPrefix: options.commandPrefix,
      path: options.path,
      // lvm2 warns about every descriptor it inherits; ours are none of its business
      env: { LVM_SUPPRESS_FD_WARNINGS: '1' },
      timeoutMs: options.timeoutMs ?? 0,
    });
  }

  run(argv: readonly string[], options: LvmRunOptions = {}): Promise<LvmResult> {
    return asLvmResult(argv, () => this.processes.run([this.options.lvmPath, ...argv], { signal: options.signal }));
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
 * Runs real dmsetup through the process layer, with one rule more because `dmsetup wait`
 * sleeps for as long as a pool has no event: `wait` runs under the parent-death guard (so
 * a SIGKILLed lvmd-http leaves no sleeper) and has no timeout; other commands have
 * timeoutMs. The prefix is placed by dmsetupCommand, since the guard goes around it.
 */
export class ExecDmsetupRunner implements DmsetupRunner {
  private readonly processes: ProcessRunner;

  constructor(private readonly options: ExecDmsetupRunnerOptions) {
    this.processes = new ProcessRunner({ path: options.path });
  }

  run(argv: readonly string[], options: LvmRunOptions = {}): Promise<LvmResult> {
    const timeoutMs = argv[0] === 'wait' ? 0 : (this.options.timeoutMs ?? 0);
    return asLvmResult(['dmsetup', ...argv], () =>
      this.processes.run(dmsetupCommand(this.options, argv), { signal: options.signal, timeoutMs }),
    );
  }
}
