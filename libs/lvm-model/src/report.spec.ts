import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  LVS_FIELDS,
  ReportParseError,
  VGS_FIELDS,
  parseFullReport,
  parseLvsReport,
  parseVgsReport,
  type LvRecord,
} from './report';

// Verbatim stdout of lvm2 2.03.16 (see fixtures/README.md for the commands).
const fixture = (name: string): string => readFileSync(join(__dirname, 'fixtures', name), 'utf8');

/** Builds an lvs report with one row, starting from thin1 of the capture. */
function lvsWith(change: (row: Record<string, unknown>) => void): string {
  const doc = JSON.parse(fixture('lvs-all-fields.json'));
  const row = doc.report[0].lv.find((r: { lv_name: string }) => r.lv_name === 'thin1');
  change(row);
  doc.report[0].lv = [row];
  return JSON.stringify(doc);
}

function byName(lvs: LvRecord[]): Record<string, LvRecord> {
  return Object.fromEntries(lvs.map((lv) => [lv.name, lv]));
}

describe('field lists', () => {
  it('are what the captured lvs/vgs commands asked for, in that order', () => {
    expect(LVS_FIELDS.join(',')).toBe(
      'lv_uuid,lv_name,lv_full_name,lv_path,lv_size,lv_kernel_major,lv_kernel_minor,origin,origin_size,pool_lv,lv_tags,lv_attr,vg_name,data_percent,metadata_percent',
    );
    expect(VGS_FIELDS.join(',')).toBe(
      'vg_uuid,vg_name,vg_size,vg_free,vg_extent_size,vg_extent_count,vg_free_count',
    );
  });
});

describe('parseLvsReport on the captured lvs output', () => {
  const lvs = parseLvsReport(fixture('lvs-all-fields.json'));
  const lv = byName(lvs);

  it('returns every LV in report order', () => {
    expect(lvs.map((l) => l.name)).toEqual(['big', 'pool0', 'restore1', 'snap1', 'snapskip', 'thick1', 'thin1']);
  });

  it('parses a tagged thin volume completely', () => {
    const thin1 = lv['thin1'] as LvRecord;
    expect({ ...thin1, attr: thin1.attr.raw }).toEqual({
      uuid: 'ueonGf-3rWl-g6QJ-QsVa-yvBK-VvQe-SCdGNm',
      name: 'thin1',
      fullName: 'myvg1/thin1',
      path: '/dev/myvg1/thin1',
      sizeBytes: 104857600,
      kernelMajor: 253,
      kernelMinor: 4,
      origin: '',
      poolLv: 'pool0',
      tags: ['owner=copse'],
      attr: 'Vwi-a-tz--',
      vgName: 'myvg1',
      dataPercent: 0,
    });
    expect(thin1).not.toHaveProperty('metadataPercent');
  });

  it('parses the thin pool: no device path, data and metadata percent', () => {
    expect(lv['pool0']).toMatchObject({ path: '', poolLv: '', sizeBytes: 536870912, dataPercent: 0, metadataPercent: 11.04 });
    expect(lv['pool0']?.attr.isThinPool).toBe(true);
  });

  it('links snapshots to their origin', () => {
    expect(lv['snap1']).toMatchObject({ origin: 'thin1', tags: ['kind=snapshot'], sizeBytes: 104857600 });
    expect(lv['snap1']?.attr.permission).toBe('read-only');
    expect(lv['restore1']).toMatchObject({ origin: 'snap1', sizeBytes: 209715200 });
  });

  it('gives -1 device numbers and no data percent for the inactive activation-skip snapshot', () => {
    const snapskip = lv['snapskip'] as LvRecord;
    expect(snapskip).toMatchObject({ kernelMajor: -1, kernelMinor: -1, origin: 'thin1' });
    expect(snapskip.dataPercent).toBeUndefined();
    expect(snapskip.attr).toMatchObject({ active: false, activationSkip: true });
  });

  it('parses the thick LV with its extent-rounded size', () => {
    expect(lv['thick1']).toMatchObject({ sizeBytes: 54525952, poolLv: '', origin: '', tags: [], kernelMinor: 5 });
    expect(lv['thick1']?.dataPercent).toBeUndefined();
  });

  it('sees the overprovisioned 10 GiB volume', () => {
    expect(lv['big']?.sizeBytes).toBe(10 * 1024 ** 3);
  });
});

describe('parseLvsReport edge cases', () => {
  it('returns [] for the empty report lvs prints for a missing LV', () => {
    expect(parseLvsReport(fixture('lvs-not-found.json'))).toEqual([]);
  });

  it('splits several tags on commas', () => {
    const [lv] = parseLvsReport(lvsWith((r) => (r['lv_tags'] = 'a=1,b,c=x')));
    expect(lv?.tags).toEqual(['a=1', 'b', 'c=x']);
  });

  it('concatenates rows of several report entries', () => {
    const one = JSON.parse(lvsWith(() => undefined));
    one.report.push(one.report[0]);
    expect(parseLvsReport(JSON.stringify(one)).map((l) => l.name)).toEqual(['thin1', 'thin1']);
  });

  it('tolerates extra fields and a log section', () => {
    const doc = JSON.parse(lvsWith((r) => (r['lv_layout'] = 'thin,sparse')));
    doc.log = [{ log_seq_num: '1', log_type: 'status', log_message: '' }];
    expect(parseLvsReport(JSON.stringify(doc))).toHaveLength(1);
  });

  it('refuses a report without all of LVS_FIELDS, naming what is missing (the short capture)', () => {
    expect(() => parseLvsReport(fixture('lvs-after-origin-removed.json'))).toThrow(
      'lvs row 0 (lv_name "big"): field lv_uuid is missing (so are lv_full_name, lv_path, lv_kernel_major, lv_kernel_minor, origin_size, pool_lv, lv_tags, vg_name, data_percent, metadata_percent)',
    );
  });

  it.each(LVS_FIELDS.map((f) => [f]))('names the missing field %s', (field) => {
    const stdout = lvsWith((r) => delete r[field]);
    expect(() => parseLvsReport(stdout)).toThrow(ReportParseError);
    expect(() => parseLvsReport(stdout)).toThrow(`field ${field} is missing`);
    try {
      parseLvsReport(stdout);
    } catch (e) {
      expect(e).toMatchObject({ field, row: 0 });
    }
  });

  it.each<[string, unknown, RegExp]>([
    ['lv_size', '100.00m', /field lv_size is not a whole number: "100.00m" \(was --units b --nosuffix given\?\)/],
    ['lv_size', '104857600B', /field lv_size is not a whole number/],
    ['lv_size', '', /field lv_size is not a whole number/],
    ['lv_size', 104857600, /field lv_size is not a string: 104857600/],
    ['lv_size', '99999999999999999999', /field lv_size exceeds Number.MAX_SAFE_INTEGER/],
    ['lv_kernel_major', '-2', /field lv_kernel_major is not a device number/],
    ['lv_kernel_minor', 'x', /field lv_kernel_minor is not a device number/],
    ['data_percent', 'n/a', /field data_percent is not a percentage/],
    ['metadata_percent', '-1', /field metadata_percent is not a percentage/],
    ['lv_attr', 'Vwi-a-tz', /field lv_attr invalid lv_attr "Vwi-a-tz": expected 10 characters/],
    ['lv_name', '', /field lv_name is empty/],
    ['lv_tags', null, /field lv_tags is not a string: null/],
  ])('rejects %s = %j', (field, value, message) => {
    const stdout = lvsWith((r) => (r[field] = value));
    expect(() => parseLvsReport(stdout)).toThrow(message);
  });

  it.each([
    ['not JSON', 'WARNING: something\n{}', /lvs output is not JSON/],
    ['no report', '{"reports": []}', /no "report" array/],
    ['report not a list', '{"report": {}}', /no "report" array/],
    ['no lv section', '{"report": [{"vg": []}]}', /no "lv" array/],
    ['row not an object', '{"report": [{"lv": ["x"]}]}', /lvs row 0 is not an object/],
  ])('rejects %s', (_what, stdout, message) => {
    expect(() => parseLvsReport(stdout)).toThrow(ReportParseError);
    expect(() => parseLvsReport(stdout)).toThrow(message);
  });
});

describe('parseVgsReport', () => {
  it('parses the captured vgs output', () => {
    expect(parseVgsReport(fixture('vgs.json'))).toEqual([
      {
        uuid: 'kwGi9o-xR4D-XzRA-dPYo-RLgK-NloG-pRoeTd',
        name: 'myvg1',
        sizeBytes: 1069547520,
        freeBytes: 469762048,
        extentSizeBytes: 4194304,
        extentCount: 255,
        freeCount: 112,
      },
    ]);
  });

  it('agrees with itself: free bytes are free extents x extent size', () => {
    const [vg] = parseVgsReport(fixture('vgs.json'));
    expect(vg && vg.freeCount * vg.extentSizeBytes).toBe(vg?.freeBytes);
  });

  it('returns [] for the empty report vgs prints for a missing VG', () => {
    expect(parseVgsReport(fixture('vgs-not-found.json'))).toEqual([]);
  });

  it.each(VGS_FIELDS.map((f) => [f]))('names the missing field %s', (field) => {
    const doc = JSON.parse(fixture('vgs.json'));
    delete doc.report[0].vg[0][field];
    expect(() => parseVgsReport(JSON.stringify(doc))).toThrow(new RegExp(`vgs row 0.*field ${field} is missing`));
  });

  it('rejects a size printed with a unit', () => {
    const doc = JSON.parse(fixture('vgs.json'));
    doc.report[0].vg[0].vg_free = '448.00m';
    expect(() => parseVgsReport(JSON.stringify(doc))).toThrow(/vgs row 0 \(vg_name "myvg1"\): field vg_free is not a whole number/);
  });

  it('rejects an lvs report', () => {
    expect(() => parseVgsReport(fixture('lvs-all-fields.json'))).toThrow(/no "vg" array/);
  });
});

describe('parseFullReport', () => {
  const [entry, ...rest] = parseFullReport(fixture('fullreport.json'));

  it('returns one entry per VG', () => {
    expect(rest).toEqual([]);
    expect(entry?.vg).toMatchObject({ name: 'myvg1', freeBytes: 469762048, extentCount: 255 });
  });

  it('gives every LV the name of the VG it is listed under', () => {
    expect(entry?.lvs.map((lv) => [lv.name, lv.vgName])).toEqual([
      ['big', 'myvg1'],
      ['pool0', 'myvg1'],
      ['restore1', 'myvg1'],
      ['snap1', 'myvg1'],
      ['snapskip', 'myvg1'],
      ['thick1', 'myvg1'],
    ]);
  });

  it('shows snapshots whose origin was removed with origin ""', () => {
    const lv = byName([...(entry?.lvs ?? [])]);
    expect(lv['snap1']).toMatchObject({ origin: '', sizeBytes: 104857600, tags: ['kind=snapshot'] });
    expect(lv['snapskip']?.origin).toBe('');
    expect(lv['restore1']?.origin).toBe('snap1');
    expect(lv['pool0']?.metadataPercent).toBeGreaterThan(0);
  });

  it('rejects an entry without exactly one vg row', () => {
    const doc = JSON.parse(fixture('fullreport.json'));
    doc.report[0].vg = [];
    expect(() => parseFullReport(JSON.stringify(doc))).toThrow(/report\[0\] has 0 vg rows, expected 1/);
  });
});
