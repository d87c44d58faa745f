import { existsSync, linkSync, lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bindPathFor, claimSocket, releaseSocket, serveAt, socketAnswers, SocketInUseError } from './unix-socket';

const listen = (path: string) =>
  new Promise<Server>((resolve, reject) => {
    const s = createServer((c) => c.end());
    s.once('error', reject);
    s.listen(path, () => resolve(s));
  });
const close = (s: Server) => new Promise<void>((resolve) => s.close(() => resolve()));

describe('unix socket ownership', () => {
  let dir: string;
  let path: string;
  const servers: Server[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'copse-sock-'));
    path = join(dir, 'x.sock');
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map(close));
    rmSync(dir, { recursive: true, force: true });
  });
  const serve = async (prefix?: string) => {
    const bindPath = bindPathFor(path, prefix);
    const server = await listen(bindPath);
    servers.push(server);
    return { bindPath, server };
  };
  /** A socket file nothing listens on, as a killed process leaves it. */
  const staleSocket = async () => {
    const s = await listen(`${path}.listener`);
    linkSync(`${path}.listener`, path);
    await close(s); // unlinks only the listener's own name
  };

  it('tells a live socket from a stale one and from none', async () => {
    await staleSocket();
    expect(lstatSync(path).isSocket()).toBe(true);
    expect(await socketAnswers(path)).toBe(false);
    const live = join(dir, 'live.sock');
    servers.push(await listen(live));
    expect(await socketAnswers(live)).toBe(true);
    expect(await socketAnswers(join(dir, 'absent.sock'))).toBe(false);
  });

  it('names the private socket with the prefix given, beside the path', () => {
    expect(bindPathFor(path, 'csi')).toMatch(new RegExp(`^${dir}/\\.csi\\.[0-9a-f]{8}$`));
    expect(bindPathFor(path)).toMatch(/\/\.sock\.[0-9a-f]{8}$/);
  });

  it('refuses a path longer than a socket address holds, rather than let libuv truncate it', () => {
    expect(() => bindPathFor(join(dir, `${'a'.repeat(120)}.sock`))).toThrow(/bytes; at most 107 are possible/);
    // a path that fits, but whose private name beside it would not
    const deep = join(dir, 'd'.repeat(107 - dir.length - 11));
    expect(Buffer.byteLength(join(deep, 'x.sock'))).toBeLessThanOrEqual(107);
    expect(() => bindPathFor(join(deep, 'x.sock'), 'lvmd')).toThrow(/\.lvmd\.[0-9a-f]{8} is \d+ bytes/);
  });

  it('puts its socket at a free path with the mode asked for', async () => {
    const { bindPath } = await serve();
    const claim = await claimSocket(bindPath, path, 0o600);
    expect(existsSync(bindPath)).toBe(false);
    expect(lstatSync(path).mode & 0o777).toBe(0o600);
    expect(claim.ino).toBe(lstatSync(path).ino);
    expect(await socketAnswers(path)).toBe(true);
  });

  it('replaces a stale socket', async () => {
    await staleSocket();
    const { bindPath } = await serve();
    const claim = await claimSocket(bindPath, path);
    expect(lstatSync(path).ino).toBe(claim.ino);
    expect(await socketAnswers(path)).toBe(true);
  });

  it('refuses a socket another server answers on, and leaves it alone', async () => {
    const first = await serve();
    const claim = await claimSocket(first.bindPath, path);
    const second = await serve();
    const refused = claimSocket(second.bindPath, path);
    await expect(refused).rejects.toThrow(SocketInUseError);
    await expect(refused).rejects.toThrow(`another process answers on ${path}; refusing to take it over`);
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

    const again = await serve();
    const mine = await claimSocket(again.bindPath, path);
    await close(servers.splice(servers.indexOf(again.server), 1)[0]!);
    const theirs = await serve();
    await claimSocket(theirs.bindPath, path); // mine went stale and was replaced
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

  it('serveAt refuses before listening when the path is served, and claims it when free', async () => {
    const first = await serve();
    await claimSocket(first.bindPath, path);
    const listened: string[] = [];
    await expect(serveAt(path, async (p) => void listened.push(p))).rejects.toThrow(SocketInUseError);
    expect(listened).toEqual([]);

    await close(servers.splice(servers.indexOf(first.server), 1)[0]!);
    const claim = await serveAt(
      path,
      async (p) => {
        listened.push(p);
        servers.push(await listen(p));
      },
      { prefix: 'csi', mode: 0o600 },
    );
    expect(listened).toHaveLength(1);
    expect(listened[0]).toMatch(/\/\.csi\.[0-9a-f]{8}$/);
    expect(claim.path).toBe(path);
    expect(await socketAnswers(path)).toBe(true);
  });
});
