import { LVM_EXIT, type LvmResult } from '@copse/lvm-model';

/** lvm2 answered with a non-zero exit code. The predicates read lvm2's (LC_ALL=C) messages. */
export class LvmError extends Error {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;

  constructor(
    readonly argv: readonly string[],
    result: LvmResult,
  ) {
    super(`${argv.join(' ')} exited ${result.exitCode}: ${firstLine(result.stderr) || firstLine(result.stdout)}`);
    this.name = 'LvmError';
    this.exitCode = result.exitCode;
    this.stdout = result.stdout;
    this.stderr = result.stderr;
  }

  get isNotFound(): boolean {
    return (
      this.exitCode === LVM_EXIT.FAILED &&
      (/Failed to find logical volume/.test(this.stderr) || /Volume group "[^"]*" not found/.test(this.stderr))
    );
  }

  get isAlreadyExists(): boolean {
    return /already exists in volume group/.test(this.stderr);
  }

  get isNoSpace(): boolean {
    return /insufficient free space|Insufficient free space|not enough free space|Cannot create new thin volume, free space in thin pool/i.test(
      this.stderr,
    );
  }

  /**
   * The LV's device is open: lvremove and deactivation refuse (exit 5). lvm2 says which
   * holder it found: a mounted filesystem, a device stacked on it, or an open count
   * (lib/activate/activate.c, lv_check_not_in_use).
   */
  get isInUse(): boolean {
    return (
      this.exitCode === LVM_EXIT.FAILED &&
      /Logical volume \S+ (?:in use\.|contains a filesystem in use\.|is used by another device\.)/.test(this.stderr)
    );
  }

  get isInvalidArgument(): boolean {
    return this.exitCode === LVM_EXIT.INVALID_PARAMETERS;
  }
}

export function isLvmError(e: unknown): e is LvmError {
  return e instanceof LvmError;
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.length > 0 && !l.startsWith('WARNING')) ?? ''
  );
}
