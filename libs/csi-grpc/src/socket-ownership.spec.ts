// Two processes and one socket path: what happens when kubelet restarts a plugin whose
// predecessor still runs, or was killed and left its socket behind.
// eslint-disable-next-line no-restricted-imports -- a second process is what this test is about; it runs node, nothing else
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, writeFileSync } from 'node:fs';
import { pluginCapabilities } from '@copse/csi-spec';
import { socketAnswers, SocketInUseError } from '@copse/unix-socket';
import { Harness, unary } from '../test/harness';
import { identityService } from './identity';
import { CsiServer } from './server';

const identity = identityService({ name: 'csi.example.com', vendorVersion: '1', capabilities: pluginCapabilities({ services: [] }), ready: () => true });

/**
 * Another process listening on `path`: 'serve' listens only if the path is free, 'replace'
 * unlinks whatever is there first (a successor that does not check, the worst case).
 */
function otherProcess(path: string, mode: 'serve' | 'replace'): Promise<ChildProcess> {
  const script = `
    const net = require('node:net'), fs = require('node:fs');
    const [path, mode] = process.argv.slice(1);
    if (mode === 'replace') { try { fs.unlinkSync(path); } catch {} }
    net.createServer((c) => c.end()).listen(path, () => process.stdout.write('ready\\n'));
  `;
  const child = spawn(process.execPath, ['-e', script, path, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the other process exited with ${code}`)));
    child.stdout!.once('data', () => resolve(child));
  });
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGKILL'); // as the OOM killer would: no cleanup, the socket stays
  });
}

describe('socket ownership between processes', () => {
  let h: Harness;
  const children: ChildProcess[] = [];
  beforeEach(() => {
    h = new Harness();
  });
  afterEach(async () => {
    await Promise.all(children.splice(0).map(kill));
    await h.close();
  });

  it('refuses to start while another live process answers on the path, and leaves that socket alone', async () => {
    const other = await otherProcess(h.path, 'serve');
    children.push(other);
    const ino = lstatSync(h.path).ino;
    await expect(h.start({ identity })).rejects.toThrow(SocketInUseError);
    await expect(h.start({ identity })).rejects.toThrow(`another process answers on ${h.path}; refusing to take it over`);
    expect(lstatSync(h.path).ino).toBe(ino);
    expect(await socketAnswers(h.path)).toBe(true);
  });

  it('replaces the stale socket a killed process left, and serves on it', async () => {
    const other = await otherProcess(h.path, 'serve');
    await kill(other);
    expect(lstatSync(h.path).isSocket()).toBe(true);
    expect(await socketAnswers(h.path)).toBe(false);
    await h.start({ identity });
    await expect(unary((cb) => h.identity().Probe({}, cb))).resolves.toEqual({ ready: { value: true } });
  });

  it("never removes at shutdown a socket another process has put at the path since", async () => {
    const server = await h.start({ identity });
    const successor = await otherProcess(h.path, 'replace');
    children.push(successor);
    expect(await server.shutdown(1000)).toEqual({ graceful: true, socket: 'not-ours' });
    expect(await socketAnswers(h.path)).toBe(true);
  });

  it('refuses a second server of its own kind in the same process too, and a path that is no socket', async () => {
    await h.start({ identity });
    await expect(CsiServer.start({ endpoint: h.path, identity, log: h.log })).rejects.toThrow(SocketInUseError);
    await expect(unary((cb) => h.identity().Probe({}, cb))).resolves.toEqual({ ready: { value: true } });

    const file = `${h.dir}/not-a-socket`;
    writeFileSync(file, 'data');
    await expect(CsiServer.start({ endpoint: `unix://${file}`, identity, log: h.log })).rejects.toThrow(/exists and is not a socket/);
    expect(existsSync(file)).toBe(true);
  });

  it('leaves nothing of its own behind when refused', async () => {
    const other = await otherProcess(h.path, 'serve');
    children.push(other);
    await expect(h.start({ identity })).rejects.toThrow(SocketInUseError);
    expect(readdirSync(h.dir)).toEqual(['csi.sock']);
  });
});
