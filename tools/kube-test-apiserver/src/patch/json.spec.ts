import { clone, type Json } from './json';

describe('clone', () => {
  // what structuredClone, which it replaces, answers
  const values: unknown[] = [
    null,
    0,
    'text',
    false,
    [1, 'a', null, [2, [3]], { b: [] }],
    { a: 1, b: { c: [1, 2, { d: 'e' }], f: null }, g: '', 10: 'integer-like key first', z: {} },
    { kept: undefined, list: [undefined, 1], nan: NaN, negZero: -0 },
    { when: new Date('2026-11-22T06:00:00.000Z'), nested: [{ also: new Date(0) }] },
    { sparse: [1, , 3] },
    JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}'),
  ];

  test.each(values.map((v, i) => [i, v]))('value %i: the same as structuredClone', (_, v) => {
    expect(clone(v as Json)).toStrictEqual(structuredClone(v));
  });

  test('copies: changing the copy leaves the original as it was', () => {
    const o = { metadata: { labels: { a: '1' } }, spec: { list: [{ x: 1 }] } };
    const copy = clone(o);
    copy.metadata.labels.a = '2';
    copy.spec.list[0]!.x = 2;
    expect(o).toEqual({ metadata: { labels: { a: '1' } }, spec: { list: [{ x: 1 }] } });
  });

  test('a "__proto__" member stays a member and never becomes the prototype', () => {
    const copy = clone(JSON.parse('{"__proto__": {"polluted": true}}') as Json) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['__proto__']);
    expect((copy as { polluted?: boolean }).polluted).toBeUndefined();
  });
});
