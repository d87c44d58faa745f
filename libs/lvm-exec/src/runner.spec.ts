import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecLvmRunner, LvmCancelledError, LvmUnavailableError } from './runner';

const fake = join(__dirname, 'fixtures/fake-lvm.js');
const runner = new ExecLvmRunner({ commandPrefix: [process.execPath, fake], lvmPath: '/sbin/lvm' });

describe('ExecLvmRunner', () => {
  // each case starts a node process (the fake lvm): seconds on a busy 2-core machine
  jest.setTimeout(30_000);

  it('passes the argv verbatim after the prefix and the lvm path, with no shell in between', async () => {
    const hostile = ['$(touch /tmp/pwned)', 'a;b', '`id`', "it's", '"q"', '*', '> x'];
    const r = await runner.run(['echo', ...hostile]);
    expect(r.exitCode).toBe(0);
    const seen = JSON.parse(r.stdout);
    expect(seen.lvmPath).toBe('/sbin/lvm');
    expect(seen.args).toEqual(hostile);
  });

  it('sets LC_ALL=C and hands on nothing else of the environment', async () => {
    process.env.COPSE_TEST_SECRET = 'do-not-leak';
    try {
      const { env } = JSON.parse((await runner.run(['echo'])).stdout);
      expect(env.LC_ALL).toBe('C');
      expect(env.COPSE_TEST_SECRET).toBeUndefined();
      expect(Object.keys(env).sort()).toEqual(['LC_ALL', 'LVM_SUPPRESS_FD_WARNINGS', 'PATH']);
    } finally {
      delete process.env.COPSE_TEST_SECRET;
    }
  });

  it("answers a non-zero exit with lvm's exit code, stdout and stderr", async () => {
    const r = await runner.run(['fail']);
    expect(r).toEqual({ exitCode: 5, stdout: '  partial output\n', stderr: '  Failed to find logical volume "vg/nope"\n' });
  });

  it('closes stdin so that a prompt reads end-of-file', async () => {
    expect((await runner.run(['stdin'])).stdout).toBe('eof after 0 bytes');
  });

  it('kills the child when the signal fires', async () => {
    const pidFile = join(mkdtempSync(join(tmpdir(), 'copse-runner-')), 'pid');
    const controller = new AbortController();
    const running = runner.run(['sleep', pidFile], { signal: controller.signal });
    for (let i = 0; i < 500 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 20));
    const pid = Number(readFileSync(pidFile, 'utf8'));
    controller.abort();
    await expect(running).rejects.toBeInstanceOf(LvmCancelledError);
    // the rejection comes as the kill is sent; the child (asleep for 30 s) is gone soon after
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(alive()).toBe(false);
  });

  it('refuses to start when already cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(runner.run(['echo'], { signal: controller.signal })).rejects.toBeInstanceOf(LvmCancelledError);
  });

  it('reports a missing lvm binary as unavailable', async () => {
    const missing = new ExecLvmRunner({ commandPrefix: [], lvmPath: '/nonexistent/lvm' });
    await expect(missing.run(['lvs'])).rejects.toBeInstanceOf(LvmUnavailableError);
  });
});
