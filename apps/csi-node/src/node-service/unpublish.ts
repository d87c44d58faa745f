import { CsiError, requireString, type CallContext } from '@copse/csi-grpc';
import type { NodeUnpublishVolumeRequest__Output, NodeUnpublishVolumeResponse } from '@copse/csi-spec';
import { isFsCommandError } from '@copse/fs-exec';
import { mountsAt } from '@copse/fs-model';
import type { NodeServiceParts } from './deps';
import { requirePath } from './requests';

/** More mounts than this stacked on one target is not something a publish made. */
const MAX_STACKED_MOUNTS = 8;

/**
 * NodeUnpublishVolume: unmounts whatever is mounted at target_path (every stacked mount)
 * and removes the directory or file the publish created. Idempotent: a target that is
 * gone, or not mounted, is fine. It never asks lvmd-http (an unpublish must work while
 * lvmd-http is down or after the LV is gone) and never answers NOT_FOUND.
 */
export async function unpublishVolume(deps: NodeServiceParts, req: NodeUnpublishVolumeRequest__Output, ctx: CallContext): Promise<NodeUnpublishVolumeResponse> {
  const volumeId = requireString(req.volume_id, 'volume_id');
  const target = requirePath(req.target_path, 'target_path');
  let unmounted = 0;
  for (;;) {
    const stacked = mountsAt(await deps.host.mounts(), target);
    if (stacked === 0) break;
    if (unmounted >= MAX_STACKED_MOUNTS) {
      throw CsiError.failedPrecondition(`target_path ${target} still has ${stacked} mounts after ${unmounted} unmounts: not removing it`);
    }
    try {
      await deps.host.unmount(target, ctx.signal);
    } catch (e) {
      // gone between reading the table and unmounting: read it again
      if (!(isFsCommandError(e) && e.isNotMounted)) throw e;
    }
    unmounted++;
  }
  try {
    await deps.host.removePath(target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOTEMPTY') {
      throw CsiError.failedPrecondition(`target_path ${target} is not a mount point but holds files: leaving it in place (something wrote into it while the volume was not mounted)`);
    }
    throw e;
  }
  deps.published.delete(target);
  if (unmounted > 0) ctx.log.info({ volumeId, target, unmounted }, 'unpublished');
  return {};
}
