import type { EventEmitter } from 'node:events';
import type { DeviceClass, LvRecord, LvmdConfig } from '@copse/lvm-model';
import type { Lvm, VgState } from '@copse/lvm-exec';
import type { LogicalVolume } from '@copse/lvmd-api';
import { toApiError } from '../errors';
import type { PoolHealthSource, ThinPoolObservation } from '../pool/health-source';
import type { Logger } from './logger';
import { belongsTo, volumeView } from './views';

export type VolumeEvent = { type: 'created' | 'updated' | 'deleted'; volume: LogicalVolume };

export interface VgCacheOptions {
  readonly config: LvmdConfig;
  readonly lvm: Lvm;
  readonly log: Logger;
  /** receives 'volume' (VolumeEvent) for every LV that appeared, changed or went away, and 'capacity' after every read */
  readonly events: EventEmitter;
  /** the capacity event's payload, computed from this cache */
  readonly capacity: () => unknown;
  /** the thin pools' health as the pool monitor follows it (apps/lvmd-http/src/pool/); none: as lvs shows it */
  readonly pools?: PoolHealthSource;
}

/**
 * What lvmd-http knows of each volume group: its figures and LVs as of the last `lvs`.
 * Re-read in full (refresh) or only the LVs a change touched (refreshTouched); every
 * read emits the differences as events. Callers hold the VG's lock, except at start.
 */
export class VgCache {
  private readonly states = new Map<string, VgState>();
  private lastError?: string;
  /** bumped on every state change; keys caches of what is computed from the state */
  private generation = 0;

  constructor(private readonly o: VgCacheOptions) {}

  get(vg: string): VgState | undefined {
    return this.states.get(vg);
  }

  /** Changes with every state change and every change of a pool's health (both go into the views). */
  get version(): number {
    return this.generation + (this.o.pools?.generation ?? 0);
  }

  /** The pool monitor's last reading of the class's thin pool, if it follows it. */
  pool(dc: DeviceClass): ThinPoolObservation | undefined {
    return dc.type === 'thin' && dc.thinPool ? this.o.pools?.observation(dc.volumeGroup, dc.thinPool.name) : undefined;
  }

  /** The message of the last failed read, cleared by the next successful one. */
  get lastRefreshError(): string | undefined {
    return this.lastError;
  }

  /**
   * Re-reads one VG's thin pools through the pool monitor (no lvm; a change may have
   * freed or taken space), so that the capacity event of the read that follows carries
   * their figures. A failure is the monitor's to report (its health says unknown).
   */
  private async refreshPools(vg: string): Promise<void> {
    await this.o.pools?.refresh(vg).catch((e: unknown) => this.o.log.warn({ vg, err: String(e) }, 'thin pool re-read failed'));
  }

  /** Re-reads one VG (its pools first) and emits what changed. */
  async refresh(vg: string): Promise<void> {
    await this.refreshPools(vg);
    let next: VgState;
    try {
      next = await this.o.lvm.readVg(vg);
      this.lastError = undefined;
    } catch (e) {
      const error = toApiError(e);
      this.lastError = error.message;
      if (error.code === 'not-found' && this.states.delete(vg)) this.generation++;
      throw e;
    }
    const previous = this.states.get(vg);
    this.set(vg, next);
    this.emitChanges(previous, next);
  }

  /**
   * Re-reads only the LVs a change touched (and the pool and VG figures) in one `lvs`
   * call (TopoLVM #1221: re-reading everything costs an lvs of every LV per operation).
   */
  async refreshTouched(dc: DeviceClass, touched: readonly string[], removed?: string): Promise<void> {
    const vg = dc.volumeGroup;
    const previous = this.states.get(vg);
    await this.refreshPools(vg);
    // Removing an origin clears the origin of its snapshots: re-read everything then.
    if (!previous || (removed !== undefined && previous.lvs.some((lv) => lv.origin === removed))) return this.refresh(vg);
    const names = dc.type === 'thin' && dc.thinPool ? [...touched, dc.thinPool.name] : [...touched];
    const read = names.length > 0 ? await this.o.lvm.readLvs(vg, names) : { vg: (await this.o.lvm.readVgs([vg]))[0], lvs: [] };
    if (!read.vg) return this.refresh(vg);
    const byName = new Map(previous.lvs.map((lv) => [lv.name, lv]));
    if (removed !== undefined) byName.delete(removed);
    for (const lv of read.lvs) byName.set(lv.name, lv);
    const next: VgState = { vg: read.vg, lvs: [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) };
    this.set(vg, next);
    this.emitChanges(previous, next, new Set([...names, ...(removed !== undefined ? [removed] : [])]));
  }

  private set(vg: string, state: VgState): void {
    this.states.set(vg, state);
    this.generation++;
  }

  /** Emits volume events for what differs (only among `only` when given) and a capacity event. */
  private emitChanges(previous: VgState | undefined, next: VgState, only?: Set<string>): void {
    const pick = (lvs: LvRecord[]) => (only ? lvs.filter((lv) => only.has(lv.name)) : lvs);
    const before = new Map(pick(previous?.lvs ?? []).map((lv) => [lv.name, lv]));
    const after = new Map(pick(next.lvs).map((lv) => [lv.name, lv]));
    const classify = (lv: LvRecord) => this.o.config.deviceClasses.find((dc) => belongsTo(lv, dc));
    const emit = (type: VolumeEvent['type'], lv: LvRecord, dc: DeviceClass) =>
      this.o.events.emit('volume', { type, volume: volumeView(lv, dc, next.lvs, this.pool(dc)) } satisfies VolumeEvent);
    for (const [name, lv] of after) {
      const dc = classify(lv);
      if (!dc) continue;
      const old = before.get(name);
      if (!old) emit('created', lv, dc);
      else if (JSON.stringify(old) !== JSON.stringify(lv)) emit('updated', lv, dc);
    }
    for (const [name, lv] of before) {
      const dc = classify(lv);
      if (dc && !after.has(name)) emit('deleted', lv, dc);
    }
    this.o.events.emit('capacity', this.o.capacity());
  }
}
