/**
 * The seam between the lvm command layer and whatever answers it.
 *
 * argv is what follows the lvm binary: ["lvcreate", "-T", "vg/pool", ...]. The real
 * runner (libs/lvm-exec) prepends the configured command prefix and lvm path and
 * spawns it; the simulated lvm2 (libs/lvm-sim) interprets the same argv in-process.
 * Both answer with lvm2's exit code, stdout and stderr, untouched.
 */
export interface LvmResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface LvmRunOptions {
  /** Fired when the caller gives up (HTTP request closed, deadline): the child is killed. */
  readonly signal?: AbortSignal;
}

/**
 * Runs lvm. Resolves with lvm's answer whatever its exit code; rejects only with
 * LvmCancelledError (the signal fired, the child was killed) or LvmUnavailableError
 * (lvm could not be started).
 */
export interface LvmRunner {
  run(argv: readonly string[], options?: LvmRunOptions): Promise<LvmResult>;
}

/** The caller gave up and the lvm command was killed (or never started). */
export class LvmCancelledError extends Error {
  constructor(readonly argv: readonly string[]) {
    super(`${argv.join(' ')}: cancelled, lvm was killed`);
    this.name = 'LvmCancelledError';
  }
}

/** lvm could not be started at all (missing binary, bad prefix). */
export class LvmUnavailableError extends Error {
  constructor(
    readonly argv: readonly string[],
    override readonly cause: Error,
  ) {
    super(`cannot run ${argv[0]}: ${cause.message}`);
    this.name = 'LvmUnavailableError';
  }
}

/** lvm2's exit codes (lib/commands/errors.h): 0 ok, 3 invalid parameters, 5 failed. */
export const LVM_EXIT = {
  OK: 0,
  INVALID_PARAMETERS: 3,
  FAILED: 5,
} as const;

/**
 * Runs dmsetup: argv is what follows the dmsetup binary (["status", "--noflush", "-v",
 * NAME], ["wait", NAME, EVENT_NR]). Answers like LvmRunner: resolves with the exit code,
 * stdout and stderr; rejects only with LvmCancelledError or LvmUnavailableError. The real
 * runner lives beside ExecLvmRunner (libs/lvm-exec/src/runner.ts); the simulated one
 * answers from the simulated lvm2's pools (libs/lvm-sim).
 */
export interface DmsetupRunner {
  run(argv: readonly string[], options?: LvmRunOptions): Promise<LvmResult>;
}
