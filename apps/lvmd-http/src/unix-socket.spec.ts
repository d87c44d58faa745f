import { existsSync, linkSync, lstatSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bindPathFor, claimSocket, releaseSocket, socketAnswers } from './unix-socket';

const listen = (path: string) =>
  new Promise<Server>((resolve) => {
    const s = createServer((c) => {
      c.on('error', () => undefined);
      c.end('hello');
    });
    s.listen(path, () => resolve(s));
  });
const close = (s: Server) => new Promise<void>((resolve) => s.close(() => resolve()));

/** A socket file nothing listens on, as a killed process leaves it. */
async function staleSocket(path: string): Promise<void> {
  const s = await listen(`${path}.tmp-listener`);
  linkSync(`${path}.tmp-listener`, path);
  await close(s); // unlinks only the listener's own name
}

describe('unix socket ownership', () => {
  let dir: string;
  let path: string;
  const servers: Server[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lvmd-sock-'));
    path = join(dir, 'lvmd.sock');
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map(close));
    rmSync(dir, { recursive: true, force: true });
  });
  const serve = async () => {
    const bindPath = bindPathFor(path);
    const server = await listen(bindPath);
    servers.push(server);
    return { bindPath, server };
  };

  it('refuses a path longer than a unix socket address holds, rather than let it be truncated', () => {
    expect(() => bindPathFor(join(dir, `${'a'.repeat(120)}.sock`))).toThrow(/bytes; at most 107 are possible/);
    // a path that fits, but whose private name beside it would not
    const deep = join(dir, 'd'.repeat(107 - dir.length - 11));
    expect(Buffer.byteLength(join(deep, 'x.sock'))).toBeLessThanOrEqual(107);
    expect(() => bindPathFor(join(deep, 'x.sock'))).toThrow(/\.lvmd\.[0-9a-f]{8} is \d+ bytes/);
  });

  it('tells a live socket from a stale one', async () => {
    await staleSocket(path);
    expect(lstatSync(path).isSocket()).toBe(true);
    expect(await socketAnswers(path)).toBe(false);
    const other = join(dir, 'live.sock');
    servers.push(await listen(other));
    expect(await socketAnswers(other)).toBe(true);
    expect(await socketAnswers(join(dir, 'absent.sock'))).toBe(false);
  });

  it('puts its socket at a free path, mode 0660', async () => {
    const { bindPath } = await serve();
    const claim = await claimSocket(bindPath, path);
    expect(existsSync(bindPath)).toBe(false);
    expect(lstatSync(path).mode & 0o777).toBe(0o660);
    expect(await socketAnswers(path)).toBe(true);
    expect(claim.ino).toBe(lstatSync(path).ino);
  });

  it('replaces a stale socket', async () => {
    await staleSocket(path);
    const { bindPath } = await serve();
    await claimSocket(bindPath, path);
    expect(await socketAnswers(path)).toBe(true);
  });

  it('refuses to take over a socket another process answers on, and leaves it alone', async () => {
    const first = await serve();
    const claim = await claimSocket(first.bindPath, path);
    const second = await serve();
    await expect(claimSocket(second.bindPath, path)).rejects.toThrow(/another process answers on .*lvmd.sock; refusing to take it over/);
    expect(lstatSync(path).ino).toBe(claim.ino);
    expect(await socketAnswers(path)).toBe(true);
  });

  it('refuses to replace a file that is not a socket', async () => {
    writeFileSync(path, 'precious');
    const { bindPath } = await serve();
    await expect(claimSocket(bindPath, path)).rejects.toThrow(/exists and is not a socket/);
    expect(readFileSync(path, 'utf8')).toBe('precious');
  });

  it('removes at shutdown only the socket it put there', async () => {
    const first = await serve();
    const claim = await claimSocket(first.bindPath, path);
    expect(releaseSocket(claim)).toBe('removed');
    expect(existsSync(path)).toBe(false);
    expect(releaseSocket(claim)).toBe('gone');

    // another process's socket now lives at the path
    const again = await serve();
    const mine = await claimSocket(again.bindPath, path);
    await close(servers.pop()!);
    const theirs = await serve();
    await claimSocket(theirs.bindPath, path); // replaces mine, which went stale
    expect(releaseSocket(mine)).toBe('not-ours');
    expect(await socketAnswers(path)).toBe(true);
  });

  it("survives the listener's own close: node unlinks the name it listened on, which no longer names the socket", async () => {
    const { bindPath, server } = await serve();
    await claimSocket(bindPath, path);
    await close(servers.splice(servers.indexOf(server), 1)[0]!);
    // the socket file is still there (stale now) for releaseSocket to judge
    expect(lstatSync(path).isSocket()).toBe(true);
  });
});
