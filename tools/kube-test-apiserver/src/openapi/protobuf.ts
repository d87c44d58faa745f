/** Encodes an OpenAPI v2 JSON document as the protobuf kubectl asks /openapi/v2 for. */
import protobuf from 'protobufjs';
import { stringify as toYaml } from 'yaml';
import { isPlainObject } from '../api/object';
import { OPENAPI_V2_PROTO } from './openapi-v2-proto';

const root = protobuf.parse(OPENAPI_V2_PROTO, { keepCase: true }).root;
const DocumentType = root.lookupType('openapi.v2.Document');

type Msg = Record<string, unknown>;

function anyOf(v: unknown): Msg {
  return { yaml: toYaml(v) };
}

function extensions(o: Record<string, unknown>): Msg[] {
  return Object.entries(o)
    .filter(([k]) => k.startsWith('x-'))
    .map(([name, value]) => ({ name, value: anyOf(value) }));
}

function schemaMsg(s: Record<string, unknown>): Msg {
  const m: Msg = {};
  const str = (k: string, field: string) => {
    if (typeof s[k] === 'string') m[field] = s[k];
  };
  const num = (k: string, field: string) => {
    if (typeof s[k] === 'number') m[field] = s[k];
  };
  const bool = (k: string, field: string) => {
    if (typeof s[k] === 'boolean') m[field] = s[k];
  };
  str('$ref', '_ref');
  str('format', 'format');
  str('title', 'title');
  str('description', 'description');
  if (s.default !== undefined) m.default = anyOf(s.default);
  num('multipleOf', 'multiple_of');
  num('maximum', 'maximum');
  bool('exclusiveMaximum', 'exclusive_maximum');
  num('minimum', 'minimum');
  bool('exclusiveMinimum', 'exclusive_minimum');
  num('maxLength', 'max_length');
  num('minLength', 'min_length');
  str('pattern', 'pattern');
  num('maxItems', 'max_items');
  num('minItems', 'min_items');
  bool('uniqueItems', 'unique_items');
  num('maxProperties', 'max_properties');
  num('minProperties', 'min_properties');
  if (Array.isArray(s.required)) m.required = s.required;
  if (Array.isArray(s.enum)) m.enum = s.enum.map(anyOf);
  if (isPlainObject(s.additionalProperties)) m.additional_properties = { schema: schemaMsg(s.additionalProperties) };
  else if (typeof s.additionalProperties === 'boolean') m.additional_properties = { boolean: s.additionalProperties };
  if (typeof s.type === 'string') m.type = { value: [s.type] };
  if (isPlainObject(s.items)) m.items = { schema: [schemaMsg(s.items)] };
  if (Array.isArray(s.allOf)) m.all_of = s.allOf.map((x) => schemaMsg(x as Record<string, unknown>));
  if (isPlainObject(s.properties))
    m.properties = { additional_properties: Object.entries(s.properties).map(([name, v]) => ({ name, value: schemaMsg(v as Record<string, unknown>) })) };
  const ext = extensions(s);
  if (ext.length) m.vendor_extension = ext;
  return m;
}

function operationMsg(op: Record<string, unknown>): Msg {
  const params = (op.parameters as Record<string, unknown>[] | undefined) ?? [];
  const responses = (op.responses as Record<string, { description: string }> | undefined) ?? {};
  return {
    description: op.description,
    operation_id: op.operationId,
    consumes: op.consumes ?? [],
    parameters: params.map((p) => ({
      parameter: { non_body_parameter: { query_parameter_sub_schema: { required: false, in: p.in, description: p.description, name: p.name, type: p.type } } },
    })),
    responses: { response_code: Object.entries(responses).map(([name, r]) => ({ name, value: { response: { description: r.description } } })) },
    vendor_extension: extensions(op),
  };
}

export function encodeOpenApiV2(doc: Record<string, unknown>): Buffer {
  const paths = (doc.paths as Record<string, Record<string, Record<string, unknown>>>) ?? {};
  const defs = (doc.definitions as Record<string, Record<string, unknown>>) ?? {};
  const msg = {
    swagger: doc.swagger,
    info: doc.info,
    paths: {
      path: Object.entries(paths).map(([name, item]) => ({
        name,
        value: Object.fromEntries(Object.entries(item).map(([verb, op]) => [verb, operationMsg(op)])),
      })),
    },
    definitions: { additional_properties: Object.entries(defs).map(([name, s]) => ({ name, value: schemaMsg(s) })) },
  };
  const err = DocumentType.verify(msg);
  if (err) throw new Error(`openapi v2 protobuf: ${err}`);
  return Buffer.from(DocumentType.encode(DocumentType.fromObject(msg)).finish());
}

/** Decodes what encodeOpenApiV2 wrote (tests). */
export function decodeOpenApiV2(buf: Uint8Array): Record<string, unknown> {
  return DocumentType.toObject(DocumentType.decode(buf), { defaults: false }) as Record<string, unknown>;
}
