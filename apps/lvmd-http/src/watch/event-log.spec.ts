import { EventEmitter } from 'node:events';
import type { DeviceClass, LogicalVolume } from '@copse/lvmd-api';
import { WatchLog } from './event-log';

/** A stand-in for LvmService: its two events and its state. */
class FakeSource extends EventEmitter {
  deviceClasses: DeviceClass[] = [{ name: 'thin' } as DeviceClass];
  volumes: LogicalVolume[] = [];
  listDeviceClasses() {
    return this.deviceClasses;
  }
  listVolumes() {
    return this.volumes;
  }
  change(name: string, type: 'created' | 'updated' | 'deleted' = 'created') {
    this.emit('volume', { type, volume: { name, volumeGroup: 'vg1' } });
    this.emit('capacity', this.deviceClasses);
  }
}

const EPOCH = '0123456789ab';

describe('WatchLog', () => {
  let source: FakeSource;
  let log: WatchLog;
  beforeEach(() => {
    source = new FakeSource();
    log = new WatchLog(source, 4, EPOCH);
  });
  afterEach(() => log.close());

  it('numbers every event with one revision that only grows, under the epoch', () => {
    const ids: string[] = [];
    log.on('event', (e) => ids.push(e.id));
    source.change('a');
    source.change('b', 'updated');
    expect(ids).toEqual([`${EPOCH}-1`, `${EPOCH}-2`, `${EPOCH}-3`, `${EPOCH}-4`]);
    expect(log.latestId).toBe(`${EPOCH}-4`);
  });

  it('writes each event once, as server-sent event lines keyed by what it supersedes', () => {
    source.change('a');
    expect(log.history().map((e) => [e.key, e.text])).toEqual([
      ['lv:vg1/a', `id: ${EPOCH}-1\nevent: logical-volume\ndata: {"type":"created","volume":{"name":"a","volumeGroup":"vg1"}}\n\n`],
      ['capacity', `id: ${EPOCH}-2\nevent: capacity\ndata: {"items":[{"name":"thin"}]}\n\n`],
    ]);
  });

  it('a new process gets a new epoch', () => {
    const other = new WatchLog(source, 4);
    expect(other.epoch).toMatch(/^[0-9a-f]{12}$/);
    expect(other.epoch).not.toBe(log.epoch);
    other.close();
  });

  describe('resume', () => {
    it('replays exactly the events after the last one seen', () => {
      source.change('a');
      source.change('b');
      const r = log.resume(`${EPOCH}-2`);
      expect(r.kind === 'replay' && r.events.map((e) => e.revision)).toEqual([3, 4]);
      expect(log.resume(`${EPOCH}-4`)).toEqual({ kind: 'replay', events: [] });
    });

    it('replays from the oldest kept event, and asks for a snapshot once an event is gone', () => {
      for (const n of ['a', 'b', 'c']) source.change(n); // revisions 1..6, history keeps 3..6
      expect(log.history().map((e) => e.revision)).toEqual([3, 4, 5, 6]);
      const r = log.resume(`${EPOCH}-2`);
      expect(r.kind === 'replay' && r.events.map((e) => e.revision)).toEqual([3, 4, 5, 6]);
      expect(log.resume(`${EPOCH}-1`)).toEqual({ kind: 'snapshot', reason: 'expired' });
    });

    it.each([
      [undefined, 'initial'],
      ['', 'initial'],
      ['fedcba987654-1', 'restarted'],
      [`${EPOCH}-99`, 'invalid-id'],
      ['1', 'invalid-id'],
      [`${EPOCH}-`, 'invalid-id'],
      [`${EPOCH}-1x`, 'invalid-id'],
      [`${EPOCH.toUpperCase()}-1`, 'invalid-id'],
      ['x'.repeat(1000), 'invalid-id'],
    ])('Last-Event-ID %j gets a snapshot (%s)', (id, reason) => {
      source.change('a');
      expect(log.resume(id)).toEqual({ kind: 'snapshot', reason });
    });
  });

  describe('snapshot', () => {
    it('carries the whole state as of the latest id', () => {
      source.volumes = [{ name: 'a' } as LogicalVolume];
      source.change('a');
      const s = log.snapshot('expired');
      expect(s.id).toBe(`${EPOCH}-2`);
      const [, idLine, eventLine, dataLine] = /^(id: .*)\n(event: .*)\n(data: .*)\n\n$/.exec(s.text) ?? [];
      expect([idLine, eventLine]).toEqual([`id: ${EPOCH}-2`, 'event: snapshot']);
      expect(JSON.parse(dataLine!.slice('data: '.length))).toEqual({
        reason: 'expired',
        deviceClasses: [{ name: 'thin' }],
        logicalVolumes: [{ name: 'a' }],
      });
    });

    it('reads the state once per revision however many clients ask', () => {
      const list = jest.spyOn(source, 'listVolumes');
      log.snapshot('initial');
      log.snapshot('expired');
      expect(list).toHaveBeenCalledTimes(1);
      source.change('a');
      log.snapshot('initial');
      expect(list).toHaveBeenCalledTimes(2);
    });
  });

  it('stops following the source when closed', () => {
    log.close();
    expect(source.listenerCount('volume') + source.listenerCount('capacity')).toBe(0);
  });
});
