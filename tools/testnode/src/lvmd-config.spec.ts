import { lvmdLayout, volumeGroupsFromLvmdConfig } from './lvmd-config';

const CONFIG = `
socket-name: /run/topolvm/lvmd.sock
device-classes:
  - name: thin
    volume-group: myvg1
    default: true
    type: thin
    thin-pool:
      name: pool0
      overprovision-ratio: 10.0
  - name: thin2
    volume-group: myvg1
    type: thin
    thin-pool:
      name: pool1
      overprovision-ratio: 5.0
  - name: thick
    volume-group: thickvg
    spare-gb: 1
`;

const GiB = 1024 ** 3;

describe('lvmd config layout', () => {
  it('collects thin pools per volume group', () => {
    expect([...lvmdLayout(CONFIG).volumeGroups]).toEqual([
      ['myvg1', ['pool0', 'pool1']],
      ['thickvg', []],
    ]);
  });

  it('gives each volume group its own disk and sizes each pool', () => {
    const { volumeGroups, disks } = volumeGroupsFromLvmdConfig(CONFIG, { diskSizeBytes: 8 * GiB, poolSizeBytes: 2 * GiB }, 1);
    expect(disks).toEqual([{ sizeBytes: 8 * GiB }, { sizeBytes: 8 * GiB }]);
    expect(volumeGroups).toEqual([
      { name: 'myvg1', disks: [1], thinPools: [{ name: 'pool0', sizeBytes: 2 * GiB }, { name: 'pool1', sizeBytes: 2 * GiB }] },
      { name: 'thickvg', disks: [2], thinPools: [] },
    ]);
  });

  it('refuses pools that cannot fit the disk', () => {
    expect(() => volumeGroupsFromLvmdConfig(CONFIG, { diskSizeBytes: 4 * GiB, poolSizeBytes: 2 * GiB })).toThrow(/do not fit/);
  });

  it.each([
    ['no device classes', 'socket-name: x\n', /no device-classes/],
    ['a thin class without a pool', 'device-classes:\n  - name: a\n    volume-group: vg\n    type: thin\n', /no thin-pool.name/],
  ])('rejects a config with %s', (_what, text, message) => {
    expect(() => lvmdLayout(text)).toThrow(message);
  });
});
