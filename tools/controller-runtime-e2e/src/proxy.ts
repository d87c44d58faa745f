/**
 * TEST INFRASTRUCTURE: an HTTP proxy on 127.0.0.1 between the code under test and the cluster,
 * playing the network. It forwards every request upstream with the kubeconfig's own transport
 * and credentials (client-node's applyToHTTPSOptions), so it works in front of the API test
 * server and of a real cluster alike, and it can:
 *
 * - cut every open watch response, cleanly (the stream ends) or in the middle of an event
 *   (half the event's bytes, then the connection dies);
 * - hold new watch requests back (the network is down) and let them through later;
 * - answer the next resumed watch (one with a resourceVersion) as kube-apiserver answers a
 *   resourceVersion it has compacted away: 200, one ERROR event with a 410 Expired Status.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

export interface WatchRequest {
  readonly path: string;
  readonly resourceVersion: string | undefined;
  readonly query: URLSearchParams;
  /** When the proxy received it (ms since the epoch). */
  readonly at: number;
}

interface OpenWatch {
  readonly res: ServerResponse;
  readonly upstream: http.ClientRequest;
  cutMidEvent: boolean;
}

export class ApiProxy {
  /** Every watch request seen, in order. */
  readonly watchRequests: WatchRequest[] = [];
  private readonly open = new Set<OpenWatch>();
  private held: (() => void)[] | undefined;
  private expireNext = false;
  private failNext = 0;
  private failAll = false;
  private readonly sockets = new Set<import('node:net').Socket>();

  private constructor(
    private readonly upstream: KubeConfig,
    private readonly server: http.Server,
  ) {}

  static async start(upstream: KubeConfig): Promise<ApiProxy> {
    const server = http.createServer();
    const proxy = new ApiProxy(upstream, server);
    server.on('request', (req, res) => void proxy.handle(req, res));
    server.on('connection', (socket) => {
      proxy.sockets.add(socket);
      socket.on('close', () => proxy.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** A KubeConfig that reaches the cluster through this proxy (which adds the credentials). */
  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      // client-node refuses plain http unless skipTLSVerify is set (there is no TLS to verify)
      clusters: [{ name: 'proxy', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'proxy' }],
      contexts: [{ name: 'proxy', cluster: 'proxy', user: 'proxy' }],
      currentContext: 'proxy',
    });
    return kc;
  }

  /** Watches open right now. */
  openWatches(): number {
    return this.open.size;
  }

  /**
   * Cuts every open watch. `midEvent`: at each watch's next event, pass half of its bytes on,
   * then destroy the connection; otherwise end the streams cleanly at once.
   */
  cutWatches({ midEvent = false }: { midEvent?: boolean } = {}): number {
    const count = this.open.size;
    for (const watch of [...this.open]) {
      if (midEvent) watch.cutMidEvent = true;
      else this.finish(watch, 'end');
    }
    return count;
  }

  /** New watch requests wait until releaseWatches(). */
  holdWatches(): void {
    this.held ??= [];
  }

  releaseWatches(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const go of held) go();
  }

  /** While on, every request is answered 503 (the API server is unreachable for this client). */
  failAllRequests(on: boolean): void {
    this.failAll = on;
  }

  /** The next `count` watch requests are answered 503 with a Status, as an overloaded server does. */
  failNextWatches(count: number): void {
    this.failNext = count;
  }

  /** The next watch that resumes from a resourceVersion gets 410 Expired. */
  expireNextWatch(): void {
    this.expireNext = true;
  }

  async close(): Promise<void> {
    this.releaseWatches();
    for (const watch of [...this.open]) this.finish(watch, 'destroy');
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private finish(watch: OpenWatch, how: 'end' | 'destroy'): void {
    this.open.delete(watch);
    watch.upstream.destroy();
    if (how === 'end') watch.res.end();
    else watch.res.destroy();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://proxy');
    if (this.failAll) {
      unavailable(res);
      return;
    }
    const isWatch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
    if (isWatch) {
      const resourceVersion = url.searchParams.get('resourceVersion') || undefined;
      this.watchRequests.push({ path: url.pathname, resourceVersion, query: url.searchParams, at: Date.now() });
      if (this.held) await new Promise<void>((resolve) => this.held?.push(resolve) ?? resolve());
      if (this.failNext > 0) {
        this.failNext -= 1;
        unavailable(res);
        return;
      }
      if (this.expireNext && resourceVersion) {
        this.expireNext = false;
        const status = {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: `too old resource version: ${resourceVersion}`,
          reason: 'Expired',
          code: 410,
        };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(`${JSON.stringify({ type: 'ERROR', object: status })}\n`);
        return;
      }
    }
    const cluster = this.upstream.getCurrentCluster();
    if (!cluster) throw new Error('the upstream kubeconfig has no current cluster');
    const target = new URL(`${url.pathname}${url.search}`, cluster.server);
    const headers: Record<string, string | string[]> = {};
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined && key !== 'host' && key !== 'authorization') headers[key] = value;
    }
    const options: https.RequestOptions = { method: req.method, headers };
    await this.upstream.applyToHTTPSOptions(options);
    if (options.auth) {
      headers['authorization'] = `Basic ${Buffer.from(options.auth).toString('base64')}`;
      delete options.auth;
    }
    const transport = target.protocol === 'https:' ? https : http;
    const upstream = transport.request(target, options, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      if (!isWatch) {
        upRes.pipe(res);
        return;
      }
      res.flushHeaders(); // a watch's headers go out at once, as the API server sends them
      const watch: OpenWatch = { res, upstream, cutMidEvent: false };
      this.open.add(watch);
      res.on('close', () => this.open.delete(watch)); // the client went away
      upRes.on('data', (chunk: Buffer) => {
        if (!this.open.has(watch)) return;
        if (watch.cutMidEvent && chunk.length > 1) {
          res.write(chunk.subarray(0, Math.floor(chunk.length / 2)), () => this.finish(watch, 'destroy'));
          this.open.delete(watch);
          return;
        }
        res.write(chunk);
      });
      upRes.on('end', () => {
        if (this.open.delete(watch)) res.end();
      });
      upRes.on('error', () => {
        if (this.open.delete(watch)) res.destroy();
      });
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.destroy();
    });
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  }
}

function unavailable(res: ServerResponse): void {
  const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server is unavailable', reason: 'ServiceUnavailable', code: 503 };
  res.writeHead(503, { 'content-type': 'application/json' });
  res.end(JSON.stringify(status));
}
