import type { FastifyInstance } from 'fastify';
import { visit } from 'jsonc-parser';
import { ApiError } from '../errors';

/** application/json, with at most a utf-8 charset (RFC 8259: JSON between systems is UTF-8). */
const JSON_MEDIA_TYPE = /^application\/json[ \t]*(?:;[ \t]*charset=(?:utf-8|"utf-8")[ \t]*)?$/i;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The one body parser: a JSON object sent as application/json (optionally
 * `charset=utf-8`), in valid UTF-8, without a key twice in any object. Every other
 * content type is refused by Fastify with 415 (no parser), another charset or parameter
 * here with 415, a duplicate key with 400 naming it: JSON.parse would silently keep the
 * last of two keys, and two readers of one body must not see different requests.
 */
export function registerJsonBody(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const type = req.headers['content-type'] ?? '';
    if (!JSON_MEDIA_TYPE.test(type)) {
      done(new ApiError('unsupported-media-type', `content-type must be application/json with at most charset=utf-8, not "${type}"`, 'headers.content-type'));
      return;
    }
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      done(new ApiError('invalid-field', 'the request body is not valid UTF-8', 'body'));
      return;
    }
    parseJson(req, text, (err, value) => {
      if (err) return done(err);
      const duplicate = duplicateKey(text);
      if (duplicate !== undefined) {
        return done(new ApiError('invalid-field', `the key ${duplicate.join('.')} appears more than once`, ['body', ...duplicate].join('.')));
      }
      done(null, value);
    });
  });
}

/** The path of the first key that appears twice in one object of (valid) JSON text. */
export function duplicateKey(text: string): string[] | undefined {
  const open: Array<Set<string>> = [];
  let found: string[] | undefined;
  visit(text, {
    onObjectBegin: () => void open.push(new Set()),
    onObjectEnd: () => void open.pop(),
    onObjectProperty: (property, _offset, _length, _line, _column, path) => {
      const keys = open[open.length - 1]!;
      if (keys.has(property)) found ??= [...path().map(String), property];
      keys.add(property);
    },
  });
  return found;
}
