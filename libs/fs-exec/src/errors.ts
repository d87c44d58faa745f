import type { CommandResult } from '@copse/process-runner';

/** A filesystem or mount command answered with a non-zero exit code. */
export class FsCommandError extends Error {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;

  constructor(
    readonly argv: readonly string[],
    result: CommandResult,
  ) {
    super(`${argv.join(' ')} exited ${result.exitCode}: ${firstLine(result.stderr) || firstLine(result.stdout) || 'no message'}`);
    this.name = 'FsCommandError';
    this.exitCode = result.exitCode;
    this.stdout = result.stdout;
    this.stderr = result.stderr;
  }

  /** The program that failed (mount, mkfs.xfs, ...). */
  get command(): string {
    return this.argv[0] ?? '';
  }

  /**
   * What the command said, in one line, for a caller's error message: the first line that
   * reads like an error (mkfs.xfs warns before it fails, then prints its usage), else the
   * first line.
   */
  get detail(): string {
    const lines = `${this.stderr}\n${this.stdout}`.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !BANNER.test(l));
    return lines.find((l) => ERRORISH.test(l)) ?? lines[0] ?? `exit code ${this.exitCode}`;
  }

  /**
   * mount(2) refused with EEXIST: for btrfs, another device with the same filesystem id
   * is mounted (a snapshot, restore or clone beside its origin), or registered with a
   * newer generation (kernel 6.1; 6.7 and later give such a clone a temporary fsid).
   */
  get isFileExists(): boolean {
    return this.command === 'mount' && /File exists/.test(this.stderr);
  }

  /** umount found nothing mounted at the path (util-linux: "not mounted", "no mount point specified"). */
  get isNotMounted(): boolean {
    return this.command === 'umount' && /not mounted|no mount point specified/.test(this.stderr);
  }
}

export function isFsCommandError(e: unknown): e is FsCommandError {
  return e instanceof FsCommandError;
}

const ERRORISH = /\b(must|cannot|can't|failed|fail|error|invalid|not|no such|denied|exists|too small|busy)\b/i;

/** e2fsprogs open stderr with a version banner, "mke2fs 1.47.0 (5-Feb-2023)": not the message. */
const BANNER = /^\S+ \d+\.\d+(\.\d+)* \(\d+-\w+-\d+\)$/;

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.length > 0 && !BANNER.test(l)) ?? ''
  );
}
