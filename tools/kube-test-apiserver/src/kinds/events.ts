/**
 * events.k8s.io/v1 Events are the core v1 Events under other field names: one storage,
 * two representations (a watch on either sees events written through the other).
 */
import type { KubeObject } from '../api/object';

const RENAMES: [core: string, events: string][] = [
  ['involvedObject', 'regarding'],
  ['message', 'note'],
  ['reportingComponent', 'reportingController'],
  ['source', 'deprecatedSource'],
  ['firstTimestamp', 'deprecatedFirstTimestamp'],
  ['lastTimestamp', 'deprecatedLastTimestamp'],
  ['count', 'deprecatedCount'],
];

const SAME = ['eventTime', 'series', 'reportingInstance', 'action', 'reason', 'related', 'type'];

export function coreToEventsV1(obj: KubeObject): KubeObject {
  const out: KubeObject = { kind: 'Event', apiVersion: 'events.k8s.io/v1', metadata: obj.metadata };
  const eventTime = obj.eventTime ?? null;
  out.eventTime = eventTime;
  for (const k of SAME) if (k !== 'eventTime' && obj[k] !== undefined && obj[k] !== '') out[k] = obj[k];
  for (const [c, e] of RENAMES) {
    const v = obj[c];
    if (v === undefined || v === null || v === '' || (c === 'count' && v === 0)) continue;
    if (c === 'source' && typeof v === 'object' && Object.keys(v as object).length === 0) continue;
    out[e] = v;
  }
  return out;
}

export function eventsV1ToCore(obj: KubeObject): KubeObject {
  const out: KubeObject = { kind: 'Event', apiVersion: 'v1', metadata: obj.metadata };
  for (const k of SAME) if (obj[k] !== undefined) out[k] = obj[k];
  for (const [c, e] of RENAMES) if (obj[e] !== undefined) out[c] = obj[e];
  if (out.involvedObject === undefined) out.involvedObject = {};
  if (out.source === undefined) out.source = {};
  if (out.firstTimestamp === undefined) out.firstTimestamp = null;
  if (out.lastTimestamp === undefined) out.lastTimestamp = null;
  if (out.reportingComponent === undefined) out.reportingComponent = '';
  if (out.reportingInstance === undefined) out.reportingInstance = '';
  return out;
}
