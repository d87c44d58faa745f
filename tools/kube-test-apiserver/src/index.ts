/**
 * TEST INFRASTRUCTURE, never shipped: a Kubernetes API test server on 127.0.0.1.
 *
 * The shape every suite starts it through (the conformance suite, the controller-runtime
 * tests, later the CSI end-to-end suites). When KUBECONFIG is set, suites use that cluster
 * instead and never start this server.
 */
import type { Logger } from 'pino';
import type { KubeObject } from './api/object';
import { TestApiServer, defaultLogger } from './server';

export interface TestApiServerOptions {
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. The server never binds another address. */
  readonly port?: number;
  /** When set, every request needs `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** When set, objects persist to this file and a restart picks them up. */
  readonly dataFile?: string;
  /** When set, a kubeconfig for kubectl and client-node is written here. */
  readonly kubeconfigPath?: string;
  /** CRDs served from the start: objects, or paths of YAML/JSON files (several documents each). */
  readonly crds?: readonly (KubeObject | string)[];
  /** Serve the external-snapshotter CRDs (snapshot.storage.k8s.io/v1) from the start. Default true. */
  readonly snapshotCrds?: boolean;
  /** How many changes the watch history keeps before older resourceVersions answer 410. Default 20000. */
  readonly historyLimit?: number;
  /** Interval of watch BOOKMARK events (the real server: 60000). */
  readonly bookmarkIntervalMs?: number;
  /** Watch timeout when the client gives no timeoutSeconds (the real server: 30 to 60 minutes, random). */
  readonly watchTimeoutMs?: number;
  /** A pino logger; default: pino at logLevel (default "warn") to stdout. */
  readonly logger?: Logger;
  readonly logLevel?: string;
}

export interface RunningTestApiServer {
  /** e.g. http://127.0.0.1:40123 */
  readonly url: string;
  /** The kubeconfig file written, when asked for. */
  readonly kubeconfigPath?: string;
  /** The kubeconfig as YAML text (what kubeconfigPath holds). */
  kubeconfigYaml(): string;
  /** Stops listening, ends open watches and flushes the data file. */
  close(): Promise<void>;
  /** Forgets the change history: a watch or a continue token from an older resourceVersion gets 410 Gone. */
  compact(): void;
  /** Resolves once the server's own controllers (CRDs, namespaces, garbage collector) are idle. */
  settle(): Promise<void>;
}

export async function startTestApiServer(options: TestApiServerOptions = {}): Promise<RunningTestApiServer> {
  const server = new TestApiServer({
    port: options.port ?? 0,
    token: options.token,
    dataFile: options.dataFile,
    kubeconfigPath: options.kubeconfigPath,
    crds: options.crds ?? [],
    snapshotCrds: options.snapshotCrds ?? true,
    historyLimit: options.historyLimit ?? 20_000,
    bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000,
    watchTimeoutMs: options.watchTimeoutMs,
    log: options.logger ?? defaultLogger(options.logLevel ?? 'warn'),
  });
  await server.start();
  return {
    url: server.url,
    kubeconfigPath: options.kubeconfigPath,
    kubeconfigYaml: () => server.kubeconfig(),
    close: () => server.close(),
    compact: () => server.compact(),
    settle: () => server.settle(),
  };
}
