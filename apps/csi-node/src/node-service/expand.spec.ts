import { status } from '@grpc/grpc-js';
import type { NodeExpandVolumeRequest__Output, VolumeCapability__Output } from '@copse/csi-spec';
import { blockCap, ctx, MiB, mountCap, publishRequest, setup } from '../../test/fixture';

const T = '/var/lib/kubelet/pods/p1/volumes/kubernetes.io~csi/pv1/mount';
const expand = (volumeId: string, volumePath: string, requiredBytes = 0, cap: VolumeCapability__Output | null = null): NodeExpandVolumeRequest__Output => ({
  volume_id: volumeId,
  volume_path: volumePath,
  capacity_range: requiredBytes ? { required_bytes: String(requiredBytes), limit_bytes: '0' } : null,
  staging_target_path: '',
  volume_capability: cap,
  secrets: {},
});

describe('NodeExpandVolume', () => {
  it('grows the mounted filesystem to its grown LV and answers the new size; again is a no-op', async () => {
    const { host, service, addVolume } = setup();
    const d = addVolume('v1', { fsType: 'ext4' });
    await service.NodePublishVolume!(publishRequest('v1', T, mountCap()), ctx());
    d.sizeBytes = 256 * MiB;
    expect(await service.NodeExpandVolume!(expand('v1', T, 256 * MiB), ctx())).toEqual({ capacity_bytes: 256 * MiB });
    expect(host.calls.at(-1)).toBe(`grow ext4 /dev/vg0/v1 ${T}`);
    const calls = host.calls.length;
    expect(await service.NodeExpandVolume!(expand('v1', T, 256 * MiB), ctx())).toEqual({ capacity_bytes: 256 * MiB });
    expect(host.calls.length).toBe(calls);
  });

  it('has nothing to do for raw block', async () => {
    const { host, service, addVolume } = setup();
    const d = addVolume('v1');
    await service.NodePublishVolume!(publishRequest('v1', '/pub/v1', blockCap()), ctx());
    d.sizeBytes = 128 * MiB;
    expect(await service.NodeExpandVolume!(expand('v1', '/pub/v1', 0, blockCap()), ctx())).toEqual({ capacity_bytes: 128 * MiB });
    expect(host.calls.some((c) => c.startsWith('grow'))).toBe(false);
  });

  it('answers OUT_OF_RANGE while the LV is smaller than required', async () => {
    const { service, addVolume } = setup();
    addVolume('v1', { fsType: 'ext4' });
    await service.NodePublishVolume!(publishRequest('v1', T, mountCap()), ctx());
    await expect(service.NodeExpandVolume!(expand('v1', T, 128 * MiB), ctx())).rejects.toMatchObject({
      code: status.OUT_OF_RANGE,
      message: `volume v1 is ${64 * MiB} bytes, less than capacity_range.required_bytes ${128 * MiB}: the logical volume has not been grown to it yet`,
    });
  });

  it('answers NOT_FOUND for an unknown volume or a path where it is not published', async () => {
    const { host, service, addVolume } = setup();
    addVolume('v1', { fsType: 'ext4' });
    host.addDirectory('/elsewhere');
    await expect(service.NodeExpandVolume!(expand('nope', T), ctx())).rejects.toMatchObject({ code: status.NOT_FOUND });
    await expect(service.NodeExpandVolume!(expand('v1', '/elsewhere'), ctx())).rejects.toMatchObject({ code: status.NOT_FOUND });
    // csi-sanity's "should fail when volume is not found" sends a relative path
    await expect(service.NodeExpandVolume!(expand('nope', 'some/path'), ctx())).rejects.toMatchObject({ code: status.NOT_FOUND });
    await expect(service.NodeExpandVolume!(expand('v1', 'some/path'), ctx())).rejects.toMatchObject({ code: status.NOT_FOUND });
    await expect(service.NodeExpandVolume!(expand('v1', ''), ctx())).rejects.toMatchObject({ code: status.INVALID_ARGUMENT, message: 'volume_path is required' });
  });

  it('refuses to grow a filesystem mounted read-only', async () => {
    const { service, addVolume } = setup();
    addVolume('v1', { fsType: 'ext4' });
    await service.NodePublishVolume!(publishRequest('v1', T, mountCap(), true), ctx());
    await expect(service.NodeExpandVolume!(expand('v1', T), ctx())).rejects.toMatchObject({ code: status.FAILED_PRECONDITION });
  });

  it('refuses a limit below the requirement', async () => {
    const { service } = setup();
    const req = { ...expand('v1', T), capacity_range: { required_bytes: '10', limit_bytes: '5' } };
    await expect(service.NodeExpandVolume!(req, ctx())).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
  });
});
