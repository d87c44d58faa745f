import { parseLvsReport } from '@copse/lvm-model';
import type { VgState } from '@copse/lvm-exec';
import { deviceClassView, volumeView } from './views';

const GiB = 2 ** 30;
const row = (name: string, attr: string, extra: Record<string, string> = {}) => ({
  lv_uuid: `uuid-${name}`, lv_name: name, lv_full_name: `vg/${name}`, lv_path: `/dev/vg/${name}`, lv_size: String(GiB),
  lv_kernel_major: '253', lv_kernel_minor: '1', origin: '', origin_size: '', pool_lv: 'pool0', lv_tags: '', lv_attr: attr,
  vg_name: 'vg', data_percent: '0.00', metadata_percent: '', ...extra,
});
const lvs = parseLvsReport(
  JSON.stringify({
    report: [
      {
        lv: [
          row('pool0', 'twi-aotz--', { lv_path: '', pool_lv: '', lv_size: String(10 * GiB), metadata_percent: '1.00' }),
          row('done', 'Vwi-a-tz--', { lv_tags: 'owner=copse,copse.lvmd/option-class=fast' }),
          row('half', 'Vwi-a-tz--', { lv_tags: 'copse.lvmd/creating=2147483648,owner=copse' }),
        ],
      },
    ],
  }),
);
const state: VgState = {
  vg: { uuid: 'u', name: 'vg', sizeBytes: 100 * GiB, freeBytes: 80 * GiB, extentSizeBytes: 4 * 2 ** 20, extentCount: 1, freeCount: 1 },
  lvs,
};
const thin = { name: 'thin', volumeGroup: 'vg', default: true, spareBytes: 10 * GiB, lvcreateOptions: [], type: 'thin' as const, thinPool: { name: 'pool0', overprovisionRatio: 2 } };
const thick = { name: 'thick', volumeGroup: 'vg', default: false, spareBytes: 10 * GiB, lvcreateOptions: [], type: 'thick' as const };

describe('deviceClassView', () => {
  it('shows spareBytes where it applies, a thick class, and not for a thin class (issue 6: 10 GiB that meant nothing)', () => {
    expect(deviceClassView(thick, state)).toMatchObject({ spareBytes: 10 * GiB, freeBytes: 70 * GiB });
    const view = deviceClassView(thin, state);
    expect(view).not.toHaveProperty('spareBytes');
    expect(view.freeBytes).toBe(20 * GiB - 2 * GiB);
  });
});

describe('volumeView', () => {
  it("shows the caller's tags, the option class, and the state its marker says", () => {
    const [, done, half] = lvs;
    expect(volumeView(done!, thin, lvs)).toMatchObject({ tags: ['owner=copse'], lvcreateOptionClass: 'fast', state: 'ready' });
    const incomplete = volumeView(half!, thin, lvs);
    expect(incomplete).toMatchObject({ tags: ['owner=copse'], state: 'incomplete' });
    expect(incomplete).not.toHaveProperty('lvcreateOptionClass');
  });
});
