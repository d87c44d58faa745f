/**
 * Hostile requests generated from the OpenAPI document: for an operation, a request the
 * document would accept, then exactly one fault (so that the field at fault is known):
 * a parameter or body field of the wrong type, out of its bounds or against its pattern,
 * a missing or unknown field, a reserved name, a malformed or oversized body, a bad
 * content type, a bad or oversized header, a broken framing, a method the path does not
 * have, a malformed request target, missing or wrong credentials. Every value the
 * document is said to refuse is first checked against the document's own schema with
 * ajv, so the suite never expects a refusal the contract does not promise.
 */
import Ajv from 'ajv';
import fc from 'fast-check';
import { RESERVED_LV_PREFIXES, RESERVED_LV_SUBSTRINGS } from '@copse/lvm-model';
import type { ApiOperation, Contract, Expectation, Param, Schema } from './contract';
import type { Rng } from './rng';
import { requestBytes } from './wire';

/** What exists when the requests run, so that a request can be valid but for its fault. */
export interface World {
  /** an existing thin volume (the source of snapshots, the target of changes) */
  readonly volume: string;
  readonly volumeSizeBytes: number;
  /** its device class */
  readonly deviceClass: string;
  /** an lvcreate option class of the configuration */
  readonly optionClass: string;
  /** the Authorization header value on TCP; undefined on the unix socket */
  readonly authorization?: string;
}

export interface Case {
  readonly operationId: string;
  /** the fault family, e.g. "body.wrong-type" */
  readonly fault: string;
  readonly title: string;
  readonly method: string;
  /** the request target's path as sent (what the answer is checked against) */
  readonly path: string;
  readonly bytes: Buffer;
  readonly expect: Expectation;
  readonly head: boolean;
  /** the volume names this request would create if it were (wrongly) accepted */
  readonly creates: readonly string[];
}

/** A request in the making; rendered to bytes once its fault is applied. */
interface Draft {
  method: string;
  pathParams: Record<string, string>;
  /** a request target used verbatim instead of the rendered path and query */
  rawTarget?: string;
  /** path params already percent-encoded by the fault (bad escapes) */
  rawParams?: Record<string, string>;
  query: Array<[string, string]>;
  headers: Array<[string, string]>;
  body?: unknown;
  /** replaces the JSON text of the body */
  rawBody?: Buffer;
  contentType?: string;
  /** the framing headers are the fault's (no Content-Length of ours) */
  ownFraming?: boolean;
  authorization: 'valid' | 'none' | string;
  version?: string;
  creates: string[];
}

type Outcome = { readonly title: string; readonly expect: Expectation } | undefined;
type Fault = (op: ApiOperation, d: Draft, g: Generator) => Outcome;

const field = (code: Extract<Expectation, { kind: 'problem' }>['code'], f?: string | RegExp, closes?: boolean): Expectation => ({
  kind: 'problem',
  code,
  ...(f !== undefined ? { field: f } : {}),
  ...(closes ? { closes } : {}),
});

/** The field itself or anything beneath it (body.tags, body.tags.3). */
function fieldOrBelow(name: string): RegExp {
  return new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\..+)?$`);
}

/** Characters a hostile client puts into names and values: shell, path, HTTP and unicode trouble. */
const HOSTILE_CHARS = [
  ';', '|', '&', '$', '`', ' ', '\n', '\r', '\t', '\u0000', '\u0001', '\u007f', '/', '\\', '%', '?', '#', '"', "'", '<', '>',
  '*', '~', '!', '@', '^', '(', ')', '[', ']', '{', '}', ',', ':', '=', 'é', 'ß', '\u202e', '\u200b', '\ufeff', '\uffff',
  '\ud83d\ude00', '\u0130', '\u212a',
];

/** JSON values of every type, for fields given the wrong one. */
const ANY_JSON: readonly unknown[] = [null, true, false, 0, -1, 1.5, '', 'x', '64', '1073741824', [], [1], ['x', 2], {}, { a: 1 }, { sizeBytes: 1 }];

/** JSON number texts JSON.stringify never writes. */
const RAW_NUMBERS = ['1e400', '-1e400', '9007199254740993', '9007199254740992', '0.5', '-0', '1e-400', '18446744073709551616', '-9007199254740991'];

const MARKER = '"\u0000raw\u0000"';

class Generator {
  private readonly ajv = new Ajv({ strict: false, allErrors: false });
  private readonly compiled = new Map<Schema, (v: unknown) => boolean>();
  private freshCount = 0;

  constructor(
    readonly contract: Contract,
    readonly world: World,
    readonly rng: Rng,
    private readonly runId: string,
  ) {}

  /** Whether the document's schema accepts a value. */
  valid(schema: Schema, value: unknown): boolean {
    let v = this.compiled.get(schema);
    if (!v) {
      const validate = this.ajv.compile(schema);
      v = (x: unknown) => validate(x) === true;
      this.compiled.set(schema, v);
    }
    return v(value);
  }

  /** A name no volume has, and no accepted request may give one. */
  fresh(): string {
    return `hx-${this.runId}-${++this.freshCount}`;
  }

  /** A value the schema refuses, from `candidates()` (undefined when none is found). */
  invalid(schema: Schema, candidates: () => unknown): unknown {
    for (let i = 0; i < 20; i++) {
      const c = candidates();
      if (c !== undefined && !this.valid(schema, c)) return c;
    }
    return undefined;
  }

  /** A string the schema's length bounds accept made of characters its pattern accepts, with a hostile one put in. */
  patternBreaker(valid: string): string {
    const ch = this.rng.chance(0.75) ? this.rng.pick(HOSTILE_CHARS) : this.rng.sample(fc.string({ unit: 'binary', minLength: 1, maxLength: 2 }));
    const at = this.rng.int(0, valid.length);
    return valid.slice(0, at) + ch + valid.slice(at);
  }

  letters(n: number): string {
    let s = '';
    while (s.length < n) s += 'abcdefghijklmnopqrstuvwxyz'[this.rng.int(0, 25)];
    return s;
  }

  /** A valid value for a parameter or body property of an operation. */
  validValue(op: ApiOperation, name: string, schema: Schema, d: Draft): unknown {
    const w = this.world;
    switch (name) {
      case 'name':
        if (op.operationId === 'createSnapshot' && d.pathParams.name !== undefined) {
          const n = this.fresh();
          d.creates.push(n);
          return n;
        }
        if (op.operationId === 'createLogicalVolume') {
          const n = this.fresh();
          d.creates.push(n);
          return n;
        }
        return w.volume;
      case 'deviceClass':
        return w.deviceClass;
      case 'sizeBytes':
        return op.operationId === 'createLogicalVolume' ? 64 * 2 ** 20 : w.volumeSizeBytes;
      case 'tags':
        return this.rng.chance(0.5) ? ['hostile=1'] : ['owner=copse', 'k:v'];
      case 'lvcreateOptionClass':
        return w.optionClass;
      case 'accessType':
        return this.rng.pick(['ro', 'rw']);
      case 'active':
        return true;
    }
    if (schema.type === 'boolean') return true;
    if (Array.isArray(schema.enum)) return schema.enum[0];
    throw new Error(`no valid value known for ${op.operationId} ${name}`);
  }
}

function props(schema: Schema | undefined): Array<[string, Schema]> {
  return Object.entries((schema?.properties ?? {}) as Record<string, Schema>);
}

function required(schema: Schema | undefined): string[] {
  return (schema?.required ?? []) as string[];
}

/** The request the document accepts, before its fault. */
function baseDraft(op: ApiOperation, g: Generator, head: boolean): Draft {
  const d: Draft = { method: head ? 'HEAD' : op.method, pathParams: {}, query: [], headers: [], authorization: 'valid', creates: [] };
  // the path first: a snapshot's new name is fresh, its source the existing volume
  for (const p of op.params.filter((x) => x.in === 'path')) d.pathParams[p.name] = String(g.validValue(op, p.name, p.schema, d));
  for (const p of op.params.filter((x) => x.in === 'query')) if (g.rng.chance(0.3)) d.query.push([p.name, String(g.validValue(op, p.name, p.schema, d))]);
  if (op.body) {
    const body: Record<string, unknown> = {};
    for (const [name, schema] of props(op.body)) {
      if (required(op.body).includes(name) || g.rng.chance(0.4)) body[name] = g.validValue(op, name, schema, d);
    }
    d.body = body;
    d.contentType = g.rng.pick(['application/json', 'application/json; charset=utf-8', 'Application/JSON']);
  }
  return d;
}

function render(op: ApiOperation, d: Draft, g: Generator): { path: string; bytes: Buffer } {
  let path: string;
  let target: string;
  if (d.rawTarget !== undefined) {
    target = d.rawTarget;
    path = target.split('?')[0]!;
  } else {
    path = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => d.rawParams?.[name] ?? encodeURIComponent(d.pathParams[name] ?? ''));
    const query = d.query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
    target = query ? `${path}?${query}` : path;
  }
  let body: Buffer | undefined;
  if (d.rawBody) body = d.rawBody;
  else if (d.body !== undefined) body = Buffer.from(JSON.stringify(d.body), 'utf8');
  const headers: Array<[string, string]> = [['Host', 'localhost']];
  const auth = g.world.authorization;
  if (auth !== undefined) {
    if (d.authorization === 'valid') headers.push(['Authorization', auth]);
    else if (d.authorization !== 'none') headers.push(['Authorization', d.authorization]);
  }
  if (body && d.contentType !== undefined) headers.push(['Content-Type', d.contentType]);
  if (body && !d.ownFraming) headers.push(['Content-Length', String(body.length)]);
  headers.push(...d.headers);
  return { path, bytes: requestBytes(d.method, target, headers, body, d.version) };
}

// ---------------------------------------------------------------------------------------
// The faults. Each applies to the operations it fits and says what the answer must be.

const pathParams = (op: ApiOperation): Param[] => op.params.filter((p) => p.in === 'path');

function setParam(d: Draft, p: Param, value: string): void {
  if (p.in === 'path') d.pathParams[p.name] = value;
  else {
    d.query = d.query.filter(([k]) => k !== p.name);
    d.query.push([p.name, value]);
  }
}
const queryParams = (op: ApiOperation): Param[] => op.params.filter((p) => p.in === 'query');

/** A path or query parameter against its pattern. */
const paramPattern: Fault = (op, d, g) => {
  const params = [...pathParams(op), ...queryParams(op)];
  if (params.length === 0) return undefined;
  const p = g.rng.pick(params);
  const valid = String(g.validValue(op, p.name, p.schema, d));
  const value = g.invalid(p.schema, () => g.patternBreaker(valid));
  if (value === undefined) return undefined;
  setParam(d, p, value as string);
  return { title: `${p.in} ${p.name} ${JSON.stringify(value)}`, expect: field('invalid-field', `${p.in === 'path' ? 'params' : 'query'}.${p.name}`) };
};

/** A path or query parameter longer than its maxLength (a path segment over 2048 characters is a 414). */
const paramTooLong: Fault = (op, d, g) => {
  const params = [...pathParams(op), ...queryParams(op)].filter((p) => typeof p.schema.maxLength === 'number');
  if (params.length === 0) return undefined;
  const p = g.rng.pick(params);
  const max = p.schema.maxLength as number;
  const segment = p.in === 'path' && g.rng.chance(0.25);
  const length = segment ? g.rng.int(2049, 9000) : g.rng.int(max + 1, Math.min(2048, max * 4));
  const value = g.letters(length);
  if (g.valid(p.schema, value)) return undefined;
  setParam(d, p, value);
  if (segment) return { title: `${p.in} ${p.name} of ${length} characters`, expect: field('uri-too-long', 'url') };
  return { title: `${p.in} ${p.name} of ${length} characters (max ${max})`, expect: field('invalid-field', `${p.in === 'path' ? 'params' : 'query'}.${p.name}`) };
};

/** lvm2's reserved names and substrings (the document: "refused with invalid-field"). */
const reservedName: Fault = (op, d, g) => {
  const p = pathParams(op).find((x) => x.name === 'name');
  const bodyName = props(op.body).find(([n]) => n === 'name');
  if (!p && !bodyName) return undefined;
  const name = g.rng.chance(0.5)
    ? `${g.rng.pick(RESERVED_LV_PREFIXES)}${g.rng.chance(0.5) ? '' : g.letters(g.rng.int(1, 8))}`
    : `${g.letters(g.rng.int(1, 6))}${g.rng.pick(RESERVED_LV_SUBSTRINGS)}${g.rng.chance(0.5) ? '' : g.letters(3)}`;
  if (bodyName && (!p || g.rng.chance(0.5))) {
    (d.body as Record<string, unknown>).name = name;
    return { title: `body.name ${name}`, expect: field('invalid-field', 'body.name') };
  }
  d.pathParams.name = name;
  return { title: `params.name ${name}`, expect: field('invalid-field', 'params.name') };
};

/** A query parameter the operation does not define (a token among them). */
const unknownQuery: Fault = (op, d, g) => {
  const defined = new Set(queryParams(op).map((p) => p.name));
  const name = g.rng.pick([
    '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'access_token', 'token', 'verbose', 'deviceclass', 'DeviceClass',
    'deviceClass[]', 'name', 'sizeBytes', 'watch', 'a'.repeat(g.rng.int(1, 200)), g.rng.sample(fc.string({ minLength: 1, maxLength: 12 })),
  ]);
  if (defined.has(name) || name === '') return undefined;
  const value = g.rng.pick(['', '1', 'true', 'x'.repeat(50), g.world.deviceClass]);
  d.query.push([name, value]);
  if (g.rng.chance(0.5)) d.query.reverse();
  return { title: `unknown query ${JSON.stringify(name)}`, expect: field('invalid-field', `query.${name}`) };
};

/** A defined query parameter given twice. */
const duplicateQuery: Fault = (op, d, g) => {
  const p = queryParams(op)[0];
  if (!p) return undefined;
  d.query = d.query.filter(([k]) => k !== p.name);
  const v = String(g.validValue(op, p.name, p.schema, d));
  d.query.push([p.name, v], [p.name, g.rng.chance(0.5) ? v : '']);
  return { title: `query ${p.name} twice`, expect: field('invalid-field', `query.${p.name}`) };
};

/** A device class that is not configured (valid by the schema; 404 naming the field). */
const unknownDeviceClass: Fault = (op, d, g) => {
  const where: string[] = [];
  if (queryParams(op).some((p) => p.name === 'deviceClass') && op.operationId !== 'createLogicalVolume') where.push('query');
  if (op.operationId === 'getDeviceClass') where.push('path');
  if (op.operationId === 'createLogicalVolume') where.push('body');
  if (where.length === 0) return undefined;
  const name = `nx-${g.letters(g.rng.int(1, 20))}`;
  const at = g.rng.pick(where);
  if (at === 'query') {
    d.query = d.query.filter(([k]) => k !== 'deviceClass');
    d.query.push(['deviceClass', name]);
    return { title: `query.deviceClass ${name}`, expect: field('not-found', 'query.deviceClass') };
  }
  if (at === 'path') {
    d.pathParams.deviceClass = name;
    return { title: `params.deviceClass ${name}`, expect: field('not-found', 'params.deviceClass') };
  }
  d.query = d.query.filter(([k]) => k !== 'deviceClass');
  (d.body as Record<string, unknown>).deviceClass = name;
  return { title: `body.deviceClass ${name}`, expect: field('not-found', 'body.deviceClass') };
};

function bodyOf(d: Draft): Record<string, unknown> {
  return d.body as Record<string, unknown>;
}

/** A required body field left out. */
const missingField: Fault = (op, d, g) => {
  const req = required(op.body);
  if (req.length === 0) return undefined;
  const name = g.rng.pick(req);
  delete bodyOf(d)[name];
  return { title: `body without ${name}`, expect: field('invalid-field', `body.${name}`) };
};

/** A body field the document does not have. */
const extraField: Fault = (op, d, g) => {
  if (!op.body) return undefined;
  const known = new Set(props(op.body).map(([n]) => n));
  const name = g.rng.pick(['size', 'sizebytes', 'SizeBytes', 'size_bytes', 'thin', 'force', 'options', 'lvcreateOptions', 'path', 'node', 'x'.repeat(g.rng.int(1, 300)), g.rng.sample(fc.string({ minLength: 1, maxLength: 10 }))]);
  if (known.has(name)) return undefined;
  bodyOf(d)[name] = g.rng.pick(ANY_JSON);
  return { title: `unknown body field ${JSON.stringify(name)}`, expect: field('invalid-field', `body.${name}`) };
};

/** A body field of another JSON type. */
const wrongType: Fault = (op, d, g) => {
  const fields = props(op.body);
  if (fields.length === 0) return undefined;
  const [name, schema] = g.rng.pick(fields);
  const value = g.invalid(schema, () => (g.rng.chance(0.6) ? g.rng.pick(ANY_JSON) : g.rng.sample(fc.jsonValue({ maxDepth: 2 }))));
  if (value === undefined) return undefined;
  bodyOf(d)[name] = value;
  return { title: `body.${name} = ${JSON.stringify(value).slice(0, 80)}`, expect: field('invalid-field', fieldOrBelow(`body.${name}`)) };
};

/** A body field just outside its bounds: numbers past minimum/maximum or not whole, strings too long, too short or against their pattern, enums, arrays with too many items or a bad item. */
const outOfBounds: Fault = (op, d, g) => {
  const fields = props(op.body);
  if (fields.length === 0) return undefined;
  const [name, schema] = g.rng.pick(fields);
  const candidates: Array<() => unknown> = [];
  if (schema.type === 'integer') {
    const min = schema.minimum as number;
    const max = schema.maximum as number;
    candidates.push(() => min - 1, () => min - g.rng.int(1, 2 ** 30), () => max + 1, () => max + 2 ** 12, () => min + 0.5, () => 2 ** 53 + 0.5, () => Number.MAX_VALUE);
    if (g.rng.chance(0.35)) {
      // number texts only a raw body can carry
      const raw = g.rng.pick(RAW_NUMBERS);
      const probe = JSON.parse(raw) as number;
      if (!g.valid(schema, probe)) {
        bodyOf(d)[name] = MARKER;
        d.rawBody = Buffer.from(JSON.stringify(d.body).replace(JSON.stringify(MARKER), raw), 'utf8');
        return { title: `body.${name} = ${raw}`, expect: field('invalid-field', `body.${name}`) };
      }
    }
  }
  if (schema.type === 'string') {
    const valid = String(g.validValue(op, name, schema, { ...d, creates: [] }));
    if (typeof schema.maxLength === 'number') candidates.push(() => g.letters((schema.maxLength as number) + g.rng.int(1, 100)));
    if (typeof schema.minLength === 'number' && schema.minLength > 0) candidates.push(() => '');
    if (typeof schema.pattern === 'string') candidates.push(() => g.patternBreaker(valid));
    if (Array.isArray(schema.enum)) candidates.push(() => g.rng.pick([...schema.enum as string[]].map((e) => e.toUpperCase())), () => `${String((schema.enum as unknown[])[0])} `, () => 'none');
  }
  if (schema.type === 'array') {
    const items = schema.items as Schema;
    if (typeof schema.maxItems === 'number') candidates.push(() => Array.from({ length: (schema.maxItems as number) + g.rng.int(1, 20) }, (_v, i) => `t${i}`));
    candidates.push(() => {
      const list = ['ok1', 'ok2', 'ok3'];
      const bad = g.invalid(items, () => (g.rng.chance(0.5) ? g.patternBreaker('tag') : g.rng.chance(0.5) ? g.letters(129 + g.rng.int(0, 100)) : g.rng.pick(['', '-lead', ...ANY_JSON])));
      list.splice(g.rng.int(0, 3), 0, bad as string);
      return list;
    });
  }
  if (candidates.length === 0) return undefined;
  const value = g.invalid(schema, () => g.rng.pick(candidates)());
  if (value === undefined) return undefined;
  bodyOf(d)[name] = value;
  return { title: `body.${name} = ${JSON.stringify(value).slice(0, 80)}`, expect: field('invalid-field', fieldOrBelow(`body.${name}`)) };
};

/** A tag in lvmd-http's own prefix (the document: refused with invalid-field). */
const ownTag: Fault = (op, d, g) => {
  if (!props(op.body).some(([n]) => n === 'tags')) return undefined;
  const tags = ['a=1', 'b=2'];
  const at = g.rng.int(0, tags.length);
  tags.splice(at, 0, `copse.lvmd/${g.rng.pick(['creating=1', 'option-class=x', 'x', ''])}`);
  bodyOf(d).tags = tags;
  return { title: `own tag at ${at}`, expect: field('invalid-field', `body.tags.${at}`) };
};

/** An lvcreate option class the configuration does not have. */
const unknownOptionClass: Fault = (op, d, g) => {
  if (!props(op.body).some(([n]) => n === 'lvcreateOptionClass')) return undefined;
  bodyOf(d).lvcreateOptionClass = `nx-${g.letters(g.rng.int(1, 30))}`;
  return { title: 'unknown lvcreateOptionClass', expect: field('invalid-field', 'body.lvcreateOptionClass') };
};

/** A body that is JSON but not an object. */
const notObject: Fault = (op, d, g) => {
  if (!op.body) return undefined;
  d.body = g.rng.pick([[], [d.body], 'x', 42, null, true, '']);
  return { title: `body ${JSON.stringify(d.body).slice(0, 40)}`, expect: field('invalid-field', 'body') };
};

/** A body that is not JSON, or not UTF-8, or repeats a key. */
const malformedBody: Fault = (op, d, g) => {
  if (!op.body) return undefined;
  const text = JSON.stringify(d.body);
  const firstKey = Object.keys(bodyOf(d))[0];
  const kind = g.rng.int(0, 7);
  if (kind === 0) d.rawBody = Buffer.from(text.slice(0, g.rng.int(1, text.length - 1)));
  else if (kind === 1) d.rawBody = Buffer.from(`${text}${g.rng.pick(['x', '}', ',', ' {}', '\u0000'])}`);
  else if (kind === 2) d.rawBody = Buffer.from(text.replace(/"/g, "'"));
  else if (kind === 3) d.rawBody = Buffer.from(`/* c */${text}`);
  else if (kind === 4) d.rawBody = Buffer.alloc(0);
  else if (kind === 5) d.rawBody = Buffer.from(text.replace(/}$/, ',}'));
  else if (kind === 6 && firstKey) {
    // the same key twice: JSON.parse would keep the last silently
    const again = JSON.stringify(bodyOf(d)[firstKey]);
    d.rawBody = Buffer.from(text.replace(/}$/, `,${JSON.stringify(firstKey)}:${again}}`));
    return { title: `body with ${firstKey} twice`, expect: field('invalid-field', `body.${firstKey}`) };
  } else {
    // invalid UTF-8 inside a string
    const at = text.indexOf('"') + 1;
    d.rawBody = Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([g.rng.pick([0xff, 0xc0, 0xed, 0x80])]), Buffer.from(text.slice(at))]);
  }
  return { title: `malformed body ${JSON.stringify(d.rawBody.subarray(0, 60).toString('latin1'))}`, expect: field('invalid-field', 'body') };
};

/** A body over the 64 KiB limit (413), with a Content-Length or chunked. */
const hugeBody: Fault = (op, d, g) => {
  const size = g.rng.chance(0.8) ? g.rng.int(64 * 1024 + 1, 256 * 1024) : g.rng.int(256 * 1024, 4 * 1024 * 1024);
  const base = op.body ? { ...bodyOf(d) } : {};
  const text = JSON.stringify({ ...base, pad: 'x' });
  d.rawBody = Buffer.from(text.replace('"pad":"x"', `"pad":"${'x'.repeat(Math.max(1, size - text.length))}"`));
  if (!op.body) {
    // an operation without a body refuses any body (400) before its size matters
    d.contentType = 'application/json';
    return { title: `a ${size}-byte body on an operation without one`, expect: field('invalid-field', 'body') };
  }
  if (g.rng.chance(0.25)) {
    d.ownFraming = true;
    const chunks: Buffer[] = [];
    for (let i = 0; i < d.rawBody.length; i += 16 * 1024) {
      const c = d.rawBody.subarray(i, i + 16 * 1024);
      chunks.push(Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from('\r\n'));
    }
    chunks.push(Buffer.from('0\r\n\r\n'));
    d.rawBody = Buffer.concat(chunks);
    d.headers.push(['Transfer-Encoding', 'chunked']);
    return { title: `a chunked ${size}-byte body`, expect: field('body-too-large', 'body') };
  }
  return { title: `a ${size}-byte body`, expect: field('body-too-large', 'body') };
};

/** A body sent as something other than application/json (at most charset=utf-8). */
const contentType: Fault = (op, d, g) => {
  if (!op.body) return undefined;
  const type = g.rng.pick([
    'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=utf-16',
    'application/json; charset=latin1', 'application/json; charset=iso-8859-1', 'application/json; foo=bar', 'application/json;charset=utf-8;x=y',
    'application/jsonx', 'application/json-patch+json', 'application/merge-patch+json', 'application/problem+json', 'text/json', '*/*', 'json', '',
    'application/json, text/plain',
  ]);
  if (type === '') delete d.contentType;
  else d.contentType = type;
  return { title: `content-type ${JSON.stringify(type)}`, expect: field('unsupported-media-type', 'headers.content-type') };
};

/** A body on an operation that takes none. */
const unexpectedBody: Fault = (op, d, g) => {
  if (op.body || d.method === 'HEAD') return undefined;
  d.body = g.rng.pick([{}, { sizeBytes: 1 }, [], 'x']);
  d.contentType = 'application/json';
  return { title: 'a body on an operation without one', expect: field('invalid-field', 'body') };
};

/** Request line and headers over 16 KiB. */
const oversizedHeaders: Fault = (_op, d, g) => {
  const total = g.rng.int(17 * 1024, 64 * 1024);
  if (g.rng.chance(0.5)) d.headers.push(['X-Pad', 'p'.repeat(total)]);
  else for (let i = 0; i * 1024 < total; i++) d.headers.push([`X-Pad-${i}`, 'p'.repeat(1000)]);
  return { title: `${total} bytes of headers`, expect: field('headers-too-large', 'headers') };
};

/** A header with a control character or a malformed name or line. */
const badHeader: Fault = (_op, d, g) => {
  const kind = g.rng.int(0, 4);
  if (kind === 0) d.headers.push(['X-Evil', `a${g.rng.pick(['\u0000', '\u0001', '\u0007', '\u000b', '\u007f'])}b`]);
  else if (kind === 1) d.headers.push([g.rng.pick(['X Evil', 'X(Evil)', 'X"E', 'X@E', '']), 'v']);
  else if (kind === 2) d.headers.push(['X-Evil', 'a\nX-Injected: 1']);
  else if (kind === 3) d.headers.push(['X-Evil', 'a\rb']);
  else d.headers.push([' X-Leading-Space', 'v']);
  return { title: `bad header (${kind})`, expect: field('invalid-field', 'headers') };
};

/** Broken framing: conflicting Content-Lengths, Content-Length with chunked, a non-number. */
const badFraming: Fault = (op, d, g) => {
  const body = Buffer.from(JSON.stringify(d.body ?? {}));
  d.rawBody = body;
  d.ownFraming = true;
  d.contentType = 'application/json';
  const kind = g.rng.int(0, 4);
  if (kind === 0) d.headers.push(['Content-Length', String(body.length)], ['Content-Length', String(body.length + 1)]);
  else if (kind === 1) d.headers.push(['Content-Length', String(body.length)], ['Transfer-Encoding', 'chunked']);
  else if (kind === 2) d.headers.push(['Content-Length', g.rng.pick(['-1', 'abc', '1e3', '0x10', '99999999999999999999999'])]);
  else if (kind === 3) d.headers.push(['Transfer-Encoding', g.rng.pick(['gzip', 'chunked, gzip', 'identity', 'xchunked'])]);
  else {
    d.headers.push(['Transfer-Encoding', 'chunked']);
    d.rawBody = Buffer.from(`zz\r\n${body.toString()}\r\n0\r\n\r\n`);
  }
  void op;
  return { title: `bad framing (${kind})`, expect: field('invalid-field', /^(headers|body)$/) };
};

/** A Last-Event-ID longer than the document's maxLength (the watch's header parameter). */
const headerParam: Fault = (op, d, g) => {
  const p = op.params.find((x) => x.in === 'header' && typeof x.schema.maxLength === 'number');
  if (!p) return undefined;
  const value = g.letters(g.rng.int((p.schema.maxLength as number) + 1, 4000));
  d.headers.push([p.name, value]);
  return { title: `${p.name} of ${value.length} characters`, expect: field('invalid-field', `headers.${p.name.toLowerCase()}`) };
};

/** Missing or wrong credentials on TCP (an open operation answers without them). */
const badCredentials: Fault = (op, d, g) => {
  if (g.world.authorization === undefined) return undefined;
  const token = g.world.authorization.replace(/^Bearer /, '');
  const kind = g.rng.int(0, 6);
  d.authorization = [
    'none',
    `Bearer ${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`,
    `Basic ${Buffer.from(`x:${token}`).toString('base64')}`,
    'Bearer',
    `Bearer ${token} ${token}`,
    `Token ${token}`,
    `Bearer ${'A'.repeat(g.rng.int(1, 4000))}`,
  ][kind]!;
  if (kind === 0 && g.rng.chance(0.5)) {
    d.query.push(['access_token', token]);
  }
  if (op.open) return { title: `credentials (${kind}) on an open operation`, expect: { kind: 'any' } };
  return { title: `credentials (${kind})`, expect: field('unauthorized', kind === 0 && d.query.length > 0 ? /^(headers\.authorization|query\.access_token)$/ : 'headers.authorization', true) };
};

const EXTRA_METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'PROPFIND', 'MKCOL', 'PURGE', 'LOCK', 'REPORT', 'SEARCH', 'QUERY', 'LINK'];

/** A method the path does not have (405 with Allow), or that is no HTTP method at all. */
const wrongMethod: Fault = (op, d, g) => {
  const path = op.path.replace(/\{([^}]+)\}/g, (_m, n: string) => encodeURIComponent(d.pathParams[n] ?? 'x'));
  const allowed = new Set(g.contract.methodsFor(path));
  if (g.rng.chance(0.2)) {
    d.method = g.rng.pick(['FOO', 'get', 'Get', 'GETT', 'P0ST', 'DELETE\u0000', 'M-SEARCH2']);
    delete d.body;
    return { title: `method ${JSON.stringify(d.method)}`, expect: field('invalid-field', /^(method|request)$/) };
  }
  const others = EXTRA_METHODS.filter((m) => !allowed.has(m));
  d.method = g.rng.pick(others);
  if (['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE'].includes(d.method)) delete d.body;
  return { title: `${d.method} on ${op.path}`, expect: field('method-not-allowed', 'method') };
};

/** CONNECT, which lvmd-http is not (405). */
const connectMethod: Fault = (_op, d, g) => {
  d.method = 'CONNECT';
  d.rawTarget = g.rng.pick(['localhost:80', '127.0.0.1:22', 'example.com:443']);
  delete d.body;
  return { title: `CONNECT ${d.rawTarget}`, expect: field('method-not-allowed', 'method') };
};

/** A malformed percent-escape in a path parameter. */
const badEscape: Fault = (op, d, g) => {
  const p = pathParams(op)[0];
  if (!p) return undefined;
  const valid = encodeURIComponent(d.pathParams[p.name] ?? 'x');
  const bad = g.rng.pick(['%', '%z', '%zz', '%G1', '%C0%AF', '%ED%A0%80', '%FF', '%E2%82']);
  const at = g.rng.int(0, valid.length);
  const raw = valid.slice(0, at) + bad + valid.slice(at);
  try {
    // a bare % before two hex digits is a good escape after all (hx-1%61 is hx-1a): not this fault
    decodeURIComponent(raw);
    return undefined;
  } catch {
    // malformed, as meant
  }
  d.rawParams = { [p.name]: raw };
  return { title: `params.${p.name} with ${bad}`, expect: field('invalid-field', 'url') };
};

/** A request target or version the HTTP parser refuses. */
const badRequestLine: Fault = (op, d, g) => {
  const kind = g.rng.int(0, 3);
  if (kind === 0) d.version = g.rng.pick(['HTTP/1.2', 'HTTP/3', 'HTTX/1.1', 'http/1.1', 'HTTP/1.10', 'HTTP/11']);
  else if (kind === 1) d.rawTarget = `${op.path.replace(/\{[^}]+\}/g, 'x')}${g.rng.pick(['\u0001', '\u007f', '\t'])}y`;
  else if (kind === 2) d.rawTarget = op.path.replace(/\{[^}]+\}/g, 'x').slice(1);
  else d.rawTarget = `${op.path.replace(/\{[^}]+\}/g, 'x')} x`;
  delete d.body;
  return { title: `request line (${kind}) ${d.version ?? JSON.stringify(d.rawTarget)}`, expect: { kind: 'refused' } };
};

export const FAULTS: Readonly<Record<string, Fault>> = {
  'param.pattern': paramPattern,
  'param.too-long': paramTooLong,
  'param.reserved-name': reservedName,
  'query.unknown': unknownQuery,
  'query.duplicate': duplicateQuery,
  'device-class.unknown': unknownDeviceClass,
  'body.missing': missingField,
  'body.extra': extraField,
  'body.wrong-type': wrongType,
  'body.out-of-bounds': outOfBounds,
  'body.own-tag': ownTag,
  'body.option-class': unknownOptionClass,
  'body.not-object': notObject,
  'body.malformed': malformedBody,
  'body.huge': hugeBody,
  'body.content-type': contentType,
  'body.unexpected': unexpectedBody,
  'header.oversized': oversizedHeaders,
  'header.malformed': badHeader,
  'header.framing': badFraming,
  'header.param': headerParam,
  'auth': badCredentials,
  'method.wrong': wrongMethod,
  'method.connect': connectMethod,
  'url.bad-escape': badEscape,
  'url.request-line': badRequestLine,
};

/**
 * `count` cases, operations taken in turn so that every one gets its share, each with a
 * fault drawn among those that apply to it. GET operations are sent as HEAD one time in
 * five (same expectations, no body to read).
 */
export function generateCases(contract: Contract, world: World, rng: Rng, count: number, runId: string): Case[] {
  const g = new Generator(contract, world, rng, runId);
  const cases: Case[] = [];
  const ops = contract.operations;
  const faults = Object.entries(FAULTS);
  let attempts = 0;
  while (cases.length < count) {
    if (++attempts > count * 50) throw new Error(`could not generate ${count} cases`);
    const op = ops[cases.length % ops.length]!;
    const [name, fault] = rng.pick(faults);
    const head = op.method === 'GET' && rng.chance(0.2);
    const d = baseDraft(op, g, head);
    const outcome = fault(op, d, g);
    if (!outcome) continue;
    // HEAD answers carry no body to name a field in: keep the status and code checks only
    const { path, bytes } = render(op, d, g);
    cases.push({
      operationId: op.operationId,
      fault: name,
      title: `${op.operationId} ${name}: ${outcome.title}`,
      method: d.method,
      path,
      bytes,
      expect: outcome.expect,
      head: d.method === 'HEAD',
      creates: d.creates,
    });
  }
  return cases;
}

/** A fault family's share of the cases, by operation: what the suite prints and checks for coverage. */
export function coverage(cases: readonly Case[]): { byOperation: Record<string, number>; byFault: Record<string, number> } {
  const byOperation: Record<string, number> = {};
  const byFault: Record<string, number> = {};
  for (const c of cases) {
    byOperation[c.operationId] = (byOperation[c.operationId] ?? 0) + 1;
    byFault[c.fault] = (byFault[c.fault] ?? 0) + 1;
  }
  return { byOperation, byFault };
}
