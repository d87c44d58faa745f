import * as path from 'node:path';
import { CsiError, requireString, type CallContext } from '@copse/csi-grpc';
import type { NodePublishVolumeRequest__Output, NodePublishVolumeResponse } from '@copse/csi-spec';
import {
  DEFAULT_FS_TYPE,
  filesystemMountOptions,
  isFsType,
  isReadOnlyMount,
  mountAt,
  sameDevice,
  type DeviceNumber,
  type FsType,
} from '@copse/fs-model';
import { requireVolume, volumeDevice, type NodeServiceParts } from './deps';
import { growIfSmaller } from './grow';
import { sameFlags } from './published';
import { describeParams, publishParams, requirePath, type PublishParams } from './requests';
import type { NodeVolume } from './volume-source';

/** The root of a filesystem Copse formats: writable by any pod user, new files in its group (TopoLVM's 2777). */
export const NEW_FILESYSTEM_ROOT_MODE = 0o2777;
/** A target directory the plugin creates (kubelet creates its parent). */
const TARGET_DIR_MODE = 0o750;
/** A raw block target: the file the device node is bind-mounted onto. */
const TARGET_FILE_MODE = 0o660;

/**
 * NodePublishVolume (no staging, as TopoLVM): the LV's device at target_path, a raw block
 * device bind-mounted onto a file, or its filesystem mounted on a directory, formatted
 * first if the device holds nothing and grown to the device when the device is larger.
 * The same request again answers OK; a request that differs at the same target answers
 * ALREADY_EXISTS. The same volume may be published at several targets (Kubernetes'
 * ReadWriteOnce lets every pod on the node use it).
 */
export async function publishVolume(deps: NodeServiceParts, req: NodePublishVolumeRequest__Output, ctx: CallContext): Promise<NodePublishVolumeResponse> {
  const volumeId = requireString(req.volume_id, 'volume_id');
  const target = requirePath(req.target_path, 'target_path');
  const params = publishParams(req.volume_capability, req.readonly);
  const volume = await requireVolume(deps, volumeId, ctx.signal);
  if (volume.readOnly && !params.readOnly) {
    throw CsiError.failedPrecondition(`volume ${volumeId} is a read-only snapshot: publish it read-only (readonly: true)`);
  }
  const device = await volumeDevice(deps, volume);
  const log = ctx.log.child({ volumeId, target });

  const existing = await existingPublish(deps, volumeId, target, device, params);
  if (existing.state === 'conflict') {
    throw CsiError.alreadyExists(`volume ${volumeId} is already published at ${target} with other parameters: ${existing.why}; requested ${describeParams(params)}`);
  }
  if (existing.state === 'same') {
    log.debug('already published with these parameters');
    if (params.kind === 'mount' && !params.readOnly && existing.fsType) {
      await grow(deps, volume, device, existing.fsType, target, ctx, log);
    }
    deps.published.set(target, { volumeId, params });
    return {};
  }
  if (params.kind === 'block') await publishBlock(deps, volume, target, params, ctx);
  else await publishFilesystem(deps, volume, device, target, params, ctx, log);
  deps.published.set(target, { volumeId, params });
  log.info({ params: describeParams(params), device: volume.devicePath }, 'published');
  return {};
}

type Existing = { state: 'none' } | { state: 'same'; fsType?: FsType } | { state: 'conflict'; why: string };

/** What is published at the target now, compared with the request. */
async function existingPublish(deps: NodeServiceParts, volumeId: string, target: string, device: DeviceNumber, params: PublishParams): Promise<Existing> {
  const entry = mountAt(await deps.host.mounts(), target);
  if (!entry) return { state: 'none' };
  const mounted = await deps.host.deviceOfMount(entry);
  if (!mounted || !sameDevice(mounted, device)) return { state: 'conflict', why: `another device (${entry.source}) is mounted there` };
  const info = await deps.host.pathInfo(target);
  const publishedAs = info?.kind === 'block' ? 'block' : 'mount';
  if (publishedAs !== params.kind) return { state: 'conflict', why: publishedAs === 'block' ? 'it is published as a raw block device' : 'it is published as a filesystem' };
  if (params.kind === 'mount' && params.fsType && entry.fsType !== params.fsType) return { state: 'conflict', why: `its filesystem is ${entry.fsType}` };
  if (isReadOnlyMount(entry) !== params.readOnly) return { state: 'conflict', why: `it is mounted ${params.readOnly ? 'read-write' : 'read-only'}` };
  const recorded = deps.published.get(target);
  if (recorded && recorded.volumeId === volumeId && !sameFlags(recorded.params.flags, params.flags)) {
    return { state: 'conflict', why: `it was published with mount flags [${recorded.params.flags.join(', ')}]` };
  }
  return { state: 'same', ...(isFsType(entry.fsType) ? { fsType: entry.fsType } : {}) };
}

async function publishBlock(deps: NodeServiceParts, volume: NodeVolume, target: string, params: PublishParams, ctx: CallContext): Promise<void> {
  const info = await deps.host.pathInfo(target);
  if (info && info.kind !== 'file') {
    throw CsiError.failedPrecondition(`target_path ${target} is a ${info.kind === 'directory' ? 'directory' : info.kind}; a raw block volume is published as a file the device is bind-mounted onto`);
  }
  await deps.host.makeDirectory(path.posix.dirname(target), TARGET_DIR_MODE);
  const created = await deps.host.createFile(target, TARGET_FILE_MODE);
  try {
    await deps.host.bindMount(volume.devicePath, target, params.readOnly, ctx.signal);
  } catch (e) {
    if (created) await deps.host.removePath(target).catch(() => undefined);
    throw e;
  }
}

async function publishFilesystem(
  deps: NodeServiceParts,
  volume: NodeVolume,
  device: DeviceNumber,
  target: string,
  params: PublishParams,
  ctx: CallContext,
  log: CallContext['log'],
): Promise<void> {
  const info = await deps.host.pathInfo(target);
  if (info && info.kind !== 'directory') {
    throw CsiError.failedPrecondition(`target_path ${target} is a ${info.kind === 'file' ? 'file' : info.kind}; a filesystem volume is mounted on a directory`);
  }
  const fsType = await ensureFilesystem(deps, volume, params, ctx, log);
  const created = await deps.host.makeDirectory(target, TARGET_DIR_MODE);
  const options = filesystemMountOptions({ fsType: fsType.type, readOnly: params.readOnly, flags: params.flags });
  try {
    const mounted = await deps.host.mountFilesystem(volume.devicePath, target, fsType.type, options, ctx.signal);
    if (mounted.newFsid) log.info({ device: volume.devicePath }, 'btrfs shared its filesystem id with a mounted filesystem (a snapshot, restore or clone beside its origin): gave it a new one (btrfstune -m) and mounted it');
  } catch (e) {
    if (created) await deps.host.removePath(target).catch(() => undefined);
    throw e;
  }
  if (fsType.formatted) await deps.host.chmod(target, NEW_FILESYSTEM_ROOT_MODE);
  if (!params.readOnly) await grow(deps, volume, device, fsType.type, target, ctx, log);
}

/** The filesystem on the device, formatting it when it holds nothing (never on a read-only publish). */
async function ensureFilesystem(
  deps: NodeServiceParts,
  volume: NodeVolume,
  params: PublishParams,
  ctx: CallContext,
  log: CallContext['log'],
): Promise<{ type: FsType; formatted: boolean }> {
  const probed = await deps.host.probe(volume.devicePath, ctx.signal);
  if (probed.fsType) {
    if (!isFsType(probed.fsType)) {
      throw CsiError.failedPrecondition(`volume ${volume.id} holds ${probed.fsType}, which this plugin does not mount (ext4, xfs, btrfs)`);
    }
    if (params.fsType && params.fsType !== probed.fsType) {
      throw CsiError.failedPrecondition(`volume ${volume.id} holds an ${probed.fsType} filesystem; volume_capability.mount.fs_type asks for ${params.fsType}: not reformatting it`);
    }
    return { type: probed.fsType, formatted: false };
  }
  if (probed.partitionTable) {
    throw CsiError.failedPrecondition(`volume ${volume.id} holds a ${probed.partitionTable} partition table and no filesystem: not formatting it`);
  }
  if (params.readOnly) {
    throw CsiError.failedPrecondition(`volume ${volume.id} has no filesystem, and a read-only publish does not format one`);
  }
  const type = params.fsType ?? DEFAULT_FS_TYPE;
  await deps.host.format(volume.devicePath, type, ctx.signal);
  log.info({ fsType: type, device: volume.devicePath }, 'formatted');
  return { type, formatted: true };
}

async function grow(
  deps: NodeServiceParts,
  volume: NodeVolume,
  device: DeviceNumber,
  fsType: FsType,
  mountPoint: string,
  ctx: CallContext,
  log: CallContext['log'],
): Promise<void> {
  const grown = await growIfSmaller(deps.host, fsType, volume.devicePath, device, mountPoint, ctx.signal);
  if (grown) log.info({ fsType, fromBytes: grown.fromBytes, toBytes: grown.toBytes }, 'grew the filesystem to its device');
}
