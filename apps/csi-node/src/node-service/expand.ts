import { capacityRange, CsiError, requireString, type CallContext } from '@copse/csi-grpc';
import type { NodeExpandVolumeRequest__Output, NodeExpandVolumeResponse } from '@copse/csi-spec';
import { isFsType, isReadOnlyMount, mountAt, sameDevice } from '@copse/fs-model';
import { requireVolume, volumeDevice, type NodeServiceParts } from './deps';
import { growIfSmaller } from './grow';
import { requirePublishedPath } from './requests';

/**
 * NodeExpandVolume: grows the filesystem published at volume_path online to its LV's
 * size (the controller grew the LV first); a raw block volume has nothing to grow.
 * Answers the device's size. Idempotent: a filesystem already as large answers OK.
 */
export async function expandVolume(deps: NodeServiceParts, req: NodeExpandVolumeRequest__Output, ctx: CallContext): Promise<NodeExpandVolumeResponse> {
  const volumeId = requireString(req.volume_id, 'volume_id');
  const checked = requirePublishedPath(req.volume_path, 'volume_path');
  const range = capacityRange(req.capacity_range);
  const volume = await requireVolume(deps, volumeId, ctx.signal);
  if ('problem' in checked) throw CsiError.notFound(`volume ${volumeId} is not published at ${JSON.stringify(req.volume_path)}: ${checked.problem}`);
  const volumePath = checked.path;
  const device = await volumeDevice(deps, volume);
  const info = await deps.host.pathInfo(volumePath);
  if (!info) throw CsiError.notFound(`volume_path ${volumePath} does not exist`);
  const deviceBytes = await deps.host.deviceSize(device);
  if (range.requiredBytes > deviceBytes) {
    throw CsiError.outOfRange(`volume ${volumeId} is ${deviceBytes} bytes, less than capacity_range.required_bytes ${range.requiredBytes}: the logical volume has not been grown to it yet`);
  }
  const block = req.volume_capability?.access_type === 'block' || info.kind === 'block';
  if (block) {
    if (info.kind === 'block' && (!info.rdev || !sameDevice(info.rdev, device))) throw CsiError.notFound(`volume ${volumeId} is not published at ${volumePath}`);
    return { capacity_bytes: deviceBytes };
  }
  const entry = mountAt(await deps.host.mounts(), volumePath);
  const mounted = entry && (await deps.host.deviceOfMount(entry));
  if (!entry || !mounted || !sameDevice(mounted, device)) throw CsiError.notFound(`volume ${volumeId} is not published at ${volumePath}`);
  if (!isFsType(entry.fsType)) throw CsiError.failedPrecondition(`volume ${volumeId} is mounted at ${volumePath} as ${entry.fsType}, which this plugin does not grow`);
  if (isReadOnlyMount(entry)) throw CsiError.failedPrecondition(`volume ${volumeId} is mounted read-only at ${volumePath}: its filesystem cannot be grown there`);
  const grown = await growIfSmaller(deps.host, entry.fsType, volume.devicePath, device, volumePath, ctx.signal);
  if (grown) ctx.log.info({ volumeId, volumePath, fsType: entry.fsType, fromBytes: grown.fromBytes, toBytes: grown.toBytes }, 'grew the filesystem to its device');
  return { capacity_bytes: deviceBytes };
}
