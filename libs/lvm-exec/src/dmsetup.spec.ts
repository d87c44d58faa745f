import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DmParseError, LvmCancelledError, type DmsetupRunner, type LvmResult } from '@copse/lvm-model';
import { Dmsetup, DmsetupError, type DmsetupInvocation } from './dmsetup';

// Captured from kernel 6.1 in the test node (libs/lvm-model/src/fixtures/dmsetup/README.md).
const fixture = (name: string) => readFileSync(join(__dirname, '../../lvm-model/src/fixtures/dmsetup', name), 'utf8');

/** Answers each argv with a scripted result and records what it was asked. */
class Scripted implements DmsetupRunner {
  readonly calls: string[][] = [];
  constructor(private readonly answer: (argv: readonly string[]) => LvmResult | Promise<LvmResult>) {}
  async run(argv: readonly string[]): Promise<LvmResult> {
    this.calls.push([...argv]);
    return this.answer(argv);
  }
}

describe('Dmsetup', () => {
  it('reads a pool with one status --noflush -v call', async () => {
    const runner = new Scripted(() => ({ exitCode: 0, stdout: fixture('status-v-out-of-data-space-queue.txt'), stderr: '' }));
    const invocations: DmsetupInvocation[] = [];
    const reading = await new Dmsetup(runner, { onInvocation: (i) => invocations.push(i) }).thinPoolStatus('my--vg-pool0-tpool');
    expect(runner.calls).toEqual([['status', '--noflush', '-v', 'my--vg-pool0-tpool']]);
    expect(reading?.info).toMatchObject({ eventNumber: 2, major: 253, minor: 2 });
    expect(reading?.status).toMatchObject({ kind: 'ok', mode: 'out_of_data_space', dataUsedBlocks: 1024 });
    expect(invocations).toEqual([{ argv: ['status', '--noflush', '-v', 'my--vg-pool0-tpool'], exitCode: 0, seconds: expect.any(Number) }]);
  });

  it('answers undefined for a device that does not exist (an inactive pool)', async () => {
    const runner = new Scripted(() => ({ exitCode: 1, stdout: '', stderr: fixture('status-missing.stderr') }));
    expect(await new Dmsetup(runner).thinPoolStatus('my--vg-nosuch-tpool')).toBeUndefined();
  });

  it('answers undefined for a device with another target (VG-POOL is linear once VG-POOL-tpool exists)', async () => {
    const linear = new Scripted(() => ({
      exitCode: 0,
      stdout: 'Name: x\nState: ACTIVE\nOpen count: 0\nEvent number: 0\nMajor, minor: 253, 7\n\n0 131072 linear \n',
      stderr: '',
    }));
    expect(await new Dmsetup(linear).thinPoolStatus('vg0-pool0')).toBeUndefined();
  });

  it('throws DmsetupError for other failures and DmParseError for output it cannot read', async () => {
    const denied = new Scripted(() => ({ exitCode: 1, stdout: '', stderr: 'device-mapper: ioctl: Permission denied\nCommand failed.\n' }));
    await expect(new Dmsetup(denied).thinPoolStatus('x-p-tpool')).rejects.toThrow(DmsetupError);
    await expect(new Dmsetup(denied).thinPoolStatus('x-p-tpool')).rejects.toThrow(/Permission denied/);
    const garbled = new Scripted(() => ({
      exitCode: 0,
      stdout: 'Name: x\nState: ACTIVE\nOpen count: 0\nEvent number: 0\nMajor, minor: 253, 7\n\n0 131072 thin-pool 2 113/1024 -\n',
      stderr: '',
    }));
    await expect(new Dmsetup(garbled).thinPoolStatus('x')).rejects.toThrow(DmParseError);
  });

  it('waits with wait NAME N and tells an event from a vanished device', async () => {
    const events = new Scripted(() => ({ exitCode: 0, stdout: '', stderr: '' }));
    expect(await new Dmsetup(events).waitEvent('my--vg-pool0-tpool', 3)).toBe('event');
    expect(events.calls).toEqual([['wait', 'my--vg-pool0-tpool', '3']]);
    const missing = new Scripted(() => ({ exitCode: 1, stdout: '', stderr: fixture('wait-missing.stderr') }));
    expect(await new Dmsetup(missing).waitEvent('my--vg-nosuch-tpool', 0)).toBe('gone');
  });

  it('counts a cancelled wait as an invocation that ended in error', async () => {
    const cancelled = new Scripted((argv) => Promise.reject(new LvmCancelledError(['dmsetup', ...argv])));
    const invocations: DmsetupInvocation[] = [];
    await expect(new Dmsetup(cancelled, { onInvocation: (i) => invocations.push(i) }).waitEvent('p', 0)).rejects.toBeInstanceOf(LvmCancelledError);
    expect(invocations.map((i) => i.exitCode)).toEqual(['error']);
  });
});
