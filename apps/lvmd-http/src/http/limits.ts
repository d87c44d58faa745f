/** What a connection may cost lvmd-http: how many at once, and how long each may dawdle. */
export interface ServerLimits {
  /** connections open at once; more are answered 503 too-many-connections and closed */
  readonly maxConnections: number;
  /** time to receive a request's headers */
  readonly headersTimeoutMs: number;
  /** time to receive a whole request, headers and body (not the time to answer it) */
  readonly requestTimeoutMs: number;
  /** an idle kept-alive connection is closed after this long */
  readonly keepAliveTimeoutMs: number;
  /**
   * a connection with no traffic either way for this long is closed: longer than an lvm
   * command may run, so it never cuts a request that waits for lvm. Watch streams are
   * exempt (they bound a stalled client themselves).
   */
  readonly idleTimeoutMs: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  maxConnections: 512,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 330_000,
};
