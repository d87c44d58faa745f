import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';

/** Where a listening app can be reached: a unix socket path or a TCP port on 127.0.0.1. */
export type Target = { path: string } | { port: number };

/** Listens on a unix socket in a fresh temporary directory; `cleanup` removes the directory. */
export async function listenOnUnixSocket(app: FastifyInstance): Promise<{ target: { path: string }; cleanup(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'lvmd-http-test-'));
  const path = join(dir, 'lvmd.sock');
  await app.listen({ path });
  return { target: { path }, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function listenOnTcp(app: FastifyInstance): Promise<{ port: number }> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
  return { port: address.port };
}

export function open(target: Target): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = 'path' in target ? connect({ path: target.path }) : connect({ host: '127.0.0.1', port: target.port });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

export interface RawAnswer {
  /** everything the server sent */
  readonly text: string;
  /** whether the server closed the connection within the wait */
  readonly closed: boolean;
}

/**
 * Sends `chunks` (one write each, `gapMs` apart) on a fresh connection and collects what
 * comes back until the server closes it, or `waitMs` pass, or a whole answer arrived and
 * the connection stayed open `settleMs` longer.
 */
export async function exchange(
  target: Target,
  chunks: Array<string | Buffer>,
  o: { waitMs?: number; gapMs?: number; settleMs?: number } = {},
): Promise<RawAnswer> {
  const socket = await open(target);
  let text = '';
  let settle: NodeJS.Timeout | undefined;
  const closed = new Promise<boolean>((resolve) => {
    const wait = setTimeout(() => resolve(false), o.waitMs ?? 3000);
    socket.once('close', () => {
      clearTimeout(wait);
      clearTimeout(settle);
      resolve(true);
    });
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (complete(text)) {
        clearTimeout(settle);
        settle = setTimeout(() => {
          clearTimeout(wait);
          resolve(false);
        }, o.settleMs ?? 300);
      }
    });
  });
  socket.on('error', () => undefined);
  for (const [i, chunk] of chunks.entries()) {
    if (i > 0 && o.gapMs) await new Promise((r) => setTimeout(r, o.gapMs));
    if (!socket.destroyed) socket.write(chunk);
  }
  const wasClosed = await closed;
  socket.destroy();
  return { text, closed: wasClosed };
}

function complete(text: string): boolean {
  try {
    const a = parseAnswer(text);
    return Buffer.byteLength(a.body, 'latin1') >= Number(a.headers['content-length'] ?? 0) && a.headers['content-type'] !== 'text/event-stream';
  } catch {
    return false;
  }
}

export interface ParsedAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** The first HTTP/1.1 response in `text` (Content-Length framed). */
export function parseAnswer(text: string): ParsedAnswer {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`no HTTP answer in ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine ?? '')?.[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  return { status, headers, body: text.slice(end + 4, end + 4 + length) };
}
