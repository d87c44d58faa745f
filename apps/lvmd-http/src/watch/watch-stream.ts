import type { Writable } from 'node:stream';
import type { Resume, WatchEvent, WatchLog } from './event-log';

/** How much a watch client may fall behind before it is closed. */
export interface WatchLimits {
  /** bytes of coalesced events held for a client that does not read; beyond them it is closed (slow-client) */
  readonly bufferBytes: number;
  /** a client that reads nothing this long while events wait for it is closed (stalled) */
  readonly stallTimeoutMs: number;
  /** a comment line this often keeps proxies and clients from timing the stream out */
  readonly heartbeatMs: number;
  /** after the close event, how long a client has to read it before its connection is destroyed */
  readonly closeGraceMs: number;
}

export const DEFAULT_WATCH_LIMITS: WatchLimits = {
  bufferBytes: 1024 * 1024,
  stallTimeoutMs: 30_000,
  heartbeatMs: 30_000,
  closeGraceMs: 5_000,
};

export type CloseReason = 'slow-client' | 'stalled' | 'shutdown';

/** The reconnection delay (ms) a client's EventSource should use, sent first on every stream. */
const RETRY_MS = 1000;

/**
 * One client's event stream, respecting the socket's backpressure.
 *
 * While the socket takes what is written (res.write answers true), events are written
 * as they come. When it does not, nothing more is written until 'drain'; meanwhile
 * events are coalesced per key (the latest state of each volume and the latest
 * capacity; an earlier event of the same key is dropped) and sent in revision order
 * once the socket drains. A client is thus never sent a stale state after a newer one,
 * and memory per client is bounded by the number of keys, not by the change rate. A
 * client whose coalesced events exceed `bufferBytes`, or that drains nothing for
 * `stallTimeoutMs`, gets a `close` event naming the reason and its connection ends; it
 * reconnects with the last id it received and resumes.
 */
export class WatchStream {
  private blocked = false;
  private readonly pending = new Map<string, WatchEvent>();
  private pendingBytes = 0;
  private closed = false;
  private stallTimer?: NodeJS.Timeout;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly onEvent = (e: WatchEvent) => this.offer(e);
  private readonly onDrain = () => this.drained();

  constructor(
    private readonly res: Writable,
    private readonly log: WatchLog,
    private readonly limits: WatchLimits,
    /** told once when the stream ends: with the reason when the server closed it */
    private readonly onEnd: (reason?: CloseReason) => void = () => undefined,
  ) {
    this.heartbeat = setInterval(() => {
      if (!this.blocked) this.write(': keep-alive\n\n');
    }, limits.heartbeatMs);
    this.heartbeat.unref();
    res.on('drain', this.onDrain);
    res.once('close', () => this.dispose());
  }

  /** Sends what the client needs to catch up, then follows the log. */
  start(resume: Resume): void {
    this.write(`retry: ${RETRY_MS}\n\n`);
    if (resume.kind === 'snapshot') this.offer(this.log.snapshot(resume.reason));
    else for (const e of resume.events) this.offer(e);
    this.log.on('event', this.onEvent);
  }

  /** Ends the stream with a `close` event naming the reason. */
  close(reason: CloseReason, detail: string): void {
    if (this.closed) return;
    this.dispose(reason);
    this.res.write(`event: close\ndata: ${JSON.stringify({ reason, detail })}\n\n`);
    this.res.end();
    // A client that reads nothing would keep the connection (and its buffers) for ever.
    setTimeout(() => this.res.destroy(), this.limits.closeGraceMs).unref();
  }

  /** Coalesced events waiting for the socket to drain (for tests and metrics). */
  get pendingCount(): number {
    return this.pending.size;
  }

  private offer(e: WatchEvent): void {
    if (this.closed) return;
    if (!this.blocked) {
      this.write(e.text);
      return;
    }
    const previous = this.pending.get(e.key);
    // a snapshot supersedes everything before it
    if (e.key === 'snapshot') this.clearPending();
    else if (previous) this.pendingBytes -= previous.text.length;
    this.pending.delete(e.key); // re-insert: the map's order is then the revision order
    this.pending.set(e.key, e);
    this.pendingBytes += e.text.length;
    if (this.pendingBytes > this.limits.bufferBytes) {
      this.close('slow-client', `more than ${this.limits.bufferBytes} bytes of events waited for this client; reconnect with Last-Event-ID`);
    }
  }

  private write(text: string): void {
    if (this.res.write(text)) return;
    this.blocked = true;
    this.stallTimer ??= setTimeout(
      () => this.close('stalled', `the client read nothing for ${this.limits.stallTimeoutMs / 1000} s; reconnect with Last-Event-ID`),
      this.limits.stallTimeoutMs,
    );
    this.stallTimer.unref();
  }

  private drained(): void {
    if (this.closed) return;
    this.blocked = false;
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    for (const [key, e] of this.pending) {
      this.pending.delete(key);
      this.pendingBytes -= e.text.length;
      this.write(e.text);
      if (this.blocked) return;
    }
  }

  private clearPending(): void {
    this.pending.clear();
    this.pendingBytes = 0;
  }

  private dispose(reason?: CloseReason): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.stallTimer);
    this.clearPending();
    this.log.off('event', this.onEvent);
    this.res.off('drain', this.onDrain);
    this.onEnd(reason);
  }
}
