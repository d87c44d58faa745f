/**
 * WATCH as the real server's watch cache serves it: initial ADDED events for "" and "0",
 * replay after a resourceVersion (an ERROR event with a 410 Expired Status when it is older
 * than the history, then the end of the stream), ADDED/DELETED when an update moves an
 * object into or out of the selector, BOOKMARK events (every minute, and 2 s before the
 * timeout), sendInitialEvents with the initial-events-end bookmark, and timeoutSeconds.
 */
import { failure, fieldErrors, invalid, type Status } from '../api/status';
import type { KubeObject } from '../api/object';
import { CompactedError, type StoreEvent } from '../store/object-store';
import type { WatchHub } from '../store/watch-hub';
import { apiVersionOfType, type ResourceType } from '../kinds/types';
import type { ApiObjects } from './objects';
import type { Filter } from './filter';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchSink {
  /** Sends one event; returns false when the stream is gone. */
  send(type: WatchEventType, object: KubeObject | Status): boolean;
  /** Ends the stream. */
  end(): void;
  /** Registers what to do when the client goes away. */
  onClose(fn: () => void): void;
}

export interface WatchParams {
  readonly namespace?: string;
  readonly filter: Filter;
  readonly resourceVersion?: string;
  readonly resourceVersionMatch?: string;
  readonly allowWatchBookmarks: boolean;
  readonly sendInitialEvents?: boolean;
  readonly timeoutSeconds?: number;
}

export interface WatchTiming {
  /** How often bookmarks go out (the real server: one minute). */
  readonly bookmarkIntervalMs: number;
  /** Default timeout when the client gives none (the real server: 30 to 60 minutes). */
  readonly defaultTimeoutMs: () => number;
}

export const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';

/** Validates watch parameters; throws the 422 the real server answers with. */
export function checkWatchParams(p: WatchParams): void {
  const match = p.resourceVersionMatch ?? '';
  if (p.sendInitialEvents !== undefined) {
    const errs = [];
    if (match !== 'NotOlderThan') errs.push(fieldErrors.forbidden('resourceVersionMatch', "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"));
    if (p.sendInitialEvents && !p.allowWatchBookmarks) errs.push(fieldErrors.forbidden('allowWatchBookmarks', 'sendInitialEvents requires setting allowWatchBookmarks to true'));
    if (errs.length) throw invalid('meta.k8s.io', 'ListOptions', '', errs);
  } else if (match) {
    throw invalid('meta.k8s.io', 'ListOptions', '', [fieldErrors.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided')]);
  }
}

export function startWatch(objects: ApiObjects, hub: WatchHub, t: ResourceType, p: WatchParams, sink: WatchSink, timing: WatchTiming): void {
  checkWatchParams(p);
  const store = objects.store;
  const sk = objects.storageKeyOf(t);
  const ns = t.namespaced ? p.namespace : undefined;
  const inScope = (o: KubeObject) => ns === undefined || o.metadata.namespace === ns;
  let closed = false;
  const timers: NodeJS.Timeout[] = [];
  let unlisten: () => void = () => undefined;
  const close = () => {
    if (closed) return;
    closed = true;
    for (const tm of timers) clearTimeout(tm);
    unlisten();
    sink.end();
  };
  sink.onClose(close);

  const send = (type: WatchEventType, obj: KubeObject | Status) => {
    if (closed) return;
    if (!sink.send(type, obj)) close();
  };

  const deliver = (e: StoreEvent) => {
    const cur = objects.toExternal(t, e.object);
    if (!inScope(cur)) return;
    const curPasses = e.type !== 'DELETED' && p.filter.matches(cur);
    if (e.type === 'ADDED') {
      if (curPasses) send('ADDED', cur);
      return;
    }
    const prev = e.prev ? objects.toExternal(t, e.prev) : undefined;
    const prevPasses = prev !== undefined && p.filter.matches(prev);
    if (e.type === 'DELETED') {
      if (prevPasses) send('DELETED', cur);
      return;
    }
    if (curPasses && prevPasses) send('MODIFIED', cur);
    else if (curPasses) send('ADDED', cur);
    else if (prevPasses && prev) send('DELETED', { ...prev, metadata: { ...prev.metadata, resourceVersion: String(e.rv) } });
  };

  const rvText = p.resourceVersion ?? '';
  const initial = p.sendInitialEvents === true || rvText === '' || rvText === '0';
  if (initial) {
    for (const stored of store.list(sk, ns)) {
      const o = objects.toExternal(t, stored);
      if (p.filter.matches(o)) send('ADDED', o);
    }
    if (p.sendInitialEvents) send('BOOKMARK', bookmark(t, store.currentRevision, true));
  } else {
    const rv = Number(rvText);
    if (!/^\d+$/.test(rvText)) {
      send('ERROR', failure(400, 'BadRequest', `invalid resource version: ${rvText}`).status);
      close();
      return;
    }
    try {
      for (const e of store.changesSince(rv, sk)) deliver(e);
    } catch (err) {
      if (!(err instanceof CompactedError)) throw err;
      send('ERROR', failure(410, 'Expired', `too old resource version: ${rv} (${store.compactedRevision + 1})`).status);
      close();
      return;
    }
  }
  if (closed) return;
  unlisten = hub.listen(sk, deliver, close);

  const timeoutMs = p.timeoutSeconds !== undefined && p.timeoutSeconds > 0 ? p.timeoutSeconds * 1000 : timing.defaultTimeoutMs();
  const deadline = Date.now() + timeoutMs;
  timers.push(setTimeout(close, timeoutMs));
  if (p.allowWatchBookmarks) {
    const schedule = () => {
      const now = Date.now();
      let at = now + timing.bookmarkIntervalMs;
      const pretimeout = deadline - 2000;
      if (pretimeout > now && pretimeout < at) at = pretimeout;
      if (at >= deadline) return;
      timers.push(
        setTimeout(() => {
          send('BOOKMARK', bookmark(t, store.currentRevision, false));
          if (!closed) schedule();
        }, at - now),
      );
    };
    schedule();
  }
}

function bookmark(t: ResourceType, rv: number, initialEventsEnd: boolean): KubeObject {
  const metadata: KubeObject['metadata'] = { resourceVersion: String(rv) };
  if (initialEventsEnd) metadata.annotations = { [INITIAL_EVENTS_END]: 'true' };
  return { kind: t.kind, apiVersion: apiVersionOfType(t), metadata };
}
