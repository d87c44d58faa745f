// Owning a unix socket path, for every Copse server that listens on one (lvmd-http's
// HTTP socket, the CSI gRPC sockets kubelet and the sidecars dial): never take over a
// path another live process answers on, replace a stale socket a killed process left,
// and at shutdown remove only the socket this process put there.
// First written for lvmd-http's socket (apps/lvmd-http/src/unix-socket.ts) and moved
// here unchanged in behaviour, with the private name's prefix and the mode as parameters.
import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, lstatSync, renameSync, unlinkSync, type Stats } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';

/** The socket path cannot be served: another process answers on it, or it is unusable. */
export class SocketInUseError extends Error {
  override readonly name = 'SocketInUseError';
}

/** What a process knows of the socket it put at a path, to remove it only if it is still there. */
export interface SocketClaim {
  readonly path: string;
  /** the listening name libuv created (and unlinks itself on close), already moved to `path` */
  readonly bindPath: string;
  readonly dev: number;
  readonly ino: number;
}

/** What a unix socket address holds (sun_path less its NUL); libuv silently truncates a longer path. */
export const MAX_SOCKET_PATH_BYTES = 107;

/**
 * Whether something accepts connections on the unix socket at `path`: true when a
 * connect succeeds (or hangs: a listener whose backlog is full still exists), false when
 * it is refused or the path is gone (a stale socket no process listens on).
 */
export function socketAnswers(path: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect({ path });
    const timer = setTimeout(() => {
      socket.destroy();
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
    throw new SocketInUseError(`another process answers on ${path}; refusing to take it over`);
  }
}

/**
 * A private name in `path`'s directory to listen on before moving the socket into place:
 * random, since two containers may share the directory and both be PID 1. Throws
 * SocketInUseError when either name is longer than a socket address holds.
 */
export function bindPathFor(path: string, prefix = 'sock'): string {
  const bindPath = join(dirname(path), `.${prefix}.${randomBytes(4).toString('hex')}`);
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
export async function claimSocket(bindPath: string, path: string, mode = 0o660): Promise<SocketClaim> {
  chmodSync(bindPath, mode);
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
  throw new SocketInUseError(`${path} keeps appearing and disappearing; another server may be starting`);
}

export interface ServeAtOptions {
  /** the private name's prefix (`.<prefix>.<random>` beside the path) */
  readonly prefix?: string;
  /** the socket's permission bits (default 0660: owner and group) */
  readonly mode?: number;
}

/**
 * The whole sequence for a server that wants `path`: refuse early when another process
 * answers there, start listening on a private name with `listen`, then claim the path.
 * When the claim fails the caller's server is listening on the private name and must
 * be closed by the caller (closing unlinks that name).
 */
export async function serveAt(path: string, listen: (bindPath: string) => Promise<void>, options: ServeAtOptions = {}): Promise<SocketClaim> {
  await refuseIfServed(path);
  const bindPath = bindPathFor(path, options.prefix);
  await listen(bindPath);
  return claimSocket(bindPath, path, options.mode);
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
