import { CsiError } from '@copse/csi-grpc';
import type { FilesystemHost } from '@copse/fs-exec';
import type { DeviceNumber } from '@copse/fs-model';
import type { NameSet } from '@copse/k8s-crd';
import type { PublishedTargets } from './published';
import type { NodeVolume, VolumeSource } from './volume-source';

/** What the Node service's core works with; createNodeService (wire.ts) builds them from csi-node's wiring. */
export interface NodeServiceParts {
  /** this node's name: the CSI node id and the topology segment's value */
  readonly nodeName: string;
  /** the API group's names: the topology key */
  readonly names: NameSet;
  readonly volumes: VolumeSource;
  readonly host: FilesystemHost;
  readonly published: PublishedTargets;
  /** NodeGetInfo's max_volumes_per_node; 0: the CO decides */
  readonly maxVolumesPerNode?: number;
}

export async function requireVolume(deps: NodeServiceParts, volumeId: string, signal: AbortSignal): Promise<NodeVolume> {
  const volume = await deps.volumes.get(volumeId, signal);
  if (!volume) throw CsiError.notFound(`volume ${volumeId} does not exist on node ${deps.nodeName} (no logical volume of that name in lvmd-http)`);
  if (!volume.complete) {
    throw CsiError.unavailable(`volume ${volumeId} on node ${deps.nodeName} is being completed after an interrupted create: try again shortly`);
  }
  return volume;
}

/** The device number of a volume's device node: what mounts of it show. */
export async function volumeDevice(deps: NodeServiceParts, volume: NodeVolume): Promise<DeviceNumber> {
  if (!volume.active) {
    throw CsiError.failedPrecondition(`volume ${volume.id} is not active on node ${deps.nodeName}: its device ${volume.devicePath} does not exist`);
  }
  const info = await deps.host.pathInfo(volume.devicePath);
  if (info?.kind !== 'block' || !info.rdev) {
    throw CsiError.failedPrecondition(`volume ${volume.id}: ${volume.devicePath} is ${info ? 'not a block device' : 'missing'} on node ${deps.nodeName}`);
  }
  return info.rdev;
}
