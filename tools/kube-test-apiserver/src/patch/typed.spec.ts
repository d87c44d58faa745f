import { compare, ensureNamedFieldsAreMembers, merge, removeItems, toFieldSet, validate, withZeroFields } from './typed';
import { FieldSet, keyElement, pathString } from './fieldpath';
import { t, SCALAR, type TypeNode } from './schema';
import type { Json } from './json';

const item = t.struct({ name: SCALAR, v: SCALAR });
const type: TypeNode = t.struct({
  keyed: t.keyedList(item, ['name']),
  set: t.set(),
  atomic: t.atomicList(item),
  labels: t.map(SCALAR),
  inner: t.struct({ a: SCALAR, b: SCALAR }, { zero: { a: '' } }),
  whole: t.struct({ x: SCALAR }, { atomic: true }),
});
const names = (v: Json | undefined): unknown => ((v as { keyed: { name: string }[] }).keyed ?? []).map((i) => i.name);
const paths = (s: FieldSet): string[] => s.paths().map(pathString);

describe('merge (structured-merge-diff order of merged list items)', () => {
  it.each([
    ['appends new items after the live ones', ['a', 'b'], ['b', 'c'], ['a', 'b', 'c']],
    ['puts new items before a shared one where the config does', ['a', 'b'], ['c', 'b'], ['a', 'c', 'b']],
    ['keeps the config order of shared items', ['a', 'b', 'c'], ['c', 'a'], ['b', 'c', 'a']],
    ['merges into an absent list', [], ['x'], ['x']],
  ])('%s', (_n, live, config, want) => {
    const out = merge({ keyed: live.map((name) => ({ name })) }, { keyed: config.map((name) => ({ name })) }, type);
    expect(names(out)).toEqual(want);
  });

  it('merges keyed items field by field, replaces atomic values whole, unions sets', () => {
    const out = merge(
      { keyed: [{ name: 'a', v: 1 }], set: ['x'], atomic: [{ name: 'a', v: 1 }], whole: { x: 1 }, labels: { k: 'v' } },
      { keyed: [{ name: 'a', extra: true }], set: ['y'], atomic: [{ name: 'b' }], whole: {}, labels: { l: 'w' } },
      type,
    );
    expect(out).toEqual({
      keyed: [{ name: 'a', v: 1, extra: true }],
      set: ['x', 'y'],
      atomic: [{ name: 'b' }],
      whole: {},
      labels: { k: 'v', l: 'w' },
    });
  });

  it('refuses duplicate keys in the configuration, tolerates them in the live object', () => {
    expect(() => merge({}, { keyed: [{ name: 'a' }, { name: 'a' }] }, type)).toThrow('.keyed: duplicate entries for key [name="a"]');
    expect(names(merge({ keyed: [{ name: 'a' }, { name: 'a' }] }, { keyed: [{ name: 'b' }] }, type))).toEqual(['a', 'a', 'b']);
  });
});

describe('toFieldSet and compare', () => {
  it('owns leaves, list items and map keys, not named struct fields', () => {
    expect(toFieldSet({ keyed: [{ name: 'a', v: 1 }], set: ['x'], labels: { k: 'v' }, inner: { a: 1 }, whole: { x: 1 }, empty: {} }, type).toFieldsV1()).toEqual({
      'f:empty': {},
      'f:inner': { 'f:a': {} },
      'f:keyed': { 'k:{"name":"a"}': { '.': {}, 'f:name': {}, 'f:v': {} } },
      'f:labels': { 'f:k': {} },
      'f:set': { 'v:"x"': {} },
      'f:whole': {},
    });
  });

  it('reports added, modified and removed paths, with the parents that appear or vanish', () => {
    const c = compare({ labels: { k: 'v' }, keyed: [{ name: 'a', v: 1 }] }, { keyed: [{ name: 'a', v: 2 }, { name: 'b' }], inner: { b: 1 } }, type);
    expect(paths(c.added)).toEqual(['.inner', '.inner.b', '.keyed[name="b"]', '.keyed[name="b"].name']);
    expect(paths(c.modified)).toEqual(['.keyed[name="a"].v']);
    expect(paths(c.removed)).toEqual(['.labels', '.labels.k']);
  });

  it('treats null and empty as the same leaf when both sides are empty', () => {
    const c = compare({ labels: {} }, { labels: null }, type);
    expect(paths(c.modified)).toEqual(['.labels']);
  });
});

describe('removeItems and ensureNamedFieldsAreMembers', () => {
  it('drops members, descends into children, and leaves null where a map was emptied through its children', () => {
    const v: Json = { keyed: [{ name: 'a', v: 1 }, { name: 'b' }], labels: { k: 'v' }, set: ['x', 'y'] };
    const s = FieldSet.of([{ field: 'keyed' }, keyElement({ name: 'b' })], [{ field: 'labels' }, { field: 'k' }], [{ field: 'set' }, { value: 'y' }]);
    expect(removeItems(v, s, type)).toEqual({ keyed: [{ name: 'a', v: 1 }], labels: null, set: ['x'] });
  });

  it('makes named fields with owned children members, not map keys', () => {
    const s = ensureNamedFieldsAreMembers(FieldSet.of([{ field: 'inner' }, { field: 'a' }], [{ field: 'labels' }, { field: 'k' }]), type);
    expect(paths(s)).toEqual(['.inner', '.labels', '.inner.a', '.labels.k']);
  });
});

describe('validate and zero values', () => {
  it('names the path of a value of the wrong shape', () => {
    expect(validate({ keyed: { name: 'a' }, labels: [1], set: [{}] }, type, false)).toEqual([
      '.keyed: expected list, got {"name":"a"}',
      '.labels: expected map, got [1]',
      ".set: element 0: associative list without keys has an element that's a map type",
    ]);
  });

  it('fills the Go zero value of present structs only', () => {
    expect(withZeroFields({ inner: {} }, type)).toEqual({ inner: { a: '' } });
    expect(withZeroFields({}, type)).toEqual({});
  });
});
