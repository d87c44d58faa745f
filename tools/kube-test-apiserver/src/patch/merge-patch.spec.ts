import { applyMergePatch } from './merge-patch';
import { PatchError } from './errors';
import type { JsonObject } from './json';

describe('applyMergePatch (RFC 7386 as evanphx/json-patch v4 applies it)', () => {
  const live: JsonObject = {
    metadata: { name: 'c', labels: { a: '1', b: '2' }, finalizers: ['f1', 'f2'] },
    spec: { list: [{ name: 'x', v: 1 }], nested: { keep: true, drop: 'y' }, scalar: 3 },
  };
  const cases: { name: string; patch: unknown; want: JsonObject }[] = [
    {
      name: 'sets and overwrites keys, merging objects',
      patch: { metadata: { labels: { b: 'two', c: '3' } } },
      want: { ...live, metadata: { name: 'c', labels: { a: '1', b: 'two', c: '3' }, finalizers: ['f1', 'f2'] } },
    },
    {
      name: 'null deletes a key',
      patch: { metadata: { labels: { a: null } }, spec: { nested: { drop: null } } },
      want: {
        metadata: { name: 'c', labels: { b: '2' }, finalizers: ['f1', 'f2'] },
        spec: { list: [{ name: 'x', v: 1 }], nested: { keep: true }, scalar: 3 },
      },
    },
    {
      name: 'lists are replaced whole (kubectl patch --type merge of finalizers)',
      patch: { metadata: { finalizers: null }, spec: { list: [{ name: 'y' }] } },
      want: { metadata: { name: 'c', labels: { a: '1', b: '2' } }, spec: { list: [{ name: 'y' }], nested: { keep: true, drop: 'y' }, scalar: 3 } },
    },
    {
      name: 'nulls inside a new value are pruned, also inside list items, but null items stay',
      patch: { spec: { fresh: { a: null, b: { c: null, d: 1 } }, freshList: [{ x: null, y: 2 }, null] } },
      want: {
        ...live,
        spec: { ...(live.spec as JsonObject), fresh: { b: { d: 1 } }, freshList: [{ y: 2 }, null] },
      },
    },
    {
      name: 'an object replacing a scalar is pruned of nulls',
      patch: { spec: { scalar: { a: null, b: 1 } } },
      want: { ...live, spec: { ...(live.spec as JsonObject), scalar: { b: 1 } } },
    },
    { name: 'an empty patch changes nothing', patch: {}, want: live },
  ];
  it.each(cases)('$name', ({ patch, want }) => {
    const before = structuredClone(live);
    expect(applyMergePatch(live, JSON.stringify(patch))).toEqual(want);
    expect(live).toEqual(before);
  });

  it.each([['null'], ['"text"'], ['42'], ['{not json']])('a patch %s is a 400 "Invalid JSON Patch"', (body) => {
    const err = (() => {
      try {
        applyMergePatch(live, body);
      } catch (e) {
        return e as PatchError;
      }
      throw new Error('no error');
    })();
    expect(err.code).toBe(400);
    expect(err.toStatus()).toMatchObject({ reason: 'BadRequest', message: 'Invalid JSON Patch', code: 400 });
  });

  it('a list patch replaces the document, which is then no object: 422', () => {
    expect(() => applyMergePatch(live, '[1]')).toThrow(expect.objectContaining({ code: 422, reason: 'Invalid' }));
  });
});
