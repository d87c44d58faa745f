import { LvmdClientError, type LogicalVolume } from '@copse/lvmd-api';
import { LvmdVolumeSource, type LvmdVolumeClient } from './volume-source';

const lv = (name: string, o: Partial<LogicalVolume> = {}): LogicalVolume => ({
  name,
  uuid: 'u',
  deviceClass: 'thin',
  volumeGroup: 'vg0',
  type: 'thin',
  thinPool: 'pool0',
  sizeBytes: 1 << 30,
  tags: [],
  state: 'ready',
  origin: '',
  active: true,
  accessType: 'rw',
  activationSkip: false,
  devicePath: `/dev/vg0/${name}`,
  health: { healthy: true },
  ...o,
});
const problem = (status: number, code: 'not-found' | 'unavailable', title: string) => new LvmdClientError(status, code, { type: 't', title, status, code });

class FakeClient implements LvmdVolumeClient {
  readonly lvs = new Map<string, LogicalVolume>();
  readonly calls: string[] = [];
  async getLogicalVolume(name: string, deviceClass?: string): Promise<LogicalVolume> {
    this.calls.push(`get ${name} ${deviceClass ?? '(any class)'}`);
    const found = this.lvs.get(name);
    if (!found) throw problem(404, 'not-found', 'Not found');
    return found;
  }
}

describe('LvmdVolumeSource', () => {
  it("reads a volume in one request, lvmd-http finding its class, with its access type and health", async () => {
    const client = new FakeClient();
    client.lvs.set('v1', lv('v1', { deviceClass: 'fast', accessType: 'ro', health: { healthy: false, reason: 'pool full' } }));
    expect(await new LvmdVolumeSource(client).get('v1')).toEqual({
      id: 'v1',
      deviceClass: 'fast',
      devicePath: '/dev/vg0/v1',
      sizeBytes: 1 << 30,
      active: true,
      complete: true,
      readOnly: true,
      healthy: false,
      healthReason: 'pool full',
    });
    expect(client.calls).toEqual(['get v1 (any class)']);
  });

  it('tells an interrupted create (state incomplete) from a complete volume', async () => {
    const client = new FakeClient();
    client.lvs.set('v2', lv('v2', { state: 'incomplete' }));
    expect(await new LvmdVolumeSource(client).get('v2')).toMatchObject({ complete: false });
  });

  it('answers undefined for a volume lvmd-http does not have', async () => {
    expect(await new LvmdVolumeSource(new FakeClient()).get('v3')).toBeUndefined();
  });

  it('passes on errors other than not-found', async () => {
    const client = new FakeClient();
    client.getLogicalVolume = async () => {
      throw problem(503, 'unavailable', 'lvm is not available');
    };
    await expect(new LvmdVolumeSource(client).get('v1')).rejects.toBeInstanceOf(LvmdClientError);
  });
});
