import { Metadata } from '@grpc/grpc-js';
import type { CallContext } from '@copse/csi-grpc';
import type { AccessMode, NodePublishVolumeRequest__Output, VolumeCapability__Output } from '@copse/csi-spec';
import { nameSet } from '@copse/k8s-crd';
import pino from 'pino';
import { nodeServiceCore, PublishedTargets, type NodeVolume, type VolumeSource } from '../src/node-service';
import { FakeHost } from './fake-host';

export const MiB = 1024 * 1024;

export class FakeVolumes implements VolumeSource {
  readonly volumes = new Map<string, NodeVolume>();
  async get(volumeId: string): Promise<NodeVolume | undefined> {
    return this.volumes.get(volumeId);
  }
}

export function ctx(method = 'Test'): CallContext {
  return {
    method,
    requestId: 'req-1',
    signal: new AbortController().signal,
    deadline: undefined,
    log: pino({ level: 'silent' }),
    metadata: new Metadata(),
  };
}

/** A node "node-1" with one thin LV per call to addVolume. */
export function setup() {
  const host = new FakeHost();
  const volumes = new FakeVolumes();
  const published = new PublishedTargets();
  const service = nodeServiceCore({ nodeName: 'node-1', names: nameSet(), volumes, host, published, maxVolumesPerNode: 0 });
  let minor = 10;
  const addVolume = (id: string, o: { sizeBytes?: number; fsType?: string; fsSizeBytes?: number; readOnly?: boolean; healthy?: boolean; healthReason?: string; active?: boolean; partitionTable?: string; complete?: boolean } = {}) => {
    const devicePath = `/dev/vg0/${id}`;
    const sizeBytes = o.sizeBytes ?? 64 * MiB;
    const device = host.addDevice(devicePath, {
      rdev: { major: 253, minor: minor++ },
      sizeBytes,
      ...(o.fsType ? { fsType: o.fsType, fsSizeBytes: o.fsSizeBytes ?? sizeBytes } : {}),
      ...(o.partitionTable ? { partitionTable: o.partitionTable } : {}),
      readOnly: o.readOnly ?? false,
    });
    volumes.volumes.set(id, {
      id,
      deviceClass: 'thin',
      devicePath,
      sizeBytes,
      active: o.active ?? true,
      complete: o.complete ?? true,
      readOnly: o.readOnly ?? false,
      healthy: o.healthy ?? true,
      ...(o.healthReason ? { healthReason: o.healthReason } : {}),
    });
    return device;
  };
  return { host, volumes, published, service, addVolume };
}

export const mountCap = (o: { fsType?: string; flags?: string[]; mode?: AccessMode } = {}): VolumeCapability__Output => ({
  access_mode: { mode: o.mode ?? 'SINGLE_NODE_WRITER' },
  mount: { fs_type: o.fsType ?? '', mount_flags: o.flags ?? [], volume_mount_group: '' },
  access_type: 'mount',
});

export const blockCap = (): VolumeCapability__Output => ({
  access_mode: { mode: 'SINGLE_NODE_WRITER' },
  block: {},
  access_type: 'block',
});

export function publishRequest(volumeId: string, targetPath: string, cap: VolumeCapability__Output, readonly = false): NodePublishVolumeRequest__Output {
  return {
    volume_id: volumeId,
    publish_context: {},
    staging_target_path: '',
    target_path: targetPath,
    volume_capability: cap,
    readonly,
    secrets: {},
    volume_context: {},
  };
}
