/**
 * The contract as a client reads it: the OpenAPI document lvmd-http serves at
 * /openapi.json, turned into operations (method, path, parameters, body, responses) with
 * compiled response validators, and the rules every answer must keep (docs/lvmd-http.md,
 * Errors): never a 5xx but a documented 503, application/problem+json with a registry
 * code for every error, the field named for a field error, 2xx bodies as the document
 * says.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import { ERROR_CODES, isErrorCode, PROBLEM_CONTENT_TYPE, type ErrorCode } from '@copse/lvmd-api';
import type { Answer } from './wire';

export type Schema = { readonly [key: string]: unknown };

export interface Param {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header';
  readonly required: boolean;
  readonly schema: Schema;
}

export interface ApiResponse {
  readonly contentType?: string;
  readonly validate?: ValidateFunction;
}

export interface ApiOperation {
  readonly operationId: string;
  readonly method: string;
  readonly path: string;
  readonly params: readonly Param[];
  /** the JSON schema of the application/json request body */
  readonly body?: Schema;
  /** documented answers by status ("200", "503"); errors go by `default` */
  readonly responses: Readonly<Record<string, ApiResponse>>;
  /** callable without credentials (security: [{}]) */
  readonly open: boolean;
}

export interface Contract {
  readonly operations: readonly ApiOperation[];
  /** the methods the document has for a concrete path, HEAD included where GET is */
  methodsFor(path: string): string[];
  /** the operation a method and concrete path reach, if any */
  match(method: string, path: string): ApiOperation | undefined;
  readonly validateProblem: ValidateFunction;
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;

/** Inlines the document's local $refs. */
function resolver(document: Schema): (node: unknown) => unknown {
  const deref = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(deref);
    if (node === null || typeof node !== 'object') return node;
    const ref = (node as Schema).$ref;
    if (typeof ref === 'string') {
      let target: unknown = document;
      for (const part of ref.replace(/^#\//, '').split('/')) target = (target as Schema)[part];
      if (target === undefined) throw new Error(`unresolved $ref ${ref}`);
      return deref(target);
    }
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, deref(v)]));
  };
  return deref;
}

export function contractOf(document: Schema): Contract {
  const deref = resolver(document);
  const ajv = new Ajv({ strict: false, allErrors: true });
  // the document's one format; RFC 3339 as JSON Schema's date-time means it
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i);
  const paths = document.paths as Record<string, Schema>;
  const documentSecurity = (document.security ?? []) as Schema[];
  const operations: ApiOperation[] = [];
  for (const [path, item] of Object.entries(paths)) {
    const shared = (deref(item.parameters ?? []) as Param[]) ?? [];
    for (const method of METHODS) {
      const op = item[method] as Schema | undefined;
      if (!op) continue;
      const params = [...shared, ...((deref(op.parameters ?? []) as Param[]) ?? [])].map((p) => ({
        name: p.name,
        in: p.in,
        required: p.required === true,
        schema: p.schema,
      }));
      const requestBody = deref(op.requestBody) as { content?: Record<string, { schema: Schema }> } | undefined;
      const responses: Record<string, ApiResponse> = {};
      for (const [status, r] of Object.entries(deref(op.responses ?? {}) as Record<string, { content?: Record<string, { schema?: Schema }> }>)) {
        const [contentType, media] = Object.entries(r.content ?? {})[0] ?? [];
        responses[status] = {
          contentType,
          ...(media?.schema && contentType?.includes('json') ? { validate: ajv.compile(media.schema) } : {}),
        };
      }
      const security = (op.security ?? documentSecurity) as Schema[];
      operations.push({
        operationId: op.operationId as string,
        method: method.toUpperCase(),
        path,
        params,
        body: requestBody?.content?.['application/json']?.schema,
        responses,
        open: security.length > 0 && security.every((s) => Object.keys(s).length === 0),
      });
    }
  }
  const templates = operations.map((op) => ({ op, pattern: new RegExp(`^${op.path.split(/\{[^}]+\}/).map(escapeRegExp).join('[^/]+')}$`) }));
  const validateProblem = ajv.compile(deref({ $ref: '#/components/schemas/Problem' }) as Schema);
  return {
    operations,
    methodsFor(path) {
      const methods = new Set<string>();
      for (const t of templates) if (t.pattern.test(path)) methods.add(t.op.method);
      if (methods.has('GET')) methods.add('HEAD');
      return [...methods].sort();
    },
    match(method, path) {
      const m = method === 'HEAD' ? 'GET' : method;
      return templates.find((t) => t.op.method === m && t.pattern.test(path))?.op;
    },
    validateProblem,
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** What a case expects beyond the rules every answer keeps. */
export type Expectation =
  /** any answer the rules allow (a valid request: success or a documented refusal) */
  | { readonly kind: 'any' }
  /** a refusal with this status and code, naming this field (a string: exactly; a RegExp: matching) */
  | { readonly kind: 'problem'; readonly code: ErrorCode; readonly field?: string | RegExp; readonly closes?: boolean }
  /** some refusal (4xx), any code */
  | { readonly kind: 'refused' };

/**
 * Checks an answer against the rules and the case's expectation; returns what is wrong
 * (empty when nothing is).
 */
export function violations(contract: Contract, method: string, path: string, answer: Answer, expect: Expectation, o: { allow503?: readonly ErrorCode[] } = {}): string[] {
  const wrong: string[] = [];
  const { status } = answer;
  const op = contract.match(method, path);
  const documented = op?.responses[String(status)];
  if (status >= 200 && status < 300) {
    if (expect.kind !== 'any') wrong.push(`${status} to a request that should be refused (${expect.kind === 'problem' ? expect.code : 'any refusal'})`);
    if (!op) wrong.push(`${status} on ${method} ${path}, which the document does not have`);
    else if (!documented) wrong.push(`${status} to ${op.operationId}, which documents ${Object.keys(op.responses).join(', ')}`);
    else wrong.push(...documentedAnswer(op, method, answer, documented));
  } else if (status >= 400 && documented && expect.kind === 'any') {
    // an answer the operation documents itself (503 of /readyz)
    wrong.push(...documentedAnswer(op!, method, answer, documented));
  } else if (status >= 400) {
    wrong.push(...problemAnswer(contract, method, path, answer, expect, o.allow503 ?? []));
  } else {
    wrong.push(`status ${status}`);
  }
  return wrong;
}

function documentedAnswer(op: ApiOperation, method: string, answer: Answer, documented: ApiResponse): string[] {
  const wrong: string[] = [];
  const type = answer.headers['content-type'] ?? '';
  if (documented.contentType && !type.startsWith(documented.contentType)) wrong.push(`${op.operationId} ${answer.status} as "${type}", the document says ${documented.contentType}`);
  if (!documented.contentType && answer.body.length > 0) wrong.push(`${op.operationId} ${answer.status} with a body`);
  if (method === 'HEAD') {
    if (answer.body.length > 0) wrong.push('HEAD answered with a body');
  } else if (documented.validate) {
    let body: unknown;
    try {
      body = JSON.parse(answer.body.toString('utf8'));
    } catch {
      return [...wrong, `${op.operationId} ${answer.status} body is not JSON`];
    }
    if (!documented.validate(body)) wrong.push(`${op.operationId} ${answer.status} body against the document: ${JSON.stringify(documented.validate.errors?.slice(0, 3))}`);
  }
  return wrong;
}

function problemAnswer(contract: Contract, method: string, path: string, answer: Answer, expect: Expectation, allow503: readonly ErrorCode[]): string[] {
  const wrong: string[] = [];
  const { status, headers } = answer;
  const type = headers['content-type'] ?? '';
  if (!type.startsWith(PROBLEM_CONTENT_TYPE)) wrong.push(`a ${status} that is not ${PROBLEM_CONTENT_TYPE} but "${type}"`);
  if (method === 'HEAD') {
    // no body to read: the status must still be the expected one
    if (expect.kind === 'problem' && status !== ERROR_CODES[expect.code].status) wrong.push(`HEAD: status ${status}, expected ${ERROR_CODES[expect.code].status} ${expect.code}`);
    if (status >= 500 && status !== 503) wrong.push(`a ${status} to HEAD`);
    return wrong;
  }
  let problem: Record<string, unknown>;
  try {
    problem = JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>;
  } catch {
    return [...wrong, `a ${status} whose body is not JSON: ${JSON.stringify(answer.body.subarray(0, 200).toString())}`];
  }
  const detail = String(problem.detail);
  if (!contract.validateProblem(problem)) wrong.push(`a problem the document's Problem schema refuses: ${JSON.stringify(contract.validateProblem.errors)}`);
  if (!isErrorCode(problem.code)) return [...wrong, `a problem code outside the registry: ${String(problem.code)}`];
  const code = problem.code;
  if (ERROR_CODES[code].status !== status) wrong.push(`code ${code} with status ${status}, the registry says ${ERROR_CODES[code].status}`);
  if (problem.status !== status) wrong.push(`problem.status ${String(problem.status)} on a ${status}`);
  if (code === 'invalid-field' && (typeof problem.field !== 'string' || problem.field === '')) wrong.push(`an invalid-field problem that names no field: ${detail}`);
  if (status >= 500 && !(status === 503 && allow503.includes(code))) wrong.push(`a ${status} ${code}: ${detail}`);
  if (code === 'unauthorized' && problem.field !== 'tls.clientCertificate' && !headers['www-authenticate']) wrong.push('a 401 without WWW-Authenticate');
  if (code === 'unauthorized' && !answer.closed) wrong.push('a 401 that left the connection open');
  if (status === 405 && method !== 'CONNECT') {
    const allow = (headers.allow ?? '').split(',').map((m) => m.trim()).filter(Boolean).sort();
    const methods = contract.methodsFor(path);
    if (allow.join(',') !== methods.join(',')) wrong.push(`405 with Allow "${headers.allow}", the document has ${methods.join(', ')}`);
  }
  if (expect.kind === 'problem') {
    if (code !== expect.code) wrong.push(`code ${code} (${detail}), expected ${expect.code}`);
    else if (expect.field !== undefined) {
      const field = String(problem.field);
      const ok = typeof expect.field === 'string' ? field === expect.field : expect.field.test(field);
      if (!ok) wrong.push(`field ${field}, expected ${String(expect.field)} (${detail})`);
    }
    if (expect.closes && !answer.closed) wrong.push(`the connection stayed open after ${status} ${code}`);
  }
  return wrong;
}
