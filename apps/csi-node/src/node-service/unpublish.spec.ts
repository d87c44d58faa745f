import { status } from '@grpc/grpc-js';
import type { NodeUnpublishVolumeRequest__Output } from '@copse/csi-spec';
import { blockCap, ctx, mountCap, publishRequest, setup } from '../../test/fixture';

const T = '/var/lib/kubelet/pods/p1/volumes/kubernetes.io~csi/pv1/mount';
const unpublish = (volumeId: string, target: string): NodeUnpublishVolumeRequest__Output => ({ volume_id: volumeId, target_path: target });

describe('NodeUnpublishVolume', () => {
  it('unmounts a filesystem and removes the target directory; a second call is a no-op', async () => {
    const { host, service, published, addVolume } = setup();
    addVolume('v1', { fsType: 'ext4' });
    await service.NodePublishVolume!(publishRequest('v1', T, mountCap()), ctx());
    host.calls.length = 0;
    expect(await service.NodeUnpublishVolume!(unpublish('v1', T), ctx())).toEqual({});
    expect(host.calls).toEqual([`umount ${T}`, `remove ${T}`]);
    expect(published.size).toBe(0);
    expect(await service.NodeUnpublishVolume!(unpublish('v1', T), ctx())).toEqual({});
    expect(host.calls).toHaveLength(2);
  });

  it('unmounts a raw block bind and removes the file', async () => {
    const { host, service, addVolume } = setup();
    addVolume('v1');
    await service.NodePublishVolume!(publishRequest('v1', '/pub/dev1', blockCap()), ctx());
    await service.NodeUnpublishVolume!(unpublish('v1', '/pub/dev1'), ctx());
    expect(host.paths.has('/pub/dev1')).toBe(false);
    expect(host.mountTable).toEqual([]);
  });

  it('unmounts every mount stacked on the target', async () => {
    const { host, service, addVolume } = setup();
    addVolume('v1', { fsType: 'ext4' });
    await service.NodePublishVolume!(publishRequest('v1', T, mountCap()), ctx());
    host.mountTable.push({ ...host.mountTable[0]!, mountId: 999 });
    await service.NodeUnpublishVolume!(unpublish('v1', T), ctx());
    expect(host.calls.filter((c) => c.startsWith('umount'))).toHaveLength(2);
    expect(host.paths.has(T)).toBe(false);
  });

  it('works for a volume lvmd-http no longer knows, and for a target that was never made', async () => {
    const { host, service, volumes, addVolume } = setup();
    addVolume('v1', { fsType: 'ext4' });
    await service.NodePublishVolume!(publishRequest('v1', T, mountCap()), ctx());
    volumes.volumes.clear();
    await expect(service.NodeUnpublishVolume!(unpublish('v1', T), ctx())).resolves.toEqual({});
    await expect(service.NodeUnpublishVolume!(unpublish('v1', '/never/made'), ctx())).resolves.toEqual({});
    expect(host.mountTable).toEqual([]);
  });

  it('leaves a target that is not mounted but holds files, with FAILED_PRECONDITION', async () => {
    const { host, service } = setup();
    host.addDirectory(T);
    host.paths.set(`${T}/written-while-unmounted`, 'file');
    await expect(service.NodeUnpublishVolume!(unpublish('v1', T), ctx())).rejects.toMatchObject({
      code: status.FAILED_PRECONDITION,
      message: expect.stringMatching(/is not a mount point but holds files: leaving it in place/),
    });
  });

  it('refuses a request without volume_id or with a relative target_path', async () => {
    const { service } = setup();
    await expect(service.NodeUnpublishVolume!(unpublish('', T), ctx())).rejects.toMatchObject({ code: status.INVALID_ARGUMENT, message: 'volume_id is required' });
    await expect(service.NodeUnpublishVolume!(unpublish('v1', 'x'), ctx())).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
  });
});
