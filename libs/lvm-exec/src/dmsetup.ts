import {
  parseDmStatusVerbose,
  parseThinPoolStatus,
  type DmDeviceInfo,
  type DmsetupRunner,
  type LvmResult,
  type ThinPoolStatus,
} from '@copse/lvm-model';

/** dmsetup answered with a non-zero exit code. */
export class DmsetupError extends Error {
  readonly exitCode: number;
  readonly stderr: string;

  constructor(
    readonly argv: readonly string[],
    result: LvmResult,
  ) {
    const first = result.stderr.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? '';
    super(`dmsetup ${argv.join(' ')} exited ${result.exitCode}: ${first}`);
    this.name = 'DmsetupError';
    this.exitCode = result.exitCode;
    this.stderr = result.stderr;
  }

  /** The device is not there (the pool is not active): status says so, wait gets ENXIO. */
  get isNoSuchDevice(): boolean {
    return /Device does not exist|No such device or address/.test(this.stderr);
  }
}

/** What one dmsetup invocation cost; fed to metrics and logs. */
export interface DmsetupInvocation {
  readonly argv: readonly string[];
  readonly exitCode: number | 'error';
  readonly seconds: number;
}

export interface DmsetupOptions {
  readonly onInvocation?: (invocation: DmsetupInvocation) => void;
}

export interface ThinPoolReading {
  readonly info: DmDeviceInfo;
  readonly status: ThinPoolStatus;
}

/**
 * The dmsetup command layer: the two calls that follow a thin pool without lvm's locks.
 * - `status --noflush -v`: the pool's event counter, device number and usage in one call;
 *   --noflush so that reading it never commits the pool's metadata (a commit writes the
 *   metadata device, which the monitor watches for changes).
 * - `wait NAME N`: sleeps until the event counter passes N (the kernel raises an event at
 *   the pool's low-water mark, on running out of data space and on every mode change).
 */
export class Dmsetup {
  constructor(
    private readonly runner: DmsetupRunner,
    private readonly options: DmsetupOptions = {},
  ) {}

  /**
   * The thin pool target on device `name` (thinPoolDmNames); undefined when the device
   * does not exist or carries another target (VG-POOL is linear once VG-POOL-tpool exists).
   */
  async thinPoolStatus(name: string, signal?: AbortSignal): Promise<ThinPoolReading | undefined> {
    const argv = ['status', '--noflush', '-v', name];
    const result = await this.exec(argv, signal);
    if (result.exitCode !== 0) {
      const error = new DmsetupError(argv, result);
      if (error.isNoSuchDevice) return undefined;
      throw error;
    }
    const { info, targets } = parseDmStatusVerbose(result.stdout);
    if (targets.length !== 1 || targets[0]?.targetType !== 'thin-pool') return undefined;
    return { info, status: parseThinPoolStatus(targets[0]) };
  }

  /**
   * Resolves 'event' once the event counter of `name` is past `eventNumber` (at once when
   * it already is), 'gone' when the device does not exist. Rejects with LvmCancelledError
   * when the signal fires (the sleeping dmsetup is killed).
   */
  async waitEvent(name: string, eventNumber: number, signal?: AbortSignal): Promise<'event' | 'gone'> {
    const argv = ['wait', name, String(eventNumber)];
    const result = await this.exec(argv, signal);
    if (result.exitCode === 0) return 'event';
    const error = new DmsetupError(argv, result);
    if (error.isNoSuchDevice) return 'gone';
    throw error;
  }

  private async exec(argv: readonly string[], signal?: AbortSignal): Promise<LvmResult> {
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    try {
      const result = await this.runner.run(argv, { signal });
      this.options.onInvocation?.({ argv, exitCode: result.exitCode, seconds: seconds() });
      return result;
    } catch (e) {
      this.options.onInvocation?.({ argv, exitCode: 'error', seconds: seconds() });
      throw e;
    }
  }
}
