/**
 * Two real lvmd-http processes on one unix socket path (issue 6, finding 2): a second
 * instance must not take over the socket of a live one, a stale socket is replaced, and
 * an instance never deletes a socket it does not own.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LvmdClient } from '@copse/lvmd-api';
import { startLvmd, type LvmdProcess } from './lvmd-process';

describe('socket ownership between two lvmd-http processes', () => {
  let dir: string;
  let socket: string;
  const running: LvmdProcess[] = [];
  const start = (args: string[] = []) => {
    const p = startLvmd(['--listen', `unix:${socket}`, '--log-level', 'warn', ...args]);
    running.push(p);
    return p;
  };
  /** Whether an lvmd-http answers on the socket. */
  const answers = async (): Promise<boolean> => {
    const client = new LvmdClient({ endpoint: `unix:${socket}` });
    try {
      await client.listDeviceClasses();
      return true;
    } catch {
      return false;
    } finally {
      await client.close();
    }
  };
  const readyOn = async (p: LvmdProcess) => {
    // --log-level warn hides the ready line; wait for the socket to answer instead
    for (let i = 0; i < 200 && !(await answers()); i++) await new Promise((r) => setTimeout(r, 25));
    expect(p.child.exitCode).toBeNull();
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'copse-sock-'));
    socket = path.join(dir, 'lvmd.sock');
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((p) => p.stop('SIGKILL')));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to start a second instance on a socket a live one serves, and the first keeps serving', async () => {
    const first = start();
    await readyOn(first);
    const inode = fs.statSync(socket).ino;
    const second = start();
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/lvmd-http: another process answers on .*lvmd\.sock; refusing to take it over/);
    expect(fs.statSync(socket).ino).toBe(inode);
    expect(await answers()).toBe(true);
  }, 30_000);

  it('replaces the stale socket a killed instance left, and removes its own at a clean exit', async () => {
    const killed = start();
    await readyOn(killed);
    await killed.stop('SIGKILL');
    expect(fs.statSync(socket).isSocket()).toBe(true);
    expect(await answers()).toBe(false);

    const next = start();
    await readyOn(next);
    expect(await answers()).toBe(true);
    expect(await next.stop('SIGTERM')).toBe(0);
    expect(fs.existsSync(socket)).toBe(false);
    // nothing of the private listening name is left either
    expect(fs.readdirSync(dir)).toEqual([]);
  }, 30_000);

  it('never deletes a socket it does not own when it exits', async () => {
    const old = start();
    await readyOn(old);
    // an operator moves the old instance's socket aside and starts a new one on the path
    fs.renameSync(socket, path.join(dir, 'old.sock'));
    const current = start();
    await readyOn(current);
    const inode = fs.statSync(socket).ino;
    expect(await old.stop('SIGTERM')).toBe(0);
    expect(fs.statSync(socket).ino).toBe(inode);
    expect(await answers()).toBe(true);
  }, 30_000);

  it('refuses to replace a file that is not a socket', async () => {
    fs.writeFileSync(socket, 'not a socket');
    const p = start();
    expect(await p.exited).toBe(1);
    expect(p.output()).toMatch(/exists and is not a socket/);
    expect(fs.readFileSync(socket, 'utf8')).toBe('not a socket');
  }, 30_000);
});
