/**
 * Counters for what csi-node asks of others: its requests to the Kubernetes API (counted
 * on the client side, so the same count works against the API test server and a real
 * cluster) and what lvmd-http reports it ran (its own Prometheus counters, read over its
 * socket).
 */
import * as http from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';

type RequestContext = Parameters<KubeConfig['applySecurityAuthentication']>[0];

/**
 * A KubeConfig that records every request made through it: API calls (the generated
 * clients pass each through applySecurityAuthentication) and watch opens (client-node's
 * Watch asks applyToFetchOptions for its request options, and nothing else csi-node uses
 * does).
 */
export class CountingKubeConfig extends KubeConfig {
  readonly requests: string[] = [];
  watches = 0;

  static from(kc: KubeConfig): CountingKubeConfig {
    const counting = new CountingKubeConfig();
    counting.loadFromString(kc.exportConfig());
    return counting;
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    this.requests.push(`${context.getHttpMethod()} ${new URL(context.getUrl()).pathname}`);
    return super.applySecurityAuthentication(context);
  }

  override async applyToFetchOptions(opts: Parameters<KubeConfig['applyToFetchOptions']>[0]): ReturnType<KubeConfig['applyToFetchOptions']> {
    this.watches += 1;
    return super.applyToFetchOptions(opts);
  }
}

/** lvmd-http's /metrics, over its unix socket. */
export function lvmdMetrics(socketPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ socketPath, path: '/metrics' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`GET /metrics: ${res.statusCode} ${body}`))));
    });
    req.on('error', reject);
  });
}

/** The sum of a counter's series whose labels pass `keep` (Prometheus text format). */
export function sumOf(text: string, name: string, keep: (labels: string) => boolean = () => true): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`).exec(line);
    if (m && keep(m[1] ?? '')) sum += Number(m[2]);
  }
  return sum;
}
