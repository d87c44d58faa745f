import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeCpio } from './cpio';
import { findProgram } from './host-deps';

// cpio(1) only checks the archive; without it (and outside CI) this one case skips.
const itWithCpio = findProgram('cpio') || process.env['CI'] === 'true' ? it : it.skip;

describe('writeCpio', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cpio-spec-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  itWithCpio('writes a newc archive that cpio(1) lists and extracts, including a device node', () => {
    const host = path.join(dir, 'host.txt');
    fs.writeFileSync(host, 'from the host\n');
    const archive = path.join(dir, 'a.cpio');
    writeCpio(archive, [
      { kind: 'dir', path: 'etc' },
      { kind: 'file', path: 'etc/hello', data: Buffer.from('hello\n'), mode: 0o600 },
      { kind: 'hostFile', path: '/etc/host.txt', source: host },
      { kind: 'symlink', path: 'init', target: 'bin/busybox' },
      { kind: 'charDev', path: 'dev/console', major: 5, minor: 1 },
    ]);
    expect(fs.statSync(archive).size % 512).toBe(0);
    const listing = execFileSync('cpio', ['-itv', '--quiet'], { input: fs.readFileSync(archive), encoding: 'utf8' });
    expect(listing).toMatch(/^-rw------- .* etc\/hello$/m);
    expect(listing).toMatch(/^lrwxrwxrwx .* init -> bin\/busybox$/m);
    expect(listing).toMatch(/^crw------- .* 5,\s+1 .* dev\/console$/m);

    const out = path.join(dir, 'out');
    fs.mkdirSync(out);
    execFileSync('cpio', ['-id', '--quiet', '--no-absolute-filenames', 'etc/hello', 'etc/host.txt'], { cwd: out, input: fs.readFileSync(archive) });
    expect(fs.readFileSync(path.join(out, 'etc/hello'), 'utf8')).toBe('hello\n');
    expect(fs.readFileSync(path.join(out, 'etc/host.txt'), 'utf8')).toBe('from the host\n');
  });
});
