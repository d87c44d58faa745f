/**
 * The lvm argv lvmd-http runs (libs/lvm-exec/src/lvm.ts), as one sequence against a fresh
 * volume group with a thin pool, to run on the simulated lvm2 and on real lvm2 and compare
 * exit code, stdout and stderr.
 */
import { LVS_FIELDS, VGS_FIELDS } from '@copse/lvm-model';
import { MiB, POOL } from './fixture';

export interface LvmOutcome {
  readonly argv: readonly string[];
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

const REPORT = ['--units', 'b', '--nosuffix', '--reportformat', 'json'];
/** lvmd-http's one-call read of LVs plus the VG's figures (Lvm.readLvs). */
const LV_AND_VG_FIELDS = [...LVS_FIELDS, ...VGS_FIELDS.filter((f) => f !== 'vg_name')].join(',');
/** Extra fields worth seeing while comparing; lvmd-http does not read them. */
const POOL_FIELDS = 'lv_name,lv_attr,data_percent,metadata_percent,lv_metadata_size,thin_count,lv_active,lv_permissions,lv_skip_activation';

export function lvmCommands(vg: string): string[][] {
  const b = (n: number) => `${n}b`;
  const lvs = (...targets: string[]) => ['lvs', ...targets, '-o', LV_AND_VG_FIELDS, ...REPORT];
  return [
    lvs(vg),
    ['vgs', vg, '-o', VGS_FIELDS.join(','), ...REPORT],
    ['lvcreate', '-T', `${vg}/${POOL}`, '-n', 'a', '-V', b(64 * MiB), '-W', 'y', '-y', '--addtag', 'owner=copse'],
    ['lvcreate', '-n', 'k', '-L', b(50 * MiB), '-W', 'y', '-y', vg],
    // lvmd-http's read-only snapshot: one call, -k n so it comes out active, -p r.
    ['lvcreate', '-s', '-k', 'n', '-p', 'r', '-n', 's', '--addtag', 'kind=snapshot', `${vg}/a`],
    ['lvcreate', '-s', '-k', 'n', '-n', 'r', `${vg}/s`],
    ['lvresize', '-L', b(128 * MiB), `${vg}/r`],
    ['lvcreate', '-s', '-k', 'n', '-n', 'c', `${vg}/a`],
    lvs(`${vg}/r`, `${vg}/${POOL}`),
    lvs(`${vg}/s`, `${vg}/nosuch`, `${vg}/${POOL}`),
    ['lvs', vg, '-o', POOL_FIELDS, ...REPORT],
    ['lvchange', '-p', 'r', `${vg}/r`],
    ['lvchange', '-p', 'r', `${vg}/r`],
    ['lvchange', '-p', 'rw', `${vg}/r`],
    ['lvchange', '-p', 'rw', `${vg}/r`],
    // Not run by lvmd-http (pools belong to no class), but one of the simulation's unsure points.
    ['lvchange', '-p', 'r', `${vg}/${POOL}`],
    ['lvchange', '-a', 'n', `${vg}/c`],
    ['lvchange', '-a', 'n', `${vg}/c`],
    ['lvchange', '-k', 'n', '-a', 'y', `${vg}/c`],
    ['lvchange', '-a', 'n', `${vg}/k`],
    ['lvresize', '-L', b(100 * MiB), `${vg}/k`],
    ['lvresize', '-L', b(100 * MiB), `${vg}/k`],
    ['lvresize', '-L', b(32 * MiB), `${vg}/k`],
    ['lvchange', '-k', 'n', '-a', 'y', `${vg}/k`],
    ['lvresize', '-L', b(64 * MiB), `${vg}/k`],
    ['lvcreate', '-T', `${vg}/${POOL}`, '-n', 'a', '-V', b(64 * MiB), '-W', 'y', '-y'],
    ['lvcreate', '-n', 'huge', '-L', b(100 * 1024 * MiB), '-W', 'y', '-y', vg],
    ['lvcreate', '-T', `${vg}/${POOL}`, '-n', 'big', '-V', b(10 * 1024 * MiB), '-W', 'y', '-y'],
    ['lvcreate', '-T', `${vg}/${POOL}`, '-n', 'odd', '-V', '1000000b', '-W', 'y', '-y'],
    ['lvcreate', '-s', '-k', 'n', '-n', 'x', `${vg}/nosuch`],
    // every create: the caller's tags and lvmd-http's own in one lvcreate (tags in no order), the marker removed last
    [
      'lvcreate', '-T', `${vg}/${POOL}`, '-n', 'm', '-V', b(64 * MiB), '-W', 'y', '-y',
      '--addtag', 'zone=b', '--addtag', 'owner=copse', '--addtag', 'copse.lvmd/option-class=sequential',
      '--addtag', `copse.lvmd/creating=${64 * MiB}`, '--readahead', '2048',
    ],
    lvs(`${vg}/m`),
    ['lvchange', '--deltag', `copse.lvmd/creating=${64 * MiB}`, `${vg}/m`],
    ['lvchange', '--deltag', `copse.lvmd/creating=${64 * MiB}`, `${vg}/m`],
    lvs(`${vg}/m`),
    ['lvcreate', '-s', '-k', 'n', '-n', 'mr', '--addtag', `copse.lvmd/creating=${128 * MiB}`, `${vg}/m`],
    ['lvresize', '-L', b(128 * MiB), `${vg}/mr`],
    ['lvchange', '--deltag', `copse.lvmd/creating=${128 * MiB}`, `${vg}/mr`],
    lvs(`${vg}/mr`),
    ['lvcreate', '-n', 'km', '-L', b(8 * MiB), '-W', 'y', '-y', '--addtag', `copse.lvmd/creating=${8 * MiB}`, '--readahead', '2048', vg],
    ['lvchange', '--deltag', `copse.lvmd/creating=${8 * MiB}`, `${vg}/km`],
    ['lvs', vg, '-o', POOL_FIELDS, ...REPORT],
    ['lvremove', '-f', `${vg}/a`],
    lvs(vg),
    ['lvremove', '-f', `${vg}/a`],
    ['lvremove', '-f', `${vg}/big`],
    ['lvresize', '-L', b(64 * MiB), `${vg}/nosuch`],
    ['lvchange', '-a', 'n', `${vg}/nosuch`],
    ['lvs', `${vg}/nosuch`, '-o', LV_AND_VG_FIELDS, ...REPORT],
    ['vgs', 'nosuchvg', '-o', VGS_FIELDS.join(','), ...REPORT],
    ['lvs', vg, '-o', POOL_FIELDS, ...REPORT],
    lvs(vg),
  ];
}

const UUID = /[A-Za-z0-9]{6}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{6}/g;

/**
 * Normalised for what two correct lvm2s may differ in: uuids, the kernel's minor numbers
 * (assigned in the kernel's order) and lv_time. Split into lines for readable diffs.
 */
export function normaliseLvm(o: LvmOutcome): { argv: string; exitCode: number; stdout: string[]; stderr: string[] } {
  const n = (text: string) =>
    text
      .replace(UUID, '<uuid>')
      .replace(/"lv_kernel_minor":"\d+"/g, '"lv_kernel_minor":"<minor>"')
      .replace(/"lv_time":"[^"]*"/g, '"lv_time":"<time>"')
      .split('\n');
  return { argv: o.argv.join(' '), exitCode: o.exitCode, stdout: n(o.stdout), stderr: n(o.stderr) };
}
