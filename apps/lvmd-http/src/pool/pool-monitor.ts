import { EventEmitter } from 'node:events';
import { thinPoolHealthBlocksReadiness, type LvmdConfig } from '@copse/lvm-model';
import type { PoolCheck, PoolHealthSource, ThinPoolObservation } from './health-source';
import { PoolWatcher, type PoolWatcherOptions, type ReadTrigger } from './pool-watcher';

/** What every pool's watcher is given, and the configuration that names the pools. */
export type PoolMonitorOptions = Omit<PoolWatcherOptions, 'vg' | 'pool' | 'onRead'> & {
  readonly config: LvmdConfig;
  readonly onRead?: (pool: PoolRef, trigger: ReadTrigger) => void;
};

export interface PoolRef {
  readonly vg: string;
  readonly pool: string;
  /** the device class that uses it (lvmd.yaml gives each thin pool one) */
  readonly deviceClass: string;
}

export interface PoolChange extends PoolRef {
  readonly previous?: ThinPoolObservation;
  readonly current: ThinPoolObservation;
  /** what made the monitor read the pool ('change': a change through lvmd-http, which sends its own capacity event) */
  readonly trigger: ReadTrigger;
}

/**
 * Follows every thin pool of the configuration (one PoolWatcher each) and emits 'change'
 * (PoolChange) when one's health or usage changes.
 */
export class PoolMonitor extends EventEmitter implements PoolHealthSource {
  private readonly watchers = new Map<string, { ref: PoolRef; watcher: PoolWatcher }>();
  private changes = 0;

  constructor({ config, onRead, ...common }: PoolMonitorOptions) {
    super();
    for (const dc of config.deviceClasses) {
      if (dc.type !== 'thin' || !dc.thinPool) continue;
      const ref: PoolRef = { vg: dc.volumeGroup, pool: dc.thinPool.name, deviceClass: dc.name };
      const key = this.key(ref.vg, ref.pool);
      if (this.watchers.has(key)) continue;
      const watcher = new PoolWatcher({ ...common, vg: ref.vg, pool: ref.pool, onRead: (trigger) => onRead?.(ref, trigger) });
      watcher.on('change', (previous: ThinPoolObservation | undefined, current: ThinPoolObservation, trigger: ReadTrigger) => {
        this.changes++;
        this.emit('change', { ...ref, previous, current, trigger } satisfies PoolChange);
      });
      this.watchers.set(key, { ref, watcher });
    }
  }

  get pools(): PoolRef[] {
    return [...this.watchers.values()].map((w) => w.ref);
  }

  get generation(): number {
    return this.changes;
  }

  /** Reads every pool once, then follows them. */
  async start(): Promise<void> {
    await Promise.all([...this.watchers.values()].map((w) => w.watcher.start()));
  }

  /** Ends every dmsetup wait and timer. */
  async stop(): Promise<void> {
    await Promise.all([...this.watchers.values()].map((w) => w.watcher.stop()));
  }

  observation(vg: string, pool: string): ThinPoolObservation | undefined {
    return this.watchers.get(this.key(vg, pool))?.watcher.current;
  }

  async refresh(vg: string): Promise<void> {
    await Promise.all([...this.watchers.values()].filter((w) => w.ref.vg === vg).map((w) => w.watcher.read('change')));
  }

  /** Pools whose device was not there or could not be read at the last reading: read them again. */
  async recheckAbsent(): Promise<void> {
    await Promise.all(
      [...this.watchers.values()]
        .filter((w) => ['inactive', 'unknown'].includes(w.watcher.current?.health.status ?? 'unknown'))
        .map((w) => w.watcher.read('recheck')),
    );
  }

  readiness(): PoolCheck[] {
    return [...this.watchers.values()].map(({ ref, watcher }) => {
      const health = watcher.current?.health;
      const name = `thin-pool-health ${ref.vg}/${ref.pool}`;
      if (!health) return { name, ok: false, detail: 'not read yet' };
      const ok = !thinPoolHealthBlocksReadiness(health.status);
      return health.status === 'ok' ? { name, ok } : { name, ok, detail: `${health.status}: ${health.reason ?? ''}`.trim() };
    });
  }

  private key(vg: string, pool: string): string {
    return `${vg}/${pool}`;
  }
}
