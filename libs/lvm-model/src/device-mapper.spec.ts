import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DmParseError,
  blockIoMoved,
  lvmPercent,
  parseBlockStat,
  parseDmStatusVerbose,
  parseDmTargetLine,
  parseThinPoolStatus,
  thinPoolDmName,
  thinPoolMetadataDmName,
} from './device-mapper';

// Verbatim output of the kernel 6.1 test node (fixtures/dmsetup/README.md).
const fixture = (name: string): string => readFileSync(join(__dirname, 'fixtures', 'dmsetup', name), 'utf8');

/** lvs's own figures for the pool in the same state, from the lvs fixture captured beside the status. */
function lvsPool(name: string): { data: string; meta: string; attr: string } {
  const doc = JSON.parse(fixture(name)) as { report: { lv: Record<string, string>[] }[] };
  const row = doc.report[0]!.lv.find((r) => r['lv_name'] === 'pool0')!;
  return { data: row['data_percent']!, meta: row['metadata_percent']!, attr: row['lv_attr']! };
}

describe('device-mapper names', () => {
  it('names the pool target and metadata devices as lvm2 does (dmsetup ls of the test node)', () => {
    expect(thinPoolDmName('my-vg', 'pool0')).toBe('my--vg-pool0-tpool');
    expect(thinPoolMetadataDmName('my-vg', 'pool0')).toBe('my--vg-pool0_tmeta');
  });
});

describe('parseDmStatusVerbose on captured output', () => {
  it('reads the info block and the thin-pool line of a fresh pool', () => {
    const { info, targets } = parseDmStatusVerbose(fixture('status-v-fresh.txt'));
    expect(info).toEqual({ name: 'my--vg-pool0-tpool', state: 'ACTIVE', eventNumber: 0, major: 253, minor: 2, openCount: 3 });
    expect(targets).toHaveLength(1);
    expect(parseThinPoolStatus(targets[0]!)).toEqual({
      kind: 'ok',
      lengthSectors: 131072,
      transactionId: 2,
      metadataUsedBlocks: 113,
      metadataTotalBlocks: 1024,
      dataUsedBlocks: 0,
      dataTotalBlocks: 1024,
      dataBlockBytes: 65536,
      mode: 'rw',
      discardPassdown: true,
      errorIfNoSpace: false,
      needsCheck: false,
      metadataLowWatermark: 256,
    });
  });

  it.each([
    ['status-v-partial.txt', 0, 'rw', false, 384],
    ['status-v-full-rw.txt', 0, 'rw', false, 1024],
    ['status-v-out-of-data-space-queue.txt', 2, 'out_of_data_space', false, 1024],
    ['status-v-out-of-data-space-error.txt', 3, 'out_of_data_space', true, 1024],
    ['status-v-after-free.txt', 4, 'rw', false, 640],
  ])('%s: event %i, mode %s, error_if_no_space %s, %i data blocks used', (file, event, mode, errorIfNoSpace, used) => {
    const { info, targets } = parseDmStatusVerbose(fixture(file));
    expect(info.eventNumber).toBe(event);
    expect(parseThinPoolStatus(targets[0]!)).toMatchObject({ kind: 'ok', mode, errorIfNoSpace, dataUsedBlocks: used, dataTotalBlocks: 1024 });
  });

  it('gives the same data% and metadata% as lvs printed for the pool in the same state', () => {
    const pairs: Array<[string, string]> = [
      ['status-v-partial.txt', 'lvs-pool-partial.json'],
      ['status-v-full-rw.txt', 'lvs-pool-full-rw.json'],
      ['status-v-out-of-data-space-queue.txt', 'lvs-out-of-data-space-queue.json'],
      ['status-v-out-of-data-space-error.txt', 'lvs-out-of-data-space-error.json'],
      ['status-v-after-free.txt', 'lvs-after-free.json'],
    ];
    for (const [status, lvs] of pairs) {
      const s = parseThinPoolStatus(parseDmStatusVerbose(fixture(status)).targets[0]!);
      if (s.kind !== 'ok') throw new Error('expected ok');
      const pool = lvsPool(lvs);
      expect([lvmPercent(s.dataUsedBlocks, s.dataTotalBlocks).toFixed(2), lvmPercent(s.metadataUsedBlocks, s.metadataTotalBlocks).toFixed(2)]).toEqual([
        pool.data,
        pool.meta,
      ]);
    }
  });

  it("agrees with lvs's pool attr: D (out of data) exactly when the mode is out_of_data_space", () => {
    expect(lvsPool('lvs-pool-full-rw.json').attr).toBe('twi-aotz--');
    expect(lvsPool('lvs-out-of-data-space-queue.json').attr).toBe('twi-aotzD-');
    expect(lvsPool('lvs-out-of-data-space-error.json').attr).toBe('twi-aotzD-');
    expect(lvsPool('lvs-after-free.json').attr).toBe('twi-aotz--');
  });

  it('reports the major:minor lvs gives the pool (the -tpool device)', () => {
    const row = (JSON.parse(fixture('lvs-pool-partial.json')) as { report: { lv: Record<string, string>[] }[] }).report[0]!.lv[0]!;
    const { info } = parseDmStatusVerbose(fixture('status-v-partial.txt'));
    expect([info.major, info.minor]).toEqual([Number(row['lv_kernel_major']), Number(row['lv_kernel_minor'])]);
  });

  it('refuses output that is not dmsetup status -v, naming what is missing', () => {
    expect(() => parseDmStatusVerbose(fixture('status-out-of-data-space-queue.txt'))).toThrow(/expected "Key: value"/);
    expect(() => parseDmStatusVerbose('Name: x\nState: ACTIVE\nMajor, minor: 253, 1\n\n0 8 linear 1:2 0\n')).toThrow(/no "Event number" line/);
    expect(() => parseDmStatusVerbose('Name: x\nState: ACTIVE\nOpen count: 0\nEvent number: 1\nMajor, minor: 253\n')).toThrow(/Major, minor/);
  });
});

describe('parseThinPoolStatus', () => {
  const line = (params: string) => parseDmTargetLine(`0 131072 thin-pool ${params}`);
  // Derived from the captured lines, as drivers/md/dm-thin.c pool_status() prints them.
  it.each([
    ['2 1024/1024 700/1024 - ro discard_passdown queue_if_no_space - 256', { mode: 'ro', needsCheck: false }],
    ['2 300/1024 700/1024 - ro discard_passdown queue_if_no_space needs_check 256', { mode: 'ro', needsCheck: true }],
    ['2 113/1024 0/1024 - rw no_discard_passdown error_if_no_space - 256', { discardPassdown: false, errorIfNoSpace: true }],
    ['2 113/1024 0/1024 17 rw discard_passdown queue_if_no_space -', { needsCheck: false }],
  ])('reads "%s"', (params, expected) => {
    expect(parseThinPoolStatus(line(params))).toMatchObject({ kind: 'ok', ...expected });
  });

  it('reads the words "Fail" and "Error"', () => {
    expect(parseThinPoolStatus(line('Fail'))).toEqual({ kind: 'failed' });
    expect(parseThinPoolStatus(line('Error'))).toEqual({ kind: 'error' });
  });

  it.each([
    ['2 113/1024 0/1024 - xx discard_passdown queue_if_no_space - 256', /unknown mode/],
    ['2 113/1024 0/1024 - rw discard_passdown maybe - 256', /no-space policy/],
    ['2 113 0/1024 - rw discard_passdown queue_if_no_space - 256', /metadata blocks is not used\/total/],
    ['2 113/1024', /expected at least 8/],
    ['2 113/1024 0/0 - rw discard_passdown queue_if_no_space - 256', /no data blocks/],
  ])('refuses "%s"', (params, message) => {
    expect(() => parseThinPoolStatus(line(params))).toThrow(message);
  });

  it('refuses another target type', () => {
    expect(() => parseThinPoolStatus(parseDmTargetLine('0 8192 linear 254:16 141312'))).toThrow(/not a thin-pool target/);
  });
});

describe('lvmPercent', () => {
  it.each([
    [0, 1024, 0],
    [1024, 1024, 100],
    [384, 1024, 37.5],
    [113, 1024, 11.04],
    [1, 1_000_000, 0.01],
    [999_999, 1_000_000, 99.99],
    [5, 0, 100],
  ])('%i of %i is %d', (used, total, expected) => {
    expect(lvmPercent(used, total)).toBe(expected);
  });
});

describe('block stat', () => {
  it('reads the write and discard counters of the captured stat lines', () => {
    expect(parseBlockStat(fixture('stat-tpool-fresh.txt'))).toEqual({ writeIos: 0, writeSectors: 0, inFlight: 0, discardIos: 0, discardSectors: 0 });
    const written = parseBlockStat(fixture('stat-tpool-written.txt'));
    expect(written).toMatchObject({ writeIos: 6528, writeSectors: 98304 });
    expect(blockIoMoved(parseBlockStat(fixture('stat-tpool-fresh.txt')), written)).toBe(true);
    expect(blockIoMoved(written, written)).toBe(false);
  });

  it('reads the 11-field lines of kernels before 4.18 (no discard counters)', () => {
    expect(parseBlockStat('1 2 3 4 5 6 7 8 9 10 11')).toEqual({ writeIos: 5, writeSectors: 7, inFlight: 9, discardIos: 0, discardSectors: 0 });
  });

  it('sees a discard as movement', () => {
    const a = parseBlockStat('0 0 0 0 5 0 7 0 0 0 0 1 0 8 0');
    const b = parseBlockStat('0 0 0 0 5 0 7 0 0 0 0 2 0 16 0');
    expect(blockIoMoved(a, b)).toBe(true);
  });

  it('refuses what is not a stat line', () => {
    expect(() => parseBlockStat('0 0 0')).toThrow(DmParseError);
    expect(() => parseBlockStat('a b c d e f g h i j k')).toThrow(DmParseError);
  });
});
