/**
 * Watch clients as the suites need them: one that reads in rare bursts (or, once told,
 * all the time), applies every event to a WatchModel as docs/lvmd-http.md says, and
 * reconnects with its last id whenever its stream ends, lvmd-http restarts included.
 */
import type * as net from 'node:net';
import type { Rng } from './rng';
import { parseEvents, WatchModel } from './watch-model';
import { connect, type Endpoint } from './wire';

export function watchRequest(lastEventId?: string): string {
  // HTTP/1.0: the stream comes unchunked, as plain text/event-stream until the close
  return `GET /v1/watch HTTP/1.0\r\nHost: localhost\r\n${lastEventId ? `Last-Event-ID: ${lastEventId}\r\n` : ''}\r\n`;
}

/** A client that reads in rare bursts, applies what it got, and resumes with its last id when lvmd-http closes it. */
export class BurstWatcher {
  readonly model = new WatchModel();
  readonly closeReasons: string[] = [];
  connections = 0;
  private socket?: net.Socket;
  private text = '';
  private headersDone = false;
  private stopped = false;
  private reading = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly endpoint: Endpoint,
    rng: Rng,
  ) {
    this.open();
    // read for 100 ms every 1.5 to 3 s
    const cycle = () => {
      this.setReading(true);
      setTimeout(() => this.setReading(this.reading && this.steady), 100).unref();
    };
    this.timer = setInterval(cycle, 1500 + rng.int(0, 1500));
  }

  /** from now on it reads all the time */
  steady = false;

  readAll(): void {
    this.steady = true;
    this.setReading(true);
  }

  private setReading(on: boolean): void {
    this.reading = on;
    if (on) this.socket?.resume();
    else this.socket?.pause();
  }

  private open(): void {
    this.connections++;
    this.text = '';
    this.headersDone = false;
    const s = connect(this.endpoint);
    this.socket = s;
    s.on('error', () => undefined);
    s.once('connect', () => s.write(watchRequest(this.model.lastId)));
    s.on('data', (d: Buffer) => this.receive(d.toString('utf8')));
    if (!this.reading && !this.steady) s.pause();
    s.once('close', () => {
      this.closeReasons.push(this.model.closed?.reason ?? (this.headersDone ? 'ended without a close event' : 'no answer'));
      this.model.closed = undefined;
      if (!this.stopped) setTimeout(() => this.open(), 50);
    });
  }

  private receive(chunk: string): void {
    this.text += chunk;
    if (!this.headersDone) {
      const end = this.text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const status = this.text.slice(0, this.text.indexOf('\r\n'));
      if (!/^HTTP\/1\.[01] 200/.test(status)) throw new Error(`watch answered ${status}`);
      this.text = this.text.slice(end + 4);
      this.headersDone = true;
    }
    const cut = this.text.lastIndexOf('\n\n');
    if (cut < 0) return;
    const whole = this.text.slice(0, cut + 2);
    this.text = this.text.slice(cut + 2);
    for (const e of parseEvents(whole)) this.model.apply(e);
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.socket?.destroy();
  }
}

