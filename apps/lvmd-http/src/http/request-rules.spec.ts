import { operations } from '@copse/lvmd-api';
import { startHarness, type Harness, GiB } from '../../test/harness';
import { concretePath, VALID_BODY } from '../../test/operations';
import { duplicateKey } from './json-body';


describe('request rules, the same on every operation', () => {
  let h: Harness;
  let calls: number;
  let before: string;
  beforeAll(async () => {
    h = await startHarness();
    expect((await h.app.inject({ method: 'PUT', url: '/v1/logical-volumes/origin', payload: { sizeBytes: GiB } })).statusCode).toBe(201);
  });
  beforeEach(() => {
    calls = h.runner.calls.length;
    before = JSON.stringify(h.service.listVolumes());
  });
  afterEach(() => {
    // a refused request runs nothing and changes nothing
    expect(h.runner.calls.length).toBe(calls);
    expect(JSON.stringify(h.service.listVolumes())).toBe(before);
  });
  afterAll(() => h.close());

  const inject = (method: string, url: string, body?: string, contentType = 'application/json') =>
    h.app.inject({ method: method as 'GET', url, ...(body !== undefined ? { payload: body, headers: { 'content-type': contentType } } : {}) });

  describe('query parameters the document does not define are refused', () => {
    it.each(operations().map((op) => [op.operationId, op] as const))('%s', async (_id, op) => {
      const body = VALID_BODY[op.operationId];
      const r = await inject(op.method, `${concretePath(op.path)}?verbose=1`, body && JSON.stringify(body));
      expect(r.statusCode).toBe(400);
      expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(r.json()).toMatchObject({ code: 'invalid-field', field: 'query.verbose' });
    });

    it('refuses a documented parameter given twice', async () => {
      const r = await inject('GET', '/v1/logical-volumes?deviceClass=thin&deviceClass=thick');
      expect(r.statusCode).toBe(400);
      expect(r.json().field).toBe('query.deviceClass');
    });
  });

  describe('an operation without a request body refuses one', () => {
    const bodiless = operations().filter((op) => !op.body);
    it.each(bodiless.map((op) => [op.operationId, op] as const))('%s', async (_id, op) => {
      const r = await inject(op.method, concretePath(op.path), '{}');
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({ code: 'invalid-field', field: 'body' });
    });
  });

  describe('bodies are application/json, optionally charset=utf-8', () => {
    const withBody = operations().filter((op) => op.body);
    it.each(
      withBody.flatMap((op) =>
        ['application/json', 'application/json; charset=utf-8', 'Application/JSON; Charset=UTF-8', 'application/json;charset="utf-8"'].map(
          (type) => [op.operationId, type, op] as const,
        ),
      ),
    )('%s accepts %s', async (_id, type, op) => {
      // parsed, then refused by the schema for the one field added: the content type passed
      const r = await inject(op.method, concretePath(op.path), JSON.stringify({ ...VALID_BODY[op.operationId], zzz: 1 }), type);
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({ code: 'invalid-field', field: 'body.zzz' });
    });

    const refused = [
      'application/json; charset=utf-16',
      'application/json; charset=UTF-16LE',
      'application/json; charset=latin1',
      'application/json; charset=iso-8859-1',
      'application/json; charset=us-ascii',
      'application/json; charset=utf-8; charset=utf-16',
      'application/json; boundary=x',
      'application/json; charset=',
      'application/json-patch+json',
      'application/merge-patch+json',
      'application/problem+json',
      'application/jsonx',
      'text/json',
      'text/plain',
      'text/plain; charset=utf-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
      '*/*',
      'json',
    ];
    it.each(withBody.flatMap((op) => refused.map((type) => [op.operationId, type, op] as const)))('%s refuses %s', async (_id, type, op) => {
      const r = await inject(op.method, concretePath(op.path), JSON.stringify(VALID_BODY[op.operationId]), type);
      expect(r.statusCode).toBe(415);
      expect(r.json()).toMatchObject({ code: 'unsupported-media-type', field: 'headers.content-type' });
    });

    it('refuses a body that is not valid UTF-8', async () => {
      const r = await h.app.inject({
        method: 'PUT',
        url: '/v1/logical-volumes/vol2',
        payload: Buffer.concat([Buffer.from('{"sizeBytes":1073741824,"tags":["'), Buffer.from([0xff, 0xfe]), Buffer.from('"]}')]),
        headers: { 'content-type': 'application/json' },
      });
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({ code: 'invalid-field', field: 'body' });
    });
  });

  describe('a JSON object with a key twice is refused, naming the key', () => {
    it.each([
      ['createLogicalVolume', 'PUT', '/v1/logical-volumes/vol2', '{"sizeBytes":1073741824,"sizeBytes":2147483648}', 'body.sizeBytes'],
      ['createLogicalVolume', 'PUT', '/v1/logical-volumes/vol2', '{"deviceClass":"thin","sizeBytes":1073741824,"deviceClass":"thick"}', 'body.deviceClass'],
      ['createSnapshot', 'POST', '/v1/logical-volumes/origin/snapshots', '{"name":"a","accessType":"ro","name":"b"}', 'body.name'],
      ['resizeLogicalVolume', 'PATCH', '/v1/logical-volumes/origin', '{"sizeBytes":2147483648,"sizeBytes":1073741824}', 'body.sizeBytes'],
      ['setActivation', 'PUT', '/v1/logical-volumes/origin/activation', '{"active":true,"active":false}', 'body.active'],
      ['a nested object', 'PUT', '/v1/logical-volumes/vol2', '{"sizeBytes":1073741824,"x":{"a":1,"a":2}}', 'body.x.a'],
      ['an escaped spelling of the same key', 'PUT', '/v1/logical-volumes/vol2', '{"sizeBytes":1,"size\\u0042ytes":2}', 'body.sizeBytes'],
    ])('%s', async (_title, method, url, body, field) => {
      const r = await inject(method, url, body);
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({ code: 'invalid-field', field });
    });
  });
});

describe('duplicateKey', () => {
  it.each([
    ['{}', undefined],
    ['{"a":1,"b":2}', undefined],
    ['{"a":{"b":1},"c":{"b":1}}', undefined],
    ['[{"a":1},{"a":2}]', undefined],
    ['{"a":1,"a":1}', ['a']],
    ['{"a":[{"b":1,"b":2}]}', ['a', '0', 'b']],
    ['{"a":{"b":{"c":1,"c":2}}}', ['a', 'b', 'c']],
  ])('%s', (text, expected) => {
    expect(duplicateKey(text)).toEqual(expected);
  });
});
