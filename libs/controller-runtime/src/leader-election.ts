import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease, type V1LeaseSpec } from '@kubernetes/client-node';
import { sleep } from './backoff';
import { apiCall, isConflict, isNotFound } from './errors';
import { silentLogger, type Logger } from './logger';

/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection package
 * does it (client-node has none):
 *
 * - a candidate tries to acquire every retryPeriod (with client-go's 1.2 jitter); it may take
 *   the lease when it is free (no holder: released) or when the holder has not renewed it for
 *   leaseDuration, measured on this candidate's own clock from when it last saw the lease
 *   change (client-go's observedTime; immune to clock skew between machines);
 * - every write carries the resourceVersion read (optimistic concurrency): of two candidates
 *   writing at once, one gets 409 Conflict and stays a candidate;
 * - the leader renews every retryPeriod; if it cannot renew within renewDeadline, or sees the
 *   lease held by another, it has lost: its work's signal aborts and onStoppedLeading runs;
 * - on a clean stop (the run signal aborts) the leader waits for its work to end, then releases
 *   the lease as client-go's ReleaseOnCancel does (no holder, leaseDurationSeconds 1), so that
 *   a successor takes over at its next attempt instead of after leaseDuration.
 */
export interface LeaderElectionOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  /** The Lease's name, one per thing elected (e.g. "copse-controller"). */
  readonly name: string;
  /** This candidate's holderIdentity; default "<hostname>_<random uuid>". */
  readonly identity?: string;
  /** Default 15 s (client-go's). */
  readonly leaseDurationMs?: number;
  /** Default 10 s (client-go's). */
  readonly renewDeadlineMs?: number;
  /** Default 2 s (client-go's). */
  readonly retryPeriodMs?: number;
  /** Release the lease on a clean stop. Default true. */
  readonly releaseOnCancel?: boolean;
  /**
   * Runs the leader's work. `signal` aborts when leadership ends (lost, or the run signal
   * aborted); a returned promise should settle soon after, since release waits for it.
   */
  readonly onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  /**
   * Called once the leader's work has ended (on a lost lease, after at most
   * leaseDuration - renewDeadline of waiting for it).
   */
  readonly onStoppedLeading?: () => void;
  /** Called when the observed holder changes (including to this candidate). */
  readonly onNewLeader?: (identity: string) => void;
  readonly logger?: Logger;
}

export const LEADER_ELECTION_DEFAULTS = Object.freeze({
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
});

/** client-go's JitterFactor for acquire attempts. */
const JITTER_FACTOR = 1.2;

interface ObservedRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime: string;
  renewTime: string;
  leaseTransitions: number;
}

function timeString(value: Date | string | undefined): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : value.toISOString();
}

function recordOf(spec: V1LeaseSpec | undefined): ObservedRecord {
  return {
    holderIdentity: spec?.holderIdentity ?? '',
    leaseDurationSeconds: spec?.leaseDurationSeconds ?? 0,
    acquireTime: timeString(spec?.acquireTime),
    renewTime: timeString(spec?.renewTime),
    leaseTransitions: spec?.leaseTransitions ?? 0,
  };
}

function sameRecord(a: ObservedRecord, b: ObservedRecord): boolean {
  return (
    a.holderIdentity === b.holderIdentity &&
    a.leaseDurationSeconds === b.leaseDurationSeconds &&
    a.acquireTime === b.acquireTime &&
    a.renewTime === b.renewTime &&
    a.leaseTransitions === b.leaseTransitions
  );
}

/** Resolves with the promise's value, or `fallback` once `ms` have passed. */
function within<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(fallback), Math.max(0, ms));
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      () => {
        clearTimeout(timer);
        resolve(fallback);
      },
    );
  });
}

export class LeaderElector {
  readonly identity: string;
  private readonly options: LeaderElectionOptions;
  private readonly api: CoordinationV1Api;
  private readonly logger: Logger;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private observed: ObservedRecord | undefined;
  /** This process's clock when `observed` last changed. */
  private observedTime = 0;
  /** The lease as last read or written, for the resourceVersion of the next write. */
  private lease: V1Lease | undefined;
  private running = false;

  constructor(options: LeaderElectionOptions) {
    this.options = options;
    this.identity = options.identity ?? `${hostname()}_${randomUUID()}`;
    this.leaseDurationMs = options.leaseDurationMs ?? LEADER_ELECTION_DEFAULTS.leaseDurationMs;
    this.renewDeadlineMs = options.renewDeadlineMs ?? LEADER_ELECTION_DEFAULTS.renewDeadlineMs;
    this.retryPeriodMs = options.retryPeriodMs ?? LEADER_ELECTION_DEFAULTS.retryPeriodMs;
    // client-go's checks: otherwise a leader could be replaced before it knows it has lost
    if (this.leaseDurationMs <= this.renewDeadlineMs) {
      throw new RangeError('leaseDuration must be greater than renewDeadline');
    }
    if (this.renewDeadlineMs <= JITTER_FACTOR * this.retryPeriodMs) {
      throw new RangeError(`renewDeadline must be greater than retryPeriod x ${JITTER_FACTOR}`);
    }
    if (this.leaseDurationMs % 1000 !== 0) throw new RangeError('leaseDuration must be whole seconds (leaseDurationSeconds)');
    if (!this.identity) throw new RangeError('identity must not be empty');
    this.api = options.kubeConfig.makeApiClient(CoordinationV1Api);
    this.logger = options.logger ?? silentLogger;
  }

  /** True while this candidate holds the lease (as far as it last saw). */
  isLeader(): boolean {
    return this.observed?.holderIdentity === this.identity;
  }

  /** The holder last seen ("" when the lease is free, undefined before the first read). */
  leader(): string | undefined {
    return this.observed?.holderIdentity;
  }

  /**
   * Campaigns until leading, leads until leadership is lost or `signal` aborts, then returns.
   * Returns at once, without leading, if `signal` aborts while campaigning.
   */
  async run(signal: AbortSignal): Promise<void> {
    if (this.running) throw new Error('LeaderElector.run is already running');
    this.running = true;
    try {
      if (!(await this.acquire(signal))) return;
      const leading = new AbortController();
      this.logger.info({ lease: this.leaseName(), identity: this.identity }, 'became leader');
      let work: Promise<void>;
      try {
        work = Promise.resolve(this.options.onStartedLeading(leading.signal)).catch((err: unknown) => {
          this.logger.error({ lease: this.leaseName(), err }, 'leader work failed');
        });
      } catch (err) {
        this.logger.error({ lease: this.leaseName(), err }, 'leader work failed');
        work = Promise.resolve();
      }
      const outcome = await this.renewLoop(signal);
      leading.abort(new Error(outcome === 'lost' ? 'leadership lost' : 'leader election stopped'));
      if (outcome === 'lost') {
        this.logger.warn({ lease: this.leaseName(), identity: this.identity }, 'leadership lost');
        // another may lead from leaseDuration after the last renewal: the work must be over by then
        const ended = await within(work.then(() => true), this.leaseDurationMs - this.renewDeadlineMs, false);
        if (!ended) this.logger.error({ lease: this.leaseName() }, 'the leader work did not stop when leadership was lost');
      } else {
        await work;
        if (this.options.releaseOnCancel ?? true) await this.release();
      }
      this.options.onStoppedLeading?.();
    } finally {
      this.running = false;
    }
  }

  private leaseName(): string {
    return `${this.options.namespace}/${this.options.name}`;
  }

  private async acquire(signal: AbortSignal): Promise<boolean> {
    for (;;) {
      if (signal.aborted) return false;
      if (await this.tryAcquireOrRenew()) return true;
      const jittered = this.retryPeriodMs * (1 + Math.random() * JITTER_FACTOR);
      try {
        await sleep(jittered, signal);
      } catch {
        return false;
      }
    }
  }

  /** Renews every retryPeriod; 'lost' when a renewal window of renewDeadline passes without one. */
  private async renewLoop(signal: AbortSignal): Promise<'lost' | 'stopped'> {
    for (;;) {
      try {
        await sleep(this.retryPeriodMs, signal);
      } catch {
        return 'stopped';
      }
      const deadline = Date.now() + this.renewDeadlineMs;
      let renewed = false;
      for (;;) {
        if (signal.aborted) return 'stopped';
        renewed = await within(this.tryAcquireOrRenew(), deadline - Date.now(), false);
        if (renewed) break;
        if (this.heldByAnother()) return 'lost';
        if (Date.now() + this.retryPeriodMs >= deadline) break;
        try {
          await sleep(this.retryPeriodMs, signal);
        } catch {
          return 'stopped';
        }
      }
      if (!renewed) return 'lost';
    }
  }

  private heldByAnother(): boolean {
    const holder = this.observed?.holderIdentity;
    return Boolean(holder) && holder !== this.identity;
  }

  private observe(lease: V1Lease, now: number): void {
    const record = recordOf(lease.spec);
    this.lease = lease;
    if (this.observed && sameRecord(this.observed, record)) return;
    const holderChanged = this.observed?.holderIdentity !== record.holderIdentity;
    this.observed = record;
    this.observedTime = now;
    if (holderChanged && record.holderIdentity) {
      this.logger.info({ lease: this.leaseName(), holder: record.holderIdentity }, 'new leader observed');
      this.options.onNewLeader?.(record.holderIdentity);
    }
  }

  private spec(now: Date, previous: ObservedRecord | undefined): V1LeaseSpec {
    const mine = previous?.holderIdentity === this.identity;
    const time = new V1MicroTime(now.getTime());
    return {
      holderIdentity: this.identity,
      leaseDurationSeconds: this.leaseDurationMs / 1000,
      acquireTime: mine && previous?.acquireTime ? (previous.acquireTime as unknown as V1MicroTime) : time,
      renewTime: time,
      leaseTransitions: previous === undefined ? 0 : mine ? previous.leaseTransitions : previous.leaseTransitions + 1,
    };
  }

  /** One attempt, client-go's tryAcquireOrRenew. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name } = this.options;
    const now = new Date();
    let current: V1Lease;
    try {
      current = await apiCall(() => this.api.readNamespacedLease({ name, namespace }));
    } catch (err) {
      if (!isNotFound(err)) {
        this.logger.warn({ lease: this.leaseName(), err }, 'could not read the lease');
        return false;
      }
      try {
        const created = await apiCall(() =>
          this.api.createNamespacedLease({ namespace, body: { metadata: { name, namespace }, spec: this.spec(now, undefined) } }),
        );
        this.observe(created, Date.now());
        return true;
      } catch (createErr) {
        this.logger.debug({ lease: this.leaseName(), err: createErr }, 'could not create the lease');
        return false;
      }
    }
    this.observe(current, now.getTime());
    const record = this.observed as ObservedRecord;
    const valid = this.observedTime + record.leaseDurationSeconds * 1000 > now.getTime();
    if (record.holderIdentity && record.holderIdentity !== this.identity && valid) return false;
    try {
      const updated = await apiCall(() =>
        this.api.replaceNamespacedLease({ name, namespace, body: { ...current, spec: this.spec(now, record) } }),
      );
      this.observe(updated, Date.now());
      return true;
    } catch (err) {
      if (isConflict(err)) this.logger.debug({ lease: this.leaseName() }, 'lease changed meanwhile (409)');
      else this.logger.warn({ lease: this.leaseName(), err }, 'could not update the lease');
      return false;
    }
  }

  /** client-go's release(): no holder, a 1 s lease, written over what this leader last wrote. */
  private async release(): Promise<void> {
    if (!this.isLeader() || !this.lease) return;
    const { namespace, name } = this.options;
    const now = new V1MicroTime(Date.now());
    try {
      const released = await apiCall(() =>
        this.api.replaceNamespacedLease({
          name,
          namespace,
          body: {
            ...this.lease,
            spec: {
              holderIdentity: '',
              leaseDurationSeconds: 1,
              acquireTime: now,
              renewTime: now,
              leaseTransitions: this.observed?.leaseTransitions ?? 0,
            },
          },
        }),
      );
      this.observe(released, Date.now());
      this.logger.info({ lease: this.leaseName(), identity: this.identity }, 'released the lease');
    } catch (err) {
      this.logger.warn({ lease: this.leaseName(), err }, 'could not release the lease');
    }
  }
}
