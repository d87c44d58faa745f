/**
 * TEST INFRASTRUCTURE, never shipped: a Kubernetes API test server on 127.0.0.1.
 *
 * The shape every suite starts it through (the conformance suite, the controller-runtime
 * tests, later the CSI end-to-end suites). When KUBECONFIG is set, suites use that cluster
 * instead and never start this server.
 */
export interface TestApiServerOptions {
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. The server never binds another address. */
  readonly port?: number;
  /** When set, every request needs `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** When set, objects persist to this file and a restart picks them up. */
  readonly dataFile?: string;
  /** When set, a kubeconfig for kubectl and client-node is written here. */
  readonly kubeconfigPath?: string;
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
}
