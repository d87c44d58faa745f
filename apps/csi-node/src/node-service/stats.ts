import { CsiError, requireString, type CallContext } from '@copse/csi-grpc';
import type { NodeGetVolumeStatsRequest__Output, NodeGetVolumeStatsResponse, VolumeCondition, VolumeUsage } from '@copse/csi-spec';
import { isReadOnlyMount, isReadOnlySuperblock, mountAt, sameDevice } from '@copse/fs-model';
import { requireVolume, volumeDevice, type NodeServiceParts } from './deps';
import { requirePublishedPath } from './requests';
import type { NodeVolume } from './volume-source';

export const HEALTHY_MESSAGE = 'volume is healthy and operating normally';

/**
 * NodeGetVolumeStats: bytes and inodes of the filesystem published at volume_path
 * (statfs, no process), or the size of a raw block device; the volume's condition from
 * its LV's health in lvmd-http (lv_attr and its thin pool) and from the mount (a
 * filesystem that turned itself read-only, or does not answer statfs). NOT_FOUND when
 * the volume does not exist or volume_path is not where it is published.
 */
export async function volumeStats(deps: NodeServiceParts, req: NodeGetVolumeStatsRequest__Output, ctx: CallContext): Promise<NodeGetVolumeStatsResponse> {
  const volumeId = requireString(req.volume_id, 'volume_id');
  const checked = requirePublishedPath(req.volume_path, 'volume_path');
  const volume = await requireVolume(deps, volumeId, ctx.signal);
  if ('problem' in checked) throw CsiError.notFound(`volume ${volumeId} is not published at ${JSON.stringify(req.volume_path)}: ${checked.problem}`);
  const volumePath = checked.path;
  const info = await deps.host.pathInfo(volumePath);
  if (!info) throw CsiError.notFound(`volume_path ${volumePath} does not exist`);
  const device = await volumeDevice(deps, volume);
  const notPublished = () => CsiError.notFound(`volume ${volumeId} is not published at ${volumePath}`);

  if (info.kind === 'block') {
    if (!info.rdev || !sameDevice(info.rdev, device)) throw notPublished();
    const total = await deps.host.deviceSize(device);
    return { usage: [{ unit: 'BYTES', total }], volume_condition: condition(volume) };
  }
  if (info.kind !== 'directory') throw notPublished();
  const entry = mountAt(await deps.host.mounts(), volumePath);
  const mounted = entry && (await deps.host.deviceOfMount(entry));
  if (!entry || !mounted || !sameDevice(mounted, device)) throw notPublished();

  if (isReadOnlySuperblock(entry) && !isReadOnlyMount(entry)) {
    return { usage: await usageOf(deps, volumePath).catch(() => []), volume_condition: abnormal(`the ${entry.fsType} filesystem on ${volume.devicePath} turned read-only (after an I/O or filesystem error); see the node's kernel log`) };
  }
  let usage: VolumeUsage[];
  try {
    usage = await usageOf(deps, volumePath);
  } catch (e) {
    return { usage: [], volume_condition: abnormal(`statfs of ${volumePath} failed: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`) };
  }
  return { usage, volume_condition: condition(volume) };
}

async function usageOf(deps: NodeServiceParts, mountPoint: string): Promise<VolumeUsage[]> {
  const u = await deps.host.usage(mountPoint);
  const usage: VolumeUsage[] = [{ unit: 'BYTES', total: u.bytes.total, used: u.bytes.used, available: u.bytes.available }];
  if (u.inodes) usage.push({ unit: 'INODES', total: u.inodes.total, used: u.inodes.used, available: u.inodes.available });
  return usage;
}

function condition(volume: NodeVolume): VolumeCondition {
  if (volume.healthy) return { abnormal: false, message: HEALTHY_MESSAGE };
  return abnormal(volume.healthReason ?? `logical volume ${volume.id} is not healthy`);
}

function abnormal(message: string): VolumeCondition {
  return { abnormal: true, message };
}
