import { LvmCancelledError, type DmsetupRunner, type LvmResult, type LvmRunOptions } from '@copse/lvm-model';
import type { BlockStats } from '../src/pool/block-stats';

/**
 * One thin pool device as dmsetup and sysfs show it, under the test's control: a unit
 * test of the pool watcher sets its usage, mode and event counter and sees what the
 * watcher reads. Output follows the captured kernel 6.1 format
 * (libs/lvm-model/src/fixtures/dmsetup/).
 */
export class FakePoolDevice implements DmsetupRunner, BlockStats {
  name = 'vg0-pool0-tpool';
  exists = true;
  events = 0;
  dataUsed = 0;
  dataTotal = 1024;
  metaUsed = 113;
  metaTotal = 1024;
  mode: 'rw' | 'ro' | 'out_of_data_space' = 'rw';
  errorIfNoSpace = false;
  /** I/O counters of the device (write ios) */
  writes = 0;
  statReadable = true;
  /** make the next commands fail like a dmsetup that cannot reach device-mapper */
  failing = false;
  /** the device names that carry the pool's target (VG-POOL-tpool once stacked, VG-POOL before); any when unset */
  targetName?: string;
  readonly calls: string[][] = [];
  private readonly waiters = new Set<() => void>();

  /** Raises an event (what the kernel does on low water, out of space, mode changes). */
  event(): void {
    this.events++;
    for (const w of [...this.waiters]) w();
  }

  /** Writes that provision `blocks` more data blocks: counters move, no event (below the low-water mark). */
  write(blocks: number): void {
    this.writes += blocks;
    this.dataUsed = Math.min(this.dataTotal, this.dataUsed + blocks);
  }

  get sleeping(): number {
    return this.waiters.size;
  }

  async run(argv: readonly string[], options: LvmRunOptions = {}): Promise<LvmResult> {
    this.calls.push([...argv]);
    if (this.failing) return { exitCode: 1, stdout: '', stderr: '/dev/mapper/control: open failed: Permission denied\nFailure to communicate with kernel device-mapper driver.\n' };
    const named = argv.at(argv[0] === 'wait' ? 1 : -1) ?? '';
    if (argv[0] === 'status') {
      if (!this.exists || (this.targetName !== undefined && named !== this.targetName)) {
        return { exitCode: 1, stdout: '', stderr: 'Device does not exist.\nCommand failed.\n' };
      }
      return { exitCode: 0, stdout: this.statusText(), stderr: '' };
    }
    if (argv[0] === 'wait') {
      if (!this.exists) return { exitCode: 1, stdout: '', stderr: `device-mapper: waitevent ioctl on ${this.name}  failed: No such device or address\nCommand failed.\n` };
      const after = Number(argv[2]);
      await new Promise<void>((resolve, reject) => {
        const check = () => {
          if (this.events > after) {
            this.waiters.delete(check);
            options.signal?.removeEventListener('abort', onAbort);
            resolve();
          }
        };
        const onAbort = () => {
          this.waiters.delete(check);
          reject(new LvmCancelledError(['dmsetup', ...argv]));
        };
        if (options.signal?.aborted) return onAbort();
        options.signal?.addEventListener('abort', onAbort, { once: true });
        this.waiters.add(check);
        check();
      });
      return { exitCode: 0, stdout: '', stderr: '' };
    }
    return { exitCode: 1, stdout: '', stderr: `unknown command ${argv[0]}\n` };
  }

  read(): string[] | undefined {
    if (!this.statReadable || !this.exists) return undefined;
    return [`0 0 0 0 ${this.writes} 0 ${this.writes * 128} 0 0 0 0 0 0 0 0 0 0`, '0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0'];
  }

  describe(): string {
    return '/sys/dev/block/253:2/stat';
  }

  statusCalls(): number {
    return this.calls.filter((c) => c[0] === 'status').length;
  }

  private statusText(): string {
    return [
      `Name:              ${this.targetName ?? this.name}`,
      'State:             ACTIVE',
      'Read Ahead:        256',
      'Tables present:    LIVE',
      'Open count:        3',
      `Event number:      ${this.events}`,
      'Major, minor:      253, 2',
      'Number of targets: 1',
      `UUID: LVM-x-tpool`,
      '',
      `0 131072 thin-pool 2 ${this.metaUsed}/${this.metaTotal} ${this.dataUsed}/${this.dataTotal} - ${this.mode} discard_passdown ${this.errorIfNoSpace ? 'error' : 'queue'}_if_no_space - 256 `,
      '',
    ].join('\n');
  }
}

export async function until(what: string, predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
