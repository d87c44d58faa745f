import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isReadOnlyMount, isReadOnlySuperblock, mountAt, mountsAt, MountInfoParseError, parseMountInfo, unescapeMountField } from './mountinfo';

const captured = readFileSync(join(__dirname, 'fixtures/mountinfo.txt'), 'utf8');

describe('parseMountInfo on mountinfo captured in the test node', () => {
  const entries = parseMountInfo(captured);

  it('reads every line', () => {
    expect(entries).toHaveLength(captured.trim().split('\n').length);
  });

  it('reads an ext4 mount: the block device numbers, the canonical source, both option lists', () => {
    expect(mountAt(entries, '/mnt/t/e4')).toEqual({
      mountId: 27,
      parentId: 1,
      major: 253,
      minor: 4,
      root: '/',
      mountPoint: '/mnt/t/e4',
      mountOptions: ['rw', 'noatime'],
      optionalFields: [],
      fsType: 'ext4',
      source: '/dev/mapper/myvg1-e4',
      superOptions: ['rw', 'stripe=64'],
    });
  });

  it('decodes a mount point with a space (\\040)', () => {
    const xfs = mountAt(entries, '/mnt/t/x f');
    expect(xfs).toMatchObject({ fsType: 'xfs', major: 253, minor: 5 });
    expect(xfs?.superOptions).toContain('nouuid');
  });

  it('shows btrfs with an anonymous device and the source path as mounted', () => {
    expect(mountAt(entries, '/mnt/t/bt')).toMatchObject({ major: 0, minor: 22, fsType: 'btrfs', source: '/dev/myvg1/bt' });
  });

  it('shows a device node bind-mounted onto a file as devtmpfs with the node as root', () => {
    const raw = mountAt(entries, '/mnt/t/raw');
    expect(raw).toMatchObject({ fsType: 'devtmpfs', root: '/mapper/myvg1-raw', major: 0, minor: 5 });
    expect(raw && isReadOnlyMount(raw)).toBe(true);
    expect(raw && isReadOnlySuperblock(raw)).toBe(false);
  });

  it('tells a read-only mount of a read-only superblock', () => {
    const ro = mountAt(entries, '/mnt/t/xf2');
    expect(ro && isReadOnlyMount(ro)).toBe(true);
    expect(ro && isReadOnlySuperblock(ro)).toBe(true);
    expect(ro?.superOptions).toEqual(expect.arrayContaining(['nouuid', 'norecovery']));
  });

  it('answers undefined for a path nothing is mounted on', () => {
    expect(mountAt(entries, '/mnt/t')).toBeUndefined();
    expect(mountsAt(entries, '/mnt/t')).toBe(0);
  });
});

describe('stacked mounts and odd lines', () => {
  const stacked = [
    '40 1 253:4 / /target rw,relatime - ext4 /dev/mapper/vg-a rw',
    '41 40 253:5 / /target rw,relatime shared:7 master:2 - ext4 /dev/mapper/vg-b rw',
  ].join('\n');

  it('answers the last mount on a path, and counts them', () => {
    const entries = parseMountInfo(stacked);
    expect(mountAt(entries, '/target')?.source).toBe('/dev/mapper/vg-b');
    expect(mountAt(entries, '/target')?.optionalFields).toEqual(['shared:7', 'master:2']);
    expect(mountsAt(entries, '/target')).toBe(2);
  });

  it('decodes tab, newline and backslash escapes', () => {
    expect(unescapeMountField('/a\\011b\\012c\\134d')).toBe('/a\tb\nc\\d');
  });

  it('refuses a line it cannot read, quoting it', () => {
    expect(() => parseMountInfo('40 1 253:4 / /target rw')).toThrow(MountInfoParseError);
    expect(() => parseMountInfo('x 1 253:4 / /t rw - ext4 /dev/a rw')).toThrow(/bad mount id/);
  });
});
