/**
 * What low-level probing (`blkid -p -s TYPE -s PTTYPE -o export DEVICE`) says a device
 * holds. blkid exits 0 when it found a signature, 2 when it found none (an unformatted
 * device), 8 when signatures contradict each other (ambivalent), 4 on a usage error.
 * With -o export it prints KEY=VALUE lines (DEVNAME, TYPE, PTTYPE, ...).
 */

/** blkid's exit codes (misc-utils/blkid.c). */
export const BLKID_EXIT = {
  FOUND: 0,
  NOTHING_FOUND: 2,
  USAGE: 4,
  AMBIVALENT: 8,
} as const;

export interface ProbeResult {
  /** a filesystem (ext4, xfs, btrfs, swap, LVM2_member, ...), if blkid found one */
  readonly fsType?: string;
  /** a partition table (dos, gpt), if blkid found one */
  readonly partitionTable?: string;
}

/** Parses `-o export` output; undoes blkid's backslash escaping of values. */
export function parseBlkidExport(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    out[line.slice(0, eq).trim()] = line.slice(eq + 1).replace(/\\(.)/g, '$1');
  }
  return out;
}

/** The probe result from blkid's exit code and output; undefined for an exit code that is not an answer (usage, ambivalent, crash). */
export function probeResult(exitCode: number, stdout: string): ProbeResult | undefined {
  if (exitCode === BLKID_EXIT.NOTHING_FOUND) return {};
  if (exitCode !== BLKID_EXIT.FOUND) return undefined;
  const tags = parseBlkidExport(stdout);
  return {
    ...(tags['TYPE'] ? { fsType: tags['TYPE'] } : {}),
    ...(tags['PTTYPE'] ? { partitionTable: tags['PTTYPE'] } : {}),
  };
}
