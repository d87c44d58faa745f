/**
 * The seam between a command layer (lvm, dmsetup, filesystem and mount tools) and
 * whatever runs the commands: the real ProcessRunner (runner.ts), or a scripted or
 * simulated one in tests.
 */

/** A command's answer, untouched: its exit code, stdout and stderr. */
export interface CommandResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CommandRunOptions {
  /** Fired when the caller gives up (request cancelled, deadline): the command is killed. */
  readonly signal?: AbortSignal;
  /** Overrides the runner's timeout for this command (0: none). */
  readonly timeoutMs?: number;
}

/**
 * Runs a command given as an argv array (argv[0] the program). Resolves with the
 * command's answer whatever its exit code (a command killed after its timeout answers
 * exit code -1 and says so on stderr); rejects only with CommandCancelledError (the
 * signal fired) or CommandUnavailableError (the program could not be started).
 */
export interface CommandRunner {
  run(argv: readonly string[], options?: CommandRunOptions): Promise<CommandResult>;
}

/** The caller gave up and the command was killed (or never started). */
export class CommandCancelledError extends Error {
  constructor(readonly argv: readonly string[]) {
    super(`${argv.join(' ')}: cancelled, the command was killed`);
    this.name = 'CommandCancelledError';
  }
}

/** The program could not be started at all (missing binary, bad prefix). */
export class CommandUnavailableError extends Error {
  constructor(
    readonly argv: readonly string[],
    override readonly cause: Error,
  ) {
    super(`cannot run ${argv[0]}: ${cause.message}`);
    this.name = 'CommandUnavailableError';
  }
}

/** The exit code a command answers with when the runner killed it (timeout, too much output). */
export const KILLED_EXIT_CODE = -1;
