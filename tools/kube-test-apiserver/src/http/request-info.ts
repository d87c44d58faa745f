/**
 * Parses a request path the way k8s.io/apiserver's RequestInfoFactory does:
 * /api/v1/..., /apis/<group>/<version>/..., namespaces, subresources, the legacy /watch/ prefix.
 */
export interface ResourceRequest {
  readonly kind: 'resource';
  readonly group: string;
  readonly version: string;
  readonly namespace?: string;
  readonly resource: string;
  readonly name?: string;
  readonly subresource?: string;
  /** get, list, watch, create, update, patch, delete, deletecollection */
  readonly verb: string;
}

export interface OtherRequest {
  readonly kind: 'other';
  readonly path: string;
}

export type RequestInfo = ResourceRequest | OtherRequest;

export function parseRequestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const parts = path.split('/').filter((p) => p !== '').map(decodeURIComponent);
  let group = '';
  let version: string | undefined;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1] as string;
    version = parts[2];
    rest = parts.slice(3);
  } else {
    return { kind: 'other', path };
  }
  let verbHint: string | undefined;
  if (rest[0] === 'watch') {
    verbHint = 'watch';
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1];
    if (rest.length > 2 && rest[2] !== 'status' && rest[2] !== 'finalize') rest = rest.slice(2);
    else namespace = undefined;
  }
  // /namespaces/{name}[/status|/finalize] addresses the namespace itself
  if (rest[0] === 'namespaces' && namespace === undefined) {
    const name = rest[1];
    const sub = rest[2];
    return {
      kind: 'resource',
      group,
      version: version as string,
      resource: 'namespaces',
      name,
      subresource: sub,
      verb: verbFor(method, name !== undefined, query, verbHint),
    };
  }
  const [resource, name, subresource, ...extra] = rest;
  if (!resource || extra.length > 0) return { kind: 'other', path };
  return {
    kind: 'resource',
    group,
    version: version as string,
    namespace,
    resource,
    name,
    subresource,
    verb: verbFor(method, name !== undefined, query, verbHint),
  };
}

function isTrue(v: string | null): boolean {
  return v === 'true' || v === '1';
}

function verbFor(method: string, hasName: boolean, query: URLSearchParams, hint?: string): string {
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (hint === 'watch' || isTrue(query.get('watch'))) return 'watch';
      return hasName ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return hasName ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}
