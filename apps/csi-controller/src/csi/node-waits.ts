// Waiting for the node to act on a LogicalVolume: created, removed, grown. By watching the
// object (never polling), bounded by the caller's deadline or cancellation (the call's signal);
// a wait the caller gives up leaves the object as it is, for the next call to pick up.
import { CsiError, GrpcStatus } from '@copse/csi-grpc';
import { GRPC_CODE_NAMES, READY_CONDITION, type LogicalVolume } from '@copse/k8s-crd';
import type { Logger } from 'pino';
import { currentBytes, failureOf, isCreated, isDeleting } from '../domain/logical-volume-view';
import type { LogicalVolumes } from '../k8s/logical-volumes';
import type { ControllerMetrics, WaitOperation, WaitOutcome } from '../metrics';

/** A failure the node reported, as the caller receives it: the node's code and message. */
export function nodeFailure(lv: LogicalVolume, code: number, message: string): CsiError {
  const valid = Number.isInteger(code) && code > 0 && code <= 16 ? code : GrpcStatus.INTERNAL;
  return new CsiError(valid, `node ${lv.spec.nodeName}: ${message}`);
}

function outcomeOf(err: unknown): WaitOutcome {
  if (!(err instanceof CsiError)) return 'error';
  if (err.code === GrpcStatus.CANCELLED || err.code === GrpcStatus.DEADLINE_EXCEEDED || err.code === GrpcStatus.UNAVAILABLE) return 'cancelled';
  if (err.code === GrpcStatus.ABORTED || err.code === GrpcStatus.NOT_FOUND) return 'gone';
  return 'node_failed';
}

export class NodeWaits {
  constructor(
    private readonly volumes: LogicalVolumes,
    private readonly metrics: ControllerMetrics,
  ) {}

  private async timed<T>(operation: WaitOperation, run: () => Promise<{ value: T; outcome: WaitOutcome }>): Promise<T> {
    const end = this.metrics.waitSeconds.startTimer({ operation });
    try {
      const { value, outcome } = await run();
      end({ outcome });
      return value;
    } catch (err) {
      end({ outcome: outcomeOf(err) });
      throw err;
    }
  }

  /**
   * Until the node has made the LV (status.volumeID), or reported a failure: then the object is
   * deleted, as TopoLVM does, so that the next call starts afresh (the node does not retry a
   * failed create), and the caller gets the node's code and message.
   */
  created(lv: LogicalVolume, operation: 'create_volume' | 'create_snapshot', signal: AbortSignal, log: Logger): Promise<LogicalVolume> {
    const name = lv.metadata?.name as string;
    const uid = lv.metadata?.uid;
    return this.timed(operation, async () => {
      const seen = await this.volumes.waitFor(
        name,
        (o) => !o || o.metadata?.uid !== uid || isDeleting(o) || isCreated(o) || failureOf(o) !== undefined,
        signal,
      );
      if (seen && seen.metadata?.uid === uid && isCreated(seen)) {
        await this.volumes.catchUp(name, (o) => o?.status?.volumeID === seen.status?.volumeID, signal);
        return { value: seen, outcome: 'done' };
      }
      if (!seen || seen.metadata?.uid !== uid || isDeleting(seen)) {
        throw CsiError.aborted(
          `LogicalVolume ${name} was deleted while node ${lv.spec.nodeName} was creating it (its claim or node was deleted); retry to create it again`,
        );
      }
      const failure = failureOf(seen)!;
      this.metrics.nodeFailures.inc({ operation, code: GRPC_CODE_NAMES[failure.code] ?? String(failure.code) });
      log.warn({ logicalVolume: name, node: seen.spec.nodeName, code: failure.code, nodeMessage: failure.message }, 'the node failed to create the volume; deleting the LogicalVolume');
      await this.volumes.delete(seen);
      throw nodeFailure(seen, failure.code, failure.message);
    });
  }

  /** Until the object is gone (the node removed the LV and its finalizer). */
  gone(lv: LogicalVolume, operation: 'delete_volume' | 'delete_snapshot', signal: AbortSignal): Promise<void> {
    const name = lv.metadata?.name as string;
    const uid = lv.metadata?.uid;
    return this.timed(operation, async () => {
      await this.volumes.waitFor(name, (o) => !o || o.metadata?.uid !== uid, signal);
      await this.volumes.catchUp(name, (o) => !o || o.metadata?.uid !== uid, signal);
      return { value: undefined, outcome: 'done' };
    });
  }

  /** Until the object is gone, when the name is needed again (a failed create still being removed). */
  async vacated(name: string, uid: string | undefined, signal: AbortSignal): Promise<void> {
    await this.volumes.waitFor(name, (o) => !o || o.metadata?.uid !== uid, signal);
  }

  /**
   * Until status.currentSize reaches `bytes`, or the node reports a failure of this request.
   * A failure counts when the Ready condition says it was observed at the generation written
   * for the request or later; a node that does not say (TopoLVM's) has every failure count, as
   * TopoLVM's controller does.
   */
  resized(lv: LogicalVolume, bytes: number, signal: AbortSignal): Promise<LogicalVolume> {
    const name = lv.metadata?.name as string;
    const uid = lv.metadata?.uid;
    const generation = lv.metadata?.generation ?? 0;
    const freshFailure = (o: LogicalVolume) => {
      if (!failureOf(o)) return false;
      const observed = o.status?.conditions?.find((c) => c.type === READY_CONDITION)?.observedGeneration;
      return observed === undefined || observed >= generation;
    };
    const grown = (o: LogicalVolume) => o.status?.currentSize !== undefined && currentBytes(o) >= bytes;
    return this.timed('expand_volume', async () => {
      const seen = await this.volumes.waitFor(name, (o) => !o || o.metadata?.uid !== uid || grown(o) || freshFailure(o), signal);
      if (!seen || seen.metadata?.uid !== uid) {
        throw CsiError.notFound(`LogicalVolume ${name} was deleted while node ${lv.spec.nodeName} was expanding it`);
      }
      if (grown(seen)) {
        await this.volumes.catchUp(name, (o) => o !== undefined && grown(o), signal);
        return { value: seen, outcome: 'done' };
      }
      const failure = failureOf(seen)!;
      this.metrics.nodeFailures.inc({ operation: 'expand_volume', code: GRPC_CODE_NAMES[failure.code] ?? String(failure.code) });
      throw nodeFailure(seen, failure.code, failure.message);
    });
  }
}
