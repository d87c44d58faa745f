import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, lstatSync, renameSync, unlinkSync, type Stats } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';

/** The socket path cannot be served: another process answers on it, or it is unusable. */
export class SocketInUseError extends Error {}

/** What a process knows of the socket it put at a path, to remove it only if it is still there. */
export interface SocketClaim {
  readonly path: string;
  /** the listening name libuv created (and unlinks itself on close), already moved to `path` */
  readonly bindPath: string;
  readonly dev: number;
  readonly ino: number;
}

/**
 * Whether something accepts connections on the unix socket at `path`: true when a
 * connect succeeds, false when it is refused (a stale socket no process listens on).
 */
export function socketAnswers(path: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect({ path });
    const timer = setTimeout(() => {
      socket.destroy();
      // a listener whose backlog is full still exists
      resolve(true);
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(true);
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (e.code === 'ECONNREFUSED' || e.code === 'ENOENT') resolve(false);
      else reject(new SocketInUseError(`cannot tell whether ${path} is in use: ${e.message}`));
    });
  });
}

/** Throws SocketInUseError when another process accepts connections on the socket at `path`. */
export async function refuseIfServed(path: string): Promise<void> {
  const existing = statOrUndefined(path);
  if (existing?.isSocket() && (await socketAnswers(path))) {
    throw new SocketInUseError(`another process answers on ${path}; refusing to take it over (stop it, or choose another --listen)`);
  }
}

/** What a unix socket address holds (sun_path less its NUL); libuv silently truncates a longer path. */
export const MAX_SOCKET_PATH_BYTES = 107;

/**
 * A private name in `path`'s directory to listen on before moving the socket into place:
 * random, since two containers may share the directory and both be PID 1.
 */
export function bindPathFor(path: string): string {
  const bindPath = join(dirname(path), `.lvmd.${randomBytes(4).toString('hex')}`);
  for (const p of [path, bindPath]) {
    if (Buffer.byteLength(p) > MAX_SOCKET_PATH_BYTES) {
      throw new SocketInUseError(`unix socket path ${p} is ${Buffer.byteLength(p)} bytes; at most ${MAX_SOCKET_PATH_BYTES} are possible`);
    }
  }
  return bindPath;
}

/**
 * Moves the socket a server listens on at `bindPath` to `path`, unless another process
 * answers there. A stale socket (nothing answers) is replaced; anything that is not a
 * socket is left alone. The move is a link when `path` is free and an atomic rename
 * over a stale socket, so `path` never names a half-made socket.
 *
 * Listening on a private name first matters at shutdown too: node (libuv) unlinks the
 * name it listened on when the server closes, whatever that name points to by then, so
 * a server that listened on `path` itself would delete a successor's socket.
 */
export async function claimSocket(bindPath: string, path: string): Promise<SocketClaim> {
  chmodSync(bindPath, 0o660);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      linkSync(bindPath, path);
      unlinkSync(bindPath);
      return ownership(path, bindPath);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const existing = statOrUndefined(path);
    if (!existing) continue;
    if (!existing.isSocket()) throw new SocketInUseError(`${path} exists and is not a socket; refusing to replace it`);
    await refuseIfServed(path);
    renameSync(bindPath, path);
    return ownership(path, bindPath);
  }
  throw new SocketInUseError(`${path} keeps appearing and disappearing; another lvmd-http may be starting`);
}

/** Removes the socket at the claimed path if it is still the one this process put there. */
export function releaseSocket(claim: SocketClaim): 'removed' | 'not-ours' | 'gone' {
  const now = statOrUndefined(claim.path);
  if (!now) return 'gone';
  if (now.dev !== claim.dev || now.ino !== claim.ino) return 'not-ours';
  unlinkSync(claim.path);
  return 'removed';
}

function ownership(path: string, bindPath: string): SocketClaim {
  const s = lstatSync(path);
  return { path, bindPath, dev: s.dev, ino: s.ino };
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
