import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SysfsBlockStats } from './block-stats';

/** A sysfs tree as the kernel lays out a thin pool's -tpool device (253:2) over its _tmeta and _tdata. */
function fakeSysfs(): string {
  const root = mkdtempSync(join(tmpdir(), 'copse-sysfs-'));
  for (const [dev, stat] of [
    ['dm-0', '15 0 144 8 28 0 128 4 0 12 12 0 0 0 0 0 0'],
    ['dm-1', '0 0 0 0 6528 0 98304 0 0 0 0 0 0 0 0 0 0'],
    ['dm-2', '0 0 0 0 6528 0 98304 27484 0 632 27484 0 0 0 0 0 0'],
  ] as const) {
    mkdirSync(join(root, 'block', dev), { recursive: true });
    writeFileSync(join(root, 'block', dev, 'stat'), `${stat}\n`);
  }
  mkdirSync(join(root, 'block', 'dm-2', 'slaves'));
  symlinkSync('../../dm-0', join(root, 'block', 'dm-2', 'slaves', 'dm-0'));
  symlinkSync('../../dm-1', join(root, 'block', 'dm-2', 'slaves', 'dm-1'));
  mkdirSync(join(root, 'dev', 'block'), { recursive: true });
  symlinkSync('../../block/dm-2', join(root, 'dev', 'block', '253:2'));
  return root;
}

describe('SysfsBlockStats', () => {
  it("reads the device's stat line, then its slaves' (the pool's metadata and data devices)", () => {
    const stats = new SysfsBlockStats(fakeSysfs());
    expect(stats.read(253, 2)?.map((l) => l.trim().split(/\s+/)[4])).toEqual(['6528', '28', '6528']);
  });

  it('answers undefined for a device that is not there, and names the file it looked for', () => {
    const root = fakeSysfs();
    const stats = new SysfsBlockStats(root);
    expect(stats.read(253, 9)).toBeUndefined();
    expect(stats.describe(253, 9)).toBe(join(root, 'dev/block/253:9/stat'));
  });
});
