import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mountAt, parseMountInfo } from '@copse/fs-model';
import type { CommandResult, CommandRunner } from '@copse/process-runner';
import { FsCommands } from './commands';
import { FsCommandError } from './errors';
import { HostFilesystem } from './host';

const fixtures = join(__dirname, '../../fs-model/src/fixtures');
const outcomes = JSON.parse(readFileSync(join(fixtures, 'command-outcomes.json'), 'utf8')) as Record<string, CommandResult>;
const ok: CommandResult = { exitCode: 0, stdout: '', stderr: '' };

class Scripted implements CommandRunner {
  readonly calls: string[][] = [];
  constructor(private readonly answers: CommandResult[]) {}
  async run(argv: readonly string[]): Promise<CommandResult> {
    this.calls.push([...argv]);
    return this.answers.shift() ?? ok;
  }
}

const temp = () => mkdtempSync(join(tmpdir(), 'copse-fs-exec-'));

describe('HostFilesystem', () => {
  it('reads the mount table from the configured mountinfo file', async () => {
    const host = new HostFilesystem(new FsCommands(new Scripted([])), { mountInfoPath: join(fixtures, 'mountinfo.txt') });
    const mounts = await host.mounts();
    expect(mountAt(mounts, '/mnt/t/e4')?.source).toBe('/dev/mapper/myvg1-e4');
  });

  it("takes an ext4 or xfs mount's device from mountinfo, and looks at the source of a btrfs one", async () => {
    const host = new HostFilesystem(new FsCommands(new Scripted([])));
    const entries = parseMountInfo(readFileSync(join(fixtures, 'mountinfo.txt'), 'utf8'));
    expect(await host.deviceOfMount(mountAt(entries, '/mnt/t/e4')!)).toEqual({ major: 253, minor: 4 });
    // the captured btrfs source (/dev/myvg1/bt) does not exist on this machine: no device
    expect(await host.deviceOfMount(mountAt(entries, '/mnt/t/bt')!)).toBeUndefined();
  });

  it('reads a block device size from sysfs, in 512-byte sectors', async () => {
    const sys = temp();
    mkdirSync(join(sys, 'dev/block/253:4'), { recursive: true });
    writeFileSync(join(sys, 'dev/block/253:4/size'), '131072\n');
    const host = new HostFilesystem(new FsCommands(new Scripted([])), { sysfsRoot: sys });
    expect(await host.deviceSize({ major: 253, minor: 4 })).toBe(64 * 1024 * 1024);
    await expect(host.deviceSize({ major: 253, minor: 5 })).rejects.toThrow(/ENOENT/);
  });

  it('answers what is at a path, and nothing for a missing one', async () => {
    const dir = temp();
    writeFileSync(join(dir, 'f'), '');
    const host = new HostFilesystem(new FsCommands(new Scripted([])));
    expect(await host.pathInfo(dir)).toEqual({ kind: 'directory' });
    expect(await host.pathInfo(join(dir, 'f'))).toEqual({ kind: 'file' });
    expect(await host.pathInfo(join(dir, 'nope'))).toBeUndefined();
    expect(await host.pathInfo('/dev/null')).toEqual({ kind: 'other' });
  });

  it('creates and removes targets idempotently', async () => {
    const dir = temp();
    const host = new HostFilesystem(new FsCommands(new Scripted([])));
    expect(await host.makeDirectory(join(dir, 'a/b'), 0o750)).toBe(true);
    expect(await host.makeDirectory(join(dir, 'a/b'), 0o750)).toBe(false);
    expect(await host.createFile(join(dir, 'dev'), 0o660)).toBe(true);
    expect(await host.createFile(join(dir, 'dev'), 0o660)).toBe(false);
    await host.removePath(join(dir, 'a/b'));
    await host.removePath(join(dir, 'dev'));
    await host.removePath(join(dir, 'dev'));
    expect(await host.pathInfo(join(dir, 'a/b'))).toBeUndefined();
    expect(await host.pathInfo(join(dir, 'dev'))).toBeUndefined();
  });

  it('refuses to remove a directory that is not empty', async () => {
    const dir = temp();
    writeFileSync(join(dir, 'left-behind'), 'x');
    await expect(new HostFilesystem(new FsCommands(new Scripted([]))).removePath(dir)).rejects.toThrow(/ENOTEMPTY/);
  });

  it('reports statfs usage in bytes, and inodes when the filesystem counts them', async () => {
    const usage = await new HostFilesystem(new FsCommands(new Scripted([]))).usage(tmpdir());
    expect(usage.bytes.total).toBeGreaterThan(0);
    expect(usage.bytes.used + usage.bytes.available).toBeLessThanOrEqual(usage.bytes.total);
  });

  it('gives a btrfs refused for its filesystem id a new one and mounts it again', async () => {
    const runner = new Scripted([outcomes['mount-btrfs-clone']!, outcomes['btrfstune-m']!, outcomes['mount-btrfs-clone-tuned']!]);
    const host = new HostFilesystem(new FsCommands(runner));
    expect(await host.mountFilesystem('/dev/myvg1/bt2', '/mnt/t/bt2', 'btrfs', [])).toEqual({ newFsid: true });
    expect(runner.calls).toEqual([
      ['mount', '-t', 'btrfs', '/dev/myvg1/bt2', '/mnt/t/bt2'],
      ['btrfstune', '-m', '/dev/myvg1/bt2'],
      ['mount', '-t', 'btrfs', '/dev/myvg1/bt2', '/mnt/t/bt2'],
    ]);
  });

  it('does not retune anything but btrfs, nor on other mount failures', async () => {
    const xfs = new Scripted([outcomes['mount-btrfs-clone']!]);
    await expect(new HostFilesystem(new FsCommands(xfs)).mountFilesystem('/dev/a', '/t', 'xfs', ['nouuid'])).rejects.toThrow(FsCommandError);
    expect(xfs.calls).toHaveLength(1);
    const other = new Scripted([outcomes['mount-wrong-type']!]);
    await expect(new HostFilesystem(new FsCommands(other)).mountFilesystem('/dev/a', '/t', 'btrfs', [])).rejects.toThrow(/already mounted/);
    expect(other.calls).toHaveLength(1);
  });

  it('bind-mounts raw block with bind, and bind,ro when read-only', async () => {
    const runner = new Scripted([]);
    const host = new HostFilesystem(new FsCommands(runner));
    await host.bindMount('/dev/vg/lv', '/t/dev', false);
    await host.bindMount('/dev/vg/lv', '/t/dev', true);
    expect(runner.calls).toEqual([
      ['mount', '-o', 'bind', '/dev/vg/lv', '/t/dev'],
      ['mount', '-o', 'bind,ro', '/dev/vg/lv', '/t/dev'],
    ]);
  });
});
