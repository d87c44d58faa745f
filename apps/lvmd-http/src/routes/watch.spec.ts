import { request } from 'undici';
import { startHarness, type Harness, GiB } from '../../test/harness';

/** Reads server-sent events until `count` of them arrived. */
async function readEvents(body: AsyncIterable<Buffer>, count: number): Promise<Array<{ event: string; data: unknown }>> {
  const events: Array<{ event: string; data: unknown }> = [];
  let buffer = '';
  for await (const chunk of body) {
    buffer += chunk.toString('utf8');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event && data) events.push({ event, data: JSON.parse(data) });
      if (events.length >= count) return events;
    }
  }
  return events;
}

describe('watch', () => {
  let h: Harness;
  let base: string;
  beforeAll(async () => {
    h = await startHarness();
    base = await h.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => h.close());

  it('streams capacity on connect, then volume and capacity events for a change', async () => {
    const controller = new AbortController();
    const res = await request(`${base}/v1/watch`, { signal: controller.signal });
    expect(res.headers['content-type']).toBe('text/event-stream');
    const reading = readEvents(res.body, 3);
    await new Promise((r) => setTimeout(r, 50));
    await h.app.inject({ method: 'PUT', url: '/v1/logical-volumes/w1', payload: { sizeBytes: GiB } });
    const events = await reading;
    controller.abort();
    expect(events.map((e) => e.event)).toEqual(['capacity', 'logical-volume', 'capacity']);
    expect(events[1]!.data).toMatchObject({ type: 'created', volume: { name: 'w1' } });
    const thin = (events[2]!.data as { items: Array<{ name: string; thinPool?: { virtualSizeBytes: number } }> }).items.find(
      (d) => d.name === 'thin',
    );
    expect(thin?.thinPool?.virtualSizeBytes).toBe(GiB);
  });
});
