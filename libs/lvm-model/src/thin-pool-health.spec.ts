import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDmStatusVerbose, parseDmTargetLine, parseThinPoolStatus, type ThinPoolStatus } from './device-mapper';
import { parseLvsReport } from './report';
import { thinPoolHealth, thinPoolHealthAffectsVolumes, thinPoolHealthBlocksReadiness, thinPoolHealthFromLvs, THIN_POOL_HEALTH_STATUSES } from './thin-pool-health';

const fixture = (name: string): string => readFileSync(join(__dirname, 'fixtures', 'dmsetup', name), 'utf8');
const captured = (name: string): ThinPoolStatus => parseThinPoolStatus(parseDmStatusVerbose(fixture(name)).targets[0]!);
const line = (params: string): ThinPoolStatus => parseThinPoolStatus(parseDmTargetLine(`0 131072 thin-pool ${params}`));
const options = { warningPercent: 80 };

describe('thinPoolHealth on the captured fill of a 64 MiB pool', () => {
  it.each([
    ['status-v-fresh.txt', 'ok', 0],
    ['status-v-partial.txt', 'ok', 37.5],
    ['status-v-full-rw.txt', 'full', 100],
    ['status-v-out-of-data-space-queue.txt', 'out-of-data-space', 100],
    ['status-v-out-of-data-space-error.txt', 'error-io', 100],
    ['status-v-after-free.txt', 'ok', 62.5],
  ])('%s is %s at data %d%%', (file, status, dataPercent) => {
    const h = thinPoolHealth(captured(file), options);
    expect(h.status).toBe(status);
    expect(h.usage?.dataPercent).toBe(dataPercent);
    if (status === 'ok') expect(h.reason).toBeUndefined();
    else expect(h.reason).toMatch(/thin pool/);
  });

  it('gives the figures in bytes: 64 KiB data blocks, 4 KiB metadata blocks', () => {
    expect(thinPoolHealth(captured('status-v-partial.txt'), options).usage).toEqual({
      dataUsedBytes: 24 * 2 ** 20,
      dataSizeBytes: 64 * 2 ** 20,
      metadataUsedBytes: 115 * 4096,
      metadataSizeBytes: 4 * 2 ** 20,
      dataPercent: 37.5,
      metadataPercent: 11.23,
    });
  });

  it('says what queue IO and error IO mean for writes', () => {
    expect(thinPoolHealth(captured('status-v-out-of-data-space-queue.txt'), options).reason).toMatch(/queue IO.*wait until space is freed/);
    expect(thinPoolHealth(captured('status-v-out-of-data-space-error.txt'), options).reason).toMatch(/error IO.*lost/);
  });
});

describe('thinPoolHealth, one case per state', () => {
  it.each([
    ['2 113/1024 818/1024 - rw discard_passdown queue_if_no_space - 256', 'ok'],
    ['2 113/1024 820/1024 - rw discard_passdown queue_if_no_space - 256', 'low-water'],
    ['2 820/1024 10/1024 - rw discard_passdown queue_if_no_space - 256', 'low-water'],
    ['2 113/1024 1023/1024 - rw discard_passdown queue_if_no_space - 256', 'low-water'],
    ['2 113/1024 1024/1024 - rw discard_passdown queue_if_no_space - 256', 'full'],
    ['2 113/1024 1024/1024 - out_of_data_space discard_passdown queue_if_no_space - 256', 'out-of-data-space'],
    ['2 113/1024 1024/1024 - out_of_data_space discard_passdown error_if_no_space - 256', 'error-io'],
    ['2 1024/1024 500/1024 - ro discard_passdown queue_if_no_space - 256', 'read-only'],
    ['2 300/1024 500/1024 - ro discard_passdown queue_if_no_space - 256', 'read-only'],
    ['2 300/1024 1024/1024 - ro discard_passdown queue_if_no_space needs_check 256', 'needs-check'],
    ['Fail', 'failed'],
    ['Error', 'unknown'],
  ])('%s -> %s', (params, status) => {
    expect(thinPoolHealth(line(params), options).status).toBe(status);
  });

  it('tells out of metadata space from a metadata error', () => {
    expect(thinPoolHealth(line('2 1024/1024 500/1024 - ro discard_passdown queue_if_no_space - 256'), options).reason).toMatch(/out of metadata space/);
    expect(thinPoolHealth(line('2 300/1024 500/1024 - ro discard_passdown queue_if_no_space - 256'), options).reason).toMatch(/metadata error/);
  });

  it('takes the warning threshold it is given', () => {
    const half = line('2 113/1024 512/1024 - rw discard_passdown queue_if_no_space - 256');
    expect(thinPoolHealth(half, { warningPercent: 50 }).status).toBe('low-water');
    expect(thinPoolHealth(half, { warningPercent: 51 }).status).toBe('ok');
  });
});

describe('what each state means for volumes and readiness', () => {
  it.each(THIN_POOL_HEALTH_STATUSES.map((s) => [s]))('%s', (status) => {
    const writesStop = ['full', 'out-of-data-space', 'error-io', 'read-only', 'needs-check', 'failed'].includes(status);
    expect(thinPoolHealthAffectsVolumes(status)).toBe(writesStop);
    expect(thinPoolHealthBlocksReadiness(status)).toBe(writesStop || status === 'unknown');
  });
});

describe('thinPoolHealthFromLvs', () => {
  /** The pool row of a captured lvs, with the fields parseLvsReport needs around it. */
  function pool(file: string, change: Record<string, string> = {}) {
    const row = (JSON.parse(fixture(file)) as { report: { lv: Record<string, string>[] }[] }).report[0]!.lv.find((r) => r['lv_name'] === 'pool0')!;
    const fields = ['lv_uuid', 'lv_full_name', 'lv_path', 'origin', 'origin_size', 'pool_lv', 'lv_tags'];
    const full = {
      ...Object.fromEntries(fields.map((f) => [f, ''])),
      lv_size: '67108864',
      lv_kernel_major: '253',
      lv_kernel_minor: '2',
      vg_name: 'my-vg',
      ...row,
      ...change,
    };
    return parseLvsReport(JSON.stringify({ report: [{ lv: [full] }] }))[0]!;
  }

  it('reads the captured states as far as lvs can tell them', () => {
    expect(thinPoolHealthFromLvs(pool('lvs-pool-partial.json'), options).status).toBe('ok');
    expect(thinPoolHealthFromLvs(pool('lvs-pool-full-rw.json'), options).status).toBe('full');
    expect(thinPoolHealthFromLvs(pool('lvs-out-of-data-space-queue.json'), options).status).toBe('out-of-data-space');
    // lvs shows D for error IO as well: only device-mapper tells them apart
    expect(thinPoolHealthFromLvs(pool('lvs-out-of-data-space-error.json'), options).status).toBe('out-of-data-space');
    expect(thinPoolHealthFromLvs(pool('lvs-after-free.json'), options).status).toBe('ok');
  });

  it.each([
    [{ lv_attr: 'twi-aotzM-' }, 'read-only'],
    [{ lv_attr: 'twi-aotzF-' }, 'failed'],
    [{ lv_attr: 'twi-cotz--' }, 'needs-check'],
    [{ lv_attr: 'twi---tz--', data_percent: '', metadata_percent: '' }, 'inactive'],
    [{ data_percent: '85.00' }, 'low-water'],
    [{ metadata_percent: '80.00' }, 'low-water'],
  ])('%j -> %s', (change, status) => {
    expect(thinPoolHealthFromLvs(pool('lvs-pool-partial.json', change), options).status).toBe(status);
  });
});
