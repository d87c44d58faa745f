import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDmStatusVerbose, parseDmTargetLine, parseThinPoolStatus, type ThinPoolStatus } from './device-mapper';
import { thinPoolHealth, thinPoolHealthAffectsVolumes, thinPoolHealthBlocksReadiness, THIN_POOL_HEALTH_STATUSES } from './thin-pool-health';

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
    else expect(h.reason).toMatch(/data 100\.00%, metadata \d+\.\d\d%\)$/);
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
