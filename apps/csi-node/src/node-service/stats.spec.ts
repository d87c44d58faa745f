import { status } from '@grpc/grpc-js';
import type { NodeGetVolumeStatsRequest__Output } from '@copse/csi-spec';
import { blockCap, ctx, MiB, mountCap, publishRequest, setup } from '../../test/fixture';
import { HEALTHY_MESSAGE } from './stats';

const T = '/var/lib/kubelet/pods/p1/volumes/kubernetes.io~csi/pv1/mount';
const stats = (volumeId: string, volumePath: string): NodeGetVolumeStatsRequest__Output => ({ volume_id: volumeId, volume_path: volumePath, staging_target_path: '' });

describe('NodeGetVolumeStats', () => {
  it('answers bytes and inodes of a published filesystem and a healthy condition', async () => {
    const { service, addVolume } = setup();
    addVolume('v1', { fsType: 'ext4' });
    await service.NodePublishVolume!(publishRequest('v1', T, mountCap()), ctx());
    expect(await service.NodeGetVolumeStats!(stats('v1', T), ctx())).toEqual({
      usage: [
        { unit: 'BYTES', total: 1000, used: 100, available: 900 },
        { unit: 'INODES', total: 50, used: 5, available: 45 },
      ],
      volume_condition: { abnormal: false, message: HEALTHY_MESSAGE },
    });
  });

  it('leaves inodes out for a filesystem that does not count them (btrfs)', async () => {
    const { host, service, addVolume } = setup();
    addVolume('v1', { fsType: 'btrfs' });
    await service.NodePublishVolume!(publishRequest('v1', T, mountCap()), ctx());
    host.usageOf = () => ({ bytes: { total: 10, used: 1, available: 9 } });
    expect((await service.NodeGetVolumeStats!(stats('v1', T), ctx())).usage).toEqual([{ unit: 'BYTES', total: 10, used: 1, available: 9 }]);
  });

  it('answers the device size of a raw block volume', async () => {
    const { service, addVolume } = setup();
    addVolume('v1', { sizeBytes: 16 * MiB });
    await service.NodePublishVolume!(publishRequest('v1', '/pub/v1', blockCap()), ctx());
    expect(await service.NodeGetVolumeStats!(stats('v1', '/pub/v1'), ctx())).toEqual({
      usage: [{ unit: 'BYTES', total: 16 * MiB }],
      volume_condition: { abnormal: false, message: HEALTHY_MESSAGE },
    });
  });

  it("reports the LV's health from lvmd-http as the volume condition", async () => {
    const { service, addVolume } = setup();
    addVolume('v1', { fsType: 'ext4', healthy: false, healthReason: 'thin pool vg0/pool0 is out of data space: writes needing new blocks are queued' });
    await service.NodePublishVolume!(publishRequest('v1', T, mountCap()), ctx());
    expect((await service.NodeGetVolumeStats!(stats('v1', T), ctx())).volume_condition).toEqual({
      abnormal: true,
      message: 'thin pool vg0/pool0 is out of data space: writes needing new blocks are queued',
    });
  });

  it('reports a filesystem that turned itself read-only as abnormal', async () => {
    const { host, service, addVolume } = setup();
    addVolume('v1', { fsType: 'ext4' });
    await service.NodePublishVolume!(publishRequest('v1', T, mountCap()), ctx());
    const entry = host.mountTable[0]!;
    host.mountTable[0] = { ...entry, superOptions: ['ro', 'errors=remount-ro'] };
    expect((await service.NodeGetVolumeStats!(stats('v1', T), ctx())).volume_condition).toEqual({
      abnormal: true,
      message: expect.stringMatching(/the ext4 filesystem on \/dev\/vg0\/v1 turned read-only/),
    });
  });

  it('reports a filesystem that does not answer statfs as abnormal rather than failing', async () => {
    const { host, service, addVolume } = setup();
    addVolume('v1', { fsType: 'xfs', sizeBytes: 320 * MiB });
    await service.NodePublishVolume!(publishRequest('v1', T, mountCap()), ctx());
    host.usageOf = () => {
      throw Object.assign(new Error('EIO'), { code: 'EIO' });
    };
    expect(await service.NodeGetVolumeStats!(stats('v1', T), ctx())).toEqual({
      usage: [],
      volume_condition: { abnormal: true, message: `statfs of ${T} failed: EIO` },
    });
  });

  it.each([
    ['a volume_path that does not exist', 'v1', '/nowhere', 'volume_path /nowhere does not exist'],
    ['an unknown volume', 'nope', T, /volume nope does not exist on node node-1/],
    ["a directory that is not the volume's mount", 'v2', T, `volume v2 is not published at ${T}`],
    ['a relative volume_path (csi-sanity: NOT_FOUND, not INVALID_ARGUMENT)', 'v1', 'some/path', 'volume v1 is not published at "some/path": volume_path "some/path" must be an absolute path'],
    ['an unknown volume at a relative path', 'nope', 'some/path', /volume nope does not exist on node node-1/],
  ])('answers NOT_FOUND for %s', async (_name, volumeId, volumePath, message) => {
    const { service, addVolume } = setup();
    addVolume('v1', { fsType: 'ext4' });
    addVolume('v2', { fsType: 'ext4' });
    await service.NodePublishVolume!(publishRequest('v1', T, mountCap()), ctx());
    await expect(service.NodeGetVolumeStats!(stats(volumeId, volumePath), ctx())).rejects.toMatchObject({ code: status.NOT_FOUND, message: expect.stringMatching(message) });
  });

  it('answers NOT_FOUND for a directory nothing is mounted on', async () => {
    const { host, service, addVolume } = setup();
    addVolume('v1', { fsType: 'ext4' });
    host.addDirectory('/empty');
    await expect(service.NodeGetVolumeStats!(stats('v1', '/empty'), ctx())).rejects.toMatchObject({ code: status.NOT_FOUND });
  });

  it('answers INVALID_ARGUMENT naming the field for a missing volume_id or volume_path', async () => {
    const { service, addVolume } = setup();
    addVolume('v1', { fsType: 'ext4' });
    await expect(service.NodeGetVolumeStats!(stats('', T), ctx())).rejects.toMatchObject({ code: status.INVALID_ARGUMENT, message: 'volume_id is required' });
    await expect(service.NodeGetVolumeStats!(stats('v1', ''), ctx())).rejects.toMatchObject({ code: status.INVALID_ARGUMENT, message: 'volume_path is required' });
  });
});
