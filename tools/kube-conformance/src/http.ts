/**
 * Raw HTTP to the cluster, authenticated exactly as the kubeconfig says (client certificates,
 * bearer token, CA), for the parts of the protocol client-node hides: status codes, Status
 * bodies, content negotiation (Tables, discovery), headers (Warning) and watch streams line
 * by line.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  readonly query?: Query;
  /** A JSON value (serialized here) or a string sent as is. */
  readonly body?: unknown;
  readonly contentType?: string;
  readonly accept?: string;
  readonly headers?: Record<string, string>;
}

export interface Response {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly json: any;
}

export interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly object: any;
}

/** Thrown by WatchStream.next when nothing arrives in time (the stream stays open). */
export class WatchTimeout extends Error {}
/** Thrown by WatchStream.next when the server ended the stream. */
export class WatchEnded extends Error {}

export class ApiClient {
  private constructor(
    private readonly base: URL,
    private readonly options: https.RequestOptions,
  ) {}

  static async fromKubeConfig(kc: KubeConfig): Promise<ApiClient> {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    const options: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(options);
    return new ApiClient(new URL(cluster.server), options);
  }

  get serverUrl(): string {
    return this.base.toString();
  }

  async request(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
    const { req, body } = this.open(method, path, opts);
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      req.on('response', resolve);
      req.on('error', reject);
      req.end(body);
    });
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let json: unknown;
    if (text.length > 0 && /json/.test(String(res.headers['content-type'] ?? ''))) {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    return { status: res.statusCode ?? 0, headers: res.headers, text, json };
  }

  get(path: string, opts?: RequestOptions): Promise<Response> {
    return this.request('GET', path, opts);
  }
  post(path: string, body: unknown, opts: RequestOptions = {}): Promise<Response> {
    return this.request('POST', path, { ...opts, body });
  }
  put(path: string, body: unknown, opts: RequestOptions = {}): Promise<Response> {
    return this.request('PUT', path, { ...opts, body });
  }
  delete(path: string, opts: RequestOptions = {}): Promise<Response> {
    return this.request('DELETE', path, opts);
  }
  patch(path: string, contentType: string, body: unknown, opts: RequestOptions = {}): Promise<Response> {
    return this.request('PATCH', path, { ...opts, body, contentType });
  }

  /** Starts a watch (`?watch=true` is added) and resolves once the response headers arrived. */
  async watch(path: string, query: Query = {}, accept?: string): Promise<WatchStream> {
    const { req } = this.open('GET', path, { query: { ...query, watch: 'true' }, accept });
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      req.on('response', resolve);
      req.on('error', reject);
      req.end();
    });
    return new WatchStream(req, res);
  }

  private open(method: string, path: string, opts: RequestOptions): { req: http.ClientRequest; body?: string } {
    const url = new URL(this.base.toString());
    const [pathname, search] = path.split('?');
    url.pathname = (this.base.pathname.replace(/\/$/, '') + pathname) || '/';
    url.search = search ?? '';
    for (const [key, value] of Object.entries(opts.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const body = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    const headers: Record<string, string> = {
      ...(this.options.headers as Record<string, string> | undefined),
      Accept: opts.accept ?? 'application/json',
      'User-Agent': 'copse-kube-conformance',
      ...opts.headers,
    };
    if (body !== undefined) {
      headers['Content-Type'] = opts.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    const requestOptions: https.RequestOptions = { ...this.options, method, headers };
    const req = url.protocol === 'https:' ? https.request(url, requestOptions) : http.request(url, requestOptions);
    return { req, body };
  }
}

/** One watch response, read as newline-delimited JSON events. */
export class WatchStream {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  /** Resolves when the server ends the response (or close() is called). */
  readonly ended: Promise<void>;
  private readonly queue: WatchEvent[] = [];
  private waiter?: () => void;
  private done = false;
  private buffered = '';
  private errorText = '';

  constructor(
    private readonly req: http.ClientRequest,
    private readonly res: http.IncomingMessage,
  ) {
    this.status = res.statusCode ?? 0;
    this.headers = res.headers;
    res.setEncoding('utf8');
    this.ended = new Promise((resolve) => {
      const finish = (): void => {
        if (this.done) return;
        this.done = true;
        this.flushLine(this.buffered);
        this.buffered = '';
        this.wake();
        resolve();
      };
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', finish);
      req.on('error', finish);
    });
    res.on('data', (chunk: string) => {
      if (this.status !== 200) {
        this.errorText += chunk;
        return;
      }
      this.buffered += chunk;
      let newline: number;
      while ((newline = this.buffered.indexOf('\n')) >= 0) {
        this.flushLine(this.buffered.slice(0, newline));
        this.buffered = this.buffered.slice(newline + 1);
      }
    });
  }

  /** The body of a watch request the server refused (status other than 200). */
  async errorBody(): Promise<unknown> {
    await this.ended;
    return JSON.parse(this.errorText);
  }

  /** The next event; WatchTimeout if none arrives in time, WatchEnded if the stream ended. */
  async next(timeoutMs = 10_000): Promise<WatchEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const event = this.queue.shift();
      if (event) return event;
      if (this.done) throw new WatchEnded('the watch ended');
      const left = deadline - Date.now();
      if (left <= 0) throw new WatchTimeout(`no watch event within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
    }
  }

  /** Events until one satisfies the predicate (that one included). */
  async until(predicate: (event: WatchEvent) => boolean, timeoutMs = 20_000): Promise<WatchEvent[]> {
    const deadline = Date.now() + timeoutMs;
    const seen: WatchEvent[] = [];
    for (;;) {
      const event = await this.next(Math.max(1, deadline - Date.now()));
      seen.push(event);
      if (predicate(event)) return seen;
    }
  }

  /** Everything that arrives in the given time, without waiting for more. */
  async drain(quietMs: number): Promise<WatchEvent[]> {
    const seen: WatchEvent[] = [];
    for (;;) {
      try {
        seen.push(await this.next(quietMs));
      } catch (e) {
        if (e instanceof WatchTimeout || e instanceof WatchEnded) return seen;
        throw e;
      }
    }
  }

  /** Whether the server has ended the stream. */
  get isEnded(): boolean {
    return this.done && this.queue.length === 0;
  }

  close(): void {
    this.req.destroy();
    this.res.destroy();
  }

  private flushLine(line: string): void {
    if (line.trim().length === 0) return;
    this.queue.push(JSON.parse(line) as WatchEvent);
    this.wake();
  }

  private wake(): void {
    this.waiter?.();
  }
}
