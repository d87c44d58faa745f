import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findProgram } from './host-deps';
import { buildExt4Image, createSparseDisk, ext4Geometry, mkfsExt4Argv, treeUsage } from './images';

// Needs e2fsprogs (mkfs.ext4, debugfs); skips without it except in CI.
const itWithE2fs = (findProgram('mkfs.ext4') && findProgram('debugfs')) || process.env['CI'] === 'true' ? it : it.skip;

describe('disk images', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'images-spec-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates data disks sparse, at the exact size', () => {
    const file = path.join(dir, 'd.img');
    createSparseDisk(file, 8 * 1024 ** 3);
    const st = fs.statSync(file);
    expect(st.size).toBe(8 * 1024 ** 3);
    expect(st.blocks).toBe(0);
  });

  it.each([1000, 1024 * 1024, 16 * 1024 * 1024 + 100])('refuses disk size %p', (size) => {
    expect(() => createSparseDisk(path.join(dir, 'x.img'), size)).toThrow(/multiple of 512|at least 16 MiB/);
  });

  it('sizes an ext4 image for the tree with headroom and enough inodes', () => {
    fs.mkdirSync(path.join(dir, 'src/sub'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'src/a'), Buffer.alloc(5000));
    fs.writeFileSync(path.join(dir, 'src/sub/b'), 'b');
    fs.symlinkSync('a', path.join(dir, 'src/link'));
    const usage = treeUsage(path.join(dir, 'src'));
    expect(usage).toEqual({ bytes: 8192 + 4096 + 4096 + 4096, entries: 4 });
    const g = ext4Geometry(usage);
    expect(g.inodes).toBeGreaterThan(usage.entries);
    expect(g.sizeKiB * 1024).toBeGreaterThan(usage.bytes + 16 * 1024 * 1024);
    expect(mkfsExt4Argv('/s', '/i.img', 'share0', g)).toEqual(
      expect.arrayContaining(['-d', '/s', '/i.img', `${g.sizeKiB}k`, '-L', 'share0', '-O', '^has_journal']),
    );
  });

  itWithE2fs('copies a directory into an ext4 image without mounting it', async () => {
    const src = path.join(dir, 'src');
    fs.mkdirSync(path.join(src, 'app'), { recursive: true });
    fs.writeFileSync(path.join(src, 'app/main.js'), 'console.log(1)\n');
    fs.symlinkSync('app/main.js', path.join(src, 'main'));
    const image = path.join(dir, 'share.img');
    await buildExt4Image(src, image, 'share0');
    const cat = execFileSync('debugfs', ['-R', 'cat /app/main.js', image], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(cat).toBe('console.log(1)\n');
    const link = execFileSync('debugfs', ['-R', 'stat /main', image], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(link).toContain('Fast link dest: "app/main.js"');
  });
});
