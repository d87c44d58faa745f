import { deepClone } from './object';

describe('deepClone', () => {
  // what the JSON round trip it replaces answers, for the odd values as well as plain JSON
  const values: unknown[] = [
    null,
    0,
    'text',
    true,
    [1, 'a', null, [2, [3]], { b: [] }],
    { a: 1, b: { c: [1, 2, { d: 'e' }], f: null }, g: '', h: false, 10: 'integer-like key first', z: {} },
    { kept: 1, dropped: undefined, fn: () => 1, sym: Symbol('s'), list: [undefined, () => 1, Symbol('t'), 2] },
    { nan: NaN, inf: Infinity, negInf: -Infinity, negZero: -0, list: [NaN, Infinity] },
    { when: new Date('2026-11-22T06:00:00.000Z'), nested: { withToJSON: { toJSON: () => ({ as: 'json' }) } } },
    JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}'),
  ];

  test.each(values.map((v, i) => [i, v]))('value %i: the same as JSON.parse(JSON.stringify(v))', (_, v) => {
    const copy = deepClone(v);
    expect(copy).toStrictEqual(JSON.parse(JSON.stringify(v)));
    expect(JSON.stringify(copy)).toBe(JSON.stringify(v));
  });

  test('copies: changing the copy leaves the original as it was', () => {
    const o = { metadata: { labels: { a: '1' } }, spec: { list: [{ x: 1 }] } };
    const copy = deepClone(o);
    copy.metadata.labels.a = '2';
    copy.spec.list[0]!.x = 2;
    copy.spec.list.push({ x: 3 });
    expect(o).toEqual({ metadata: { labels: { a: '1' } }, spec: { list: [{ x: 1 }] } });
  });

  test('a "__proto__" member stays a member and never becomes the prototype', () => {
    const copy = deepClone(JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['__proto__']);
    expect((copy as { polluted?: boolean }).polluted).toBeUndefined();
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  test('undefined stays undefined', () => {
    expect(deepClone(undefined)).toBeUndefined();
  });
});
