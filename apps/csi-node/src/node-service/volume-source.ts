import { LvmdClientError, type LogicalVolume } from '@copse/lvmd-api';

/** What the Node service needs to know of a volume: its LV as lvmd-http reports it. */
export interface NodeVolume {
  /** the CSI volume id: the LV's name (the LogicalVolume object's UID) */
  readonly id: string;
  readonly deviceClass: string;
  /** /dev/VG/LV */
  readonly devicePath: string;
  readonly sizeBytes: number;
  readonly active: boolean;
  /** false while a create that was interrupted waits for the reconciler to complete it */
  readonly complete: boolean;
  /** a read-only snapshot (lvchange -p r): its device refuses writes */
  readonly readOnly: boolean;
  /** from lv_attr and the thin pool's health (lvmd-http's VolumeHealth) */
  readonly healthy: boolean;
  readonly healthReason?: string;
}

/** Finds a volume by its id; undefined when no LV of that name exists on this node. */
export interface VolumeSource {
  get(volumeId: string, signal?: AbortSignal): Promise<NodeVolume | undefined>;
}

/** The part of @copse/lvmd-api's LvmdClient the source uses. */
export interface LvmdVolumeClient {
  getLogicalVolume(name: string, deviceClass?: string, o?: { signal?: AbortSignal }): Promise<LogicalVolume>;
}

/**
 * Volumes from lvmd-http: GET /v1/logical-volumes/{id}, which finds the volume's device
 * class itself and answers from lvmd-http's cache (no lvm command): one request, always
 * as fresh as lvmd-http's view (a size just grown, a pool that just filled).
 */
export class LvmdVolumeSource implements VolumeSource {
  constructor(private readonly client: LvmdVolumeClient) {}

  async get(volumeId: string, signal?: AbortSignal): Promise<NodeVolume | undefined> {
    try {
      return toNodeVolume(await this.client.getLogicalVolume(volumeId, undefined, { signal }));
    } catch (e) {
      if (e instanceof LvmdClientError && e.code === 'not-found') return undefined;
      throw e;
    }
  }
}

export function toNodeVolume(lv: LogicalVolume): NodeVolume {
  return {
    id: lv.name,
    deviceClass: lv.deviceClass,
    devicePath: lv.devicePath,
    sizeBytes: lv.sizeBytes,
    active: lv.active,
    complete: lv.state !== 'incomplete',
    readOnly: lv.accessType === 'ro',
    healthy: lv.health.healthy,
    ...(lv.health.reason ? { healthReason: lv.health.reason } : {}),
  };
}
