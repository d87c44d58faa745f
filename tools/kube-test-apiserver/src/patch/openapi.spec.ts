import { typeFromOpenAPIV3 } from './openapi';
import { toFieldSet, merge } from './typed';
import type { ListType, MapType } from './schema';

describe('typeFromOpenAPIV3', () => {
  const type = typeFromOpenAPIV3({
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          keyed: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', properties: { name: { type: 'string' } } } },
          set: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
          plain: { type: 'array', items: { type: 'string' } },
          port: { 'x-kubernetes-int-or-string': true },
          template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
        },
      },
      status: { type: 'object', additionalProperties: { type: 'string' } },
    },
  }) as MapType;
  const spec = type.fields!.spec as MapType;

  it('adds apiVersion, kind and ObjectMeta to the root', () => {
    expect(Object.keys(type.fields!).sort()).toEqual(['apiVersion', 'kind', 'metadata', 'spec', 'status']);
    const finalizers = (type.fields!.metadata as MapType).fields!.finalizers as ListType;
    expect(finalizers.listType).toBe('set');
  });

  it('reads list types, defaulting to atomic', () => {
    expect((spec.fields!.keyed as ListType).keys).toEqual(['name']);
    expect((spec.fields!.set as ListType).listType).toBe('set');
    expect((spec.fields!.plain as ListType).listType).toBe('atomic');
    expect(spec.fields!.port!.kind).toBe('scalar');
  });

  it('closes objects without additionalProperties or preserve-unknown-fields, opens the others', () => {
    expect(spec.closed).toBe(true);
    expect((type.fields!.status as MapType).elementType).toEqual({ kind: 'scalar' });
    const template = spec.fields!.template as MapType;
    expect(template.elementType).toEqual({ kind: 'untyped' });
    expect(Object.keys(template.fields!).sort()).toEqual(['apiVersion', 'kind', 'metadata']);
  });

  it('gives an untyped object for a CRD without a schema', () => {
    const t = typeFromOpenAPIV3(undefined);
    expect(toFieldSet({ spec: { a: { b: 1 } } }, t).toFieldsV1()).toEqual({ 'f:spec': { '.': {}, 'f:a': { '.': {}, 'f:b': {} } } });
    expect(merge({ spec: { list: [1, 2] } }, { spec: { list: [3] } }, t)).toEqual({ spec: { list: [3] } });
  });
});
