import { ERROR_CODES } from './errors';
import { lvmdOpenApiDocument } from './generated/document';
import { operations } from './schemas';

describe('error registry', () => {
  const documented = [...lvmdOpenApiDocument.components.schemas.ErrorCode.enum].sort();

  it('has exactly the codes of the OpenAPI ErrorCode enum', () => {
    expect(Object.keys(ERROR_CODES).sort()).toEqual(documented);
  });

  it('answers every code with a 4xx or 5xx status', () => {
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect([code, info.status >= 400 && info.status < 600]).toEqual([code, true]);
    }
  });
});

describe('operation schemas', () => {
  it('inlines every $ref so the validator needs no shared schemas', () => {
    const text = JSON.stringify(operations());
    expect(text).not.toContain('$ref');
  });

  it('has a unique operationId per operation', () => {
    const ids = operations().map((o) => o.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('gives every operation a query schema that refuses undocumented parameters', () => {
    for (const op of operations()) {
      expect([op.operationId, op.querystring]).toEqual([op.operationId, expect.objectContaining({ type: 'object', additionalProperties: false })]);
    }
  });

  it('marks open exactly the operations whose security is only the empty requirement', () => {
    const open = operations()
      .filter((o) => o.open)
      .map((o) => o.operationId)
      .sort();
    const paths = lvmdOpenApiDocument.paths as unknown as Record<string, Record<string, { operationId?: string; security?: object[] }>>;
    const documented = Object.values(paths)
      .flatMap((item) => Object.values(item))
      .filter((op) => op.security !== undefined && op.security.every((s) => Object.keys(s).length === 0))
      .map((op) => op.operationId)
      .sort();
    expect(open).toEqual(documented);
    expect(open).toEqual(['getHealth', 'getReadiness']);
  });

  it('describes createLogicalVolume with the name path parameter and a strict body', () => {
    const op = operations().find((o) => o.operationId === 'createLogicalVolume');
    expect(op).toMatchObject({
      method: 'PUT',
      path: '/v1/logical-volumes/{name}',
      params: { required: ['name'] },
      body: { additionalProperties: false, required: ['sizeBytes'] },
    });
  });
});
