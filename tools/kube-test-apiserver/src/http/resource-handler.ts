/**
 * The REST verbs of one served resource over HTTP: query parameters, content negotiation
 * (JSON, YAML, Table, PartialObjectMetadata), and the ApiObjects calls behind them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { badRequest, fieldErrors, invalid, methodNotAllowed, notSupportedByTestServer, pageNotFound, type Status } from '../api/status';
import type { KubeObject } from '../api/object';
import type { ResourceType } from '../kinds/types';
import type { ResourceRegistry } from '../kinds/registry';
import type { ApiObjects } from '../rest/objects';
import type { DeleteOptions, FieldValidation, WriteContext } from '../rest/context';
import { makeFilter } from '../rest/filter';
import { list, listObject } from '../rest/list';
import { startWatch, type WatchSink, type WatchTiming } from '../rest/watch';
import { partialObjectMetadata, toTable, type IncludeObject } from '../rest/table';
import { patch } from '../rest/patch';
import type { WatchHub } from '../store/watch-hub';
import type { ResourceRequest } from './request-info';
import { negotiate, type Negotiated } from './negotiate';
import { decodeObjectBody, parseJson, readBody } from './body';
import { writeBody } from './respond';
import { objectJson } from './json-text';
import { fieldManagerFor, validateFieldManager } from '../patch';

export interface ResourceHandlerDeps {
  readonly objects: ApiObjects;
  readonly kinds: ResourceRegistry;
  readonly hub: WatchHub;
  readonly timing: WatchTiming;
  readonly log: Logger;
}

const TRANSFORMS = [
  { as: 'Table', g: 'meta.k8s.io', v: ['v1', 'v1beta1'] },
  { as: 'PartialObjectMetadata', g: 'meta.k8s.io', v: ['v1', 'v1beta1'] },
  { as: 'PartialObjectMetadataList', g: 'meta.k8s.io', v: ['v1', 'v1beta1'] },
];

function optionsInvalid(kind: string, errs: ReturnType<typeof fieldErrors.invalid>[]): never {
  throw invalid('meta.k8s.io', kind, '', errs);
}

function writeContext(req: IncomingMessage, q: URLSearchParams, optionsKind: string, manager?: string): WriteContext {
  const dry = q.getAll('dryRun');
  for (const d of dry) if (d !== 'All') optionsInvalid(optionsKind, [fieldErrors.notSupported('dryRun', d, ['All'])]);
  const fv = q.get('fieldValidation') ?? '';
  if (fv && !['Strict', 'Warn', 'Ignore'].includes(fv))
    throw badRequest(`fieldValidation: Invalid value: ${JSON.stringify(fv)}: fieldValidation must be one of "Ignore", "Strict", or "Warn"`);
  return {
    dryRun: dry.length > 0,
    fieldManager: manager ?? fieldManagerFor(q.get('fieldManager') ?? undefined, req.headers['user-agent']),
    fieldValidation: (fv || 'Warn') as FieldValidation,
    warnings: [],
    now: new Date(),
  };
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw badRequest(`${name}: Invalid value: ${JSON.stringify(v)}: must be an integer`);
  return Number(v);
}

function boolParam(q: URLSearchParams, name: string): boolean | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  return v === 'true' || v === '1';
}

function includeObjectParam(q: URLSearchParams): IncludeObject {
  const v = q.get('includeObject') ?? 'Metadata';
  if (v !== 'None' && v !== 'Metadata' && v !== 'Object') throw badRequest(`includeObject: Unsupported value: ${JSON.stringify(v)}: supported values: "Metadata", "None", "Object"`);
  return v;
}

/** The response body for one object under the negotiated representation. */
function renderOne(t: ResourceType, o: KubeObject, n: Negotiated, q: URLSearchParams): unknown {
  if (n.as === 'Table') return toTable(t, [o], { resourceVersion: o.metadata.resourceVersion }, { includeObject: includeObjectParam(q), apiVersion: `meta.k8s.io/${n.asVersion ?? 'v1'}` });
  if (n.as === 'PartialObjectMetadata') return { ...partialObjectMetadata(o), apiVersion: `meta.k8s.io/${n.asVersion ?? 'v1'}` };
  if (n.as === 'PartialObjectMetadataList') throw notAcceptableFor('PartialObjectMetadataList');
  return o;
}

function notAcceptableFor(what: string): Error {
  return badRequest(`the requested representation ${what} is not available for this request`);
}

export async function handleResource(req: IncomingMessage, res: ServerResponse, info: ResourceRequest, q: URLSearchParams, deps: ResourceHandlerDeps): Promise<void> {
  const t = deps.kinds.lookup(info.group, info.version, info.resource);
  if (!t) throw pageNotFound();
  if (info.namespace !== undefined && !t.namespaced) throw pageNotFound();
  const sub = info.subresource;
  if (sub === 'binding' && t.kind === 'Pod' && !t.group && info.name !== undefined) {
    // the scheduler's one write: POST only (kube-apiserver serves no other verb here)
    if (info.verb !== 'create') throw methodNotAllowed();
    const ctx = writeContext(req, q, 'CreateOptions');
    const body = decodeObjectBody(req.headers['content-type'], await readBody(req));
    writeBody(res, 201, deps.objects.bindPod(t, info.namespace, info.name, body, ctx), negotiate(req.headers.accept, TRANSFORMS), ctx.warnings);
    return;
  }
  if (sub !== undefined) {
    const known = (sub === 'status' && t.statusSubresource) || (t.extraSubresources ?? []).includes(sub);
    if (!known) {
      if (['log', 'exec', 'attach', 'portforward', 'proxy', 'eviction', 'ephemeralcontainers', 'resize', 'scale', 'token'].includes(sub))
        throw notSupportedByTestServer(`the ${t.plural}/${sub} subresource`);
      throw pageNotFound();
    }
    if (!['get', 'update', 'patch'].includes(info.verb)) throw methodNotAllowed();
    if (sub === 'finalize' && info.verb !== 'update') throw methodNotAllowed();
  }
  const ns = t.namespaced ? info.namespace : undefined;
  const objects = deps.objects;

  switch (info.verb) {
    case 'get': {
      const n = negotiate(req.headers.accept, TRANSFORMS);
      const o = objects.get(t, ns, info.name as string);
      writeBody(res, 200, renderOne(t, o, n, q), n);
      return;
    }
    case 'list': {
      const n = negotiate(req.headers.accept, TRANSFORMS);
      const filter = makeFilter(t, q.get('labelSelector') ?? undefined, q.get('fieldSelector') ?? undefined);
      const r = list(objects, t, {
        namespace: ns,
        filter,
        limit: intParam(q, 'limit'),
        continueToken: q.get('continue') || undefined,
        resourceVersion: q.get('resourceVersion') ?? undefined,
        resourceVersionMatch: q.get('resourceVersionMatch') || undefined,
      });
      const lo = listObject(t, r);
      if (n.as === 'Table') {
        writeBody(res, 200, toTable(t, r.items, lo.metadata as Record<string, unknown>, { includeObject: includeObjectParam(q), apiVersion: `meta.k8s.io/${n.asVersion ?? 'v1'}` }), n);
      } else if (n.as === 'PartialObjectMetadataList' || n.as === 'PartialObjectMetadata') {
        writeBody(res, 200, { kind: 'PartialObjectMetadataList', apiVersion: `meta.k8s.io/${n.asVersion ?? 'v1'}`, metadata: lo.metadata, items: r.items.map(partialObjectMetadata) }, n);
      } else writeBody(res, 200, lo, n);
      return;
    }
    case 'watch':
      return watch(req, res, info, q, t, ns, deps);
    case 'create': {
      if (sub) throw methodNotAllowed();
      if (info.name !== undefined) throw methodNotAllowed();
      const n = negotiate(req.headers.accept, TRANSFORMS);
      const fm = q.get('fieldManager');
      if (fm !== null) validateFieldManager(fm, 'CreateOptions');
      const ctx = writeContext(req, q, 'CreateOptions');
      const body = decodeObjectBody(req.headers['content-type'], await readBody(req));
      const o = objects.create(t, ns, body, ctx);
      deps.log.debug({ verb: 'create', resource: t.plural, name: o.metadata.name, namespace: o.metadata.namespace }, 'kube-test-apiserver: created');
      writeBody(res, 201, renderOne(t, o, n, q), n, ctx.warnings);
      return;
    }
    case 'update': {
      const n = negotiate(req.headers.accept, TRANSFORMS);
      const fm = q.get('fieldManager');
      if (fm !== null) validateFieldManager(fm, 'UpdateOptions');
      const ctx = writeContext(req, q, 'UpdateOptions');
      const body = decodeObjectBody(req.headers['content-type'], await readBody(req));
      if (sub === 'finalize') {
        const decoded = objects.decode(t, body, ctx);
        if (decoded.metadata.name && decoded.metadata.name !== info.name)
          throw badRequest(`the name of the object (${decoded.metadata.name}) does not match the name on the URL (${info.name})`);
        decoded.metadata.name = info.name;
        writeBody(res, 200, renderOne(t, objects.finalizeNamespace(t, decoded, ctx), n, q), n, ctx.warnings);
        return;
      }
      const { object, created } = objects.update(t, ns, info.name as string, body, ctx, { subresource: sub });
      writeBody(res, created ? 201 : 200, renderOne(t, object, n, q), n, ctx.warnings);
      return;
    }
    case 'patch': {
      const n = negotiate(req.headers.accept, TRANSFORMS);
      const ctx = writeContext(req, q, 'PatchOptions');
      const body = (await readBody(req)).toString('utf8');
      const { object, created } = patch(objects, t, ns, info.name as string, {
        contentType: req.headers['content-type'],
        body,
        fieldManagerParam: q.get('fieldManager') ?? undefined,
        force: q.get('force') ?? undefined,
        userAgent: req.headers['user-agent'],
        subresource: sub,
        ctx,
      });
      writeBody(res, created ? 201 : 200, renderOne(t, object, n, q), n, ctx.warnings);
      return;
    }
    case 'delete': {
      const n = negotiate(req.headers.accept, TRANSFORMS);
      const opts = await deleteOptions(req, q);
      const ctx = writeContext(req, q, 'DeleteOptions');
      const r = objects.delete(t, ns, info.name as string, opts, { ...ctx, dryRun: ctx.dryRun || (opts.dryRun ?? []).includes('All') });
      const code = !r.deleted && opts.orphanDependents === false ? 202 : 200;
      writeBody(res, code, (r.body as Status).kind === 'Status' ? r.body : renderOne(t, r.body as KubeObject, n, q), n, ctx.warnings);
      return;
    }
    case 'deletecollection': {
      if (sub) throw methodNotAllowed();
      const n = negotiate(req.headers.accept, TRANSFORMS);
      const opts = await deleteOptions(req, q);
      const ctx = writeContext(req, q, 'DeleteOptions');
      const filter = makeFilter(t, q.get('labelSelector') ?? undefined, q.get('fieldSelector') ?? undefined);
      const r = list(objects, t, { namespace: ns, filter });
      const items: KubeObject[] = [];
      for (const o of r.items) {
        try {
          const d = objects.delete(t, o.metadata.namespace, o.metadata.name as string, opts, ctx);
          items.push((d.body as Status).kind === 'Status' ? o : (d.body as KubeObject));
        } catch (e) {
          if ((e as { code?: number }).code !== 404) throw e;
        }
      }
      writeBody(res, 200, listObject(t, { items, resourceVersion: String(objects.store.currentRevision) }), n, ctx.warnings);
      return;
    }
    default:
      throw methodNotAllowed();
  }
}

async function deleteOptions(req: IncomingMessage, q: URLSearchParams): Promise<DeleteOptions> {
  const raw = await readBody(req);
  let body: Record<string, unknown> = {};
  if (raw.length > 0 && raw.toString('utf8').trim() !== '') {
    const parsed = parseJson(raw.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badRequest('DeleteOptions must be an object');
    body = parsed as Record<string, unknown>;
  }
  const opts: DeleteOptions = {};
  const policy = (body.propagationPolicy as string | undefined) ?? q.get('propagationPolicy') ?? undefined;
  if (policy !== undefined) {
    if (!['Orphan', 'Background', 'Foreground'].includes(policy))
      throw invalid('meta.k8s.io', 'DeleteOptions', '', [fieldErrors.notSupported('propagationPolicy', policy, ['Foreground', 'Background', 'Orphan', 'nil'])]);
    opts.propagationPolicy = policy as DeleteOptions['propagationPolicy'];
  }
  const orphan = (body.orphanDependents as boolean | undefined) ?? boolParam(q, 'orphanDependents');
  if (orphan !== undefined) {
    if (opts.propagationPolicy) throw invalid('meta.k8s.io', 'DeleteOptions', '', [fieldErrors.invalid('propagationPolicy', opts.propagationPolicy, 'orphanDependents and deletionPropagation cannot be both set')]);
    opts.orphanDependents = orphan;
  }
  const grace = (body.gracePeriodSeconds as number | undefined) ?? intParam(q, 'gracePeriodSeconds');
  if (grace !== undefined) opts.gracePeriodSeconds = grace;
  if (body.preconditions && typeof body.preconditions === 'object') opts.preconditions = body.preconditions as DeleteOptions['preconditions'];
  const dry = (body.dryRun as string[] | undefined) ?? q.getAll('dryRun');
  for (const d of dry) if (d !== 'All') throw invalid('meta.k8s.io', 'DeleteOptions', '', [fieldErrors.notSupported('dryRun', d, ['All'])]);
  if (dry.length) opts.dryRun = dry;
  return opts;
}

/** The last watch event serialized: a change goes to every watcher of its resource in a row, and each write is then the same text. */
let lastEvent: { readonly type: string; readonly object: unknown; readonly line: string } | undefined;

/**
 * One watch event as the line written to the stream. Stored objects (and their served forms)
 * are never mutated, so the text of the same object and type can be reused: a change fanned
 * out to N watchers is serialized once, not N times, and the write's response reuses the
 * object's text (objectJson).
 */
function eventLine(type: string, object: unknown): string {
  const last = lastEvent;
  if (last !== undefined && last.object === object && last.type === type) return last.line;
  // JSON.stringify({ type, object }), from the object's text
  const line = `{"type":${JSON.stringify(type)},"object":${objectJson(object)}}\n`;
  lastEvent = { type, object, line };
  return line;
}

function watch(req: IncomingMessage, res: ServerResponse, info: ResourceRequest, q: URLSearchParams, t: ResourceType, ns: string | undefined, deps: ResourceHandlerDeps): void {
  const n = negotiate(req.headers.accept, TRANSFORMS);
  let fieldSelector = q.get('fieldSelector') ?? undefined;
  if (info.name !== undefined) {
    // the legacy /watch/.../{name} form: a single-object watch
    fieldSelector = [fieldSelector, `metadata.name=${info.name}`].filter(Boolean).join(',');
  }
  const filter = makeFilter(t, q.get('labelSelector') ?? undefined, fieldSelector);
  const sendInitial = q.get('sendInitialEvents');
  const params = {
    namespace: ns,
    filter,
    resourceVersion: q.get('resourceVersion') ?? undefined,
    resourceVersionMatch: q.get('resourceVersionMatch') || undefined,
    allowWatchBookmarks: boolParam(q, 'allowWatchBookmarks') === true,
    sendInitialEvents: sendInitial === null ? undefined : sendInitial === 'true',
    timeoutSeconds: intParam(q, 'timeoutSeconds'),
  };
  const includeObject = n.as === 'Table' ? includeObjectParam(q) : 'Object';
  let first = true;
  let started = false;
  let corked = false;
  const start = () => {
    if (started) return;
    started = true;
    res.writeHead(200, {
      'Content-Type': n.format === 'yaml' ? 'application/yaml' : 'application/json',
      'Cache-Control': 'no-cache, private',
      'Transfer-Encoding': 'chunked',
      'X-Kubernetes-Test-Server': 'kube-test-apiserver',
    });
    res.flushHeaders();
  };
  const sink: WatchSink = {
    send(type, object) {
      if (res.destroyed || res.writableEnded) return false;
      start();
      let obj: unknown = object;
      if (n.as === 'Table' && (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED')) {
        obj = toTable(t, [object as KubeObject], { resourceVersion: (object as KubeObject).metadata.resourceVersion }, { includeObject, noHeaders: !first, apiVersion: `meta.k8s.io/${n.asVersion ?? 'v1'}` });
        first = false;
      } else if (n.as === 'PartialObjectMetadata' && type !== 'ERROR' && type !== 'BOOKMARK') {
        obj = partialObjectMetadata(object as KubeObject);
      }
      // events of one turn of the event loop (a busy server handles several writes in one) go
      // out in one write to the socket, not one system call each
      if (!corked) {
        corked = true;
        res.cork();
        setImmediate(() => {
          corked = false;
          res.uncork();
        });
      }
      res.write(eventLine(type, obj));
      // a client that stops reading is cut off, as the real server does with slow watchers
      return res.writableLength < 64 * 1024 * 1024;
    },
    end() {
      start();
      if (!res.writableEnded) res.end();
    },
    onClose(fn) {
      res.on('close', fn);
    },
  };
  startWatch(deps.objects, deps.hub, t, params, sink, deps.timing);
  start();
  deps.log.debug({ resource: `${t.plural}${t.group ? '.' + t.group : ''}`, namespace: ns, rv: params.resourceVersion }, 'kube-test-apiserver: watch started');
}

