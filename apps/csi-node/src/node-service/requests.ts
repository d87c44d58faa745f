// The checks of the Node service's request fields, each refusal an INVALID_ARGUMENT that
// names the field as the spec does.
import * as path from 'node:path';
import { checkVolumeCapability, CsiError, requireString, type VolumeCapabilitySupport } from '@copse/csi-grpc';
import type { AccessMode, VolumeCapability__Output } from '@copse/csi-spec';
import { FILESYSTEMS, isFsType, isReadOnlyRequest, mountFlagsProblem, type FsType } from '@copse/fs-model';

/** Linux's PATH_MAX: the spec asks for at least 128 bytes and as much as the OS allows. */
export const PATH_MAX_BYTES = 4096;

/**
 * A path the CO hands over (target_path, volume_path): absolute, as the spec requires,
 * and already normal (no "." or ".." segments, no doubled slashes), since the plugin
 * creates and removes what is at it. A trailing slash is dropped.
 */
export function requirePath(value: string | undefined, field: string): string {
  const checked = checkPath(requireString(value, field, PATH_MAX_BYTES), field);
  if ('problem' in checked) throw CsiError.invalidArgument(checked.problem);
  return checked.path;
}

/**
 * A volume_path of NodeGetVolumeStats or NodeExpandVolume: present (INVALID_ARGUMENT
 * otherwise), but judged only after the volume is found, as csi-sanity expects: an
 * unknown volume is NOT_FOUND whatever the path, and a path that is not absolute and
 * normal cannot be where the volume is published (NOT_FOUND too).
 */
export function requirePublishedPath(value: string | undefined, field: string): { path: string } | { problem: string } {
  return checkPath(requireString(value, field, PATH_MAX_BYTES), field);
}

function checkPath(p: string, field: string): { path: string } | { problem: string } {
  if (p.includes('\0')) return { problem: `${field} must not contain a NUL byte` };
  if (!path.posix.isAbsolute(p)) return { problem: `${field} ${JSON.stringify(p)} must be an absolute path` };
  const clean = path.posix.resolve(p);
  if (clean === '/') return { problem: `${field} must not be the root directory` };
  if (p !== clean && p !== `${clean}/`) {
    return { problem: `${field} ${JSON.stringify(p)} must be a normal path (no "." or ".." segments, no doubled slashes): ${JSON.stringify(clean)}?` };
  }
  return { path: clean };
}

/** Modes a node-local volume can serve: one node, any number of readers or writers on it. */
export const NODE_ACCESS_MODES: readonly AccessMode[] = [
  'SINGLE_NODE_WRITER',
  'SINGLE_NODE_READER_ONLY',
  'SINGLE_NODE_SINGLE_WRITER',
  'SINGLE_NODE_MULTI_WRITER',
];

export const NODE_VOLUME_SUPPORT: VolumeCapabilitySupport = { accessModes: NODE_ACCESS_MODES, block: true, fsTypes: FILESYSTEMS };

/** What a publish asks for, beyond the volume and the target. */
export interface PublishParams {
  readonly kind: 'block' | 'mount';
  /** mount only: the fs_type asked for; undefined when the request left it empty */
  readonly fsType?: FsType;
  /** the readonly flag, a reader-only access mode, or ro among the mount flags */
  readonly readOnly: boolean;
  /** mount only: mount_flags as given */
  readonly flags: readonly string[];
}

/** Reads and checks volume_capability and readonly of a NodePublishVolume request. */
export function publishParams(cap: VolumeCapability__Output | null | undefined, readonly: boolean): PublishParams {
  const c = checkVolumeCapability(cap, NODE_VOLUME_SUPPORT);
  const readerOnly = c.access_mode?.mode === 'SINGLE_NODE_READER_ONLY';
  if (c.access_type === 'block' || (c.access_type === undefined && c.block)) {
    return { kind: 'block', readOnly: readonly || readerOnly, flags: [] };
  }
  const mount = c.mount!;
  const flags = [...mount.mount_flags];
  const readOnly = isReadOnlyRequest(readonly || readerOnly, flags);
  const problem = mountFlagsProblem(flags, readOnly);
  if (problem) throw CsiError.invalidArgument(problem);
  const fsType = mount.fs_type === '' ? undefined : mount.fs_type;
  if (fsType !== undefined && !isFsType(fsType)) throw CsiError.invalidArgument(`volume_capability.mount.fs_type ${JSON.stringify(fsType)} is not supported`);
  return { kind: 'mount', ...(fsType ? { fsType } : {}), readOnly, flags };
}

/** The parameters in words, for logs and ALREADY_EXISTS messages. */
export function describeParams(p: PublishParams): string {
  if (p.kind === 'block') return `raw block, ${p.readOnly ? 'read-only' : 'read-write'}`;
  const flags = p.flags.length > 0 ? `, mount flags [${p.flags.join(', ')}]` : '';
  return `${p.fsType ?? 'any filesystem'}, ${p.readOnly ? 'read-only' : 'read-write'}${flags}`;
}
