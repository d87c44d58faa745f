import type { Dispatcher } from 'undici';
import type { components } from './generated/types';
import { isErrorCode, type ErrorCode, type Problem } from './errors';
import { watchEvents, type WatchEvent } from './watch';

/**
 * undici, loaded when a client is first made rather than when this package is: lvmd-http
 * imports the package for its error registry and schemas and never makes a client, and
 * undici is about a third of the modules it would load at start-up (its start-up runs under
 * emulation in the test node, where every module costs tens of times what it costs here).
 */
function undici(): typeof import('undici') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('undici') as typeof import('undici');
}

export type LogicalVolume = components['schemas']['LogicalVolume'];
export type DeviceClass = components['schemas']['DeviceClass'];
export type ThinPool = components['schemas']['ThinPool'];
export type ThinPoolHealth = components['schemas']['ThinPoolHealth'];
export type ThinPoolFillGuard = components['schemas']['ThinPoolFillGuard'];
export type ThinPoolHealthStatus = components['schemas']['ThinPoolHealthStatus'];
export type CreateLogicalVolumeRequest = components['schemas']['CreateLogicalVolumeRequest'];
export type CreateSnapshotRequest = components['schemas']['CreateSnapshotRequest'];
export type ActivationRequest = components['schemas']['ActivationRequest'];
export type AccessType = components['schemas']['AccessType'];
export type Health = components['schemas']['Health'];

export interface LvmdClientOptions {
  /** unix:/path/to/lvmd.sock, http://127.0.0.1:PORT or https://HOST:PORT */
  readonly endpoint: string;
  /** bearer token, required by lvmd-http on TCP unless it authenticates by client certificate */
  readonly token?: string;
  readonly timeoutMs?: number;
  /** for https: the CA that signed lvmd-http's certificate, and this client's certificate and key (mutual TLS) */
  readonly tls?: { readonly ca?: string | Buffer; readonly cert?: string | Buffer; readonly key?: string | Buffer };
}

/** An lvmd answer other than success, with the problem's stable code. */
export class LvmdClientError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    readonly problem: Problem,
  ) {
    super(`lvmd: ${problem.title}${problem.detail ? `: ${problem.detail}` : ''} (${code}, HTTP ${status})`);
    this.name = 'LvmdClientError';
  }
}

export interface CallOptions {
  readonly signal?: AbortSignal;
}

export interface WatchOptions extends CallOptions {
  /** the id of the last event received on an earlier connection: resume after it */
  readonly lastEventId?: string;
  /**
   * A stream that sends nothing (not even its 30 s keep-alive comment) for this long is
   * given up as dead. Default 90 s: three keep-alives missed.
   */
  readonly idleTimeoutMs?: number;
}

export interface Created<T> {
  readonly created: boolean;
  readonly value: T;
}

/** A typed client for lvmd-http, over its unix socket or TCP. */
export class LvmdClient {
  private readonly dispatcher: Dispatcher;
  private readonly origin: string;

  constructor(private readonly options: LvmdClientOptions) {
    if (options.endpoint.startsWith('unix:')) {
      this.dispatcher = new (undici().Agent)({ connect: { socketPath: options.endpoint.slice('unix:'.length) } });
      this.origin = 'http://localhost';
    } else {
      this.dispatcher = new (undici().Agent)(options.tls ? { connect: { ...options.tls } } : {});
      this.origin = options.endpoint.replace(/\/$/, '');
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  listDeviceClasses(o?: CallOptions): Promise<DeviceClass[]> {
    return this.call<{ items: DeviceClass[] }>('GET', '/v1/device-classes', undefined, o).then((r) => r.body.items);
  }

  getDeviceClass(name: string, o?: CallOptions): Promise<DeviceClass> {
    return this.call<DeviceClass>('GET', `/v1/device-classes/${enc(name)}`, undefined, o).then((r) => r.body);
  }

  listLogicalVolumes(deviceClass?: string, o?: CallOptions): Promise<LogicalVolume[]> {
    return this.call<{ items: LogicalVolume[] }>('GET', `/v1/logical-volumes${query(deviceClass)}`, undefined, o).then(
      (r) => r.body.items,
    );
  }

  getLogicalVolume(name: string, deviceClass?: string, o?: CallOptions): Promise<LogicalVolume> {
    return this.call<LogicalVolume>('GET', `/v1/logical-volumes/${enc(name)}${query(deviceClass)}`, undefined, o).then(
      (r) => r.body,
    );
  }

  async createLogicalVolume(name: string, req: CreateLogicalVolumeRequest, o?: CallOptions): Promise<Created<LogicalVolume>> {
    const r = await this.call<LogicalVolume>('PUT', `/v1/logical-volumes/${enc(name)}`, req, o);
    return { created: r.status === 201, value: r.body };
  }

  async createSnapshot(source: string, req: CreateSnapshotRequest, o?: CallOptions): Promise<Created<LogicalVolume>> {
    const r = await this.call<LogicalVolume>('POST', `/v1/logical-volumes/${enc(source)}/snapshots`, req, o);
    return { created: r.status === 201, value: r.body };
  }

  resizeLogicalVolume(name: string, sizeBytes: number, deviceClass?: string, o?: CallOptions): Promise<LogicalVolume> {
    return this.call<LogicalVolume>('PATCH', `/v1/logical-volumes/${enc(name)}${query(deviceClass)}`, { sizeBytes }, o).then(
      (r) => r.body,
    );
  }

  setActivation(name: string, req: ActivationRequest, deviceClass?: string, o?: CallOptions): Promise<LogicalVolume> {
    return this.call<LogicalVolume>('PUT', `/v1/logical-volumes/${enc(name)}/activation${query(deviceClass)}`, req, o).then(
      (r) => r.body,
    );
  }

  async deleteLogicalVolume(name: string, deviceClass?: string, o?: CallOptions): Promise<void> {
    await this.call<void>('DELETE', `/v1/logical-volumes/${enc(name)}${query(deviceClass)}`, undefined, o);
  }

  /**
   * One connection to the watch stream (`GET /v1/watch`): its events in order, ending
   * when the server ends the stream. Reconnecting, with `lastEventId` set to the id of
   * the last event received, is the caller's (see docs/lvmd-http.md, "The watch stream").
   * Throws LvmdClientError when lvmd-http answers with a problem instead of a stream.
   */
  async *watch(o: WatchOptions = {}): AsyncGenerator<WatchEvent> {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    if (o.lastEventId) headers['last-event-id'] = o.lastEventId;
    const res = await undici().request(`${this.origin}/v1/watch`, {
      method: 'GET',
      headers,
      dispatcher: this.dispatcher,
      signal: o.signal,
      headersTimeout: this.options.timeoutMs,
      bodyTimeout: o.idleTimeoutMs ?? 90_000,
    });
    if (res.statusCode >= 400) throw problemError(res.statusCode, await res.body.text());
    try {
      yield* watchEvents(res.body);
    } finally {
      // the consumer stopped early (or the stream failed): release the connection
      res.body.destroy();
    }
  }

  private async call<T>(
    method: Dispatcher.HttpMethod,
    path: string,
    body: unknown,
    o: CallOptions | undefined,
  ): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await undici().request(`${this.origin}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      dispatcher: this.dispatcher,
      signal: o?.signal,
      headersTimeout: this.options.timeoutMs,
      bodyTimeout: this.options.timeoutMs,
    });
    const text = await res.body.text();
    if (res.statusCode >= 400) throw problemError(res.statusCode, text);
    return { status: res.statusCode, body: (text ? JSON.parse(text) : undefined) as T };
  }
}

function problemError(status: number, text: string): LvmdClientError {
  let problem: Problem;
  try {
    problem = JSON.parse(text) as Problem;
  } catch {
    problem = { type: 'about:blank', title: text || `HTTP ${status}`, status, code: 'internal' };
  }
  return new LvmdClientError(status, isErrorCode(problem.code) ? problem.code : 'internal', problem);
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

function query(deviceClass: string | undefined): string {
  return deviceClass === undefined ? '' : `?deviceClass=${encodeURIComponent(deviceClass)}`;
}
