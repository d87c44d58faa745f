import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BLKID_EXIT, parseBlkidExport, probeResult } from './blkid';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');
const outcomes = JSON.parse(fixture('command-outcomes.json')) as Record<string, { exitCode: number; stdout: string }>;

describe('probeResult', () => {
  it.each([
    ['blkid-ext4.txt', 'ext4'],
    ['blkid-xfs.txt', 'xfs'],
    ['blkid-btrfs.txt', 'btrfs'],
  ])('reads the filesystem type from %s', (file, type) => {
    expect(probeResult(BLKID_EXIT.FOUND, fixture(file))).toEqual({ fsType: type });
  });

  it('reads exit code 2 on an empty thin LV as nothing found', () => {
    const empty = outcomes['blkid-empty']!;
    expect(empty.exitCode).toBe(2);
    expect(probeResult(empty.exitCode, empty.stdout)).toEqual({});
  });

  it('reports a partition table', () => {
    expect(probeResult(0, 'DEVNAME=/dev/vdb\nPTTYPE=gpt\n')).toEqual({ partitionTable: 'gpt' });
  });

  it('has no answer for ambivalent probing or a usage error', () => {
    expect(probeResult(BLKID_EXIT.AMBIVALENT, '')).toBeUndefined();
    expect(probeResult(BLKID_EXIT.USAGE, '')).toBeUndefined();
  });

  it("undoes blkid's escaping of values", () => {
    expect(parseBlkidExport('LABEL=my\\ disk\\\\x\nTYPE=ext4\n')).toEqual({ LABEL: 'my disk\\x', TYPE: 'ext4' });
  });
});
