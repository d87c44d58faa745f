/**
 * LIST: selectors, limit/continue pagination with consistent continuation at the first page's
 * resourceVersion, and the resourceVersion / resourceVersionMatch semantics of
 * k8s.io/apiserver (storage/etcd3 and the watch cache), including 410 for expired continue tokens.
 */
import { badRequest, gone, invalid, fieldErrors, timeout } from '../api/status';
import type { KubeObject } from '../api/object';
import { CompactedError } from '../store/object-store';
import { apiVersionOfType, type ResourceType } from '../kinds/types';
import type { ApiObjects } from './objects';
import type { Filter } from './filter';

export interface ListQuery {
  readonly namespace?: string;
  readonly filter: Filter;
  readonly limit?: number;
  readonly continueToken?: string;
  readonly resourceVersion?: string;
  readonly resourceVersionMatch?: string;
}

export interface ListResult {
  readonly items: KubeObject[];
  readonly resourceVersion: string;
  readonly continueToken?: string;
  readonly remainingItemCount?: number;
}

interface ContinueToken {
  v: string;
  rv: number;
  start: string;
}

export function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');
}

function decodeContinue(token: string): ContinueToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw badRequest(`continue key is not valid: illegal base64 data at input byte 0`);
  }
  const c = parsed as Partial<ContinueToken>;
  if (c.v !== 'meta.k8s.io/v1') throw badRequest('continue key is not valid: continue key is not valid: server does not recognize this encoded key');
  if (typeof c.rv !== 'number' || typeof c.start !== 'string') throw badRequest('continue key is not valid: continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  if (c.start.includes('..') || c.start.startsWith('/')) throw badRequest('continue key is not valid: continue key is not valid: invalid start key');
  return c as ContinueToken;
}

const INCONSISTENT_CONTINUE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

function listOptionsInvalid(field: string, msg: string): never {
  throw invalid('meta.k8s.io', 'ListOptions', '', [fieldErrors.forbidden(field, msg)]);
}

/** The continue key of an object: "namespace/name", or "name" for cluster-scoped kinds. */
function keyOf(o: KubeObject): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : (o.metadata.name as string);
}

export function list(objects: ApiObjects, t: ResourceType, q: ListQuery): ListResult {
  const rvText = q.resourceVersion ?? '';
  const match = q.resourceVersionMatch ?? '';
  if (match && !rvText) listOptionsInvalid('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided');
  if (match && q.continueToken) listOptionsInvalid('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided');
  if (match && match !== 'Exact' && match !== 'NotOlderThan')
    throw invalid('meta.k8s.io', 'ListOptions', '', [fieldErrors.notSupported('resourceVersionMatch', match, ['Exact', 'NotOlderThan', ''])]);
  if (match === 'Exact' && rvText === '0') listOptionsInvalid('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
  if (q.continueToken && rvText && rvText !== '0') throw badRequest('specifying resource version is not allowed when using continue');

  const store = objects.store;
  const sk = objects.storageKeyOf(t);
  const ns = t.namespaced ? q.namespace : undefined;
  const current = store.currentRevision;
  let atRv = current;
  let start = '';
  if (q.continueToken) {
    const c = decodeContinue(q.continueToken);
    start = c.start;
    atRv = c.rv > 0 ? c.rv : current;
  } else if (rvText && rvText !== '0') {
    const n = Number(rvText);
    if (!/^\d+$/.test(rvText)) throw badRequest(`invalid resource version: ${rvText}`);
    if (n > current)
      throw timeout(`Too large resource version: ${n}, current: ${current}`, 1, [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }]);
    if (match === 'Exact') atRv = n;
  }

  let all: KubeObject[];
  try {
    all = atRv === current ? store.list(sk, ns) : store.listAt(sk, atRv, ns);
  } catch (e) {
    if (!(e instanceof CompactedError)) throw e;
    if (q.continueToken) throw gone(INCONSISTENT_CONTINUE, { continue: encodeContinue(-1, start) });
    throw gone(`too old resource version: ${atRv} (${store.compactedRevision + 1})`);
  }
  let candidates = all;
  if (start) candidates = all.filter((o) => keyOf(o) >= start);
  const externals: KubeObject[] = [];
  const limit = q.limit && q.limit > 0 ? q.limit : undefined;
  let nextStart: string | undefined;
  let remaining = 0;
  for (let i = 0; i < candidates.length; i++) {
    const stored = candidates[i] as KubeObject;
    const ext = objects.toExternal(t, stored);
    if (!q.filter.matches(ext)) continue;
    if (limit !== undefined && externals.length >= limit) {
      // the last returned item's key + \0 is where the next page starts
      const prev = externals[externals.length - 1] as KubeObject;
      nextStart = `${keyOf(prev)}\u0000`;
      remaining = candidates.slice(i).length;
      break;
    }
    externals.push(ext);
  }
  const result: { items: KubeObject[]; resourceVersion: string; continueToken?: string; remainingItemCount?: number } = {
    items: externals,
    resourceVersion: String(atRv),
  };
  if (nextStart !== undefined) {
    result.continueToken = encodeContinue(atRv, nextStart);
    if (q.filter.empty) result.remainingItemCount = remaining;
  }
  return result;
}

/** The list object a client receives: items without apiVersion/kind for built-ins, as typed lists encode. */
export function listObject(t: ResourceType, r: ListResult): Record<string, unknown> {
  const metadata: Record<string, unknown> = { resourceVersion: r.resourceVersion };
  if (r.continueToken) metadata.continue = r.continueToken;
  if (r.remainingItemCount !== undefined) metadata.remainingItemCount = r.remainingItemCount;
  const items = t.crdName
    ? r.items
    : r.items.map((o) => {
        const { apiVersion: _a, kind: _k, ...rest } = o;
        return rest;
      });
  return { kind: t.listKind, apiVersion: apiVersionOfType(t), metadata, items };
}
