import { FieldSet, keyElement, pathString, serializePathElement, type Path } from './fieldpath';

const f = (field: string) => ({ field });

describe('FieldSet and its FieldsV1 encoding', () => {
  it('writes "." first for a path that is a member and has children, and sorts fields < keys < values < indexes', () => {
    const s = FieldSet.of(
      [f('spec'), f('containers'), keyElement({ name: 'b' })],
      [f('spec'), f('containers'), keyElement({ name: 'b' }), f('image')],
      [f('spec'), f('containers'), keyElement({ name: 'a' }), f('name')],
      [f('metadata'), f('finalizers'), { value: 'z' }],
      [f('metadata'), f('finalizers'), { value: 'a' }],
      [f('metadata'), f('finalizers')],
      [f('data')],
    );
    expect(JSON.stringify(s.toFieldsV1())).toBe(
      '{"f:data":{},"f:metadata":{"f:finalizers":{".":{},"v:\\"a\\"":{},"v:\\"z\\"":{}}},' +
        '"f:spec":{"f:containers":{"k:{\\"name\\":\\"a\\"}":{"f:name":{}},"k:{\\"name\\":\\"b\\"}":{".":{},"f:image":{}}}}}',
    );
  });

  it('serializes keys with their fields sorted by name and values as Go encodes them', () => {
    expect(serializePathElement(keyElement({ protocol: 'TCP', containerPort: 80 }))).toBe('k:{"containerPort":80,"protocol":"TCP"}');
    expect(serializePathElement({ value: '<a&b>' })).toBe('v:"\\u003ca\\u0026b\\u003e"');
    expect(serializePathElement({ index: 3 })).toBe('i:3');
  });

  it('reads back what it writes', () => {
    const fieldsV1 = {
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} }, 'f:ownerReferences': { 'k:{"uid":"u-1"}': {} } },
      'f:spec': { 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {} } } },
    };
    const s = FieldSet.fromFieldsV1(fieldsV1);
    expect(s.toFieldsV1()).toEqual(fieldsV1);
    expect(s.has([f('metadata'), f('labels')])).toBe(true);
    expect(s.has([f('metadata')])).toBe(false);
    expect(s.has([f('spec'), f('ports'), keyElement({ port: 80, protocol: 'TCP' }), f('port')])).toBe(true);
  });

  it('rejects malformed FieldsV1', () => {
    expect(() => FieldSet.fromFieldsV1({ 'x:y': {} })).toThrow('unknown path element type');
    expect(() => FieldSet.fromFieldsV1({ 'f:a': 1 })).toThrow();
    expect(() => FieldSet.fromFieldsV1({ 'k:[1]': {} })).toThrow();
  });

  it('prints paths as conflicts name them', () => {
    const p: Path = [f('spec'), f('containers'), keyElement({ name: 'c' }), f('ports'), keyElement({ containerPort: 80, protocol: 'TCP' })];
    expect(pathString(p)).toBe('.spec.containers[name="c"].ports[containerPort=80,protocol="TCP"]');
    expect(pathString([f('metadata'), f('finalizers'), { value: 'x' }])).toBe('.metadata.finalizers[="x"]');
    expect(pathString([f('a'), { index: 2 }])).toBe('.a[2]');
  });

  describe('set algebra', () => {
    const a = FieldSet.of([f('a'), f('b')], [f('a'), f('c')], [f('a')]);
    const b = FieldSet.of([f('a'), f('c')], [f('d')]);
    it('union, intersection', () => {
      expect(a.union(b).paths().map(pathString)).toEqual(['.a', '.d', '.a.b', '.a.c']);
      expect(a.intersection(b).paths().map(pathString)).toEqual(['.a.c']);
    });
    it('difference keeps children of a removed parent; recursiveDifference drops them', () => {
      const parent = FieldSet.of([f('a')]);
      expect(a.difference(parent).paths().map(pathString)).toEqual(['.a.b', '.a.c']);
      expect(a.recursiveDifference(parent).empty()).toBe(true);
    });
    it('equality ignores insertion order', () => {
      expect(FieldSet.of([f('x')], [f('y')]).equals(FieldSet.of([f('y')], [f('x')]))).toBe(true);
      expect(FieldSet.of([f('x')]).equals(FieldSet.of([f('x'), f('y')]))).toBe(false);
    });
  });
});
