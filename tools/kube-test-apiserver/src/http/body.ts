/** Reading and decoding request bodies (JSON or YAML), with the real server's size limit. */
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { badRequest, failure, unsupportedMediaType } from '../api/status';
import { bodyMediaType } from './negotiate';

/** 3 MiB, as kube-apiserver's MaxRequestBodyBytes. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    const b = c as Buffer;
    size += b.length;
    if (size > MAX_BODY_BYTES) throw failure(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${MAX_BODY_BYTES}`);
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/** A create/update body: JSON or YAML. */
export function decodeObjectBody(contentType: string | undefined, body: Buffer): unknown {
  const mt = bodyMediaType(contentType);
  const text = body.toString('utf8');
  if (mt === '' || mt === 'application/json' || mt === '*/*') return parseJson(text);
  if (mt === 'application/yaml') {
    try {
      return parseYaml(text);
    } catch (e) {
      throw badRequest(`error converting YAML to JSON: ${(e as Error).message}`);
    }
  }
  throw unsupportedMediaType(['application/json', 'application/yaml']);
}

export function parseJson(text: string): unknown {
  if (text.trim() === '') throw badRequest('the body of the request was empty');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`the object provided is unrecognized: json parse error: ${(e as Error).message}`);
  }
}
