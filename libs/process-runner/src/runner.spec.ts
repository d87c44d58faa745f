import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandCancelledError, CommandUnavailableError, KILLED_EXIT_CODE } from './command';
import { ProcessRunner } from './runner';

const fake = join(__dirname, 'fixtures/fake-command.js');
/** Runs the fake through the real runner: the prefix is node and the fake's path. */
const runner = new ProcessRunner({ commandPrefix: [process.execPath, fake] });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
async function pidFrom(file: string): Promise<number> {
  for (let i = 0; i < 400 && !existsSync(file); i++) await sleep(25);
  return Number(readFileSync(file, 'utf8'));
}
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 200 && alive(pid); i++) await sleep(25);
  return !alive(pid);
}
const pidFile = () => join(mkdtempSync(join(tmpdir(), 'copse-process-runner-')), 'pid');

describe('ProcessRunner', () => {
  // each case starts node processes: seconds on a busy 2-core machine
  jest.setTimeout(30_000);

  it('passes the argv verbatim after the prefix, with no shell in between', async () => {
    const hostile = ['$(touch /tmp/pwned)', 'a;b', '`id`', "it's", '"q"', '*', '> x', '-o', ''];
    const r = await runner.run(['echo', ...hostile]);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).args).toEqual(hostile);
  });

  it('sets LC_ALL=C and PATH, adds the configured environment, and hands on nothing else', async () => {
    process.env.COPSE_TEST_SECRET = 'do-not-leak';
    try {
      const withEnv = new ProcessRunner({ commandPrefix: [process.execPath, fake], env: { EXTRA: '1', LC_ALL: 'de_DE.UTF-8' }, path: '/usr/bin:/bin' });
      const { env } = JSON.parse((await withEnv.run(['echo'])).stdout);
      expect(env).toEqual({ EXTRA: '1', LC_ALL: 'C', PATH: '/usr/bin:/bin' });
    } finally {
      delete process.env.COPSE_TEST_SECRET;
    }
  });

  it("answers a non-zero exit with the command's exit code, stdout and stderr", async () => {
    expect(await runner.run(['fail'])).toEqual({ exitCode: 5, stdout: 'partial output\n', stderr: 'something failed\n' });
  });

  it('gives the command /dev/null as stdin, so that a prompt reads end-of-file', async () => {
    expect((await runner.run(['stdin'])).stdout).toBe('eof after 0 bytes');
  });

  it('reports a command killed by a signal as 128 + the signal, and says so', async () => {
    const r = await runner.run(['die', 'SIGTERM']);
    expect(r.exitCode).toBe(128 + 15);
    expect(r.stderr).toMatch(/killed by SIGTERM/);
  });

  it('kills the command when the signal fires, and rejects with CommandCancelledError', async () => {
    const file = pidFile();
    const controller = new AbortController();
    const running = runner.run(['sleep', file], { signal: controller.signal });
    const pid = await pidFrom(file);
    controller.abort();
    await expect(running).rejects.toEqual(new CommandCancelledError(['sleep', file]));
    expect(await gone(pid)).toBe(true);
  });

  it('kills the children of a forking command too (the whole process group)', async () => {
    const file = pidFile();
    const controller = new AbortController();
    const running = runner.run(['fork', file], { signal: controller.signal });
    const grandchild = await pidFrom(file);
    controller.abort();
    await expect(running).rejects.toBeInstanceOf(CommandCancelledError);
    expect(await gone(grandchild)).toBe(true);
  });

  it('refuses to start when already cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(runner.run(['echo'], { signal: controller.signal })).rejects.toBeInstanceOf(CommandCancelledError);
  });

  it('kills a command after its timeout and answers exit code -1 with the reason', async () => {
    const file = pidFile();
    const timed = new ProcessRunner({ commandPrefix: [process.execPath, fake], timeoutMs: 60_000 });
    const r = await timed.run(['sleep', file], { timeoutMs: 1500 });
    expect(r.exitCode).toBe(KILLED_EXIT_CODE);
    expect(r.stderr).toMatch(/killed: running longer than 1500 ms/);
    expect(await gone(await pidFrom(file))).toBe(true);
  });

  it('kills a command that prints more than the output limit', async () => {
    const small = new ProcessRunner({ commandPrefix: [process.execPath, fake], maxOutputBytes: 1000 });
    const r = await small.run(['spam', '100000']);
    expect(r.exitCode).toBe(KILLED_EXIT_CODE);
    expect(r.stderr).toMatch(/more than 1000 bytes of output/);
  });

  it('reports a missing program as unavailable, with the argv it tried', async () => {
    const missing = new ProcessRunner({ commandPrefix: ['/nonexistent/nsenter', '-t', '1'] });
    const e = await missing.run(['mount']).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CommandUnavailableError);
    expect((e as CommandUnavailableError).argv).toEqual(['/nonexistent/nsenter', '-t', '1', 'mount']);
  });

  it('finds a bare program name on the PATH it was given', async () => {
    const inPath = new ProcessRunner({ path: '/nonexistent' });
    await expect(inPath.run(['node', '-e', ''])).rejects.toBeInstanceOf(CommandUnavailableError);
  });
});
