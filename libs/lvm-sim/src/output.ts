/**
 * What a simulated command prints and how it ends: lvm2 indents its log lines by two
 * spaces, prompts and getopt messages come raw, and a command stops by throwing Exit
 * with lvm2's exit code (SimulatedLvm.runSync catches it; it never escapes run()).
 */
import { LVM_EXIT } from '@copse/lvm-model';

/** Thrown inside a command to end it with an exit code; never escapes run(). */
export class Exit {
  constructor(readonly code: number) {}
}

export class Output {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  print(msg: string): void {
    this.stdout.push(`  ${msg}\n`);
  }
  error(msg: string): void {
    this.stderr.push(`  ${msg}\n`);
  }
  rawErr(text: string): void {
    this.stderr.push(text);
  }
  rawOut(text: string): void {
    this.stdout.push(text);
  }
}

/** Prints lines to stderr and ends the command with ECMD_FAILED (5). */
export function fail(out: Output, ...lines: string[]): never {
  for (const l of lines) out.error(l);
  throw new Exit(LVM_EXIT.FAILED);
}

/** lvm2's hint after a bad argument; ends with EINVALID_CMD_LINE (3). */
export function usageError(command: string, out: Output): never {
  out.error(`Run \`${command} --help' for more information.`);
  throw new Exit(LVM_EXIT.INVALID_PARAMETERS);
}

/** lvm2's answer when no command definition matches the options given; exit 3. */
export function noMatchingSyntax(command: string, out: Output): never {
  out.error(`No command with matching syntax recognised.  Run '${command} --help' for more information.`);
  throw new Exit(LVM_EXIT.INVALID_PARAMETERS);
}
