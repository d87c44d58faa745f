/**
 * A simulated lvm2 2.03.16 that answers the argv Copse's command layer produces, in
 * process: same exit codes, same stdout/stderr lines, same JSON reports. It is the
 * daemon's embedded default backend and the fast backend for tests; a contract test
 * checks it against real lvm2.
 *
 * Behaviour was learned from lvm2's sources (tools/, lib/metadata/) and from the captured
 * session in shared/reference/lvm2-2.03.16-capture.txt; the code is our own.
 */
import { randomInt } from 'node:crypto';
import {
  basicNameViolation,
  LVM_EXIT,
  LvmCancelledError,
  lvNameReservation,
  type LvmResult,
  type LvmRunner,
  type LvmRunOptions,
  type NameViolation,
} from '@copse/lvm-model';
import {
  checkActivate,
  checkNumber,
  checkPermission,
  checkTag,
  checkYesNo,
  isActivating,
  isYes,
  parseArgs,
  tagValue,
  type OptionSpec,
  type ParsedArgs,
} from './options';
import { renderJsonReport, type ReportRow } from './report';
import type { Allocation, SimLv, SimState, SimVg } from './state';
import { displaySize, formatPercent, parseSizeArg, reportSize, SECTOR } from './units';

const MiB = 1024 * 1024;
const KiB = 1024;
/** Where lvm2 2.03.16 starts the first physical extent by default. */
const PE_START = MiB;
const DEFAULT_EXTENT_SIZE = 4 * MiB;
const DM_MAJOR = 253;
const DEFAULT_CHUNK_SIZE = 64 * KiB;
/** lvm2's thin pool metadata limits, in bytes (DEFAULT_THIN_POOL_*_METADATA_SIZE). */
const THIN_META_MIN = 2 * MiB;
const THIN_META_MAX = 255 * ((1 << 14) - 64) * 4 * KiB;
const THIN_META_OPTIMAL = 128 * MiB;
const THIN_CHUNK_MAX = 1024 * MiB;
const METADATA_BLOCK = 4096;
/**
 * The thin pool's metadata usage as dm-thin reports it (lvs metadata_percent), modelled on
 * the kernel (drivers/md/dm-thin-metadata.c, persistent-data/) and checked against real
 * lvm2 2.03.16 on 512 MiB and 1 GiB pools (tools/lvmd-e2e):
 * - the kernel counts a reserve as used: min(4096 blocks, a tenth of the metadata device);
 * - a fresh pool holds META_BLOCKS_FRESH blocks (superblock, space map roots, device and
 *   mapping tree roots) plus one data space-map bitmap block per 16320 data chunks;
 * - every distinct mapping tree root is one block: a new thin LV makes one, a snapshot
 *   shares its origin's until either is written (SimLv.metaRoot);
 * - mapped data: about one leaf per 128 chunks.
 */
const META_BLOCKS_FRESH = 8;
const META_RESERVE_MAX = 4096;
const SPACE_MAP_ENTRIES_PER_BLOCK = (METADATA_BLOCK - 16) * 4;

/** Commands lvm2 knows; those the simulation does not implement answer so explicitly. */
const LVM_COMMANDS = new Set([
  'config', 'devtypes', 'dumpconfig', 'formats', 'fullreport', 'help', 'lastlog', 'lvchange', 'lvconvert',
  'lvcreate', 'lvdisplay', 'lvextend', 'lvmconfig', 'lvmdevices', 'lvmdiskscan', 'lvmsadc', 'lvmsar', 'lvpoll',
  'lvreduce', 'lvremove', 'lvrename', 'lvresize', 'lvs', 'lvscan', 'pvchange', 'pvck', 'pvcreate', 'pvdisplay',
  'pvmove', 'pvremove', 'pvresize', 'pvs', 'pvscan', 'segtypes', 'systemid', 'tags', 'vgcfgbackup',
  'vgcfgrestore', 'vgchange', 'vgck', 'vgconvert', 'vgcreate', 'vgdisplay', 'vgexport', 'vgextend',
  'vgimport', 'vgimportclone', 'vgimportdevices', 'vgmerge', 'vgmknodes', 'vgreduce', 'vgremove', 'vgrename',
  'vgs', 'vgscan', 'vgsplit', 'version',
]);

export interface SimulatedLvmOptions {
  /** Block devices the machine has, path -> size in bytes. */
  readonly devices?: Readonly<Record<string, number>>;
  /** Milliseconds each command takes, to mimic lvm's cost in benchmarks (default 0). */
  readonly latencyMs?: number;
  /** uuids: random (default), a deterministic sequence, or your own generator. */
  readonly uuids?: 'random' | 'sequential' | (() => string);
  /** Clock for lv_time (default: the real one). */
  readonly now?: () => Date;
}

/** Thrown inside a command to end it with an exit code; never escapes run(). */
class Exit {
  constructor(readonly code: number) {}
}

class Output {
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

const UUID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function formatUuid(chars: string): string {
  return [6, 4, 4, 4, 4, 4, 6]
    .reduce<{ parts: string[]; at: number }>(
      (acc, n) => ({ parts: [...acc.parts, chars.slice(acc.at, acc.at + n)], at: acc.at + n }),
      { parts: [], at: 0 },
    )
    .parts.join('-');
}

function randomUuid(): string {
  let s = '';
  for (let i = 0; i < 32; i++) s += UUID_CHARS[randomInt(UUID_CHARS.length)];
  return formatUuid(s);
}

/** A deterministic lvm2-shaped uuid for counter n. */
export function sequentialUuid(n: number): string {
  let s = '';
  let x = n + 1;
  for (let i = 0; i < 32; i++) {
    // A cheap mixing so consecutive uuids do not look alike; deterministic per n.
    x = (x * 1103515245 + 12345 + i) % 2147483648;
    s += UUID_CHARS[x % UUID_CHARS.length];
  }
  return formatUuid(s);
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function lvmTime(d: Date): string {
  return (
    `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} +0000`
  );
}

function dmEscape(name: string): string {
  return name.replace(/-/g, '--');
}

function sumAlloc(a: Allocation | undefined, device: string): number {
  return a?.[device] ?? 0;
}

/** lvm2's strip of "/dev/" from LV arguments. */
function skipDevDir(arg: string): string {
  if (arg.startsWith('/dev/mapper/')) return arg;
  if (arg.startsWith('/dev/')) return arg.slice('/dev/'.length).replace(/^\/+/, '');
  return arg;
}

const COMMON: OptionSpec[] = [
  { long: 'verbose', short: 'v', repeat: true },
  { long: 'quiet', short: 'q', repeat: true },
  { long: 'debug', short: 'd', repeat: true },
  { long: 'yes', short: 'y' },
  { long: 'config', arg: true, repeat: true },
  { long: 'commandprofile', arg: true },
  { long: 'profile', arg: true },
  { long: 'nolocking' },
  { long: 'devicesfile', arg: true },
  { long: 'devices', arg: true, repeat: true },
  { long: 'driverloaded', arg: true, check: checkYesNo },
];

/** Options lvs and vgs share. */
const REPORT: OptionSpec[] = [
  ...COMMON,
  { long: 'options', short: 'o', arg: true, repeat: true },
  { long: 'sort', short: 'O', arg: true, repeat: true },
  { long: 'units', arg: true },
  { long: 'nosuffix' },
  { long: 'reportformat', arg: true },
];

const sizeCheck =
  (factor: number, percent = false) =>
  (v: string): string[] | undefined => {
    const r = parseSizeArg(v, factor, percent);
    return r.ok ? undefined : [r.error];
  };

const extentsCheck = (v: string): string[] | undefined => {
  const r = /^[+-]?\d+(?:%(?:VG|FREE|PVS|LV|ORIGIN))?$/i.test(v);
  return r ? undefined : [];
};

const SPECS: Record<string, OptionSpec[]> = {
  pvcreate: [...COMMON, { long: 'force', short: 'f', repeat: true }, { long: 'zero', short: 'Z', arg: true, check: checkYesNo }],
  vgcreate: [
    ...COMMON,
    { long: 'physicalextentsize', short: 's', arg: true, check: sizeCheck(2048) },
    { long: 'addtag', arg: true, repeat: true, check: checkTag },
    { long: 'force', short: 'f', repeat: true },
    { long: 'zero', short: 'Z', arg: true, check: checkYesNo },
  ],
  lvcreate: [
    ...COMMON,
    { long: 'name', short: 'n', arg: true },
    { long: 'size', short: 'L', arg: true, check: sizeCheck(2048) },
    { long: 'extents', short: 'l', arg: true, check: extentsCheck },
    { long: 'virtualsize', short: 'V', arg: true, check: sizeCheck(2048) },
    { long: 'thin', short: 'T' },
    { long: 'thinpool', arg: true },
    { long: 'snapshot', short: 's' },
    { long: 'setactivationskip', short: 'k', arg: true, check: checkYesNo },
    { long: 'ignoreactivationskip', short: 'K' },
    { long: 'wipesignatures', short: 'W', arg: true, check: checkYesNo },
    { long: 'zero', short: 'Z', arg: true, check: checkYesNo },
    { long: 'addtag', arg: true, repeat: true, check: checkTag },
    { long: 'stripes', short: 'i', arg: true, check: checkNumber },
    { long: 'stripesize', short: 'I', arg: true, check: sizeCheck(2) },
    { long: 'activate', short: 'a', arg: true, check: checkActivate },
    { long: 'permission', short: 'p', arg: true, check: checkPermission },
    { long: 'type', arg: true },
    { long: 'chunksize', short: 'c', arg: true, check: sizeCheck(2) },
    { long: 'readahead', short: 'r', arg: true },
    { long: 'alloc', arg: true },
    { long: 'contiguous', short: 'C', arg: true, check: checkYesNo },
  ],
  lvchange: [
    ...COMMON,
    { long: 'activate', short: 'a', arg: true, check: checkActivate },
    { long: 'permission', short: 'p', arg: true, check: checkPermission },
    { long: 'setactivationskip', short: 'k', arg: true, check: checkYesNo },
    { long: 'ignoreactivationskip', short: 'K' },
    { long: 'addtag', arg: true, repeat: true, check: checkTag },
    { long: 'deltag', arg: true, repeat: true, check: checkTag },
    { long: 'force', short: 'f' },
  ],
  lvresize: [
    ...COMMON,
    { long: 'size', short: 'L', arg: true, check: sizeCheck(2048) },
    { long: 'extents', short: 'l', arg: true, check: extentsCheck },
    { long: 'force', short: 'f', repeat: true },
    { long: 'resizefs', short: 'r' },
    { long: 'nofsck', short: 'n' },
  ],
  lvremove: [...COMMON, { long: 'force', short: 'f', repeat: true }],
  lvs: [
    ...REPORT,
    { long: 'all', short: 'a' },
    { long: 'noheadings' },
    { long: 'readonly' },
    { long: 'separator', arg: true },
  ],
  vgs: [
    ...REPORT,
    { long: 'noheadings' },
    { long: 'readonly' },
    { long: 'separator', arg: true },
  ],
};
SPECS['lvextend'] = SPECS['lvresize']!;
SPECS['lvreduce'] = SPECS['lvresize']!;

const LVS_DEFAULT = 'lv_name,vg_name,lv_attr,lv_size,pool_lv,origin,data_percent,metadata_percent,move_pv,mirror_log,copy_percent,convert_lv';
const VGS_DEFAULT = 'vg_name,pv_count,lv_count,snap_count,vg_attr,vg_size,vg_free';

interface ReportContext {
  readonly units: string;
  readonly nosuffix: boolean;
}

export class SimulatedLvm implements LvmRunner {
  private state: SimState;
  private readonly latencyMs: number;
  private readonly uuidOption: 'random' | 'sequential' | (() => string);
  private readonly now: () => Date;
  private readonly counts = new Map<string, number>();

  constructor(options: SimulatedLvmOptions = {}, state?: SimState) {
    this.latencyMs = options.latencyMs ?? 0;
    this.uuidOption = options.uuids ?? 'random';
    this.now = options.now ?? (() => new Date());
    this.state = state
      ? (JSON.parse(JSON.stringify(state)) as SimState)
      : { format: 'copse-lvm-sim/1', devices: { ...(options.devices ?? {}) }, pvs: {}, vgs: [], uuidCounter: 0 };
    if (state && options.devices) Object.assign(this.state.devices, options.devices);
  }

  /** How many times each lvm command ran, by name (lvs, lvcreate, ...). */
  get invocations(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.counts);
  }

  resetInvocations(): void {
    this.counts.clear();
  }

  toJSON(): SimState {
    return JSON.parse(JSON.stringify(this.state)) as SimState;
  }

  static fromJSON(state: SimState, options: Omit<SimulatedLvmOptions, 'devices'> & { devices?: Record<string, number> } = {}): SimulatedLvm {
    if (!state || state.format !== 'copse-lvm-sim/1') throw new Error('not a copse-lvm-sim/1 state');
    return new SimulatedLvm(options, state);
  }

  /**
   * Test and benchmark hook: pretends `bytes` were written to a thin LV (its mapped
   * size grows, at most to its size) or straight into a pool; the pool's data usage
   * grows by what was newly mapped, at most to the pool's size (then it is out of data).
   * Returns the bytes newly allocated in the pool.
   */
  simulateWrite(vgName: string, lvName: string, bytes: number): number {
    const vg = this.findVg(vgName);
    const lv = vg?.lvs.find((l) => l.name === lvName);
    if (!vg || !lv) throw new Error(`no LV ${vgName}/${lvName}`);
    const pool = lv.type === 'thin-pool' ? lv : lv.type === 'thin' ? vg.lvs.find((l) => l.name === lv.poolLv) : undefined;
    if (!pool?.pool) throw new Error(`${vgName}/${lvName} is not a thin LV or pool`);
    let wanted = Math.max(0, Math.floor(bytes));
    if (lv.type === 'thin') {
      const size = lv.extents * vg.extentSize;
      wanted = Math.min(wanted, size - (lv.mappedBytes ?? 0));
    }
    const poolSize = pool.extents * vg.extentSize;
    const granted = Math.min(wanted, poolSize - pool.pool.usedBytes);
    pool.pool.usedBytes += granted;
    if (lv.type === 'thin') {
      lv.mappedBytes = (lv.mappedBytes ?? 0) + granted;
      // Writing a device whose mapping tree is shared (snapshot or origin) shadows its root.
      const mine = SimulatedLvm.metaRoot(lv);
      if (granted > 0 && vg.lvs.some((o) => o !== lv && o.type === 'thin' && SimulatedLvm.metaRoot(o) === mine)) {
        lv.metaRoot = this.newMetaRoot(vg);
      }
    }
    return granted;
  }

  /** Like the real runner: a fired signal rejects with LvmCancelledError and the command is not applied. */
  async run(argv: readonly string[], options: LvmRunOptions = {}): Promise<LvmResult> {
    const { signal } = options;
    if (signal?.aborted) throw new LvmCancelledError(argv);
    if (this.latencyMs > 0) {
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          clearTimeout(timer);
          reject(new LvmCancelledError(argv));
        };
        const timer = setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, this.latencyMs);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
    return this.runSync(argv);
  }

  /** run() without latency, for callers that want a synchronous answer. */
  runSync(argv: readonly string[]): LvmResult {
    const out = new Output();
    let code: number = LVM_EXIT.OK;
    try {
      const args = Array.isArray(argv) ? argv.map((a) => String(a)) : [];
      const rest = args[0] === 'lvm' ? args.slice(1) : args;
      const name = rest[0] ?? '';
      this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
      this.dispatch(name, rest.slice(1), out);
    } catch (e) {
      if (e instanceof Exit) code = e.code;
      else {
        out.error(`Internal error: simulated lvm2 failed: ${e instanceof Error ? e.message : String(e)}`);
        code = LVM_EXIT.FAILED;
      }
    }
    return { exitCode: code, stdout: out.stdout.join(''), stderr: out.stderr.join('') };
  }

  private dispatch(name: string, argv: string[], out: Output): void {
    const handlers: Record<string, (a: ParsedArgs, o: Output) => void> = {
      pvcreate: (a, o) => this.pvcreate(a, o),
      vgcreate: (a, o) => this.vgcreate(a, o),
      lvcreate: (a, o) => this.lvcreate(a, o),
      lvchange: (a, o) => this.lvchange(a, o),
      lvresize: (a, o) => this.lvresize('lvresize', a, o),
      lvextend: (a, o) => this.lvresize('lvextend', a, o),
      lvreduce: (a, o) => this.lvresize('lvreduce', a, o),
      lvremove: (a, o) => this.lvremove(a, o),
      lvs: (a, o) => this.lvs(a, o),
      vgs: (a, o) => this.vgs(a, o),
    };
    const handler = handlers[name];
    if (!handler) {
      if (LVM_COMMANDS.has(name)) {
        out.error(`Command ${name} is not implemented by the simulated lvm2.`);
        throw new Exit(LVM_EXIT.INVALID_PARAMETERS);
      }
      out.error("No such command.  Try 'lvm help'.");
      throw new Exit(2);
    }
    const parsed = parseArgs(name, argv, SPECS[name]!);
    if (!parsed.ok) {
      for (const line of parsed.stderr) {
        if (line.raw) out.rawErr(`${line.text}\n`);
        else out.error(line.text);
      }
      out.error('Error during parsing of command line.');
      throw new Exit(LVM_EXIT.INVALID_PARAMETERS);
    }
    handler(parsed.args, out);
  }

  // ---------------------------------------------------------------- helpers

  private uuid(): string {
    if (typeof this.uuidOption === 'function') return this.uuidOption();
    if (this.uuidOption === 'sequential') return sequentialUuid(this.state.uuidCounter++);
    return randomUuid();
  }

  private findVg(name: string): SimVg | undefined {
    return this.state.vgs.find((v) => v.name === name);
  }

  private freeOnPv(vg: SimVg, device: string): number {
    let used = sumAlloc(vg.pmspare?.alloc, device);
    for (const lv of vg.lvs) {
      used += sumAlloc(lv.alloc, device);
      used += sumAlloc(lv.pool?.metaAlloc, device);
    }
    return (vg.peCount[device] ?? 0) - used;
  }

  private freeExtents(vg: SimVg): number {
    return vg.pvs.reduce((n, d) => n + this.freeOnPv(vg, d), 0);
  }

  private extentCount(vg: SimVg): number {
    return vg.pvs.reduce((n, d) => n + (vg.peCount[d] ?? 0), 0);
  }

  /** Allocates extents linearly over the PVs in order, or striped over `stripes` PVs. */
  private allocate(vg: SimVg, extents: number, stripes = 1): Allocation | undefined {
    const alloc: Allocation = {};
    if (stripes > 1) {
      const per = extents / stripes;
      const pvs = vg.pvs.filter((d) => this.freeOnPv(vg, d) >= per).slice(0, stripes);
      if (pvs.length < stripes) return undefined;
      for (const d of pvs) alloc[d] = per;
      return alloc;
    }
    let left = extents;
    for (const d of vg.pvs) {
      if (left === 0) break;
      const take = Math.min(left, this.freeOnPv(vg, d));
      if (take > 0) {
        alloc[d] = take;
        left -= take;
      }
    }
    return left === 0 ? alloc : undefined;
  }

  private static addAlloc(into: Allocation, more: Allocation): void {
    for (const [d, n] of Object.entries(more)) into[d] = (into[d] ?? 0) + n;
  }

  private usedMinors(): Set<number> {
    const used = new Set<number>();
    for (const vg of this.state.vgs) for (const lv of vg.lvs) for (const m of lv.minors) used.add(m);
    return used;
  }

  private nextMinor(taken: Set<number>): number {
    let m = 0;
    while (taken.has(m)) m++;
    taken.add(m);
    return m;
  }

  private activate(vg: SimVg, lv: SimLv): void {
    if (lv.active) return;
    if (lv.type === 'thin') {
      const pool = vg.lvs.find((l) => l.name === lv.poolLv);
      if (pool) this.activate(vg, pool);
    }
    const taken = this.usedMinors();
    if (lv.type === 'thin-pool') {
      // tmeta, tdata, tpool, then the pool's own device; lvs reports the tpool's numbers.
      const tmeta = this.nextMinor(taken);
      const tdata = this.nextMinor(taken);
      const tpool = this.nextMinor(taken);
      const top = this.nextMinor(taken);
      lv.minors = [tpool, tmeta, tdata, top];
    } else {
      lv.minors = [this.nextMinor(taken)];
    }
    lv.active = true;
  }

  private deactivate(lv: SimLv): void {
    lv.active = false;
    lv.minors = [];
  }

  /** The mapping tree a thin LV uses (states saved before metaRoot existed: its own). */
  private static metaRoot(lv: SimLv): number {
    return lv.metaRoot ?? lv.thinId ?? 0;
  }

  private newMetaRoot(vg: SimVg): number {
    return vg.lvs.reduce((n, l) => (l.type === 'thin' ? Math.max(n, SimulatedLvm.metaRoot(l), l.thinId ?? 0) : n), 0) + 1;
  }

  private thinsOf(vg: SimVg, pool: SimLv): SimLv[] {
    return vg.lvs.filter((l) => l.type === 'thin' && l.poolLv === pool.name);
  }

  private display(vg: SimVg, lv: SimLv | string): string {
    return `${vg.name}/${typeof lv === 'string' ? lv : lv.name}`;
  }

  private vgNotFound(name: string, out: Output): void {
    out.error(`Volume group "${name}" not found`);
    out.error(`Cannot process volume group ${name}`);
  }

  /** Splits an LV argument "[/dev/]vg/lv" as lvm2 does; undefined after printing lvm2's error. */
  private splitLvArg(arg: string, out: Output): { vg: string; lv: string } | undefined {
    const path = skipDevDir(arg);
    const slash = path.indexOf('/');
    if (slash < 0) return undefined;
    let st = slash;
    while (path[st] === '/') st++;
    if (path.indexOf('/', st) >= 0) {
      out.error(`"${arg}": Invalid path for Logical Volume.`);
      return undefined;
    }
    return { vg: path.slice(0, slash), lv: path.slice(st) };
  }

  private opt(a: ParsedArgs, name: string): string | undefined {
    const v = a.options.get(name);
    return v ? v[v.length - 1] : undefined;
  }

  private has(a: ParsedArgs, name: string): boolean {
    return a.options.has(name);
  }

  private usageError(command: string, out: Output): never {
    out.error(`Run \`${command} --help' for more information.`);
    throw new Exit(LVM_EXIT.INVALID_PARAMETERS);
  }

  private noMatchingSyntax(command: string, out: Output): never {
    out.error(`No command with matching syntax recognised.  Run '${command} --help' for more information.`);
    throw new Exit(LVM_EXIT.INVALID_PARAMETERS);
  }

  private fail(out: Output, ...lines: string[]): never {
    for (const l of lines) out.error(l);
    throw new Exit(LVM_EXIT.FAILED);
  }

  private static nameViolationLines(v: NameViolation): string[] {
    switch (v.kind) {
      case 'empty':
        return ['Name is zero length.'];
      case 'leading-hyphen':
        return ['Name cannot start with hyphen.'];
      case 'dots':
        return ['Name starts with . or .. and has no following character(s).'];
      case 'charset':
        return ['Name contains invalid character, valid set includes: [a-zA-Z0-9.-_+].'];
      case 'length':
        return ['Name length exceeds maximum limit of 127.'];
      default:
        return [];
    }
  }

  /** lvm2's check of an LV name given on the command line (validate_lvname_param), restricted for new LVs. */
  private checkLvNameParam(command: string, name: string, restricted: boolean, out: Output): void {
    if (basicNameViolation(name)) {
      out.error(`Logical volume name "${name}" is invalid.`);
      this.usageError(command, out);
    }
    const r = restricted ? lvNameReservation(name) : undefined;
    if (r?.kind === 'reserved-prefix') {
      out.error(`Names starting "${r.reserved}" are reserved. Please choose a different LV name.`);
      this.usageError(command, out);
    }
    if (r?.kind === 'reserved-substring') {
      out.error(`Names including "${r.reserved}" are reserved. Please choose a different LV name.`);
      this.usageError(command, out);
    }
  }

  private generatedName(vg: SimVg): string {
    let n = 0;
    while (vg.lvs.some((l) => l.name === `lvol${n}`) || vg.pmspare?.name === `lvol${n}`) n++;
    return `lvol${n}`;
  }

  private nameInUse(vg: SimVg, name: string): boolean {
    if (vg.pmspare?.name === name) return true;
    return vg.lvs.some(
      (l) => l.name === name || (l.type === 'thin-pool' && (name === `${l.name}_tmeta` || name === `${l.name}_tdata`)),
    );
  }

  /** pool_check_overprovisioning: warn when the thin LVs of a pool outgrow it. */
  private warnOverprovisioning(vg: SimVg, pool: SimLv, out: Output): void {
    const size = (l: SimLv): number => l.extents * vg.extentSize;
    let thinsum = this.thinsOf(vg, pool).reduce((n, l) => n + size(l), 0);
    let poolsum = size(pool);
    if (thinsum <= poolsum) return;
    let morePools = 0;
    for (const other of vg.lvs) {
      if (other.type !== 'thin-pool' || other === pool) continue;
      morePools++;
      poolsum += size(other);
      thinsum += this.thinsOf(vg, other).reduce((n, l) => n + size(l), 0);
    }
    if (thinsum <= poolsum) return;
    const vgSize = this.extentCount(vg) * vg.extentSize;
    const vgFree = this.freeExtents(vg) * vg.extentSize;
    let txt = '';
    let sz: number;
    if (vgSize < thinsum) {
      txt = ' and the size of whole volume group';
      sz = vgSize;
    } else if (vgFree < thinsum) {
      txt = vgFree === 0 ? '' : ' and the amount of free space in volume group';
      sz = vgFree;
    } else {
      sz = poolsum; // autoextend threshold is 100 by default
    }
    out.error(
      `WARNING: Sum of all thin volume sizes (${displaySize(thinsum)}) exceeds the size of thin pool` +
        `${morePools ? 's' : ` ${this.display(vg, pool)}`}${txt} (${sz > 0 ? displaySize(sz) : 'no free space in volume group'}).`,
    );
    out.print('WARNING: You have not turned on protection against thin pools running out of space.');
    out.print(
      'WARNING: Set activation/thin_pool_autoextend_threshold below 100 to trigger automatic extension of thin pools before they get full.',
    );
  }

  // --------------------------------------------------------------- pvcreate

  private pvcreate(a: ParsedArgs, out: Output): void {
    if (a.positional.length === 0) this.noMatchingSyntax('pvcreate', out);
    let failed = false;
    for (const dev of a.positional) {
      if (this.state.devices[dev] === undefined) {
        out.error(`No device found for ${dev}.`);
        failed = true;
        continue;
      }
      const pv = this.state.pvs[dev];
      if (pv?.vg) {
        out.error(`Can't initialize physical volume "${dev}" of volume group "${pv.vg}" without -ff`);
        failed = true;
        continue;
      }
      this.state.pvs[dev] = { uuid: this.uuid() };
      out.print(`Physical volume "${dev}" successfully created.`);
    }
    if (failed) throw new Exit(LVM_EXIT.FAILED);
  }

  // --------------------------------------------------------------- vgcreate

  private vgcreate(a: ParsedArgs, out: Output): void {
    const [name, ...devs] = a.positional;
    if (name === undefined || devs.length === 0) this.noMatchingSyntax('vgcreate', out);
    const v = basicNameViolation(name);
    if (v) {
      for (const l of SimulatedLvm.nameViolationLines(v)) out.error(l);
      out.error(`New volume group name "${name}" is invalid.`);
      this.usageError('vgcreate', out);
    }
    let extentSize = DEFAULT_EXTENT_SIZE;
    const s = this.opt(a, 'physicalextentsize');
    if (s !== undefined) {
      const r = parseSizeArg(s, 2048);
      if (r.ok) extentSize = r.sectors * SECTOR;
      if (!r.ok || r.sign === '-' || extentSize < KiB || (extentSize & (extentSize - 1)) !== 0) {
        out.error('Physical extent size must be a power of 2.');
        this.usageError('vgcreate', out);
      }
    }
    if (this.findVg(name)) this.fail(out, `A volume group called ${name} already exists.`);
    for (const dev of devs) {
      if (this.state.devices[dev] === undefined) this.fail(out, `No device found for ${dev}.`);
      const pv = this.state.pvs[dev];
      if (pv?.vg) {
        this.fail(
          out,
          `Physical volume '${dev}' is already in volume group '${pv.vg}'`,
          `Unable to add physical volume '${dev}' to volume group '${pv.vg}'`,
        );
      }
    }
    for (const dev of devs) {
      if (!this.state.pvs[dev]) {
        this.state.pvs[dev] = { uuid: this.uuid() };
        out.print(`Physical volume "${dev}" successfully created.`);
      }
    }
    const peCount: Record<string, number> = {};
    for (const dev of devs) {
      peCount[dev] = Math.max(0, Math.floor(((this.state.devices[dev] ?? 0) - PE_START) / extentSize));
      this.state.pvs[dev]!.vg = name;
    }
    this.state.vgs.push({
      name,
      uuid: this.uuid(),
      extentSize,
      pvs: [...new Set(devs)],
      peCount,
      seqno: 1,
      tags: (a.options.get('addtag') ?? []).map(tagValue),
      lvs: [],
      nextThinId: 1,
    });
    this.state.vgs.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
    out.print(`Volume group "${name}" successfully created`);
  }

  // --------------------------------------------------------------- lvcreate

  private lvcreate(a: ParsedArgs, out: Output): void {
    const type = this.opt(a, 'type');
    const snapshot = this.has(a, 'snapshot') || type === 'snapshot';
    const thin = this.has(a, 'thin') || this.has(a, 'thinpool') || type === 'thin' || type === 'thin-pool';
    const hasSize = this.has(a, 'size') || this.has(a, 'extents');
    const hasVirtual = this.has(a, 'virtualsize');
    if (type !== undefined && !['linear', 'striped', 'thin', 'thin-pool', 'snapshot'].includes(type)) {
      out.error(`Segment type ${type} is not implemented by the simulated lvm2.`);
      throw new Exit(LVM_EXIT.INVALID_PARAMETERS);
    }
    if (!snapshot && !hasSize && !hasVirtual) this.noMatchingSyntax('lvcreate', out);

    // _lvcreate_name_params: the new LV's name, then pool and origin paths.
    let vgName: string | undefined;
    const useVg = (name: string): void => {
      if (vgName !== undefined && vgName !== name) {
        out.error(`Please use a single volume group name ("${name}" or "${vgName}").`);
        this.usageError('lvcreate', out);
      }
      vgName = name;
    };
    const splitParam = (value: string, restricted: boolean): string => {
      let name = value;
      if (value.includes('/')) {
        const split = this.splitLvArg(value, out);
        if (!split) this.usageError('lvcreate', out);
        useVg(split.vg);
        name = split.lv;
      }
      this.checkLvNameParam('lvcreate', name, restricted, out);
      return name;
    };
    const nameOpt = this.opt(a, 'name');
    let lvName = nameOpt !== undefined ? splitParam(nameOpt, true) : undefined;
    let poolName = this.opt(a, 'thinpool') !== undefined ? splitParam(this.opt(a, 'thinpool')!, false) : undefined;
    let originName: string | undefined;
    const positional = [...a.positional];
    const first = positional.shift();
    if (snapshot && !hasVirtual) {
      if (first === undefined) {
        out.error('Please specify a logical volume to act as the snapshot origin.');
        this.usageError('lvcreate', out);
      }
      if (!skipDevDir(first).includes('/') && vgName === undefined) {
        out.error(`Path required for Logical Volume "${first}".`);
        out.error('The origin name should include the volume group.');
        this.usageError('lvcreate', out);
      }
      originName = splitParam(first, false);
    } else if (first !== undefined) {
      const path = skipDevDir(first);
      if (thin && path.includes('/')) {
        const name = splitParam(first, false);
        if (poolName !== undefined && poolName !== name) {
          out.error(`Ambiguous ${hasVirtual ? 'thin' : 'thin-pool'} name specified, ${name} and ${poolName}.`);
          this.usageError('lvcreate', out);
        }
        poolName = name;
      } else if (path.includes('/')) {
        out.error(`"${first}": Invalid path for Logical Volume.`);
        this.usageError('lvcreate', out);
      } else {
        useVg(path);
      }
    }
    if (positional.length > 0) {
      out.error(`Command does not accept argument: ${positional[0]}.`);
      throw new Exit(LVM_EXIT.INVALID_PARAMETERS);
    }
    if (vgName === undefined) {
      out.error('Please provide a volume group name');
      this.usageError('lvcreate', out);
    }
    const vg = this.findVg(vgName);
    if (!vg) {
      this.vgNotFound(vgName, out);
      throw new Exit(LVM_EXIT.FAILED);
    }
    const tags = [...new Set((a.options.get('addtag') ?? []).map(tagValue))];

    if (snapshot) {
      if (hasVirtual || hasSize) {
        out.error('Old-style (COW) and sparse snapshots are not implemented by the simulated lvm2.');
        throw new Exit(LVM_EXIT.FAILED);
      }
      this.createThinSnapshot(vg, a, lvName, originName!, tags, out);
      return;
    }
    if (thin && hasVirtual) {
      if (hasSize) {
        out.error('Creating a thin pool and a thin volume in one command is not implemented by the simulated lvm2.');
        throw new Exit(LVM_EXIT.FAILED);
      }
      if (poolName === undefined) {
        out.error('Please specify name of existing pool.');
        throw new Exit(LVM_EXIT.FAILED);
      }
      this.createThin(vg, a, lvName, poolName, tags, out);
      return;
    }
    if (hasVirtual) {
      out.error('Sparse volumes are not implemented by the simulated lvm2.');
      throw new Exit(LVM_EXIT.FAILED);
    }
    if (thin) {
      if (poolName === undefined && lvName !== undefined) {
        poolName = lvName;
        lvName = undefined;
      }
      this.createPool(vg, a, poolName, tags, out);
      return;
    }
    this.createLinear(vg, a, lvName, tags, out);
  }

  /** Extents for -L/-l of a new LV, with lvm2's rounding message. */
  private newExtents(vg: SimVg, a: ParsedArgs, out: Output): number {
    const l = this.opt(a, 'extents');
    if (l !== undefined && !this.has(a, 'size')) {
      const m = /^\+?(\d+)(?:%(VG|FREE|PVS|LV|ORIGIN))?$/i.exec(l);
      if (!m) {
        out.error(`Invalid argument for --extents: ${l}`);
        out.error('Error during parsing of command line.');
        throw new Exit(LVM_EXIT.INVALID_PARAMETERS);
      }
      const n = Number(m[1]);
      const of = m[2]?.toUpperCase();
      if (!of) return n;
      const base = of === 'FREE' ? this.freeExtents(vg) : this.extentCount(vg);
      return Math.floor((base * n) / 100);
    }
    const r = parseSizeArg(this.opt(a, 'size')!, 2048);
    const bytes = r.ok ? r.sectors * SECTOR : 0;
    return this.roundUpExtents(vg, bytes, out);
  }

  private roundUpExtents(vg: SimVg, bytes: number, out: Output): number {
    let size = bytes;
    if (size % vg.extentSize) {
      size += vg.extentSize - (size % vg.extentSize);
      out.print(`Rounding up size to full physical extent ${displaySize(size)}`);
    }
    return size / vg.extentSize;
  }

  private activationRequested(a: ParsedArgs): boolean {
    const act = this.opt(a, 'activate');
    return act === undefined || isActivating(act);
  }

  private createLinear(vg: SimVg, a: ParsedArgs, lvName: string | undefined, tags: string[], out: Output): void {
    let stripes = Number(this.opt(a, 'stripes') ?? '1');
    let stripeSize = 0;
    const I = this.opt(a, 'stripesize');
    if (I !== undefined) {
      const r = parseSizeArg(I, 2);
      stripeSize = r.ok ? r.sectors * SECTOR : 0;
    }
    if (stripes < 1 || stripes > 128) {
      out.error(`Number of stripes (${stripes}) must be between 1 and 128.`);
      this.usageError('lvcreate', out);
    }
    if (stripes === 1 && stripeSize) {
      out.print('Ignoring stripesize argument with single stripe.');
      stripeSize = 0;
    } else if (stripes > 1) {
      if (!stripeSize) {
        stripeSize = 64 * KiB;
        out.print(`Using default stripesize ${displaySize(stripeSize)}.`);
      }
      if (stripeSize < 4 * KiB || (stripeSize & (stripeSize - 1)) !== 0) {
        out.error(`Invalid stripe size ${displaySize(stripeSize)}.`);
        this.usageError('lvcreate', out);
      }
    }
    const extents = this.newExtents(vg, a, out);
    const name = lvName ?? this.generatedName(vg);
    if (this.nameInUse(vg, name)) this.fail(out, `Logical Volume "${name}" already exists in volume group "${vg.name}"`);
    if (extents === 0) this.fail(out, 'Unable to create new logical volume with no extents.');
    const free = this.freeExtents(vg);
    if (free < extents) this.fail(out, `Volume group "${vg.name}" has insufficient free space (${free} extents): ${extents} required.`);
    if (stripes > vg.pvs.length) {
      this.fail(out, `Number of stripes (${stripes}) must not exceed number of physical volumes (${vg.pvs.length})`);
    }
    let total = extents;
    if (stripes > 1 && extents % stripes) {
      total = extents + stripes - (extents % stripes);
      out.print(
        `Rounding size ${displaySize(extents * vg.extentSize)} (${extents} extents) up to stripe boundary size ` +
          `${displaySize(total * vg.extentSize)} (${total} extents).`,
      );
    }
    const alloc = this.allocate(vg, total, stripes);
    if (!alloc) this.fail(out, `Insufficient free space: ${total} extents needed, but only ${this.freeExtents(vg)} available`);
    if (stripes === 1) stripes = 0;
    const lv: SimLv = {
      name,
      uuid: this.uuid(),
      type: 'linear',
      extents: total,
      alloc,
      ...(stripes > 1 ? { stripes, stripeSize } : {}),
      tags,
      writable: this.opt(a, 'permission') !== 'r',
      activationSkip: isYes(this.opt(a, 'setactivationskip')),
      active: false,
      minors: [],
      time: lvmTime(this.now()),
    };
    this.addLv(vg, lv);
    if (this.activationRequested(a) && (!lv.activationSkip || this.has(a, 'ignoreactivationskip'))) this.activate(vg, lv);
    out.print(`Logical volume "${name}" created.`);
  }

  private addLv(vg: SimVg, lv: SimLv): void {
    vg.lvs.push(lv);
    vg.seqno++;
  }

  private createPool(vg: SimVg, a: ParsedArgs, poolName: string | undefined, tags: string[], out: Output): void {
    if (poolName !== undefined) this.checkLvNameParam('lvcreate', poolName, true, out);
    const dataExtents = this.newExtents(vg, a, out);
    // update_thin_pool_params: chunk size and metadata size.
    let chunk = DEFAULT_CHUNK_SIZE;
    const c = this.opt(a, 'chunksize');
    const dataBytes = dataExtents * vg.extentSize;
    let metaBytes: number;
    if (c !== undefined) {
      const r = parseSizeArg(c, 2);
      chunk = r.ok ? r.sectors * SECTOR : DEFAULT_CHUNK_SIZE;
      if (chunk < 64 * KiB || chunk > THIN_CHUNK_MAX || chunk % (64 * KiB)) {
        out.error(`Thin pool chunk size ${displaySize(chunk)} is not supported by the simulated lvm2.`);
        throw new Exit(LVM_EXIT.INVALID_PARAMETERS);
      }
      metaBytes = Math.floor(dataBytes / (chunk / 64));
    } else {
      metaBytes = Math.floor(dataBytes / (chunk / 64));
      while (metaBytes > THIN_META_OPTIMAL && chunk < THIN_CHUNK_MAX) {
        chunk *= 2;
        metaBytes = Math.floor(metaBytes / 2);
      }
    }
    metaBytes = Math.ceil(metaBytes / vg.extentSize) * vg.extentSize;
    if (metaBytes < THIN_META_MIN) metaBytes = Math.ceil(THIN_META_MIN / vg.extentSize) * vg.extentSize;
    if (metaBytes > THIN_META_MAX) metaBytes = Math.floor(THIN_META_MAX / vg.extentSize) * vg.extentSize;
    const metaExtents = metaBytes / vg.extentSize;
    const maxData = (THIN_META_MAX / 64) * chunk;
    out.print(`Thin pool volume with chunk size ${displaySize(chunk)} can address at most ${displaySize(maxData)} of data.`);

    // handle_pool_metadata_spare comes before the LV itself.
    const hadSpare = vg.pmspare ? { ...vg.pmspare, alloc: { ...vg.pmspare.alloc } } : undefined;
    const spareNeeded = Math.max(0, metaExtents - (vg.pmspare?.extents ?? 0));
    if (spareNeeded > 0) {
      const alloc = this.allocate(vg, spareNeeded);
      if (!alloc) this.fail(out, `Insufficient free space: ${spareNeeded} extents needed, but only ${this.freeExtents(vg)} available`);
      if (vg.pmspare) {
        vg.pmspare.extents += spareNeeded;
        SimulatedLvm.addAlloc(vg.pmspare.alloc, alloc);
      } else {
        vg.pmspare = { name: `${this.generatedName(vg)}_pmspare`, uuid: this.uuid(), extents: spareNeeded, alloc };
      }
    }
    const undoSpare = (): void => {
      if (hadSpare) vg.pmspare = hadSpare;
      else delete vg.pmspare;
    };
    const name = poolName ?? this.generatedName(vg);
    try {
      if (this.nameInUse(vg, name)) this.fail(out, `Logical Volume "${name}" already exists in volume group "${vg.name}"`);
      const free = this.freeExtents(vg);
      if (free < dataExtents) {
        this.fail(out, `Volume group "${vg.name}" has insufficient free space (${free} extents): ${dataExtents} required.`);
      }
      const data = this.allocate(vg, dataExtents);
      if (!data) this.fail(out, `Insufficient free space: ${dataExtents} extents needed, but only ${free} available`);
      const pool: SimLv = {
        name,
        uuid: this.uuid(),
        type: 'thin-pool',
        extents: dataExtents,
        alloc: data,
        pool: {
          chunkSize: chunk,
          metaUuid: '',
          metaExtents,
          metaAlloc: {},
          dataUuid: this.uuid(),
          usedBytes: 0,
          transactionId: 0,
        },
        tags,
        writable: true,
        activationSkip: false,
        active: false,
        minors: [],
        time: lvmTime(this.now()),
      };
      vg.lvs.push(pool);
      const meta = this.allocate(vg, metaExtents);
      if (!meta) {
        vg.lvs.pop();
        this.fail(out, `Insufficient free space: ${dataExtents + metaExtents} extents needed, but only ${free} available`);
      }
      pool.pool!.metaAlloc = meta;
      pool.pool!.metaUuid = this.uuid();
      vg.seqno++;
    } catch (e) {
      undoSpare();
      throw e;
    }
    const created = vg.lvs.find((l) => l.name === name)!;
    if (this.activationRequested(a)) this.activate(vg, created);
    out.print(`Logical volume "${name}" created.`);
  }

  private resolvePool(vg: SimVg, poolName: string, out: Output): SimLv {
    const pool = vg.lvs.find((l) => l.name === poolName);
    if (!pool) this.fail(out, `Pool ${poolName} not found in Volume group ${vg.name}.`);
    if (pool.type !== 'thin-pool') this.fail(out, `Logical volume ${this.display(vg, pool)} is not a thin pool.`);
    return pool;
  }

  private createThin(vg: SimVg, a: ParsedArgs, lvName: string | undefined, poolName: string, tags: string[], out: Output): void {
    const pool = this.resolvePool(vg, poolName, out);
    const r = parseSizeArg(this.opt(a, 'virtualsize')!, 2048);
    const extents = this.roundUpExtents(vg, r.ok ? r.sectors * SECTOR : 0, out);
    const name = lvName ?? this.generatedName(vg);
    if (this.nameInUse(vg, name)) this.fail(out, `Logical Volume "${name}" already exists in volume group "${vg.name}"`);
    if (extents === 0) this.fail(out, 'Unable to create new logical volume with no extents.');
    if (pool.pool!.usedBytes >= pool.extents * vg.extentSize) {
      this.fail(out, `Free space in pool ${this.display(vg, pool)} is above threshold, new volumes are not allowed.`);
    }
    const lv = this.newThin(vg, pool, name, extents, tags, a, false);
    this.finishThin(vg, pool, lv, a, out);
  }

  private newThin(vg: SimVg, pool: SimLv, name: string, extents: number, tags: string[], a: ParsedArgs, snapshotDefaultSkip: boolean): SimLv {
    const k = this.opt(a, 'setactivationskip');
    const lv: SimLv = {
      name,
      uuid: this.uuid(),
      type: 'thin',
      extents,
      poolLv: pool.name,
      thinId: vg.nextThinId++,
      metaRoot: this.newMetaRoot(vg),
      mappedBytes: 0,
      tags,
      writable: this.opt(a, 'permission') !== 'r',
      activationSkip: k === undefined ? snapshotDefaultSkip : isYes(k),
      active: false,
      minors: [],
      time: lvmTime(this.now()),
    };
    pool.pool!.transactionId++;
    return lv;
  }

  private finishThin(vg: SimVg, pool: SimLv, lv: SimLv, a: ParsedArgs, out: Output): void {
    this.addLv(vg, lv);
    if (this.activationRequested(a) && (!lv.activationSkip || this.has(a, 'ignoreactivationskip'))) this.activate(vg, lv);
    this.warnOverprovisioning(vg, pool, out);
    out.print(`Logical volume "${lv.name}" created.`);
  }

  private createThinSnapshot(vg: SimVg, a: ParsedArgs, lvName: string | undefined, originName: string, tags: string[], out: Output): void {
    const origin = vg.lvs.find((l) => l.name === originName);
    if (!origin) this.fail(out, `Snapshot origin LV ${originName} not found in Volume group ${vg.name}.`);
    if (origin.type !== 'thin') this.fail(out, 'Please specify either size or extents with snapshots.');
    const pool = vg.lvs.find((l) => l.name === origin.poolLv)!;
    const name = lvName ?? this.generatedName(vg);
    if (this.nameInUse(vg, name)) this.fail(out, `Logical Volume "${name}" already exists in volume group "${vg.name}"`);
    const lv = this.newThin(vg, pool, name, origin.extents, tags, a, true);
    lv.origin = origin.name;
    lv.mappedBytes = origin.mappedBytes ?? 0;
    // A thin snapshot shares its origin's mapping tree (dm-thin create_snap).
    lv.metaRoot = SimulatedLvm.metaRoot(origin);
    this.finishThin(vg, pool, lv, a, out);
  }

  // --------------------------------------------------------------- lvchange

  /** LVs named by lvchange/lvremove arguments (vg/lv or vg); prints lvm2's not-found errors. */
  private selectLvs(args: readonly string[], out: Output): { found: { vg: SimVg; lv: SimLv }[]; failed: boolean } {
    const found: { vg: SimVg; lv: SimLv }[] = [];
    const seen = new Set<SimLv>();
    const take = (vg: SimVg, lv: SimLv) => {
      if (!seen.has(lv)) {
        seen.add(lv);
        found.push({ vg, lv });
      }
    };
    let failed = false;
    const missingVgs = new Set<string>();
    for (const arg of args) {
      const path = skipDevDir(arg);
      const split = path.includes('/') ? this.splitLvArg(arg, out) : { vg: path, lv: '' };
      if (!split) {
        failed = true;
        continue;
      }
      const vg = this.findVg(split.vg);
      if (!vg) {
        if (!missingVgs.has(split.vg)) this.vgNotFound(split.vg, out);
        missingVgs.add(split.vg);
        failed = true;
        continue;
      }
      if (split.lv === '') {
        for (const lv of vg.lvs) take(vg, lv);
        continue;
      }
      const lv = vg.lvs.find((l) => l.name === split.lv);
      if (!lv) {
        out.error(`Failed to find logical volume "${vg.name}/${split.lv}"`);
        failed = true;
        continue;
      }
      take(vg, lv);
    }
    return { found, failed };
  }

  private lvchange(a: ParsedArgs, out: Output): void {
    const properties = ['permission', 'setactivationskip', 'addtag', 'deltag'].some((o) => this.has(a, o));
    if (properties && this.has(a, 'ignoreactivationskip')) {
      out.error('Command does not accept option: --ignoreactivationskip.');
      throw new Exit(LVM_EXIT.INVALID_PARAMETERS);
    }
    if (!properties && !this.has(a, 'activate')) this.noMatchingSyntax('lvchange', out);
    if (a.positional.length === 0) this.noMatchingSyntax('lvchange', out);
    const { found, failed } = this.selectLvs(a.positional, out);
    let ok = !failed;
    if (properties) {
      for (const { vg, lv } of found) {
        let docmds = 0;
        let doit = 0;
        const perm = this.opt(a, 'permission');
        if (perm !== undefined && lv.type === 'thin-pool') {
          // lvm2 checks the LV type against the command's options before changing anything on it.
          out.error(`Command on LV ${this.display(vg, lv)} uses options invalid with LV type thinpool.`);
          out.error(`Command not permitted on LV ${this.display(vg, lv)}.`);
          ok = false;
          continue;
        }
        if (perm !== undefined) {
          docmds++;
          const wantWrite = perm !== 'r';
          if (!wantWrite && !lv.writable) {
            out.error(`Logical volume "${this.display(vg, lv)}" is already read only.`);
          } else if (wantWrite && lv.writable) {
            out.error(`Logical volume ${this.display(vg, lv)} is already writable.`);
          } else {
            lv.writable = wantWrite;
            doit++;
          }
        }
        for (const t of a.options.get('addtag') ?? []) {
          docmds++;
          const tag = tagValue(t);
          if (!lv.tags.includes(tag)) lv.tags.push(tag);
          doit++;
        }
        for (const t of a.options.get('deltag') ?? []) {
          docmds++;
          const tag = tagValue(t);
          lv.tags = lv.tags.filter((x) => x !== tag);
          doit++;
        }
        const k = this.opt(a, 'setactivationskip');
        if (k !== undefined) {
          docmds++;
          lv.activationSkip = isYes(k);
          doit++;
        }
        if (doit > 0) {
          out.print(`Logical volume ${this.display(vg, lv)} changed.`);
          vg.seqno++;
        }
        if (docmds !== doit) ok = false;
      }
      if (!ok) throw new Exit(LVM_EXIT.FAILED);
      if (this.has(a, 'activate')) out.error('WARNING: Combining activation change with other commands is not advised.');
    }
    if (this.has(a, 'activate')) {
      const activating = isActivating(this.opt(a, 'activate')!);
      const ignoreSkip = this.has(a, 'ignoreactivationskip');
      for (const { vg, lv } of found) {
        if (activating) {
          if (lv.activationSkip && !ignoreSkip) continue; // lvm2 skips it silently (verbose message only)
          this.activate(vg, lv);
        } else if (lv.type === 'thin-pool' && this.thinsOf(vg, lv).some((t) => t.active)) {
          out.error(`Failed to deactivate ${dmEscape(vg.name)}-${dmEscape(lv.name)}-tpool.`);
          ok = false;
        } else {
          this.deactivate(lv);
        }
      }
    }
    if (!ok) throw new Exit(LVM_EXIT.FAILED);
  }

  // --------------------------------------------------------------- lvresize

  private lvresize(command: 'lvresize' | 'lvextend' | 'lvreduce', a: ParsedArgs, out: Output): void {
    const L = this.opt(a, 'size');
    const l = this.opt(a, 'extents');
    if (L === undefined && l === undefined) this.noMatchingSyntax(command, out);
    if (L !== undefined && l !== undefined) {
      out.error('Please specify either size or extents but not both.');
      this.usageError(command, out);
    }
    if (this.has(a, 'resizefs')) {
      out.error('Resizing file systems (--resizefs) is not implemented by the simulated lvm2.');
      throw new Exit(LVM_EXIT.INVALID_PARAMETERS);
    }
    let sign: '' | '+' | '-' = '';
    let sectors = 0;
    let extentArg: { n: number; of?: string } | undefined;
    if (L !== undefined) {
      const r = parseSizeArg(L, 2048);
      if (r.ok) {
        sign = r.sign;
        sectors = r.sectors;
      }
    } else {
      const m = /^([+-]?)(\d+)(?:%(VG|FREE|PVS|LV|ORIGIN))?$/i.exec(l!);
      if (!m) {
        out.error(`Invalid argument for --extents: ${l}`);
        out.error('Error during parsing of command line.');
        throw new Exit(LVM_EXIT.INVALID_PARAMETERS);
      }
      sign = m[1] as '' | '+' | '-';
      extentArg = { n: Number(m[2]), of: m[3]?.toUpperCase() };
    }
    if (command === 'lvextend' && sign === '-') {
      out.error('Negative argument not permitted - use lvreduce.');
      this.usageError(command, out);
    }
    if (command === 'lvreduce' && sign === '+') {
      out.error('Positive sign not permitted - use lvextend.');
      this.usageError(command, out);
    }
    if (a.positional.length === 0) {
      out.error('Please provide the logical volume name.');
      this.usageError(command, out);
    }
    const arg = a.positional[0]!;
    const split = skipDevDir(arg).includes('/') ? this.splitLvArg(arg, out) : undefined;
    if (!split) {
      if (!skipDevDir(arg).includes('/')) out.error('Please specify a logical volume path.');
      this.usageError(command, out);
    }
    this.checkLvNameParam(command, split.lv, false, out);
    const vg = this.findVg(split.vg);
    if (!vg) {
      this.vgNotFound(split.vg, out);
      throw new Exit(LVM_EXIT.FAILED);
    }
    const lv = vg.lvs.find((x) => x.name === split.lv);
    if (!lv) this.fail(out, `Logical volume ${split.lv} not found in volume group ${vg.name}.`);

    const cur = lv.extents;
    let target: number;
    if (extentArg) {
      let n = extentArg.n;
      if (extentArg.of) {
        const base =
          extentArg.of === 'FREE' ? this.freeExtents(vg) : extentArg.of === 'LV' ? cur : this.extentCount(vg);
        n = Math.floor((base * n) / 100);
      }
      target = sign === '+' ? cur + n : sign === '-' ? cur - n : n;
    } else {
      let size = sectors * SECTOR;
      const adjust = size % vg.extentSize;
      if (adjust) {
        if (sign !== '-') size += vg.extentSize;
        size -= adjust;
        out.print(`Rounding size to boundary between physical extents: ${displaySize(size)}.`);
      }
      const n = size / vg.extentSize;
      target = sign === '+' ? cur + n : sign === '-' ? cur - n : n;
    }
    if (target <= 0) this.fail(out, 'New size of 0 not permitted.');
    if (target === cur) this.fail(out, `New size (${target} extents) matches existing size (${cur} extents).`);
    if (command === 'lvextend' && target < cur) {
      this.fail(out, `New size given (${target} extents) not larger than existing size (${cur} extents)`);
    }
    if (command === 'lvreduce' && target > cur) {
      this.fail(out, `New size given (${target} extents) not less than existing size (${cur} extents)`);
    }
    const shown = lv.type === 'thin-pool' ? `${vg.name}/${lv.name}_tdata` : this.display(vg, lv);
    if (target < cur) {
      if (lv.type === 'thin-pool') this.fail(out, `Thin pool volumes ${this.display(vg, lv)} cannot be reduced in size yet.`);
      if (lv.active) {
        out.error(`WARNING: Reducing active logical volume to ${displaySize(target * vg.extentSize)}.`);
        out.error('THIS MAY DESTROY YOUR DATA (filesystem etc.)');
        if (!this.has(a, 'force') && !this.has(a, 'yes')) {
          out.rawErr(`Do you really want to reduce ${this.display(vg, lv)}? [y/n]: [n]\n`);
          this.fail(out, `Logical volume ${this.display(vg, lv)} NOT reduced.`);
        }
      }
      if (lv.alloc) lv.alloc = this.shrinkAlloc(vg, lv.alloc, cur - target);
      if (lv.type === 'thin') lv.mappedBytes = Math.min(lv.mappedBytes ?? 0, target * vg.extentSize);
    } else if (lv.type !== 'thin') {
      const more = target - cur;
      const stripes = lv.stripes ?? 1;
      const free = this.freeExtents(vg);
      const alloc = this.allocate(vg, more, stripes);
      if (!alloc) this.fail(out, `Insufficient free space: ${more} extents needed, but only ${free} available`);
      SimulatedLvm.addAlloc((lv.alloc ??= {}), alloc);
    }
    lv.extents = target;
    vg.seqno++;
    out.print(
      `Size of logical volume ${shown} changed from ${displaySize(cur * vg.extentSize)} (${cur} extents) to ` +
        `${displaySize(target * vg.extentSize)} (${target} extents).`,
    );
    if (target > cur && (lv.type === 'thin' || lv.type === 'thin-pool')) {
      const pool = lv.type === 'thin' ? vg.lvs.find((p) => p.name === lv.poolLv)! : lv;
      this.warnOverprovisioning(vg, pool, out);
    }
    out.print(`Logical volume ${this.display(vg, lv)} successfully resized.`);
  }

  /** Gives back extents from the end (last PV first). */
  private shrinkAlloc(vg: SimVg, alloc: Allocation, extents: number): Allocation {
    const next: Allocation = { ...alloc };
    let left = extents;
    for (const d of [...vg.pvs].reverse()) {
      const have = next[d] ?? 0;
      const give = Math.min(have, left);
      if (give > 0) {
        next[d] = have - give;
        if (next[d] === 0) delete next[d];
        left -= give;
      }
    }
    return next;
  }

  // --------------------------------------------------------------- lvremove

  private lvremove(a: ParsedArgs, out: Output): void {
    if (a.positional.length === 0) this.noMatchingSyntax('lvremove', out);
    const force = this.has(a, 'force') || this.has(a, 'yes');
    const { found, failed } = this.selectLvs(a.positional, out);
    let ok = !failed;
    const removeOne = (vg: SimVg, lv: SimLv): void => {
      vg.lvs = vg.lvs.filter((l) => l !== lv);
      if (lv.type === 'thin') {
        const pool = vg.lvs.find((p) => p.name === lv.poolLv);
        if (pool?.pool) {
          // Blocks a snapshot shares with its origin stay allocated; only an LV that
          // shares with nobody gives its mapped blocks back.
          const shares = lv.origin !== undefined || vg.lvs.some((o) => o.origin === lv.name);
          if (!shares) pool.pool.usedBytes = Math.max(0, pool.pool.usedBytes - (lv.mappedBytes ?? 0));
          pool.pool.transactionId++;
        }
      }
      for (const other of vg.lvs) if (other.origin === lv.name) delete other.origin;
      vg.seqno++;
      out.print(`Logical volume "${lv.name}" successfully removed.`);
    };
    for (const { vg, lv } of found) {
      if (!vg.lvs.includes(lv)) continue; // went with its pool
      if (lv.type === 'thin-pool') {
        const thins = this.thinsOf(vg, lv);
        if (thins.length > 0 && !force) {
          out.rawErr(
            `Removing pool ${this.display(vg, lv)} will remove ${thins.length} dependent volume(s). Proceed? [y/n]: [n]\n`,
          );
          out.error(`Logical volume ${this.display(vg, lv)} not removed.`);
          ok = false;
          continue;
        }
        for (const t of thins) removeOne(vg, t);
      } else if (!force) {
        out.rawErr(`Do you really want to remove${lv.active ? ' active' : ''} logical volume ${this.display(vg, lv)}? [y/n]: [n]\n`);
        out.error(`Logical volume ${this.display(vg, lv)} not removed.`);
        ok = false;
        continue;
      }
      removeOne(vg, lv);
    }
    if (!ok) throw new Exit(LVM_EXIT.FAILED);
  }

  // ------------------------------------------------------------- lvs / vgs

  private reportSetup(command: string, a: ParsedArgs, defaults: string, prefix: string, fields: Record<string, unknown>, out: Output): { names: string[]; ctx: ReportContext } {
    const format = this.opt(a, 'reportformat');
    if (format !== 'json') {
      out.error(`The simulated lvm2 reports only with --reportformat json.`);
      throw new Exit(LVM_EXIT.INVALID_PARAMETERS);
    }
    let names: string[] = defaults.split(',');
    for (const o of a.options.get('options') ?? []) {
      if (o.startsWith('+')) names = [...names, ...o.slice(1).split(',')];
      else names = o.split(',');
    }
    const resolved: string[] = [];
    for (const raw of names) {
      const f = raw.trim();
      if (f === '') continue;
      const id = f in fields ? f : `${prefix}${f}` in fields ? `${prefix}${f}` : undefined;
      if (!id) {
        out.error(`Unrecognised field: ${f}`);
        throw new Exit(LVM_EXIT.FAILED);
      }
      resolved.push(id);
    }
    void command;
    return { names: resolved, ctx: { units: this.opt(a, 'units') ?? 'r', nosuffix: this.has(a, 'nosuffix') } };
  }

  private vgFields(vg: SimVg, ctx: ReportContext): Record<string, () => string> {
    const size = (b: number): string => reportSize(b, ctx.units, ctx.nosuffix);
    const count = this.extentCount(vg);
    const free = this.freeExtents(vg);
    const visible = vg.lvs.length;
    return {
      vg_fmt: () => 'lvm2',
      vg_uuid: () => vg.uuid,
      vg_name: () => vg.name,
      vg_attr: () => 'wz--n-',
      vg_size: () => size(count * vg.extentSize),
      vg_free: () => size(free * vg.extentSize),
      vg_extent_size: () => size(vg.extentSize),
      vg_extent_count: () => String(count),
      vg_free_count: () => String(free),
      max_lv: () => '0',
      max_pv: () => '0',
      pv_count: () => String(vg.pvs.length),
      lv_count: () => String(visible),
      snap_count: () => '0',
      vg_seqno: () => String(vg.seqno),
      vg_tags: () => vg.tags.join(','),
      vg_permissions: () => 'writeable',
    };
  }

  private lvFields(vg: SimVg, lv: SimLv, ctx: ReportContext): Record<string, () => string> {
    const size = (b: number): string => reportSize(b, ctx.units, ctx.nosuffix);
    const pool = lv.type === 'thin' ? vg.lvs.find((p) => p.name === lv.poolLv) : undefined;
    const origin = lv.origin !== undefined ? vg.lvs.find((o) => o.name === lv.origin) : undefined;
    const bytes = lv.extents * vg.extentSize;
    const full = lv.type === 'thin-pool' && lv.active && lv.pool!.usedBytes >= bytes;
    const dataPercent = (): string => {
      if (!lv.active) return '';
      if (lv.type === 'thin') return formatPercent(lv.mappedBytes ?? 0, bytes);
      if (lv.type === 'thin-pool') return formatPercent(lv.pool!.usedBytes, bytes);
      return '';
    };
    const metadataPercent = (): string => {
      if (lv.type !== 'thin-pool' || !lv.active) return '';
      const blocks = (lv.pool!.metaExtents * vg.extentSize) / METADATA_BLOCK;
      const reserve = Math.min(META_RESERVE_MAX, Math.floor(blocks / 10));
      const dataChunks = Math.ceil((lv.extents * vg.extentSize) / lv.pool!.chunkSize);
      const roots = new Set(this.thinsOf(vg, lv).map((t) => SimulatedLvm.metaRoot(t))).size;
      const chunks = Math.ceil(lv.pool!.usedBytes / lv.pool!.chunkSize);
      const used =
        reserve + META_BLOCKS_FRESH + Math.ceil(dataChunks / SPACE_MAP_ENTRIES_PER_BLOCK) + roots + Math.ceil(chunks / 128);
      return formatPercent(Math.min(used, blocks), blocks);
    };
    const attr = (): string => {
      const type = lv.type === 'thin' ? 'V' : lv.type === 'thin-pool' ? 't' : '-';
      const perm = lv.writable ? 'w' : 'r';
      const open = lv.type === 'thin-pool' && lv.active && this.thinsOf(vg, lv).some((t) => t.active) ? 'o' : '-';
      const target = lv.type === 'linear' ? '-' : 't';
      const zero = lv.type === 'linear' ? '-' : 'z';
      const health = full ? 'D' : '-';
      return `${type}${perm}i-${lv.active ? 'a' : '-'}${open}${target}${zero}${health}${lv.activationSkip ? 'k' : '-'}`;
    };
    return {
      lv_uuid: () => lv.uuid,
      lv_name: () => lv.name,
      lv_full_name: () => `${vg.name}/${lv.name}`,
      lv_path: () => (lv.type === 'thin-pool' ? '' : `/dev/${vg.name}/${lv.name}`),
      lv_dm_path: () => `/dev/mapper/${dmEscape(vg.name)}-${dmEscape(lv.name)}`,
      lv_parent: () => '',
      lv_layout: () =>
        lv.type === 'thin' ? 'thin,sparse' : lv.type === 'thin-pool' ? 'thin,pool' : lv.stripes ? 'striped' : 'linear',
      lv_role: () =>
        lv.type === 'thin-pool' ? 'private' : lv.origin !== undefined ? 'public,snapshot,thinsnapshot' : 'public',
      lv_active: () => (lv.active ? 'active' : ''),
      lv_skip_activation: () => (lv.activationSkip ? 'skip activation' : ''),
      lv_permissions: () => (lv.active ? (lv.writable ? 'writeable' : 'read-only') : 'unknown'),
      lv_major: () => '-1',
      lv_minor: () => '-1',
      lv_kernel_major: () => (lv.active ? String(DM_MAJOR) : '-1'),
      lv_kernel_minor: () => (lv.active && lv.minors.length > 0 ? String(lv.minors[0]) : '-1'),
      lv_read_ahead: () => 'auto',
      lv_size: () => size(bytes),
      lv_metadata_size: () => (lv.type === 'thin-pool' ? size(lv.pool!.metaExtents * vg.extentSize) : ''),
      seg_count: () => '1',
      origin: () => (origin ? origin.name : ''),
      origin_uuid: () => (origin ? origin.uuid : ''),
      origin_size: () => '',
      pool_lv: () => (pool ? pool.name : ''),
      pool_lv_uuid: () => (pool ? pool.uuid : ''),
      data_lv: () => (lv.type === 'thin-pool' ? `[${lv.name}_tdata]` : ''),
      data_lv_uuid: () => (lv.type === 'thin-pool' ? lv.pool!.dataUuid : ''),
      metadata_lv: () => (lv.type === 'thin-pool' ? `[${lv.name}_tmeta]` : ''),
      metadata_lv_uuid: () => (lv.type === 'thin-pool' ? lv.pool!.metaUuid : ''),
      lv_tags: () => lv.tags.join(','),
      lv_time: () => lv.time,
      lv_host: () => '(none)',
      lv_attr: attr,
      lv_health_status: () => (full ? 'out_of_data' : ''),
      lv_when_full: () => (lv.type === 'thin-pool' ? 'queue' : ''),
      data_percent: dataPercent,
      snap_percent: dataPercent,
      metadata_percent: metadataPercent,
      copy_percent: () => '',
      move_pv: () => '',
      mirror_log: () => '',
      convert_lv: () => '',
      segtype: () => (lv.type === 'thin' ? 'thin' : lv.type === 'thin-pool' ? 'thin-pool' : lv.stripes ? 'striped' : 'linear'),
      stripes: () => String(lv.type === 'thin' ? 0 : (lv.stripes ?? 1)),
      stripe_size: () => size(lv.stripeSize ?? 0),
      chunk_size: () => size(lv.type === 'thin-pool' ? lv.pool!.chunkSize : 0),
      thin_count: () => (lv.type === 'thin-pool' ? String(this.thinsOf(vg, lv).length) : ''),
      thin_id: () => (lv.type === 'thin' ? String(lv.thinId ?? '') : ''),
      transaction_id: () => (lv.type === 'thin-pool' ? String(lv.pool!.transactionId) : ''),
      ...this.vgFields(vg, ctx),
    };
  }

  private sortRows<T>(rows: { values: Record<string, () => string>; item: T }[], sort: string[]): void {
    const keys = sort.map((k) => (k.startsWith('-') ? { id: k.slice(1), dir: -1 } : { id: k.replace(/^\+/, ''), dir: 1 }));
    rows.sort((x, y) => {
      for (const { id, dir } of keys) {
        const a = x.values[id]?.() ?? '';
        const b = y.values[id]?.() ?? '';
        const na = Number(a);
        const nb = Number(b);
        const c = a !== '' && b !== '' && !Number.isNaN(na) && !Number.isNaN(nb) ? na - nb : a < b ? -1 : a > b ? 1 : 0;
        if (c !== 0) return c * dir;
      }
      return 0;
    });
  }

  private sortKeys(a: ParsedArgs, defaults: string, prefix: string, fields: Record<string, unknown>): string[] {
    const given = a.options.get('sort');
    const list = given ? given.join(',').split(',') : defaults.split(',');
    return list
      .filter((k) => k !== '')
      .map((k) => {
        const bare = k.replace(/^[+-]/, '');
        const sign = k.startsWith('-') ? '-' : '';
        return bare in fields ? `${sign}${bare}` : `${sign}${prefix}${bare}`;
      });
  }

  private lvs(a: ParsedArgs, out: Output): void {
    const probe = this.lvFields(
      { name: '', uuid: '', extentSize: 1, pvs: [], peCount: {}, seqno: 0, tags: [], lvs: [], nextThinId: 0 },
      { name: '', uuid: '', type: 'linear', extents: 0, tags: [], writable: true, activationSkip: false, active: false, minors: [], time: '' },
      { units: 'b', nosuffix: true },
    );
    const { names, ctx } = this.reportSetup('lvs', a, LVS_DEFAULT, 'lv_', probe, out);
    const rows: { values: Record<string, () => string>; item: SimLv }[] = [];
    const selected =
      a.positional.length === 0
        ? { found: this.state.vgs.flatMap((vg) => vg.lvs.map((lv) => ({ vg, lv }))), failed: false }
        : this.selectLvs(a.positional, out);
    const failed = selected.failed;
    for (const { vg, lv } of selected.found) rows.push({ values: this.lvFields(vg, lv, ctx), item: lv });
    this.sortRows(rows, this.sortKeys(a, 'vg_name,lv_name', 'lv_', probe));
    out.rawOut(renderJsonReport('lv', rows.map((r) => names.map((n) => [n, r.values[n]!()] as const) as ReportRow)));
    if (failed) throw new Exit(LVM_EXIT.FAILED);
  }

  private vgs(a: ParsedArgs, out: Output): void {
    const probe = this.vgFields(
      { name: '', uuid: '', extentSize: 1, pvs: [], peCount: {}, seqno: 0, tags: [], lvs: [], nextThinId: 0 },
      { units: 'b', nosuffix: true },
    );
    const { names, ctx } = this.reportSetup('vgs', a, VGS_DEFAULT, 'vg_', probe, out);
    const rows: { values: Record<string, () => string>; item: SimVg }[] = [];
    let failed = false;
    if (a.positional.length === 0) {
      for (const vg of this.state.vgs) rows.push({ values: this.vgFields(vg, ctx), item: vg });
    } else {
      for (const arg of a.positional) {
        const vg = this.findVg(skipDevDir(arg));
        if (!vg) {
          this.vgNotFound(arg, out);
          failed = true;
          continue;
        }
        if (!rows.some((r) => r.item === vg)) rows.push({ values: this.vgFields(vg, ctx), item: vg });
      }
    }
    this.sortRows(rows, this.sortKeys(a, 'vg_name', 'vg_', probe));
    out.rawOut(renderJsonReport('vg', rows.map((r) => names.map((n) => [n, r.values[n]!()] as const) as ReportRow)));
    if (failed) throw new Exit(LVM_EXIT.FAILED);
  }
}
