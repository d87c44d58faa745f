import { lvmdOpenApiDocument } from './generated/document';

/** The OpenAPI document as plain JSON (what GET /openapi.json serves). */
export const openApiDocument: Record<string, unknown> = lvmdOpenApiDocument as unknown as Record<string, unknown>;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface OperationSchemas {
  readonly method: string;
  readonly path: string;
  readonly operationId: string;
  readonly params?: Json;
  readonly querystring?: Json;
  /** the header parameters the document defines (names in lower case; other headers pass) */
  readonly headers?: Json;
  readonly body?: Json;
  readonly response: Record<string, Json>;
  /**
   * True when the document lets the operation be called without credentials
   * (`security: [{}]`); otherwise a listener that authenticates (TCP) demands them.
   */
  readonly open: boolean;
}

const HTTP_METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;

function resolveRef(ref: string): Json {
  if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported: ${ref}`);
  let node: unknown = lvmdOpenApiDocument;
  for (const part of ref.slice(2).split('/')) node = (node as Record<string, unknown>)[part];
  if (node === undefined) throw new Error(`unresolved $ref ${ref}`);
  return node as Json;
}

/** Inlines every local $ref (the document has no cycles) and drops OpenAPI-only keywords. */
export function deref(node: Json): Json {
  if (Array.isArray(node)) return node.map(deref);
  if (node === null || typeof node !== 'object') return node;
  if (typeof node.$ref === 'string') return deref(resolveRef(node.$ref));
  const out: { [key: string]: Json } = {};
  for (const [k, v] of Object.entries(node)) out[k] = deref(v);
  return out;
}

/**
 * The JSON schema of an operation's path or query parameters. Every operation gets a
 * query schema, empty when it documents none, so an undocumented query parameter is
 * refused on every route alike (additionalProperties false).
 */
function parametersSchema(parameters: Json[], where: 'path' | 'query'): Json | undefined {
  const chosen = parameters.filter((p) => (p as { in: string }).in === where) as Array<{
    name: string;
    required?: boolean;
    schema: Json;
  }>;
  if (chosen.length === 0 && where === 'path') return undefined;
  return {
    type: 'object',
    additionalProperties: false,
    required: chosen.filter((p) => p.required).map((p) => p.name),
    properties: Object.fromEntries(chosen.map((p) => [p.name, p.schema])),
  };
}

/** The JSON schema of an operation's header parameters; undefined when it documents none. */
function headersSchema(parameters: Json[]): Json | undefined {
  const chosen = parameters.filter((p) => (p as { in: string }).in === 'header') as Array<{ name: string; required?: boolean; schema: Json }>;
  if (chosen.length === 0) return undefined;
  return {
    type: 'object',
    required: chosen.filter((p) => p.required).map((p) => p.name.toLowerCase()),
    properties: Object.fromEntries(chosen.map((p) => [p.name.toLowerCase(), p.schema])),
  };
}

/** Every operation of the document with JSON schemas ready for Fastify's validator. */
export function operations(): OperationSchemas[] {
  const result: OperationSchemas[] = [];
  const { paths, security: documentSecurity = [] } = lvmdOpenApiDocument as unknown as {
    paths: Record<string, Record<string, Json>>;
    security?: Json[];
  };
  for (const [path, item] of Object.entries(paths)) {
    const shared = (deref(item.parameters ?? []) as Json[]) ?? [];
    for (const method of HTTP_METHODS) {
      const op = item[method] as { [key: string]: Json } | undefined;
      if (!op) continue;
      const parameters = [...shared, ...((deref(op.parameters ?? []) as Json[]) ?? [])];
      const body = op.requestBody
        ? ((deref(op.requestBody) as { content: Record<string, { schema: Json }> }).content['application/json']?.schema)
        : undefined;
      const security = (op.security ?? documentSecurity) as Json[];
      const response: Record<string, Json> = {};
      for (const [status, r] of Object.entries((op.responses ?? {}) as Record<string, Json>)) {
        const content = (deref(r) as { content?: Record<string, { schema: Json }> }).content;
        const json = content?.['application/json']?.schema;
        if (json && status !== 'default') response[status] = json;
      }
      result.push({
        method: method.toUpperCase(),
        path,
        operationId: op.operationId as string,
        params: parametersSchema(parameters, 'path'),
        querystring: parametersSchema(parameters, 'query'),
        headers: headersSchema(parameters),
        body,
        response,
        open: security.length > 0 && security.every((s) => Object.keys(s as object).length === 0),
      });
    }
  }
  return result;
}

export function operation(operationId: string): OperationSchemas {
  const op = operations().find((o) => o.operationId === operationId);
  if (!op) throw new Error(`no operation ${operationId} in the lvmd OpenAPI document`);
  return op;
}
