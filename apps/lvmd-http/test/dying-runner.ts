import type { LvmResult, LvmRunOptions, LvmRunner } from '@copse/lvm-model';

const READS = new Set(['lvs', 'vgs', 'pvs', 'fullreport']);

/**
 * How lvmd-http's death meets the lvm command it was running:
 * - lost: the command never ran (lvm killed with it, or not yet started);
 * - ran: it ran to the end, but lvmd-http never saw the answer;
 * - orphan: it keeps running on its own (real lvm2 is reparented to init and finishes),
 *   and finishes only after the next lvmd-http has read the volume group: release() runs it.
 */
export type DeathMode = 'lost' | 'ran' | 'orphan';

/**
 * One lvmd-http process's view of lvm, which dies during its `dieAt`-th mutating command
 * (1-based; reads do not count). From then on nothing answers: every call of the dead
 * process hangs for ever, as it would in a process that no longer exists.
 */
export class DyingRunner implements LvmRunner {
  private mutations = 0;
  private dead = false;
  private orphan?: readonly string[];
  private resolveDied!: (argv: readonly string[]) => void;
  /** resolves with the argv of the command during which the process died */
  readonly died = new Promise<readonly string[]>((r) => (this.resolveDied = r));
  readonly calls: string[][] = [];

  constructor(
    private readonly inner: LvmRunner,
    private readonly dieAt: number,
    private readonly mode: DeathMode,
  ) {}

  async run(argv: readonly string[], options?: LvmRunOptions): Promise<LvmResult> {
    if (this.dead) return never();
    this.calls.push([...argv]);
    if (READS.has(argv[0] ?? '') || ++this.mutations < this.dieAt) return this.inner.run(argv, options);
    this.dead = true;
    if (this.mode === 'ran') await this.inner.run(argv);
    if (this.mode === 'orphan') this.orphan = argv;
    this.resolveDied(argv);
    return never();
  }

  /** Runs the orphaned command (mode orphan), as the lvm process that outlived lvmd-http would. */
  async release(): Promise<LvmResult | undefined> {
    const argv = this.orphan;
    this.orphan = undefined;
    return argv ? this.inner.run(argv) : undefined;
  }
}

function never<T>(): Promise<T> {
  return new Promise<T>(() => undefined);
}
