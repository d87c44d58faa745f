import { LvmdClientError, type DeviceClass, type LogicalVolume } from '@copse/lvmd-api';

/** What the Node service needs to know of a volume: its LV as lvmd-http reports it. */
export interface NodeVolume {
  /** the CSI volume id: the LV's name (the LogicalVolume object's UID) */
  readonly id: string;
  readonly deviceClass: string;
  /** /dev/VG/LV */
  readonly devicePath: string;
  readonly sizeBytes: number;
  readonly active: boolean;
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

/** The parts of @copse/lvmd-api's LvmdClient the source uses. */
export interface LvmdVolumeClient {
  listDeviceClasses(o?: { signal?: AbortSignal }): Promise<DeviceClass[]>;
  getLogicalVolume(name: string, deviceClass?: string, o?: { signal?: AbortSignal }): Promise<LogicalVolume>;
}

export interface LvmdVolumeSourceOptions {
  /**
   * The device class of a volume when csi-node knows it (its LogicalVolume object's
   * spec.deviceClass, from the reconciler's cache): one GET instead of a search.
   */
  readonly deviceClassOf?: (volumeId: string) => string | undefined;
}

/**
 * Volumes from lvmd-http: GET /v1/logical-volumes/{id}?deviceClass=... in the class the
 * caller names, else in each configured class, the default first (one request for the
 * usual single class). The list of classes is read once and again only when a volume is
 * found in none of them (lvmd-http restarted with another lvmd.yaml).
 */
export class LvmdVolumeSource implements VolumeSource {
  private classes: string[] | undefined;

  constructor(
    private readonly client: LvmdVolumeClient,
    private readonly options: LvmdVolumeSourceOptions = {},
  ) {}

  async get(volumeId: string, signal?: AbortSignal): Promise<NodeVolume | undefined> {
    const hint = this.options.deviceClassOf?.(volumeId);
    const tried = new Set<string>();
    const tryClass = async (dc: string) => {
      tried.add(dc);
      return this.fetch(volumeId, dc, signal);
    };
    if (hint !== undefined) {
      const found = await tryClass(hint);
      if (found) return found;
    }
    for (const fresh of [false, true]) {
      for (const dc of await this.deviceClasses(fresh, signal)) {
        if (tried.has(dc)) continue;
        const found = await tryClass(dc);
        if (found) return found;
      }
    }
    return undefined;
  }

  private async deviceClasses(fresh: boolean, signal?: AbortSignal): Promise<string[]> {
    if (!this.classes || fresh) {
      const list = await this.client.listDeviceClasses({ signal });
      this.classes = [...list].sort((a, b) => Number(b.default) - Number(a.default)).map((c) => c.name);
    }
    return this.classes;
  }

  private async fetch(volumeId: string, deviceClass: string, signal?: AbortSignal): Promise<NodeVolume | undefined> {
    try {
      return toNodeVolume(await this.client.getLogicalVolume(volumeId, deviceClass, { signal }));
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
    readOnly: lv.accessType === 'ro',
    healthy: lv.health.healthy,
    ...(lv.health.reason ? { healthReason: lv.health.reason } : {}),
  };
}
