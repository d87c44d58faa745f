import { applyDefaults, prune, validate } from './schema';
import type { Schema } from './schema-types';

const schema: Schema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['size'],
      properties: {
        size: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
        name: { type: 'string', maxLength: 5, pattern: '^[a-z]+$' },
        count: { type: 'integer', minimum: 1, default: 3 },
        tags: { type: 'array', items: { type: 'string' }, maxItems: 2 },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'string' } } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
  },
};

describe('structural schema', () => {
  test('validation messages name the field as kube-openapi does', () => {
    const errs = validate(schema, { spec: { size: true, name: 'ABCDEFG', count: 0, tags: ['a', 'b', 'c'] } }, '');
    // fields in name order, as kube-openapi walks them; type errors are FieldValueTypeInvalid
    expect(errs.map((e) => `${e.field}: ${e.detail}`)).toEqual([
      'spec.count: Invalid value: 0: spec.count in body should be greater than or equal to 1',
      'spec.name: Too long: may not be more than 5 bytes',
      'spec.name: Invalid value: "ABCDEFG": spec.name in body should match \'^[a-z]+$\'',
      'spec.size: Invalid value: "boolean": spec.size in body must be of type integer,string: "boolean"',
      'spec.tags: Too many: 3: must have at most 2 items',
    ]);
    expect(errs.find((e) => e.field === 'spec.size')?.type).toBe('FieldValueTypeInvalid');
    expect(validate(schema, { spec: {} }, '').map((e) => e.field)).toEqual(['spec.size']);
  });

  test('pruning keeps preserved and additionalProperties fields and reports the rest', () => {
    const o = { apiVersion: 'x/v1', kind: 'X', metadata: { name: 'a', bogus: 1 }, spec: { size: 1, extra: 2, free: { anything: 1, known: 'k' }, labels: { a: 'b' } }, top: 1 };
    expect(prune(schema, o)).toEqual(['metadata.bogus', 'spec.extra', 'top']);
    expect(o).toEqual({ apiVersion: 'x/v1', kind: 'X', metadata: { name: 'a' }, spec: { size: 1, free: { anything: 1, known: 'k' }, labels: { a: 'b' } } });
  });

  test('defaults fill absent fields only', () => {
    const o: { spec: Record<string, unknown> } = { spec: { size: 1 } };
    applyDefaults(schema, o);
    expect(o.spec.count).toBe(3);
    const p = { spec: { size: 1, count: 7 } };
    applyDefaults(schema, p);
    expect(p.spec.count).toBe(7);
  });
});
