import { EventEmitter } from 'node:events';
import {
  findDeviceClass,
  findLvcreateOptionClass,
  lvNameProblem,
  roundUpToExtent,
  type DeviceClass,
  type LvRecord,
  type LvmdConfig,
} from '@copse/lvm-model';
import type { Lvm, VgState } from '@copse/lvm-exec';
import type { AccessType, DeviceClass as DeviceClassView, LogicalVolume } from '@copse/lvmd-api';
import { ApiError, toApiError } from '../errors';
import type { Logger } from './logger';
import { readinessChecks, type ReadinessCheck } from './readiness';
import { VgCache } from './vg-cache';
import { KeyedMutex } from './vg-lock';
import { belongsTo, deviceClassView, volumeView } from './views';

export type { Logger } from './logger';
export type { ReadinessCheck } from './readiness';
export type { VolumeEvent } from './vg-cache';

export interface LvmServiceOptions {
  readonly config: LvmdConfig;
  readonly lvm: Lvm;
  readonly log: Logger;
  /** re-read every VG this often even when nothing changed through us (TopoLVM: 10 minutes); 0 disables */
  readonly refreshIntervalMs: number;
}

export interface Created {
  readonly created: boolean;
  readonly volume: LogicalVolume;
}

/**
 * lvmd's operations over the lvm command layer. Reads answer from a per-VG cache that
 * is refreshed after every change we make and on a timer, so that a read costs no lvm
 * call when nothing changed (TopoLVM #1221). Mutations on one VG are serialized.
 *
 * Events: 'capacity' (DeviceClassView[]) after every refresh, 'volume' (VolumeEvent)
 * for every LV that appeared, changed or went away.
 */
export class LvmService extends EventEmitter {
  private readonly cache: VgCache;
  private readonly lock = new KeyedMutex();
  private readonly vgNames: string[];
  private timer?: NodeJS.Timeout;
  private readonly listJson = new Map<string, { version: number; json: string }>();

  constructor(private readonly o: LvmServiceOptions) {
    super();
    this.vgNames = [...new Set(o.config.deviceClasses.map((dc) => dc.volumeGroup))];
    this.cache = new VgCache({ config: o.config, lvm: o.lvm, log: o.log, events: this, capacity: () => this.listDeviceClasses() });
  }

  /** Reads every VG once; fails when a configured VG or thin pool does not exist. */
  async start(): Promise<void> {
    await Promise.all(this.vgNames.map((vg) => this.cache.refresh(vg).catch(() => undefined)));
    const missing = this.readiness().filter((c) => !c.ok);
    if (missing.length > 0) throw new Error(missing.map((c) => `${c.name}: ${c.detail}`).join('; '));
    if (this.o.refreshIntervalMs > 0) {
      this.timer = setInterval(() => void this.refreshAll(), this.o.refreshIntervalMs);
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async refreshAll(): Promise<void> {
    await Promise.all(
      this.vgNames.map((vg) =>
        this.lock.run(vg, () => this.cache.refresh(vg)).catch((e: unknown) => {
          this.o.log.warn({ vg, err: String(e) }, 'periodic refresh failed');
        }),
      ),
    );
  }

  readiness(): ReadinessCheck[] {
    return readinessChecks(this.o.config, this.cache);
  }

  /** "" and undefined name the default class. */
  deviceClass(name: string | undefined, field: string): DeviceClass {
    const dc = findDeviceClass(this.o.config, name);
    if (!dc) {
      throw new ApiError(
        'not-found',
        name ? `device class "${name}" is not configured` : 'no device class given and none is the default',
        field,
      );
    }
    return dc;
  }

  listDeviceClasses(): DeviceClassView[] {
    return this.o.config.deviceClasses.flatMap((dc) => {
      const state = this.cache.get(dc.volumeGroup);
      return state ? [deviceClassView(dc, state)] : [];
    });
  }

  getDeviceClass(dc: DeviceClass): DeviceClassView {
    return deviceClassView(dc, this.state(dc));
  }

  listVolumes(dc?: DeviceClass): LogicalVolume[] {
    const classes = dc ? [dc] : this.o.config.deviceClasses;
    return classes.flatMap((c) => {
      const state = this.cache.get(c.volumeGroup);
      return state ? state.lvs.filter((lv) => belongsTo(lv, c)).map((lv) => volumeView(lv, c, state.lvs)) : [];
    });
  }

  /**
   * The list as the JSON body the API answers, serialized once per state change: with a
   * thousand volumes serialization, not lvm, is the cost of a list.
   */
  listVolumesJson(dc?: DeviceClass): string {
    const key = dc?.name ?? '';
    const cached = this.listJson.get(key);
    if (cached?.version === this.cache.version) return cached.json;
    const json = JSON.stringify({ items: this.listVolumes(dc) });
    this.listJson.set(key, { version: this.cache.version, json });
    return json;
  }

  getVolume(name: string, dc: DeviceClass): LogicalVolume {
    return this.view(this.requireLv(name, dc, 'params.name'), dc);
  }

  async createVolume(
    name: string,
    req: { dc: DeviceClass; sizeBytes: number; tags: string[]; optionClass?: string },
    signal?: AbortSignal,
  ): Promise<Created> {
    checkName(name, 'params.name');
    const { dc } = req;
    const options = [...dc.lvcreateOptions, ...this.optionClass(req.optionClass)];
    return this.lock.run(dc.volumeGroup, async () => {
      const state = this.state(dc);
      const sizeBytes = roundUpToExtent(req.sizeBytes, state.vg.extentSizeBytes);
      const existing = state.lvs.find((lv) => lv.name === name);
      if (existing) {
        const differences = [
          ...(belongsTo(existing, dc) ? [] : [`it belongs to another device class or volume type than ${dc.name}`]),
          ...(existing.sizeBytes === sizeBytes ? [] : [`its size is ${existing.sizeBytes} bytes, not ${sizeBytes}`]),
          ...(existing.origin === '' ? [] : [`it is a snapshot of ${existing.origin}`]),
        ];
        if (differences.length > 0) throw conflict(name, differences);
        return { created: false, volume: this.view(existing, dc) };
      }
      const free = deviceClassView(dc, state).freeBytes;
      if (sizeBytes > free) {
        throw new ApiError('no-space', `${sizeBytes} bytes requested, ${free} bytes free in device class ${dc.name}`, 'body.sizeBytes');
      }
      await this.mutate(dc, [name], () =>
        dc.type === 'thin' && dc.thinPool
          ? this.o.lvm.createThin({ vg: dc.volumeGroup, pool: dc.thinPool.name, name, sizeBytes, tags: req.tags, options }, signal)
          : this.o.lvm.createThick(
              { vg: dc.volumeGroup, name, sizeBytes, tags: req.tags, stripe: dc.stripe, stripeSize: dc.stripeSize, options },
              signal,
            ),
      );
      this.o.log.info({ lv: name, deviceClass: dc.name, sizeBytes }, 'logical volume created');
      return { created: true, volume: this.view(this.requireLv(name, dc, 'params.name'), dc) };
    });
  }

  async createSnapshot(
    source: string,
    req: { name: string; dc: DeviceClass; accessType: AccessType; sizeBytes?: number; tags: string[] },
    signal?: AbortSignal,
  ): Promise<Created> {
    const { dc, name } = req;
    checkName(source, 'params.name');
    checkName(name, 'body.name');
    if (dc.type !== 'thin') {
      throw new ApiError('unsupported-for-thick', `device class ${dc.name} is thick; snapshots need a thin device class`, 'body.deviceClass');
    }
    return this.lock.run(dc.volumeGroup, async () => {
      const state = this.state(dc);
      const src = this.requireLv(source, dc, 'params.name');
      const wanted = req.sizeBytes === undefined ? src.sizeBytes : roundUpToExtent(req.sizeBytes, state.vg.extentSizeBytes);
      if (wanted < src.sizeBytes) {
        throw new ApiError(
          'out-of-range',
          `sizeBytes ${req.sizeBytes} is smaller than the source's current size ${src.sizeBytes}`,
          'body.sizeBytes',
        );
      }
      const readOnly = req.accessType === 'ro';
      const existing = state.lvs.find((lv) => lv.name === name);
      if (existing) {
        const differences = [
          ...(belongsTo(existing, dc) ? [] : [`it belongs to another device class or volume type than ${dc.name}`]),
          ...(existing.origin === source ? [] : [`it is not a snapshot of ${source}`]),
          ...(existing.sizeBytes === wanted ? [] : [`its size is ${existing.sizeBytes} bytes, not ${wanted}`]),
          ...((existing.attr.permission === 'writeable') === !readOnly ? [] : [`its access is not ${req.accessType}`]),
        ];
        if (differences.length > 0) throw conflict(name, differences);
        return { created: false, volume: this.view(existing, dc) };
      }
      const free = deviceClassView(dc, state).freeBytes;
      if (wanted > free) {
        throw new ApiError(
          'no-space',
          `a ${wanted}-byte snapshot exceeds the ${free} bytes the thin pool may still overprovision`,
          req.sizeBytes === undefined ? 'params.name' : 'body.sizeBytes',
        );
      }
      const vg = dc.volumeGroup;
      await this.mutate(dc, [name], async () => {
        await this.o.lvm.createThinSnapshot({ vg, source, name, readOnly, tags: req.tags }, signal);
        try {
          if (wanted > src.sizeBytes) await this.o.lvm.resize({ vg, name, sizeBytes: wanted }, signal);
        } catch (e) {
          await this.undoCreate(vg, name);
          throw e;
        }
      });
      let lv = this.requireLv(name, dc, 'body.name');
      if (!lv.attr.active) {
        // -k n at creation makes lvm activate it; if it still is not active, activate or undo.
        this.o.log.warn({ lv: name }, 'snapshot came out inactive; activating');
        try {
          await this.mutate(dc, [name], () => this.o.lvm.setActive({ vg, name, active: true }, signal));
        } catch (e) {
          await this.undoCreate(vg, name);
          throw e;
        }
        lv = this.requireLv(name, dc, 'body.name');
      }
      this.o.log.info({ lv: name, source, accessType: req.accessType, sizeBytes: lv.sizeBytes }, 'snapshot created');
      return { created: true, volume: this.view(lv, dc) };
    });
  }

  async resize(name: string, dc: DeviceClass, sizeBytes: number, signal?: AbortSignal): Promise<LogicalVolume> {
    checkName(name, 'params.name');
    return this.lock.run(dc.volumeGroup, async () => {
      const state = this.state(dc);
      const lv = this.requireLv(name, dc, 'params.name');
      const wanted = roundUpToExtent(sizeBytes, state.vg.extentSizeBytes);
      if (wanted < lv.sizeBytes) {
        throw new ApiError('out-of-range', `volumes only grow: ${name} is ${lv.sizeBytes} bytes, ${sizeBytes} requested`, 'body.sizeBytes');
      }
      if (wanted === lv.sizeBytes) return this.view(lv, dc);
      const free = deviceClassView(dc, state).freeBytes;
      if (wanted - lv.sizeBytes > free) {
        throw new ApiError('no-space', `growing by ${wanted - lv.sizeBytes} bytes exceeds the ${free} bytes free`, 'body.sizeBytes');
      }
      await this.mutate(dc, [name], () => this.o.lvm.resize({ vg: dc.volumeGroup, name, sizeBytes: wanted }, signal));
      this.o.log.info({ lv: name, from: lv.sizeBytes, to: wanted }, 'logical volume grown');
      return this.view(this.requireLv(name, dc, 'params.name'), dc);
    });
  }

  async setActivation(
    name: string,
    dc: DeviceClass,
    req: { active: boolean; accessType?: AccessType },
    signal?: AbortSignal,
  ): Promise<LogicalVolume> {
    checkName(name, 'params.name');
    return this.lock.run(dc.volumeGroup, async () => {
      const lv = this.requireLv(name, dc, 'params.name');
      const vg = dc.volumeGroup;
      const readOnly = req.accessType === undefined ? undefined : req.accessType === 'ro';
      const steps: Array<() => Promise<void>> = [];
      if (readOnly !== undefined && (lv.attr.permission === 'writeable') === readOnly) {
        steps.push(() => this.o.lvm.setPermission({ vg, name, readOnly }, signal));
      }
      if (req.active !== lv.attr.active || (req.active && lv.attr.activationSkip)) {
        steps.push(() => this.o.lvm.setActive({ vg, name, active: req.active }, signal));
      }
      if (steps.length === 0) return this.view(lv, dc);
      await this.mutate(dc, [name], async () => {
        for (const step of steps) await step();
      });
      this.o.log.info({ lv: name, active: req.active, accessType: req.accessType }, 'activation changed');
      return this.view(this.requireLv(name, dc, 'params.name'), dc);
    });
  }

  /** Missing counts as done. */
  async delete(name: string, dc: DeviceClass, signal?: AbortSignal): Promise<{ deleted: boolean }> {
    checkName(name, 'params.name');
    return this.lock.run(dc.volumeGroup, async () => {
      const lv = this.state(dc).lvs.find((l) => l.name === name && belongsTo(l, dc));
      if (!lv) return { deleted: false };
      await this.mutate(dc, [], () => this.o.lvm.remove({ vg: dc.volumeGroup, name }, signal), name);
      this.o.log.info({ lv: name, deviceClass: dc.name }, 'logical volume removed');
      return { deleted: true };
    });
  }

  /**
   * Runs lvm changes, then re-reads what they touched: on success only the touched LVs
   * (and the pool and VG figures) in one `lvs` call; after a failure the whole VG, since
   * a failed or killed lvm may have changed anything.
   */
  private async mutate(dc: DeviceClass, touched: string[], work: () => Promise<void>, removed?: string): Promise<void> {
    const vg = dc.volumeGroup;
    const fullRefresh = () =>
      this.cache.refresh(vg).catch((e: unknown) => this.o.log.error({ vg, err: String(e) }, 'refresh after change failed'));
    try {
      await work();
    } catch (e) {
      await fullRefresh();
      throw e;
    }
    try {
      await this.cache.refreshTouched(dc, touched, removed);
    } catch (e) {
      this.o.log.warn({ vg, err: String(e) }, 'partial refresh failed; re-reading the volume group');
      await fullRefresh();
    }
  }

  private async undoCreate(vg: string, name: string): Promise<void> {
    try {
      await this.o.lvm.remove({ vg, name });
      this.o.log.warn({ lv: name }, 'removed the half-made volume');
    } catch (e) {
      this.o.log.error({ lv: name, err: String(toApiError(e).message) }, 'could not remove the half-made volume');
    }
  }

  private view(lv: LvRecord, dc: DeviceClass): LogicalVolume {
    return volumeView(lv, dc, this.cache.get(dc.volumeGroup)?.lvs ?? []);
  }

  private state(dc: DeviceClass): VgState {
    const state = this.cache.get(dc.volumeGroup);
    if (!state) throw new ApiError('unavailable', `volume group ${dc.volumeGroup} could not be read: ${this.cache.lastRefreshError ?? 'not found'}`);
    return state;
  }

  private requireLv(name: string, dc: DeviceClass, field: string): LvRecord {
    const lv = this.state(dc).lvs.find((l) => l.name === name && belongsTo(l, dc));
    if (!lv) throw new ApiError('not-found', `logical volume "${name}" not found in device class ${dc.name}`, field);
    return lv;
  }

  private optionClass(name: string | undefined): string[] {
    if (!name) return [];
    const oc = findLvcreateOptionClass(this.o.config, name);
    if (!oc) throw new ApiError('invalid-field', `lvcreate option class "${name}" is not configured`, 'body.lvcreateOptionClass');
    return oc.options;
  }
}

function checkName(name: string, field: string): void {
  const problem = lvNameProblem(name);
  if (problem) throw new ApiError('invalid-field', problem, field);
}

function conflict(name: string, differences: string[]): ApiError {
  return new ApiError('conflict', `logical volume "${name}" already exists with other parameters: ${differences.join('; ')}`);
}
