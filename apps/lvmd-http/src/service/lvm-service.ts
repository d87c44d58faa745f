import { EventEmitter } from 'node:events';
import type { DeviceClass, LvmdConfig } from '@copse/lvm-model';
import type { Lvm } from '@copse/lvm-exec';
import type { AccessType, DeviceClass as DeviceClassView, LogicalVolume } from '@copse/lvmd-api';
import { resize, setActivation } from './change';
import { view, vgState, type ServiceContext } from './context';
import { createSnapshot, createVolume, type Created, type CreateSnapshotRequest, type CreateVolumeRequest } from './create';
import { deleteVolume } from './delete';
import { namedClass, requireLocated } from './locate';
import type { Logger } from './logger';
import { readinessChecks, type ReadinessCheck } from './readiness';
import { VgCache } from './vg-cache';
import { KeyedMutex } from './vg-lock';
import type { PoolHealthSource } from '../pool/health-source';
import { belongsTo, deviceClassView, volumeView } from './views';

export type { Logger } from './logger';
export type { ReadinessCheck } from './readiness';
export type { VolumeEvent } from './vg-cache';
export type { Created, CreateSnapshotRequest, CreateVolumeRequest } from './create';

export interface LvmServiceOptions {
  readonly config: LvmdConfig;
  readonly lvm: Lvm;
  readonly log: Logger;
  /** re-read every VG this often even when nothing changed through us (TopoLVM: 10 minutes); 0 disables */
  readonly refreshIntervalMs: number;
  /** the thin pools' health as the pool monitor follows it (apps/lvmd-http/src/pool/); none: as lvs shows it */
  readonly pools?: PoolHealthSource;
}

/**
 * lvmd's operations over the lvm command layer. Reads answer from a per-VG cache that
 * is refreshed after every change we make and on a timer, so that a read costs no lvm
 * call when nothing changed (TopoLVM #1221). Mutations on one VG are serialized. Each
 * operation lives in its own module (create, change, delete) over a ServiceContext.
 *
 * Events: 'capacity' (DeviceClassView[]) after every refresh, 'volume' (VolumeEvent)
 * for every LV that appeared, changed or went away.
 */
export class LvmService extends EventEmitter {
  private readonly ctx: ServiceContext;
  private readonly cache: VgCache;
  private readonly vgNames: string[];
  private timer?: NodeJS.Timeout;
  private readonly listJson = new Map<string, { version: number; json: string }>();

  constructor(private readonly o: LvmServiceOptions) {
    super();
    this.vgNames = [...new Set(o.config.deviceClasses.map((dc) => dc.volumeGroup))];
    this.cache = new VgCache({ config: o.config, lvm: o.lvm, log: o.log, events: this, capacity: () => this.listDeviceClasses(), pools: o.pools });
    this.ctx = { config: o.config, lvm: o.lvm, log: o.log, cache: this.cache, lock: new KeyedMutex() };
  }

  /**
   * Reads every VG once; fails when a configured VG or thin pool does not exist.
   * Incomplete volumes (interrupted creates) are left for the repeat of their create,
   * which completes them, or a delete; they are listed with state "incomplete".
   */
  async start(): Promise<void> {
    await Promise.all(this.vgNames.map((vg) => this.cache.refresh(vg).catch(() => undefined)));
    // a pool's health does not stop lvmd-http from starting: deleting volumes through it may be the cure
    const missing = readinessChecks(this.o.config, this.cache).filter((c) => !c.ok);
    if (missing.length > 0) throw new Error(missing.map((c) => `${c.name}: ${c.detail}`).join('; '));
    const incomplete = this.listVolumes().filter((v) => v.state === 'incomplete');
    if (incomplete.length > 0) {
      this.o.log.warn(
        { volumes: incomplete.map((v) => `${v.volumeGroup}/${v.name}`) },
        'incomplete volumes (interrupted creates): a repeat of the create completes each, a delete removes it',
      );
    }
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
        this.ctx.lock.run(vg, () => this.cache.refresh(vg)).catch((e: unknown) => {
          this.o.log.warn({ vg, err: String(e) }, 'periodic refresh failed');
        }),
      ),
    );
  }

  /** lvm answered, every VG and thin pool exists, and no thin pool's health stops writes. */
  readiness(): ReadinessCheck[] {
    return [...readinessChecks(this.o.config, this.cache), ...(this.o.pools?.readiness() ?? [])];
  }

  /** "" and undefined name the default class; 404 naming the field when not configured. */
  deviceClass(name: string | undefined, field: string): DeviceClass {
    return namedClass(this.o.config, { value: name, field });
  }

  listDeviceClasses(): DeviceClassView[] {
    return this.o.config.deviceClasses.flatMap((dc) => {
      const state = this.cache.get(dc.volumeGroup);
      return state ? [deviceClassView(dc, state, this.cache.pool(dc))] : [];
    });
  }

  getDeviceClass(dc: DeviceClass): DeviceClassView {
    return deviceClassView(dc, vgState(this.ctx, dc), this.cache.pool(dc));
  }

  listVolumes(dc?: DeviceClass): LogicalVolume[] {
    const classes = dc ? [dc] : this.o.config.deviceClasses;
    return classes.flatMap((c) => {
      const state = this.cache.get(c.volumeGroup);
      return state ? state.lvs.filter((lv) => belongsTo(lv, c)).map((lv) => volumeView(lv, c, state.lvs, this.cache.pool(c))) : [];
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

  /** queryClass: the deviceClass query parameter as given (see locate.ts). */
  getVolume(name: string, queryClass?: string): LogicalVolume {
    const { dc, lv } = requireLocated(this.ctx, name, { value: queryClass, field: 'query.deviceClass' });
    return view(this.ctx, lv, dc);
  }

  createVolume(name: string, req: CreateVolumeRequest, signal?: AbortSignal): Promise<Created> {
    return createVolume(this.ctx, name, req, signal);
  }

  createSnapshot(source: string, req: CreateSnapshotRequest, signal?: AbortSignal): Promise<Created> {
    return createSnapshot(this.ctx, source, req, signal);
  }

  resize(name: string, queryClass: string | undefined, sizeBytes: number, signal?: AbortSignal): Promise<LogicalVolume> {
    return resize(this.ctx, name, queryClass, sizeBytes, signal);
  }

  setActivation(
    name: string,
    queryClass: string | undefined,
    req: { active: boolean; accessType?: AccessType },
    signal?: AbortSignal,
  ): Promise<LogicalVolume> {
    return setActivation(this.ctx, name, queryClass, req, signal);
  }

  /** Missing counts as done. */
  delete(name: string, queryClass: string | undefined, signal?: AbortSignal): Promise<{ deleted: boolean }> {
    return deleteVolume(this.ctx, name, queryClass, signal);
  }
}
