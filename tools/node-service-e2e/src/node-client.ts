import { credentials, makeGenericClientConstructor, type ServiceDefinition, type ServiceError } from '@grpc/grpc-js';
import { callUnary } from '@copse/csi-grpc';
import type {
  CsiContract,
  NodeClient,
  NodeExpandVolumeResponse__Output,
  NodeGetVolumeStatsResponse__Output,
  VolumeCapability,
} from '@copse/csi-spec';

/** The CSI Node service at 127.0.0.1:PORT (the test node's forward to the plugin's TCP bridge), as kubelet calls it. */
export class TcpNodeClient {
  readonly client: NodeClient;

  constructor(contract: CsiContract, port: number) {
    const Client = makeGenericClientConstructor(contract.services.Node as unknown as ServiceDefinition, 'Node');
    this.client = new Client(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as NodeClient;
  }

  close(): void {
    this.client.close();
  }

  publish(volumeId: string, targetPath: string, cap: VolumeCapability, readonly = false): Promise<unknown> {
    return callUnary((cb) => this.client.NodePublishVolume({ volume_id: volumeId, target_path: targetPath, volume_capability: cap, readonly }, cb));
  }

  unpublish(volumeId: string, targetPath: string): Promise<unknown> {
    return callUnary((cb) => this.client.NodeUnpublishVolume({ volume_id: volumeId, target_path: targetPath }, cb));
  }

  stats(volumeId: string, volumePath: string): Promise<NodeGetVolumeStatsResponse__Output> {
    return callUnary((cb) => this.client.NodeGetVolumeStats({ volume_id: volumeId, volume_path: volumePath }, cb));
  }

  expand(volumeId: string, volumePath: string, requiredBytes: number, cap?: VolumeCapability): Promise<NodeExpandVolumeResponse__Output> {
    return callUnary((cb) =>
      this.client.NodeExpandVolume({ volume_id: volumeId, volume_path: volumePath, capacity_range: { required_bytes: requiredBytes }, ...(cap ? { volume_capability: cap } : {}) }, cb),
    );
  }

  info(): Promise<unknown> {
    return callUnary((cb) => this.client.NodeGetInfo({}, cb));
  }

  capabilities(): Promise<unknown> {
    return callUnary((cb) => this.client.NodeGetCapabilities({}, cb));
  }
}

/** The gRPC code and message a call failed with (rejects if it succeeded). */
export async function failure(call: Promise<unknown>): Promise<{ code: number; details: string }> {
  try {
    await call;
  } catch (e) {
    const { code, details } = e as ServiceError;
    return { code, details };
  }
  throw new Error('expected the call to fail, it succeeded');
}

export const mount = (fsType = '', flags: string[] = []): VolumeCapability => ({
  access_mode: { mode: 'SINGLE_NODE_WRITER' },
  mount: { fs_type: fsType, mount_flags: flags },
});

export const block = (): VolumeCapability => ({ access_mode: { mode: 'SINGLE_NODE_WRITER' }, block: {} });
