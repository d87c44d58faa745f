import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import type { DeviceClass, LogicalVolume } from '@copse/lvmd-api';
import { WatchLog } from './event-log';
import { DEFAULT_WATCH_LIMITS, WatchStream, type CloseReason, type WatchLimits } from './watch-stream';

class FakeSource extends EventEmitter {
  listDeviceClasses(): DeviceClass[] {
    return [];
  }
  listVolumes(): LogicalVolume[] {
    return [];
  }
  volume(name: string, sizeBytes: number) {
    this.emit('volume', { type: 'updated', volume: { name, volumeGroup: 'vg', sizeBytes } });
  }
}

/**
 * A client socket that reads only when told to: writes past its 64-byte high-water mark
 * make res.write answer false, as a socket whose peer stopped reading does.
 */
class SlowClient extends Writable {
  received = '';
  private waiting: Array<() => void> = [];
  constructor() {
    super({ highWaterMark: 64, decodeStrings: false });
  }
  override _write(chunk: string, _enc: BufferEncoding, done: () => void) {
    this.waiting.push(() => {
      this.received += chunk;
      done();
    });
  }
  /** lets everything written so far through */
  read(): void {
    while (this.waiting.length) this.waiting.shift()!();
  }
  events(): Array<{ id?: string; event: string; data: Record<string, unknown> }> {
    return this.received
      .split('\n\n')
      .filter((b) => /^event: /m.test(b))
      .map((b) => ({
        id: /^id: (.*)$/m.exec(b)?.[1],
        event: /^event: (.*)$/m.exec(b)![1]!,
        data: JSON.parse(/^data: (.*)$/m.exec(b)![1]!),
      }));
  }
}

const tick = () => new Promise((r) => setImmediate(r));

describe('WatchStream', () => {
  let source: FakeSource;
  let log: WatchLog;
  let client: SlowClient;
  let ended: Array<CloseReason | undefined>;
  const start = (limits: Partial<WatchLimits> = {}) => {
    const stream = new WatchStream(client, log, { ...DEFAULT_WATCH_LIMITS, closeGraceMs: 50, ...limits }, (r) => ended.push(r));
    stream.start({ kind: 'replay', events: [] });
    return stream;
  };
  beforeEach(() => {
    source = new FakeSource();
    log = new WatchLog(source, 1000, '0123456789ab');
    client = new SlowClient();
    ended = [];
  });
  afterEach(() => log.close());

  it('writes events as they come while the client reads', async () => {
    start();
    for (let i = 1; i <= 3; i++) {
      source.volume('a', i);
      client.read();
      await tick();
    }
    expect(client.events().map((e) => e.data.volume)).toEqual([1, 2, 3].map((sizeBytes) => ({ name: 'a', volumeGroup: 'vg', sizeBytes })));
  });

  it('holds only the latest event per volume while the client does not read, and sends them in revision order', async () => {
    const stream = start();
    for (let i = 1; i <= 100; i++) {
      source.volume('a', i);
      source.volume('b', i);
    }
    source.volume('c', 1);
    // a and b once each (the first write got through to the socket), plus the latest of each
    expect(stream.pendingCount).toBe(3);
    for (let i = 0; i < 10; i++) {
      client.read();
      await tick();
    }
    const seen = client.events().map((e) => [e.data.volume && (e.data.volume as { name: string }).name, (e.data.volume as { sizeBytes: number }).sizeBytes]);
    expect(seen.slice(-3)).toEqual([
      ['a', 100],
      ['b', 100],
      ['c', 1],
    ]);
    const revisions = client.events().map((e) => Number(e.id!.split('-')[1]));
    expect(revisions).toEqual([...revisions].sort((x, y) => x - y));
    expect(stream.pendingCount).toBe(0);
  });

  it('keeps memory bounded by the number of volumes, not the change rate', () => {
    const stream = start({ bufferBytes: 10 * 1024 * 1024 });
    for (let i = 0; i < 100_000; i++) source.volume(`v${i % 50}`, i);
    expect(stream.pendingCount).toBeLessThanOrEqual(50);
  });

  it('closes a client whose coalesced events exceed the buffer with a close event naming slow-client', async () => {
    start({ bufferBytes: 2000 });
    for (let i = 0; i < 100; i++) source.volume(`v${i}`, i);
    expect(ended).toEqual(['slow-client']);
    client.read();
    await tick();
    client.read();
    expect(client.received).toMatch(/event: close\ndata: \{"reason":"slow-client","detail":"more than 2000 bytes/);
    expect(log.listenerCount('event')).toBe(0);
  });

  it('closes a client that reads nothing for the stall timeout with a close event naming stalled', async () => {
    start({ stallTimeoutMs: 100, closeGraceMs: 5000 });
    source.volume('a', 1);
    source.volume('b', 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(ended).toEqual(['stalled']);
    client.read();
    await tick();
    client.read();
    expect(client.events().at(-1)).toMatchObject({ event: 'close', data: { reason: 'stalled' } });
  });

  it('does not count a client that keeps reading as stalled', async () => {
    start({ stallTimeoutMs: 100 });
    for (let i = 0; i < 10; i++) {
      source.volume('a', i);
      source.volume('b', i);
      await new Promise((r) => setTimeout(r, 30));
      client.read();
    }
    expect(ended).toEqual([]);
  });

  it('destroys the connection of a closed client that never reads the close event', async () => {
    start({ bufferBytes: 500 });
    for (let i = 0; i < 20; i++) source.volume(`v${i}`, i);
    expect(ended).toEqual(['slow-client']);
    await new Promise((r) => setTimeout(r, 150));
    expect(client.destroyed).toBe(true);
  });

  it('a snapshot supersedes whatever was pending', () => {
    const stream = new WatchStream(client, log, DEFAULT_WATCH_LIMITS, () => undefined);
    stream.start({ kind: 'replay', events: [] });
    source.volume('a', 1); // written
    source.volume('a', 2);
    source.volume('b', 2);
    expect(stream.pendingCount).toBe(2);
    (stream as unknown as { offer(e: unknown): void }).offer(log.snapshot('expired'));
    expect(stream.pendingCount).toBe(1);
  });

  it('lets go of the log and its timers when the client goes away', async () => {
    const stream = start();
    source.volume('a', 1);
    source.volume('b', 1);
    client.destroy();
    await tick();
    expect(log.listenerCount('event')).toBe(0);
    expect(stream.pendingCount).toBe(0);
    expect(ended).toEqual([undefined]);
  });
});
