import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommandCancelledError, type CommandResult, type CommandRunner } from '@copse/process-runner';
import { FsCommands, growArgv, mkfsArgv, type FsInvocation } from './commands';
import { FsCommandError } from './errors';

const fixtures = join(__dirname, '../../fs-model/src/fixtures');
const fixture = (name: string) => readFileSync(join(fixtures, name), 'utf8');
/** exit code, stdout and stderr of real commands in the test node (fs-model's fixtures/README.md) */
const outcomes = JSON.parse(fixture('command-outcomes.json')) as Record<string, CommandResult & { argv: string[] }>;
const outcome = (name: string): CommandResult => {
  const { exitCode, stdout, stderr } = outcomes[name]!;
  return { exitCode, stdout, stderr };
};
const ok = (stdout = ''): CommandResult => ({ exitCode: 0, stdout, stderr: '' });
const MiB = 1024 * 1024;

/** Answers each argv with a scripted result and records what it was asked. */
class Scripted implements CommandRunner {
  readonly calls: string[][] = [];
  constructor(private readonly answer: (argv: readonly string[]) => CommandResult | Promise<CommandResult>) {}
  async run(argv: readonly string[]): Promise<CommandResult> {
    this.calls.push([...argv]);
    return this.answer(argv);
  }
}

describe('FsCommands', () => {
  it('probes with blkid -p and reads exit code 2 (a fresh thin LV) as unformatted', async () => {
    const runner = new Scripted(() => outcome('blkid-empty'));
    expect(await new FsCommands(runner).probe('/dev/vg/lv')).toEqual({});
    expect(runner.calls).toEqual([['blkid', '-p', '-s', 'TYPE', '-s', 'PTTYPE', '-o', 'export', '/dev/vg/lv']]);
  });

  it('probes a formatted device', async () => {
    const runner = new Scripted(() => ok(fixture('blkid-xfs.txt')));
    expect(await new FsCommands(runner).probe('/dev/myvg1/xf')).toEqual({ fsType: 'xfs' });
  });

  it('throws for an answer that is not one (ambivalent probing)', async () => {
    const runner = new Scripted(() => ({ exitCode: 8, stdout: '', stderr: '' }));
    await expect(new FsCommands(runner).probe('/dev/x')).rejects.toThrow(FsCommandError);
  });

  it('formats each filesystem as Kubernetes does', () => {
    expect(mkfsArgv('ext4', '/dev/a')).toEqual(['mkfs.ext4', '-F', '-m0', '/dev/a']);
    expect(mkfsArgv('xfs', '/dev/a')).toEqual(['mkfs.xfs', '-f', '/dev/a']);
    expect(mkfsArgv('btrfs', '/dev/a')).toEqual(['mkfs.btrfs', '-f', '/dev/a']);
  });

  it('says why mkfs.xfs refused a small device, skipping its warning and usage text', async () => {
    const runner = new Scripted(() => outcome('mkfs-xfs-small'));
    const e = (await new FsCommands(runner).format('/dev/myvg1/raw', 'xfs').catch((x: unknown) => x)) as FsCommandError;
    expect(e).toBeInstanceOf(FsCommandError);
    expect(e.detail).toBe('Filesystem must be larger than 300MB.');
    expect(e.exitCode).toBe(1);
  });

  it('mounts with -t and one -o, and leaves -o out when there are no options', async () => {
    const runner = new Scripted(() => ok());
    const c = new FsCommands(runner);
    await c.mount('/dev/vg/lv', '/t/a b', 'xfs', ['ro', 'nouuid', 'norecovery']);
    await c.mount('/dev/vg/lv', '/t/c', 'ext4', []);
    await c.bindMount('/dev/vg/lv', '/t/file', ['bind', 'ro']);
    expect(runner.calls).toEqual([
      ['mount', '-t', 'xfs', '-o', 'ro,nouuid,norecovery', '/dev/vg/lv', '/t/a b'],
      ['mount', '-t', 'ext4', '/dev/vg/lv', '/t/c'],
      ['mount', '-o', 'bind,ro', '/dev/vg/lv', '/t/file'],
    ]);
  });

  it('tells an unmount of nothing and a btrfs mount refused for its fsid from other failures', async () => {
    const notMounted = await new FsCommands(new Scripted(() => outcome('umount-not-mounted'))).unmount('/mnt/t/bt2').catch((x: unknown) => x);
    expect((notMounted as FsCommandError).isNotMounted).toBe(true);
    const missing = await new FsCommands(new Scripted(() => outcome('umount-missing'))).unmount('/mnt/t/nope').catch((x: unknown) => x);
    expect((missing as FsCommandError).isNotMounted).toBe(true);
    const dup = await new FsCommands(new Scripted(() => outcome('mount-btrfs-clone'))).mount('/dev/myvg1/bt2', '/mnt/t/bt2', 'btrfs', []).catch((x: unknown) => x);
    expect((dup as FsCommandError).isFileExists).toBe(true);
    expect((dup as FsCommandError).detail).toBe('mount: /mnt/t/bt2: mount(2) system call failed: File exists.');
    const roXfs = await new FsCommands(new Scripted(() => outcome('mount-xfs-ro-plain'))).mount('/dev/myvg1/xf2', '/mnt/t/xf2', 'xfs', ['ro', 'nouuid']).catch((x: unknown) => x);
    expect((roXfs as FsCommandError).isFileExists).toBe(false);
    expect((roXfs as FsCommandError).isNotMounted).toBe(false);
  });

  it.each([
    ['ext4', ['dumpe2fs', '-h', '/dev/myvg1/e4'], 'dumpe2fs-h.txt', 64 * MiB],
    ['xfs', ['xfs_io', '-r', '-c', 'statfs', '/mnt/t/x f'], 'xfs_io-statfs.txt', 320 * MiB],
    ['btrfs', ['btrfs', 'inspect-internal', 'dump-super', '/dev/myvg1/bt'], 'btrfs-dump-super.txt', 256 * MiB],
  ] as const)('reads the size of %s from its tool', async (fsType, argv, file, size) => {
    const device = { ext4: '/dev/myvg1/e4', xfs: '/dev/myvg1/xf', btrfs: '/dev/myvg1/bt' }[fsType];
    const mountPoint = { ext4: '/mnt/t/e4', xfs: '/mnt/t/x f', btrfs: '/mnt/t/bt' }[fsType];
    const runner = new Scripted(() => ok(fixture(file)));
    expect(await new FsCommands(runner).filesystemSize(fsType, device, mountPoint)).toBe(size);
    expect(runner.calls).toEqual([argv]);
  });

  it('grows each filesystem online with its own tool', () => {
    expect(growArgv('ext4', '/dev/a', '/m')).toEqual(['resize2fs', '/dev/a']);
    expect(growArgv('xfs', '/dev/a', '/m')).toEqual(['xfs_growfs', '/m']);
    expect(growArgv('btrfs', '/dev/a', '/m')).toEqual(['btrfs', 'filesystem', 'resize', 'max', '/m']);
  });

  it('reports every invocation, a cancelled one as an error', async () => {
    const invocations: FsInvocation[] = [];
    const c = new FsCommands(
      new Scripted((argv) => (argv[0] === 'umount' ? Promise.reject(new CommandCancelledError(argv)) : ok())),
      { onInvocation: (i) => invocations.push(i) },
    );
    await c.mount('/dev/a', '/t', 'ext4', []);
    await expect(c.unmount('/t')).rejects.toBeInstanceOf(CommandCancelledError);
    expect(invocations.map((i) => [i.argv[0], i.exitCode])).toEqual([
      ['mount', 0],
      ['umount', 'error'],
    ]);
  });
});
