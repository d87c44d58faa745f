import { LvmdClientError, type DeviceClass, type LogicalVolume } from '@copse/lvmd-api';
import { LvmdVolumeSource, type LvmdVolumeClient } from './volume-source';

const lv = (name: string, deviceClass: string, o: Partial<LogicalVolume> = {}): LogicalVolume => ({
  name,
  uuid: 'u',
  deviceClass,
  volumeGroup: 'vg0',
  type: 'thin',
  thinPool: 'pool0',
  sizeBytes: 1 << 30,
  tags: [],
  origin: '',
  active: true,
  accessType: 'rw',
  activationSkip: false,
  devicePath: `/dev/vg0/${name}`,
  health: { healthy: true },
  ...o,
});
const dc = (name: string, isDefault = false) => ({ name, default: isDefault }) as DeviceClass;
const notFound = () => new LvmdClientError(404, 'not-found', { type: 't', title: 'Not found', status: 404, code: 'not-found' });

class FakeClient implements LvmdVolumeClient {
  classes: DeviceClass[] = [dc('thick'), dc('thin', true)];
  readonly lvs = new Map<string, LogicalVolume>();
  readonly calls: string[] = [];
  async listDeviceClasses(): Promise<DeviceClass[]> {
    this.calls.push('list');
    return this.classes;
  }
  async getLogicalVolume(name: string, deviceClass?: string): Promise<LogicalVolume> {
    this.calls.push(`get ${name}?${deviceClass}`);
    const found = this.lvs.get(`${deviceClass}/${name}`);
    if (!found) throw notFound();
    return found;
  }
}

describe('LvmdVolumeSource', () => {
  it('looks in the default class first, and reads the class list once', async () => {
    const client = new FakeClient();
    client.lvs.set('thin/v1', lv('v1', 'thin', { accessType: 'ro', health: { healthy: false, reason: 'pool full' } }));
    const source = new LvmdVolumeSource(client);
    expect(await source.get('v1')).toEqual({
      id: 'v1',
      deviceClass: 'thin',
      devicePath: '/dev/vg0/v1',
      sizeBytes: 1 << 30,
      active: true,
      readOnly: true,
      healthy: false,
      healthReason: 'pool full',
    });
    await source.get('v1');
    expect(client.calls).toEqual(['list', 'get v1?thin', 'get v1?thin']);
  });

  it('uses the device class csi-node knows for the volume: one request', async () => {
    const client = new FakeClient();
    client.lvs.set('thick/v2', lv('v2', 'thick'));
    const source = new LvmdVolumeSource(client, { deviceClassOf: (id) => (id === 'v2' ? 'thick' : undefined) });
    expect((await source.get('v2'))?.deviceClass).toBe('thick');
    expect(client.calls).toEqual(['get v2?thick']);
  });

  it('searches every class, reading the list again before it says the volume is not there', async () => {
    const client = new FakeClient();
    const source = new LvmdVolumeSource(client);
    expect(await source.get('v3')).toBeUndefined();
    client.classes = [...client.classes, dc('fast')];
    client.lvs.set('fast/v3', lv('v3', 'fast'));
    expect((await source.get('v3'))?.deviceClass).toBe('fast');
    expect(client.calls.slice(-4)).toEqual(['get v3?thin', 'get v3?thick', 'list', 'get v3?fast']);
  });

  it('passes on errors other than not-found', async () => {
    const client = new FakeClient();
    client.getLogicalVolume = async () => {
      throw new LvmdClientError(503, 'unavailable', { type: 't', title: 'lvm is not available', status: 503, code: 'unavailable' });
    };
    await expect(new LvmdVolumeSource(client).get('v1')).rejects.toBeInstanceOf(LvmdClientError);
  });
});
