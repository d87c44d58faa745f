import type { Socket } from 'node:net';
import { Agent, request } from 'undici';
import type { DeviceClass, LogicalVolume } from '@copse/lvmd-api';
import { startHarness, type Harness, GiB, MiB } from '../../test/harness';
import { listenOnTcp, listenOnUnixSocket, open } from '../../test/raw-http';

interface SseEvent {
  id?: string;
  event: string;
  data: Record<string, unknown>;
}

/** Reads server-sent events from `body` until `done` says enough (or the stream ends). */
async function readEvents(body: AsyncIterable<Buffer>, done: (events: SseEvent[]) => boolean): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  let buffer = '';
  for await (const chunk of body) {
    buffer += chunk.toString('utf8');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event && data) events.push({ id: /^id: (.*)$/m.exec(block)?.[1], event, data: JSON.parse(data) });
      if (done(events)) return events;
    }
  }
  return events;
}

/** What a client following the watch knows: the state it rebuilds from the events. */
class WatchModel {
  deviceClasses: DeviceClass[] = [];
  volumes = new Map<string, LogicalVolume>();
  lastId?: string;
  apply(e: SseEvent): void {
    if (e.id) this.lastId = e.id;
    const key = (v: LogicalVolume) => `${v.volumeGroup}/${v.name}`;
    if (e.event === 'snapshot') {
      this.deviceClasses = e.data.deviceClasses as DeviceClass[];
      this.volumes = new Map((e.data.logicalVolumes as LogicalVolume[]).map((v) => [key(v), v]));
    } else if (e.event === 'capacity') this.deviceClasses = e.data.items as DeviceClass[];
    else if (e.event === 'logical-volume') {
      const { type, volume } = e.data as { type: string; volume: LogicalVolume };
      if (type === 'deleted') this.volumes.delete(key(volume));
      else this.volumes.set(key(volume), volume);
    }
  }
  matches(h: Harness): void {
    expect([...this.volumes.values()].sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      h.service.listVolumes().sort((a, b) => a.name.localeCompare(b.name)),
    );
    expect(this.deviceClasses).toEqual(h.service.listDeviceClasses());
  }
}

describe('watch', () => {
  let h: Harness;
  let base: string;
  const create = (name: string, sizeBytes = GiB) => h.app.inject({ method: 'PUT', url: `/v1/logical-volumes/${name}`, payload: { sizeBytes } });
  const remove = (name: string) => h.app.inject({ method: 'DELETE', url: `/v1/logical-volumes/${name}` });
  const watch = (lastEventId?: string) => {
    const controller = new AbortController();
    const res = request(`${base}/v1/watch`, { signal: controller.signal, headers: lastEventId ? { 'last-event-id': lastEventId } : {} });
    return { res, stop: () => controller.abort() };
  };

  beforeAll(async () => {
    h = await startHarness({ app: { watch: { historySize: 8 } } });
    base = `http://127.0.0.1:${(await listenOnTcp(h.app)).port}`;
  });
  afterAll(() => h.close());

  it('starts with a snapshot of the whole state, then streams volume and capacity events with growing ids', async () => {
    await create('w0');
    const w = watch();
    const res = await w.res;
    expect(res.headers['content-type']).toBe('text/event-stream');
    const reading = readEvents(res.body, (e) => e.length >= 3);
    await new Promise((r) => setTimeout(r, 50));
    await create('w1');
    const events = await reading;
    w.stop();
    expect(events.map((e) => e.event)).toEqual(['snapshot', 'logical-volume', 'capacity']);
    expect(events[0]!.data).toMatchObject({ reason: 'initial' });
    expect((events[0]!.data.logicalVolumes as LogicalVolume[]).map((v) => v.name)).toContain('w0');
    expect(events[1]!.data).toMatchObject({ type: 'created', volume: { name: 'w1' } });
    const thin = (events[2]!.data.items as DeviceClass[]).find((d) => d.name === 'thin');
    expect(thin?.thinPool?.virtualSizeBytes).toBe(h.service.getDeviceClass(h.service.deviceClass('thin', 'x')).thinPool?.virtualSizeBytes);
    const [epoch, ...revisions] = events.map((e) => e.id!.split('-')).flatMap(([ep, rev], i) => (i === 0 ? [ep!, Number(rev)] : [Number(rev)]));
    expect(epoch).toMatch(/^[0-9a-f]{12}$/);
    expect(revisions).toEqual([...revisions].sort((a, b) => (a as number) - (b as number)));
    expect(new Set(revisions).size).toBe(revisions.length);
  });

  it('resumes after Last-Event-ID with exactly the missed events, and the client converges', async () => {
    const model = new WatchModel();
    let w = watch();
    for (const e of await readEvents((await w.res).body, (es) => es.length >= 1)) model.apply(e);
    w.stop();
    // changes while the client is away: fewer than the history keeps
    await create('r1');
    await remove('w0');
    w = watch(model.lastId);
    const events = await readEvents((await w.res).body, (es) => es.length >= 4);
    w.stop();
    expect(events.map((e) => [e.event, e.data.type])).toEqual([
      ['logical-volume', 'created'],
      ['capacity', undefined],
      ['logical-volume', 'deleted'],
      ['capacity', undefined],
    ]);
    for (const e of events) model.apply(e);
    model.matches(h);
  });

  it('sends a snapshot marked expired when the missed events are no longer kept, and the client converges', async () => {
    const model = new WatchModel();
    let w = watch();
    for (const e of await readEvents((await w.res).body, (es) => es.length >= 1)) model.apply(e);
    w.stop();
    for (let i = 0; i < 6; i++) await create(`x${i}`); // 12 events, history keeps 8
    w = watch(model.lastId);
    const [first] = await readEvents((await w.res).body, (es) => es.length >= 1);
    w.stop();
    expect(first).toMatchObject({ event: 'snapshot', data: { reason: 'expired' } });
    model.apply(first!);
    model.matches(h);
  });

  it('sends a snapshot marked restarted for an id of another process lifetime, and invalid-id for garbage', async () => {
    for (const [id, reason] of [
      ['000000000000-3', 'restarted'],
      ['not-an-id', 'invalid-id'],
    ]) {
      const w = watch(id);
      const [first] = await readEvents((await w.res).body, (es) => es.length >= 1);
      w.stop();
      expect(first).toMatchObject({ event: 'snapshot', data: { reason } });
    }
  });

  it("refuses a Last-Event-ID longer than the document's 64 characters with 400 naming the header", async () => {
    const w = watch('x'.repeat(64));
    const [first] = await readEvents((await w.res).body, (es) => es.length >= 1);
    w.stop();
    expect(first).toMatchObject({ event: 'snapshot', data: { reason: 'invalid-id' } });
    const r = await h.app.inject({ method: 'GET', url: '/v1/watch', headers: { 'last-event-id': 'x'.repeat(65) } });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ code: 'invalid-field', field: 'headers.last-event-id' });
  });

  it('ends every stream with a close event when lvmd-http shuts down', async () => {
    const own = await startHarness();
    const ownBase = `http://127.0.0.1:${(await listenOnTcp(own.app)).port}`;
    const res = await request(`${ownBase}/v1/watch`);
    const reading = readEvents(res.body, () => false);
    await new Promise((r) => setTimeout(r, 50));
    await own.close();
    const events = await reading;
    expect(events.map((e) => e.event)).toEqual(['snapshot', 'close']);
    expect(events[1]!.data).toMatchObject({ reason: 'shutdown' });
  });

  describe('a client that stops reading', () => {
    // 32 tags of 120 characters: about 4 KiB per volume event
    const bigVolume = { sizeBytes: MiB, tags: Array.from({ length: 32 }, (_, i) => `${i}${'t'.repeat(119)}`.slice(0, 120)) };
    let slow: Harness;
    let socket: Socket;
    let cleanup = () => undefined as void;
    beforeAll(async () => {
      slow = await startHarness({ vgSizeBytes: 64 * 1024 * GiB, poolSizeBytes: 16 * 1024 * GiB, app: { watch: { limits: { bufferBytes: 16 * 1024, stallTimeoutMs: 60_000 } } } });
      // a snapshot larger than the socket buffers: the first write already meets backpressure
      for (let i = 0; i < 150; i++) await slow.app.inject({ method: 'PUT', url: `/v1/logical-volumes/big${i}`, payload: bigVolume });
    }, 60_000);
    afterAll(async () => {
      socket?.destroy();
      await slow.close();
      cleanup();
    });

    it('is closed with slow-client once its coalesced events pass the buffer, while a reading client is served', async () => {
      const listening = await listenOnUnixSocket(slow.app);
      cleanup = listening.cleanup;
      socket = await open(listening.target);
      socket.write('GET /v1/watch HTTP/1.1\r\nHost: x\r\n\r\n');
      socket.pause();
      await new Promise((r) => setTimeout(r, 200));
      const reader = await request('http://localhost/v1/watch', { dispatcher: new Agent({ connect: { socketPath: listening.target.path } }) });
      const reading = readEvents(reader.body, (es) => es.some((e) => e.event === 'logical-volume' && (e.data.volume as LogicalVolume).name === 'after49'));
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      for (let i = 0; i < 50; i++) await slow.app.inject({ method: 'PUT', url: `/v1/logical-volumes/after${i}`, payload: bigVolume });
      const metrics = (await slow.app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toMatch(/^lvmd_watch_streams_closed_total\{reason="slow-client"\} 1$/m);
      // the reading client saw every change
      expect((await reading).filter((e) => e.event === 'logical-volume')).toHaveLength(50);
      reader.body.destroy();
      // the stalled one gets its close event once it reads, or is cut off after the grace period
      socket.resume();
      let tail = '';
      socket.on('data', (d: Buffer) => (tail = (tail + d.toString()).slice(-500)));
      await closed;
      expect(tail).toMatch(/event: close\ndata: \{"reason":"slow-client"/);
    }, 30_000);
  });
});
