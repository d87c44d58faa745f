import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { btrfsSizeFromDumpSuper, ext4SizeFromDumpe2fs, FsSizeParseError, xfsSizeFromXfsIoStatfs } from './fs-size';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');
const MiB = 1024 * 1024;

describe('filesystem sizes from their tools (captured in the test node)', () => {
  it('ext4: block count times block size, before and after growing 64 -> 128 MiB', () => {
    expect(ext4SizeFromDumpe2fs(fixture('dumpe2fs-h.txt'))).toBe(64 * MiB);
    expect(ext4SizeFromDumpe2fs(fixture('dumpe2fs-h-grown.txt'))).toBe(128 * MiB);
  });

  it('xfs: geom.datablocks times geom.bsize (not statfs.f_blocks), 320 -> 400 MiB', () => {
    expect(xfsSizeFromXfsIoStatfs(fixture('xfs_io-statfs.txt'))).toBe(320 * MiB);
    expect(xfsSizeFromXfsIoStatfs(fixture('xfs_io-statfs-grown.txt'))).toBe(400 * MiB);
  });

  it('btrfs: dev_item.total_bytes, 256 -> 300 MiB', () => {
    expect(btrfsSizeFromDumpSuper(fixture('btrfs-dump-super.txt'))).toBe(256 * MiB);
    expect(btrfsSizeFromDumpSuper(fixture('btrfs-dump-super-grown.txt'))).toBe(300 * MiB);
  });

  it('says which tool and field it could not read', () => {
    expect(() => ext4SizeFromDumpe2fs('Block count: 10\n')).toThrow(new FsSizeParseError('dumpe2fs', 'no Block size'));
    expect(() => xfsSizeFromXfsIoStatfs('')).toThrow(/xfs_io statfs: no geom.bsize/);
    expect(() => btrfsSizeFromDumpSuper('total_bytes\t\t1\n')).toThrow(/dev_item.total_bytes/);
  });
});
