/**
 * HTTP/1.1 on a raw socket, as a hostile client speaks it: any bytes on a fresh
 * connection (unix socket, TCP or TLS), and the first answer read back exactly as the
 * server sent it (interim 1xx answers, Content-Length or chunked bodies, HEAD, an
 * event stream read until enough events arrived). No HTTP client library is used here on
 * purpose: they refuse to send most of what this suite sends.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';

export type Endpoint = { readonly kind: 'unix'; readonly path: string } | { readonly kind: 'tcp'; readonly port: number; readonly ca?: string };

export function connect(e: Endpoint): net.Socket {
  if (e.kind === 'unix') return net.connect({ path: e.path });
  if (e.ca) return tls.connect({ host: '127.0.0.1', port: e.port, ca: e.ca, servername: undefined });
  return net.connect({ host: '127.0.0.1', port: e.port });
}

export interface Answer {
  readonly status: number;
  /** header names in lower case; repeated headers joined with ", " */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** status codes of interim answers (100 Continue) before this one */
  readonly interim: readonly number[];
  /** the server closed the connection after this answer (seen within the wait) */
  readonly closed: boolean;
}

export interface ExchangeOptions {
  /** the request was HEAD: the answer has no body whatever its headers say */
  readonly head?: boolean;
  /** for text/event-stream answers: stop reading once this says the events so far suffice */
  readonly eventsEnough?: (text: string) => boolean;
  /** give up (the result is an error) after this long without a whole answer */
  readonly timeoutMs?: number;
  /** after a whole answer, how long to wait for the server to close the connection */
  readonly closeWaitMs?: number;
}

export class NoAnswerError extends Error {
  constructor(
    message: string,
    readonly received: Buffer,
  ) {
    super(message);
    this.name = 'NoAnswerError';
  }
}

/** Sends `request` on a fresh connection and reads the first (non-1xx) answer. */
export function exchange(e: Endpoint, request: string | Buffer, o: ExchangeOptions = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect(e);
    let received = Buffer.alloc(0);
    let answer: Omit<Answer, 'closed'> | undefined;
    let settled = false;
    let closeTimer: NodeJS.Timeout | undefined;
    const finish = (closed: boolean) => {
      if (settled || !answer) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(closeTimer);
      socket.destroy();
      resolve({ ...answer, closed });
    };
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(closeTimer);
      socket.destroy();
      reject(new NoAnswerError(`${why}; received ${JSON.stringify(received.subarray(0, 300).toString('latin1'))}`, received));
    };
    const timer = setTimeout(() => (answer ? finish(false) : fail(`no whole answer within ${o.timeoutMs ?? 10_000} ms`)), o.timeoutMs ?? 10_000);
    socket.on('data', (d: Buffer) => {
      received = Buffer.concat([received, d]);
      if (answer) return;
      const parsed = parseAnswer(received, o);
      if (!parsed) return;
      answer = parsed;
      const wantsClose = (parsed.headers.connection ?? '').toLowerCase().includes('close');
      if (!wantsClose || o.closeWaitMs === 0) finish(false);
      else closeTimer = setTimeout(() => finish(false), o.closeWaitMs ?? 2000);
    });
    // a write the server refused to read (it answered early and closed) is not an error of the exchange
    socket.on('error', () => undefined);
    socket.once('close', () => {
      if (answer) return finish(true);
      // the server may close right after an answer we could only frame by its close
      const parsed = parseAnswer(received, { ...o, closed: true });
      if (parsed) {
        answer = parsed;
        return finish(true);
      }
      fail('the server closed the connection without a whole answer');
    });
    socket.once(e.kind === 'tcp' && e.ca ? 'secureConnect' : 'connect', () => socket.write(request));
  });
}

/** The first non-1xx answer in `bytes`, or undefined while it is incomplete. */
export function parseAnswer(bytes: Buffer, o: ExchangeOptions & { closed?: boolean } = {}): Omit<Answer, 'closed'> | undefined {
  const interim: number[] = [];
  let offset = 0;
  for (;;) {
    const end = bytes.indexOf('\r\n\r\n', offset);
    if (end < 0) return undefined;
    const [statusLine = '', ...lines] = bytes.subarray(offset, end).toString('latin1').split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
    if (!m) throw new Error(`not an HTTP answer: ${JSON.stringify(statusLine)}`);
    const status = Number(m[1]);
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    const start = end + 4;
    if (status >= 100 && status < 200) {
      interim.push(status);
      offset = start;
      continue;
    }
    const rest = bytes.subarray(start);
    if (o.head || status === 204 || status === 304) return { status, headers, body: Buffer.alloc(0), interim };
    if ((headers['content-type'] ?? '').startsWith('text/event-stream')) {
      const text = rest.toString('utf8');
      if (o.closed || (o.eventsEnough ?? (() => true))(text)) return { status, headers, body: rest, interim };
      return undefined;
    }
    if ((headers['transfer-encoding'] ?? '').toLowerCase().includes('chunked')) {
      const body = dechunk(rest);
      return body === undefined ? undefined : { status, headers, body, interim };
    }
    if (headers['content-length'] !== undefined) {
      const length = Number(headers['content-length']);
      return rest.length >= length ? { status, headers, body: rest.subarray(0, length), interim } : undefined;
    }
    return o.closed ? { status, headers, body: rest, interim } : undefined;
  }
}

function dechunk(bytes: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const eol = bytes.indexOf('\r\n', offset);
    if (eol < 0) return undefined;
    const size = parseInt(bytes.subarray(offset, eol).toString('latin1'), 16);
    if (Number.isNaN(size)) throw new Error('malformed chunked body');
    if (size === 0) return bytes.indexOf('\r\n', eol + 2) < 0 ? undefined : Buffer.concat(parts);
    if (bytes.length < eol + 2 + size + 2) return undefined;
    parts.push(bytes.subarray(eol + 2, eol + 2 + size));
    offset = eol + 2 + size + 2;
  }
}

/** A request as bytes: request line, headers in the order given (repeats allowed), body. */
export function requestBytes(method: string, target: string, headers: ReadonlyArray<readonly [string, string]>, body?: Buffer, version = 'HTTP/1.1'): Buffer {
  const head = `${method} ${target} ${version}\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  return body ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : Buffer.from(head, 'latin1');
}

/** A connection kept open by the client: what it sent, what came back, and when the server closed it. */
export interface HeldConnection {
  readonly received: () => Buffer;
  /** resolves when the connection is closed (by either side); never rejects */
  readonly closed: Promise<void>;
  /** whether the server closed it (rather than the client) */
  readonly closedByServer: () => boolean;
  /** the client sends more (a stalled client that resumes) */
  readonly write: (bytes: string | Buffer) => void;
  readonly destroy: () => void;
}

/**
 * Connects, sends `bytes` (possibly an unfinished request), and holds the connection until the server or `destroy` ends it.
 * A unix socket whose listen backlog is full refuses at once (EAGAIN) where TCP would queue: that is the kernel, not the
 * server, so the connect is tried again shortly, as a client would.
 */
export async function hold(e: Endpoint, bytes: string | Buffer): Promise<HeldConnection> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await holdOnce(e, bytes);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || attempt >= 200) throw err;
      await new Promise((r) => setTimeout(r, 10 + attempt * 5));
    }
  }
}

function holdOnce(e: Endpoint, bytes: string | Buffer): Promise<HeldConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect(e);
    let received = Buffer.alloc(0);
    let byClient = false;
    let byServer = false;
    let connected = false;
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('data', (d: Buffer) => {
      received = Buffer.concat([received, d]);
    });
    socket.on('end', () => {
      if (!byClient) byServer = true;
    });
    socket.on('error', (err) => {
      if (!connected) reject(err);
    });
    socket.once('close', () => {
      if (!byClient) byServer = true;
    });
    socket.once(e.kind === 'tcp' && e.ca ? 'secureConnect' : 'connect', () => {
      connected = true;
      if (bytes.length > 0) socket.write(bytes);
      resolve({
        received: () => received,
        closed,
        closedByServer: () => byServer,
        write: (more) => socket.write(more),
        destroy: () => {
          byClient = true;
          socket.destroy();
        },
      });
    });
  });
}
