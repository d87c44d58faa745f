/**
 * The dmsetup commands lvmd-http runs, answered from the simulated state as dmsetup
 * 1.02.185 answers them on kernel 6.1 (captured in libs/lvm-model/src/fixtures/dmsetup/):
 * `status [--noflush] [-v] NAME` of a thin pool's -tpool device, and the bookkeeping of
 * `wait NAME [EVENT_NR]` (the sleeping itself is SimulatedDeviceMapper's).
 */
import { DM_MAJOR } from '../activation';
import { dmEscape } from '../names';
import type { SimLv, SimState, SimVg } from '../state';
import { dataBlocks, metadataBlocks, thinsOf } from '../thin-pool';
import { poolDm } from './pool-kernel';

export interface DmResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

const SECTOR = 512;
/** dm-thin's metadata low-water mark: a quarter of the metadata device, at most 4 MiB of blocks. */
const METADATA_LOW_WATERMARK_MAX = 1024;

/**
 * The live thin pool whose target device is `name`: VG-POOL-tpool once a thin LV has used
 * the pool (VG-POOL is then a linear device on it: `top`), VG-POOL before.
 */
export function findPoolDevice(state: SimState, name: string): { vg: SimVg; pool: SimLv; top: boolean } | undefined {
  for (const vg of state.vgs) {
    for (const lv of vg.lvs) {
      if (lv.type !== 'thin-pool' || !lv.active) continue;
      const plain = `${dmEscape(vg.name)}-${dmEscape(lv.name)}`;
      const layered = poolDm(lv.pool!).layered !== false;
      if (name === (layered ? `${plain}-tpool` : plain)) return { vg, pool: lv, top: false };
      if (layered && name === plain) return { vg, pool: lv, top: true };
    }
  }
  return undefined;
}

const noDevice = (): DmResult => ({ exitCode: 1, stdout: '', stderr: 'Device does not exist.\nCommand failed.\n' });

/** The thin-pool target line of the pool, as `dmsetup status` prints it. */
function targetLine(vg: SimVg, pool: SimLv): string {
  const parts = pool.pool!;
  const dm = poolDm(parts);
  const meta = metadataBlocks(vg, pool);
  const data = dataBlocks(vg, pool);
  const sectors = (pool.extents * vg.extentSize) / SECTOR;
  const lowWatermark = Math.min(METADATA_LOW_WATERMARK_MAX, Math.floor(meta.total / 4));
  return (
    `0 ${sectors} thin-pool ${parts.transactionId} ${meta.used}/${meta.total} ${data.used}/${data.total} - ${dm.mode} ` +
    `discard_passdown ${dm.errorIo ? 'error' : 'queue'}_if_no_space - ${lowWatermark} \n`
  );
}

function infoBlock(name: string, vg: SimVg, pool: SimLv, top: boolean): string {
  const dm = poolDm(pool.pool!);
  const layered = dm.layered !== false;
  // as the kernel's show them: the target's device has the -tpool uuid whatever its name; the linear top, -pool and read-only
  const uuid = `LVM-${vg.uuid.replace(/-/g, '')}${pool.uuid.replace(/-/g, '')}${top ? '-pool' : '-tpool'}`;
  // once stacked, the pool's own (top) device and every active thin LV hold the target's device open
  const open = top || !layered ? 0 : 1 + thinsOf(vg, pool).filter((t) => t.active).length;
  const line = (key: string, value: string | number) => `${`${key}:`.padEnd(19)}${value}\n`;
  return (
    line('Name', name) +
    line('State', top ? 'ACTIVE (READ-ONLY)' : 'ACTIVE') +
    line('Read Ahead', 256) +
    line('Tables present', 'LIVE') +
    line('Open count', open) +
    line('Event number', top ? 0 : dm.events) +
    line('Major, minor', `${DM_MAJOR}, ${top ? pool.minors[3] : pool.minors[0]}`) +
    line('Number of targets', 1) +
    `UUID: ${uuid}\n\n`
  );
}

export interface ParsedDmsetup {
  readonly command: string;
  readonly verbose: boolean;
  readonly positional: string[];
}

/** dmsetup's command line: global -v/--verbose anywhere, --noflush, the command and its arguments. */
export function parseDmsetupArgs(argv: readonly string[]): ParsedDmsetup | DmResult {
  let verbose = false;
  const words: string[] = [];
  for (const a of argv) {
    if (a === '-v' || a === '--verbose') verbose = true;
    else if (a === '--noflush') continue;
    else if (a.startsWith('-')) return { exitCode: 1, stdout: '', stderr: `dmsetup: unrecognized option '${a}'\n` };
    else words.push(a);
  }
  const [command = '', ...positional] = words;
  return { command, verbose, positional };
}

/** `status [-v] NAME` of a thin pool's -tpool device. */
export function status(state: SimState, p: ParsedDmsetup): DmResult {
  const name = p.positional[0];
  if (p.positional.length !== 1 || name === undefined) {
    return { exitCode: 1, stdout: '', stderr: 'Command status with no device (all devices) is not implemented by the simulated dmsetup.\nCommand failed.\n' };
  }
  const found = findPoolDevice(state, name);
  if (!found) return noDevice();
  const line = found.top ? `0 ${(found.pool.extents * found.vg.extentSize) / SECTOR} linear \n` : targetLine(found.vg, found.pool);
  return { exitCode: 0, stdout: p.verbose ? infoBlock(name, found.vg, found.pool, found.top) + line : line, stderr: '' };
}

/** `wait NAME [N]`: the event number to wait past, or the answer when there is nothing to wait for. */
export function waitTarget(state: SimState, p: ParsedDmsetup): { name: string; after: number } | DmResult {
  const [name, nr] = p.positional;
  if (name === undefined || p.positional.length > 2 || (nr !== undefined && !/^\d+$/.test(nr))) {
    return { exitCode: 1, stdout: '', stderr: 'Usage: dmsetup wait [--noflush] <device> [<event_nr>]\nCommand failed.\n' };
  }
  if (!findPoolDevice(state, name)) {
    return { exitCode: 1, stdout: '', stderr: `device-mapper: waitevent ioctl on ${name}  failed: No such device or address\nCommand failed.\n` };
  }
  return { name, after: nr === undefined ? 0 : Number(nr) };
}

/** /sys/dev/block/MAJ:MIN/stat of a pool's -tpool device, then of its _tmeta and _tdata (its slaves). */
export function blockStats(state: SimState, major: number, minor: number): string[] | undefined {
  if (major !== DM_MAJOR) return undefined;
  for (const vg of state.vgs) {
    for (const lv of vg.lvs) {
      if (lv.type !== 'thin-pool' || !lv.active || lv.minors[0] !== minor) continue;
      const dm = poolDm(lv.pool!);
      const stat = (writes: number) => `0 0 0 0 ${writes} 0 ${writes * 128} 0 0 0 0 0 0 0 0 0 0\n`;
      return [stat(dm.dataWriteIos), stat(dm.metaWriteIos), stat(dm.dataWriteIos)];
    }
  }
  return undefined;
}
