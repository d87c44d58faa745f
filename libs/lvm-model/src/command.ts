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

export interface LvmRunner {
  run(argv: readonly string[], options?: LvmRunOptions): Promise<LvmResult>;
}

/** lvm2's exit codes (lib/commands/errors.h): 0 ok, 3 invalid parameters, 5 failed. */
export const LVM_EXIT = {
  OK: 0,
  INVALID_PARAMETERS: 3,
  FAILED: 5,
} as const;
