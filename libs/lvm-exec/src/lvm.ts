import {
  LVS_FIELDS,
  VGS_FIELDS,
  parseLvsReport,
  parseVgsReport,
  type LvRecord,
  type LvmResult,
  type LvmRunner,
  type VgRecord,
} from '@copse/lvm-model';
import { LvmError } from './errors';

/** What one lvm invocation cost; fed to metrics and logs. */
export interface LvmInvocation {
  readonly argv: readonly string[];
  readonly exitCode: number | 'error';
  readonly seconds: number;
}

export interface LvmOptions {
  readonly onInvocation?: (invocation: LvmInvocation) => void;
}

export interface VgState {
  readonly vg: VgRecord;
  readonly lvs: LvRecord[];
}

const REPORT_ARGS = ['--units', 'b', '--nosuffix', '--reportformat', 'json'] as const;

/**
 * The lvm command layer: builds the argv for every operation (TopoLVM's commands,
 * ../shared/reference/topolvm.md), runs it through a runner (real or simulated) and
 * turns non-zero exits into LvmError. Callers validate names and sizes before they
 * get here; this layer adds no policy.
 */
export class Lvm {
  constructor(
    private readonly runner: LvmRunner,
    private readonly options: LvmOptions = {},
  ) {}

  /**
   * One VG's LVs and its own figures in a single `lvs` call: lvs can report VG fields
   * on every row, which saves the `vgs` call whenever the VG holds at least one LV.
   */
  async readVg(vgName: string, signal?: AbortSignal): Promise<VgState> {
    return this.readLvs(vgName, [], signal);
  }

  /**
   * Some LVs of a VG (all when `names` is empty) and the VG's own figures, in one
   * `lvs` call: after a change only the LVs it touched need re-reading (TopoLVM #1221:
   * re-reading everything costs an lvs of every LV per operation).
   */
  async readLvs(vgName: string, names: readonly string[], signal?: AbortSignal): Promise<VgState> {
    const fields = [...LVS_FIELDS, ...VGS_FIELDS.filter((f) => f !== 'vg_name')];
    const targets = names.length === 0 ? [vgName] : names.map((n) => `${vgName}/${n}`);
    const result = await this.exec(['lvs', ...targets, '-o', fields.join(','), ...REPORT_ARGS], signal);
    const lvs = parseLvsReport(result.stdout);
    if (lvs.length === 0) {
      const [vg] = await this.readVgs([vgName], signal);
      if (!vg) throw new LvmError(['vgs', vgName], { exitCode: 5, stdout: '', stderr: `Volume group "${vgName}" not found` });
      return { vg, lvs };
    }
    const row = firstRow(result.stdout);
    const vgJson = JSON.stringify({ report: [{ vg: [Object.fromEntries(VGS_FIELDS.map((f) => [f, row[f]]))] }] });
    const [vg] = parseVgsReport(vgJson);
    return { vg: vg as VgRecord, lvs };
  }

  async readVgs(vgNames: readonly string[], signal?: AbortSignal): Promise<VgRecord[]> {
    const result = await this.exec(['vgs', ...vgNames, '-o', VGS_FIELDS.join(','), ...REPORT_ARGS], signal);
    return parseVgsReport(result.stdout);
  }

  async createThin(
    a: { vg: string; pool: string; name: string; sizeBytes: number; tags: readonly string[]; options: readonly string[] },
    signal?: AbortSignal,
  ): Promise<void> {
    await this.exec(
      ['lvcreate', '-T', `${a.vg}/${a.pool}`, '-n', a.name, '-V', `${a.sizeBytes}b`, '-W', 'y', '-y', ...tagArgs(a.tags), ...a.options],
      signal,
    );
  }

  async createThick(
    a: {
      vg: string;
      name: string;
      sizeBytes: number;
      tags: readonly string[];
      stripe?: number;
      stripeSize?: string;
      options: readonly string[];
    },
    signal?: AbortSignal,
  ): Promise<void> {
    const stripe = a.stripe ? ['-i', String(a.stripe), ...(a.stripeSize ? ['-I', a.stripeSize] : [])] : [];
    await this.exec(
      ['lvcreate', '-n', a.name, '-L', `${a.sizeBytes}b`, '-W', 'y', '-y', ...stripe, ...tagArgs(a.tags), ...a.options, a.vg],
      signal,
    );
  }

  /**
   * A thin snapshot, created with `-k n` so that it never carries the activation-skip
   * flag (TopoLVM #566/#534) and comes out active; read-only snapshots get `-p r` in
   * the same call.
   */
  async createThinSnapshot(
    a: { vg: string; source: string; name: string; readOnly: boolean; tags: readonly string[] },
    signal?: AbortSignal,
  ): Promise<void> {
    await this.exec(
      ['lvcreate', '-s', '-k', 'n', ...(a.readOnly ? ['-p', 'r'] : []), '-n', a.name, ...tagArgs(a.tags), `${a.vg}/${a.source}`],
      signal,
    );
  }

  async resize(a: { vg: string; name: string; sizeBytes: number }, signal?: AbortSignal): Promise<void> {
    await this.exec(['lvresize', '-L', `${a.sizeBytes}b`, `${a.vg}/${a.name}`], signal);
  }

  async setPermission(a: { vg: string; name: string; readOnly: boolean }, signal?: AbortSignal): Promise<void> {
    await this.exec(['lvchange', '-p', a.readOnly ? 'r' : 'rw', `${a.vg}/${a.name}`], signal);
  }

  /** `lvchange --deltag`: removing a tag the LV does not carry is no error. */
  async deleteTags(a: { vg: string; name: string; tags: readonly string[] }, signal?: AbortSignal): Promise<void> {
    await this.exec(['lvchange', ...a.tags.flatMap((t) => ['--deltag', t]), `${a.vg}/${a.name}`], signal);
  }

  /** Activation clears the activation-skip flag (`-k n`), as TopoLVM does for rw volumes. */
  async setActive(a: { vg: string; name: string; active: boolean }, signal?: AbortSignal): Promise<void> {
    const argv = a.active
      ? ['lvchange', '-k', 'n', '-a', 'y', `${a.vg}/${a.name}`]
      : ['lvchange', '-a', 'n', `${a.vg}/${a.name}`];
    await this.exec(argv, signal);
  }

  async remove(a: { vg: string; name: string }, signal?: AbortSignal): Promise<void> {
    await this.exec(['lvremove', '-f', `${a.vg}/${a.name}`], signal);
  }

  private async exec(argv: readonly string[], signal?: AbortSignal): Promise<LvmResult> {
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    let result: LvmResult;
    try {
      result = await this.runner.run(argv, { signal });
    } catch (e) {
      this.options.onInvocation?.({ argv, exitCode: 'error', seconds: seconds() });
      throw e;
    }
    this.options.onInvocation?.({ argv, exitCode: result.exitCode, seconds: seconds() });
    if (result.exitCode !== 0) throw new LvmError(argv, result);
    return result;
  }
}

function tagArgs(tags: readonly string[]): string[] {
  return tags.flatMap((t) => ['--addtag', t]);
}

function firstRow(stdout: string): Record<string, string> {
  const parsed = JSON.parse(stdout) as { report: Array<{ lv: Array<Record<string, string>> }> };
  return parsed.report[0]?.lv[0] ?? {};
}
