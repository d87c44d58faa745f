import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The block layer's I/O counters of a device and of the devices under it (a thin pool's
 * -tpool device: its _tdata and _tmeta), as /sys/dev/block/MAJ:MIN/stat lines. Reading
 * them is a file read, no process: the pool monitor reads them once a second and asks
 * dmsetup only when a write or discard moved them.
 */
export interface BlockStats {
  /** The device's stat line, then its slaves'; undefined when the device's own is unreadable. */
  read(major: number, minor: number): string[] | undefined;
  /** Where the lines come from, for log lines. */
  describe(major: number, minor: number): string;
}

/** BlockStats from sysfs (`root` is /sys, or where a container mounts the host's). */
export class SysfsBlockStats implements BlockStats {
  constructor(private readonly root: string) {}

  describe(major: number, minor: number): string {
    return join(this.root, 'dev', 'block', `${major}:${minor}`, 'stat');
  }

  read(major: number, minor: number): string[] | undefined {
    const dir = join(this.root, 'dev', 'block', `${major}:${minor}`);
    let own: string;
    try {
      own = readFileSync(join(dir, 'stat'), 'utf8');
    } catch {
      return undefined;
    }
    let slaves: string[] = [];
    try {
      slaves = readdirSync(join(dir, 'slaves')).sort();
    } catch {
      // no slaves directory: the device's own counters are all there is
    }
    const lines = [own];
    for (const slave of slaves) {
      try {
        lines.push(readFileSync(join(this.root, 'block', slave, 'stat'), 'utf8'));
      } catch {
        // a slave that went away between the listing and the read
      }
    }
    return lines;
  }
}
