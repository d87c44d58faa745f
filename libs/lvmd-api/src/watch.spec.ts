import { watchEvents, type WatchEvent } from './watch';

async function* chunks(...parts: string[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield Buffer.from(p);
}

async function collect(body: AsyncIterable<Buffer>): Promise<WatchEvent[]> {
  const out: WatchEvent[] = [];
  for await (const e of watchEvents(body)) out.push(e);
  return out;
}

const dc = { name: 'thin', volumeGroup: 'vg', type: 'thin', default: true, spareBytes: 0, vgSizeBytes: 10, vgFreeBytes: 5, extentSizeBytes: 4, freeBytes: 7 };

describe('watchEvents', () => {
  it('parses each kind of event with its id, across chunks split anywhere (even inside a UTF-8 character)', async () => {
    const text =
      'retry: 1000\n\n' +
      `id: abcdefabcdef-3\nevent: snapshot\ndata: ${JSON.stringify({ reason: 'initial', deviceClasses: [dc], logicalVolumes: [] })}\n\n` +
      ': keep-alive\n\n' +
      `id: abcdefabcdef-4\nevent: logical-volume\ndata: ${JSON.stringify({ type: 'created', volume: { name: 'vé' } })}\n\n` +
      `id: abcdefabcdef-5\nevent: capacity\ndata: ${JSON.stringify({ items: [dc] })}\n\n` +
      `event: close\ndata: ${JSON.stringify({ reason: 'shutdown', detail: 'bye' })}\n\n`;
    const bytes = Buffer.from(text);
    // split every 7 bytes: ids, field names, JSON and the two bytes of "é" all cross chunk borders
    const parts: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 7) parts.push(bytes.subarray(i, i + 7));
    async function* body(): AsyncGenerator<Buffer> {
      yield* parts;
    }
    const events = await collect(body());
    expect(events).toEqual([
      { type: 'snapshot', id: 'abcdefabcdef-3', reason: 'initial', deviceClasses: [dc], logicalVolumes: [] },
      { type: 'logical-volume', id: 'abcdefabcdef-4', change: 'created', volume: { name: 'vé' } },
      { type: 'capacity', id: 'abcdefabcdef-5', items: [dc] },
      { type: 'close', reason: 'shutdown', detail: 'bye' },
    ]);
  });

  it('ignores events it does not know, as an EventSource client does', async () => {
    const events = await collect(chunks('id: x-1\nevent: future-thing\ndata: {}\n\n', `id: x-2\nevent: capacity\ndata: {"items":[]}\n\n`));
    expect(events).toEqual([{ type: 'capacity', id: 'x-2', items: [] }]);
  });

  it('drops an event cut off by the end of the stream', async () => {
    const events = await collect(chunks(`id: x-1\nevent: capacity\ndata: {"items":[]}\n\nid: x-2\nevent: capacity\ndata: {"ite`));
    expect(events.map((e) => (e.type === 'close' ? '' : e.id))).toEqual(['x-1']);
  });
});
