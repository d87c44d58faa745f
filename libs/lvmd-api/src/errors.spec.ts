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
