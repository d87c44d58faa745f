import { hostname } from 'node:os';
import { CoreV1Api, type CoreV1Event, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { EventCorrelator, type CorrelatorOptions } from './correlator';
import { apiCall, isNotFound } from './errors';
import { silentLogger, type Logger } from './logger';

/**
 * An event recorder writing core/v1 Events as client-go's record.EventRecorder does
 * (client-node has none): involvedObject, reason, type Normal/Warning, message, source
 * component and host, first/last timestamps, and count aggregation through the correlator
 * (an identical event within the window raises count and lastTimestamp of the existing Event
 * instead of creating another; similar ones are folded).
 *
 * Recording never blocks and never throws: Events are written in the background, in order
 * per Event, and a failure is logged (client-go drops them too). flush() waits for what is
 * pending, for tests and shutdown.
 */
export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  readonly kubeConfig: KubeConfig;
  /** source.component and reportingComponent, e.g. "copse-controller". */
  readonly component: string;
  /** source.host and reportingInstance; default this machine's hostname. */
  readonly host?: string;
  /** Namespace for Events about cluster-scoped objects (client-go: "default"). */
  readonly clusterScopedNamespace?: string;
  readonly correlator?: CorrelatorOptions;
  readonly logger?: Logger;
}

/** An object the event is about: any Kubernetes object with its metadata. */
export type InvolvedObject = KubernetesObject;

export class EventRecorder {
  private readonly api: CoreV1Api;
  private readonly options: EventRecorderOptions;
  private readonly correlator: EventCorrelator;
  private readonly logger: Logger;
  private readonly host: string;
  /** The Event object (namespace, name) written for each correlator key. */
  private readonly written = new Map<string, { namespace: string; name: string }>();
  /** Pending writes per correlator key, chained so each Event is written in order. */
  private readonly chains = new Map<string, Promise<void>>();
  private sequence = 0n;

  constructor(options: EventRecorderOptions) {
    this.options = options;
    this.api = options.kubeConfig.makeApiClient(CoreV1Api);
    this.correlator = new EventCorrelator(options.correlator);
    this.logger = options.logger ?? silentLogger;
    this.host = options.host ?? hostname();
  }

  /** Records an event about `obj`; returns at once. */
  event(obj: InvolvedObject, type: EventType, reason: string, message: string): void {
    const meta = obj.metadata ?? {};
    const involvedObject = {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      namespace: meta.namespace,
      name: meta.name,
      uid: meta.uid,
      resourceVersion: meta.resourceVersion,
    };
    const source = { component: this.options.component, host: this.host };
    const now = Date.now();
    const decision = this.correlator.observe({ involvedObject, type, reason, message, source }, now);
    const namespace = meta.namespace || this.options.clusterScopedNamespace || 'default';
    const key = decision.key;
    const previous = this.chains.get(key) ?? Promise.resolve();
    const next = previous.then(async () => {
      const target = this.written.get(key);
      if (decision.action === 'update' && target) {
        try {
          await this.patch(target, decision.count, decision.message, now);
          return;
        } catch (err) {
          if (!isNotFound(err)) throw err;
          // the Event expired on the server (1 h TTL by default): start a new one
          this.written.delete(key);
        }
      }
      const name = this.eventName(meta.name ?? 'unknown', now);
      const time = new Date(now);
      const body: CoreV1Event = {
        metadata: { name, namespace },
        involvedObject,
        reason,
        message: decision.message,
        type,
        source,
        firstTimestamp: decision.action === 'update' ? new Date(decision.firstTimestamp) : time,
        lastTimestamp: time,
        count: decision.action === 'update' ? decision.count : 1,
        reportingComponent: this.options.component,
        reportingInstance: this.host,
      };
      await apiCall(() => this.api.createNamespacedEvent({ namespace, body }));
      this.written.set(key, { namespace, name });
    });
    const settled = next.catch((err: unknown) => {
      this.logger.warn({ err, reason, object: involvedObject.name }, 'could not write an event');
    });
    this.chains.set(key, settled);
    void settled.then(() => {
      if (this.chains.get(key) === settled) this.chains.delete(key);
    });
  }

  /** Resolves once every event recorded so far is written (or has failed). */
  async flush(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  private patch(target: { namespace: string; name: string }, count: number, message: string, now: number): Promise<unknown> {
    const lastTimestamp = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
    // a JSON patch: client-node sends PATCH bodies as application/json-patch+json by default
    const body = [
      { op: 'replace', path: '/count', value: count },
      { op: 'replace', path: '/lastTimestamp', value: lastTimestamp },
      { op: 'replace', path: '/message', value: message },
    ];
    return apiCall(() => this.api.patchNamespacedEvent({ name: target.name, namespace: target.namespace, body }));
  }

  /** client-go's "<object name>.<unique hex>", unique per recorder even within a millisecond. */
  private eventName(objectName: string, now: number): string {
    this.sequence += 1n;
    const nanos = BigInt(now) * 1_000_000n + (this.sequence % 1_000_000n);
    const suffix = nanos.toString(16);
    return `${objectName.slice(0, 253 - 1 - suffix.length)}.${suffix}`;
  }
}
