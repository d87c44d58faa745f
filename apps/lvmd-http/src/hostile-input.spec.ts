import { startHarness, type Harness, GiB } from '../test/harness';

/**
 * Hostile input: every case must be answered with a 4xx application/problem+json that
 * names the field at fault, without any lvm command being run and without anything
 * being created.
 */
interface Case {
  readonly title: string;
  readonly method: 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  readonly url: string;
  readonly body?: string;
  readonly contentType?: string;
  readonly status: number;
  readonly field: string;
}

const BAD_NAMES: Array<[string, string]> = [
  ['semicolon', 'a;reboot'],
  ['pipe', 'a|b'],
  ['ampersand', 'a&&b'],
  ['command substitution', '$(id)'],
  ['backticks', '`id`'],
  ['dollar', '$HOME'],
  ['space', 'a b'],
  ['redirect out', 'a>b'],
  ['redirect in', 'a<b'],
  ['glob star', 'a*'],
  ['glob question', 'a?b'],
  ['single quote', "a'b"],
  ['double quote', 'a"b'],
  ['backslash', 'a\\b'],
  ['newline', 'a\nb'],
  ['tab', 'a\tb'],
  ['carriage return', 'a\rb'],
  ['NUL', 'a\u0000b'],
  ['braces', '{a,b}'],
  ['hash', 'a#b'],
  ['tilde', '~root'],
  ['bang', 'a!b'],
  ['percent', 'a%b'],
  ['at', 'a@b'],
  ['caret', 'a^b'],
  ['parens', 'a(b)'],
  ['brackets', 'a[0]'],
  ['equals', 'a=b'],
  ['colon', 'a:b'],
  ['comma', 'a,b'],
  ['slash', 'a/b'],
  ['dot-dot path', '../etc'],
  ['absolute path', '/dev/sda'],
  ['dot', '.'],
  ['dot-dot', '..'],
  ['reserved snapshot', 'snapshot'],
  ['reserved snapshot prefix', 'snapshot0'],
  ['reserved pvmove prefix', 'pvmove0'],
  ['reserved _tdata', 'pool_tdata'],
  ['reserved _tmeta', 'pool_tmeta'],
  ['reserved _rimage', 'x_rimage_0'],
  ['reserved _rmeta', 'x_rmeta_1'],
  ['reserved _mlog', 'x_mlog'],
  ['reserved _mimage', 'x_mimage_0'],
  ['reserved _cdata', 'x_cdata'],
  ['reserved _cmeta', 'x_cmeta'],
  ['reserved _corig', 'x_corig'],
  ['reserved _pmspare', 'lvol0_pmspare'],
  ['reserved _vorigin', 'x_vorigin'],
  ['reserved _vdata', 'x_vdata'],
  ['leading dash', '-x'],
  ['option-looking', '--help'],
  ['option -n', '-n'],
  ['unicode umlaut', 'ünïcödé'],
  ['unicode CJK', '日本'],
  ['zero-width space', 'a\u200bb'],
  ['right-to-left override', 'a\u202eb'],
  ['emoji', 'vol🙂'],
  ['fullwidth letters', 'ｖｏｌ'],
  ['over-long 128', 'a'.repeat(128)],
  ['over-long 300', 'b'.repeat(300)],
];

const BAD_SIZES: Array<[string, unknown]> = [
  ['negative', -1],
  ['zero', 0],
  ['fraction', 0.5],
  ['fractional GiB', 1.5 * GiB + 0.25],
  ['huge', 1e300],
  ['2^53', 2 ** 53],
  ['1e20', 1e20],
  ['numeric string', '1073741824'],
  ['quantity string', '1Gi'],
  ['non-numeric string', 'abc'],
  ['null', null],
  ['boolean', true],
  ['array', [1]],
  ['object', { bytes: 1 }],
  ['negative zero', -0],
];

const BAD_CLASSES: Array<[string, string, number]> = [
  ['unknown', 'nope', 404],
  ['path-like', '../etc', 400],
  ['with space', 'a b', 400],
  ['shell', 'x;rm', 400],
  ['over-long', 'c'.repeat(64), 400],
  ['unicode', 'ssd™', 400],
];

function enc(name: string): string {
  return encodeURIComponent(name);
}

function cases(): Case[] {
  const all: Case[] = [];
  const json = (v: unknown) => JSON.stringify(v);
  for (const [title, name] of BAD_NAMES) {
    all.push({ title: `snapshot named ${title}`, method: 'POST', url: '/v1/logical-volumes/origin/snapshots', body: json({ name, accessType: 'ro' }), status: 400, field: 'body.name' });
    // A "." or ".." path segment is resolved away by every HTTP client (and by inject)
    // before it could name a volume, so those two are tried in bodies only.
    if (name === '.' || name === '..') continue;
    all.push({ title: `create LV named ${title}`, method: 'PUT', url: `/v1/logical-volumes/${enc(name)}`, body: json({ sizeBytes: GiB }), status: 400, field: 'params.name' });
    all.push({ title: `snapshot of a source named ${title}`, method: 'POST', url: `/v1/logical-volumes/${enc(name)}/snapshots`, body: json({ name: 'snap1', accessType: 'rw' }), status: 400, field: 'params.name' });
    all.push({ title: `delete LV named ${title}`, method: 'DELETE', url: `/v1/logical-volumes/${enc(name)}`, status: 400, field: 'params.name' });
  }
  for (const [title, size] of BAD_SIZES) {
    all.push({ title: `create with ${title} size`, method: 'PUT', url: '/v1/logical-volumes/vol1', body: json({ sizeBytes: size }), status: 400, field: 'body.sizeBytes' });
    all.push({ title: `grow to ${title} size`, method: 'PATCH', url: '/v1/logical-volumes/origin', body: json({ sizeBytes: size }), status: 400, field: 'body.sizeBytes' });
    all.push({ title: `snapshot with ${title} size`, method: 'POST', url: '/v1/logical-volumes/origin/snapshots', body: json({ name: 's1', accessType: 'rw', sizeBytes: size }), status: 400, field: 'body.sizeBytes' });
  }
  for (const [title, dc, status] of BAD_CLASSES) {
    all.push({ title: `create in ${title} device class`, method: 'PUT', url: '/v1/logical-volumes/vol1', body: json({ deviceClass: dc, sizeBytes: GiB }), status, field: 'body.deviceClass' });
    all.push({ title: `list ${title} device class`, method: 'GET', url: `/v1/logical-volumes?deviceClass=${enc(dc)}`, status, field: 'query.deviceClass' });
    all.push({ title: `delete in ${title} device class`, method: 'DELETE', url: `/v1/logical-volumes/origin?deviceClass=${enc(dc)}`, status, field: 'query.deviceClass' });
    all.push({ title: `snapshot in ${title} device class`, method: 'POST', url: '/v1/logical-volumes/origin/snapshots', body: json({ name: 's1', accessType: 'ro', deviceClass: dc }), status, field: 'body.deviceClass' });
  }
  const create = '/v1/logical-volumes/vol1';
  all.push(
    { title: 'text/plain body', method: 'PUT', url: create, body: 'sizeBytes=1', contentType: 'text/plain', status: 415, field: 'headers.content-type' },
    { title: 'form body', method: 'PUT', url: create, body: 'sizeBytes=1', contentType: 'application/x-www-form-urlencoded', status: 415, field: 'headers.content-type' },
    { title: 'xml body', method: 'PUT', url: create, body: '<sizeBytes>1</sizeBytes>', contentType: 'application/xml', status: 415, field: 'headers.content-type' },
    { title: 'multipart body', method: 'PUT', url: create, body: '--x\r\n\r\n--x--', contentType: 'multipart/form-data; boundary=x', status: 415, field: 'headers.content-type' },
    { title: 'invalid JSON', method: 'PUT', url: create, body: '{"sizeBytes":', status: 400, field: 'body' },
    { title: 'JSON array body', method: 'PUT', url: create, body: '[1]', status: 400, field: 'body' },
    { title: 'JSON string body', method: 'PUT', url: create, body: '"x"', status: 400, field: 'body' },
    { title: 'empty JSON body', method: 'PUT', url: create, body: '', status: 400, field: 'body' },
    { title: 'oversized body 65 KiB', method: 'PUT', url: create, body: json({ sizeBytes: GiB, tags: ['x'.repeat(65 * 1024)] }), status: 413, field: 'body' },
    { title: 'oversized body 1 MiB', method: 'PUT', url: create, body: ' '.repeat(1024 * 1024), status: 413, field: 'body' },
    { title: 'missing size', method: 'PUT', url: create, body: json({}), status: 400, field: 'body.sizeBytes' },
    { title: 'unknown field', method: 'PUT', url: create, body: json({ sizeBytes: GiB, size: 1 }), status: 400, field: 'body.size' },
    { title: '__proto__ field', method: 'PUT', url: create, body: '{"sizeBytes":1073741824,"__proto__":{"x":1}}', status: 400, field: 'body' },
    { title: 'tag with leading dash', method: 'PUT', url: create, body: json({ sizeBytes: GiB, tags: ['-x'] }), status: 400, field: 'body.tags.0' },
    { title: 'tag with space', method: 'PUT', url: create, body: json({ sizeBytes: GiB, tags: ['a b'] }), status: 400, field: 'body.tags.0' },
    { title: 'tag with semicolon', method: 'PUT', url: create, body: json({ sizeBytes: GiB, tags: ['a;b'] }), status: 400, field: 'body.tags.0' },
    { title: 'tag not a string', method: 'PUT', url: create, body: json({ sizeBytes: GiB, tags: [1] }), status: 400, field: 'body.tags.0' },
    { title: 'tag too long', method: 'PUT', url: create, body: json({ sizeBytes: GiB, tags: ['t'.repeat(129)] }), status: 400, field: 'body.tags.0' },
    { title: 'too many tags', method: 'PUT', url: create, body: json({ sizeBytes: GiB, tags: Array.from({ length: 33 }, (_, i) => `t${i}`) }), status: 400, field: 'body.tags' },
    { title: 'tags not an array', method: 'PUT', url: create, body: json({ sizeBytes: GiB, tags: 'a' }), status: 400, field: 'body.tags' },
    { title: 'unknown lvcreate option class', method: 'PUT', url: create, body: json({ sizeBytes: GiB, lvcreateOptionClass: 'nope' }), status: 400, field: 'body.lvcreateOptionClass' },
    { title: 'lvcreate option class with shell', method: 'PUT', url: create, body: json({ sizeBytes: GiB, lvcreateOptionClass: '$(id)' }), status: 400, field: 'body.lvcreateOptionClass' },
    { title: 'snapshot access type rx', method: 'POST', url: '/v1/logical-volumes/origin/snapshots', body: json({ name: 's1', accessType: 'rx' }), status: 400, field: 'body.accessType' },
    { title: 'snapshot access type empty', method: 'POST', url: '/v1/logical-volumes/origin/snapshots', body: json({ name: 's1', accessType: '' }), status: 400, field: 'body.accessType' },
    { title: 'snapshot access type missing', method: 'POST', url: '/v1/logical-volumes/origin/snapshots', body: json({ name: 's1' }), status: 400, field: 'body.accessType' },
    { title: 'snapshot name missing', method: 'POST', url: '/v1/logical-volumes/origin/snapshots', body: json({ accessType: 'ro' }), status: 400, field: 'body.name' },
    { title: 'snapshot name a number', method: 'POST', url: '/v1/logical-volumes/origin/snapshots', body: json({ name: 5, accessType: 'ro' }), status: 400, field: 'body.name' },
    { title: 'snapshot name empty', method: 'POST', url: '/v1/logical-volumes/origin/snapshots', body: json({ name: '', accessType: 'ro' }), status: 400, field: 'body.name' },
    { title: 'snapshot smaller than its source', method: 'POST', url: '/v1/logical-volumes/origin/snapshots', body: json({ name: 's1', accessType: 'rw', sizeBytes: 4096 }), status: 422, field: 'body.sizeBytes' },
    { title: 'shrink', method: 'PATCH', url: '/v1/logical-volumes/origin', body: json({ sizeBytes: 4096 }), status: 422, field: 'body.sizeBytes' },
    { title: 'snapshot naming the thick class for a thin source', method: 'POST', url: '/v1/logical-volumes/origin/snapshots', body: json({ name: 's1', accessType: 'ro', deviceClass: 'thick' }), status: 400, field: 'body.deviceClass' },
    { title: 'snapshot of a thick source in its class', method: 'POST', url: '/v1/logical-volumes/fat/snapshots', body: json({ name: 's1', accessType: 'ro', deviceClass: 'thick' }), status: 501, field: 'body.deviceClass' },
    { title: 'snapshot of a thick source, class not named', method: 'POST', url: '/v1/logical-volumes/fat/snapshots', body: json({ name: 's1', accessType: 'ro' }), status: 501, field: 'params.name' },
    { title: 'create naming two classes', method: 'PUT', url: `${create}?deviceClass=thick`, body: json({ deviceClass: 'thin', sizeBytes: GiB }), status: 400, field: 'query.deviceClass' },
    { title: 'create in an unknown query class', method: 'PUT', url: `${create}?deviceClass=nope`, body: json({ sizeBytes: GiB }), status: 404, field: 'query.deviceClass' },
    { title: "a tag in lvmd-http's own prefix", method: 'PUT', url: create, body: json({ sizeBytes: GiB, tags: ['a', 'copse.lvmd/creating=1'] }), status: 400, field: 'body.tags[1]' },
    { title: "a snapshot tag in lvmd-http's own prefix", method: 'POST', url: '/v1/logical-volumes/origin/snapshots', body: json({ name: 's1', accessType: 'ro', tags: ['copse.lvmd/option-class=x'] }), status: 400, field: 'body.tags[0]' },
    { title: 'delete naming the wrong class', method: 'DELETE', url: '/v1/logical-volumes/fat?deviceClass=thin', status: 400, field: 'query.deviceClass' },
    { title: 'get naming the wrong class', method: 'GET', url: '/v1/logical-volumes/origin?deviceClass=thick', status: 400, field: 'query.deviceClass' },
    { title: 'grow naming the wrong class', method: 'PATCH', url: '/v1/logical-volumes/fat?deviceClass=thin', body: json({ sizeBytes: 2 * GiB }), status: 400, field: 'query.deviceClass' },
    { title: 'delete the thin pool', method: 'DELETE', url: '/v1/logical-volumes/pool0', status: 400, field: 'params.name' },
    { title: 'create a volume the size of the largest JSON integer', method: 'PUT', url: create, body: json({ sizeBytes: Number.MAX_SAFE_INTEGER }), status: 507, field: 'body.sizeBytes' },
    { title: 'create a size whose extent-rounded size is past 2^53', method: 'PUT', url: create, body: json({ sizeBytes: 9007199250546689 }), status: 507, field: 'body.sizeBytes' },
    { title: 'create past the largest JSON integer', method: 'PUT', url: create, body: '{"sizeBytes":9007199254740992}', status: 400, field: 'body.sizeBytes' },
    { title: 'grow to the largest JSON integer', method: 'PATCH', url: '/v1/logical-volumes/origin', body: json({ sizeBytes: Number.MAX_SAFE_INTEGER }), status: 507, field: 'body.sizeBytes' },
    { title: 'restore to the largest JSON integer', method: 'POST', url: '/v1/logical-volumes/origin/snapshots', body: json({ name: 's1', accessType: 'rw', sizeBytes: Number.MAX_SAFE_INTEGER }), status: 507, field: 'body.sizeBytes' },
    { title: 'snapshot of a missing source', method: 'POST', url: '/v1/logical-volumes/missing/snapshots', body: json({ name: 's1', accessType: 'ro' }), status: 404, field: 'params.name' },
    { title: 'grow a missing LV', method: 'PATCH', url: '/v1/logical-volumes/missing', body: json({ sizeBytes: GiB }), status: 404, field: 'params.name' },
    { title: 'activate a missing LV', method: 'PUT', url: '/v1/logical-volumes/missing/activation', body: json({ active: true }), status: 404, field: 'params.name' },
    { title: 'activation active a string', method: 'PUT', url: '/v1/logical-volumes/origin/activation', body: json({ active: 'yes' }), status: 400, field: 'body.active' },
    { title: 'activation missing active', method: 'PUT', url: '/v1/logical-volumes/origin/activation', body: json({ accessType: 'ro' }), status: 400, field: 'body.active' },
    { title: 'activation access type bad', method: 'PUT', url: '/v1/logical-volumes/origin/activation', body: json({ active: true, accessType: 'wo' }), status: 400, field: 'body.accessType' },
    { title: 'thin LV larger than the pool may overprovision', method: 'PUT', url: create, body: json({ sizeBytes: 1024 * 1024 * GiB }), status: 507, field: 'body.sizeBytes' },
    { title: 'thick LV larger than the volume group', method: 'PUT', url: create, body: json({ deviceClass: 'thick', sizeBytes: 1024 * GiB }), status: 507, field: 'body.sizeBytes' },
    { title: 'unknown query parameter', method: 'GET', url: '/v1/logical-volumes?node=x', status: 400, field: 'query.node' },
    { title: 'unknown device class path', method: 'GET', url: '/v1/device-classes/nope', status: 404, field: 'params.deviceClass' },
  );
  return all;
}

describe('hostile input', () => {
  let h: Harness;
  let before: string;
  let callsBefore: number;

  beforeAll(async () => {
    h = await startHarness();
    const r = await h.app.inject({ method: 'PUT', url: '/v1/logical-volumes/origin', payload: { sizeBytes: GiB } });
    expect(r.statusCode).toBe(201);
    const fat = await h.app.inject({ method: 'PUT', url: '/v1/logical-volumes/fat', payload: { deviceClass: 'thick', sizeBytes: GiB } });
    expect(fat.statusCode).toBe(201);
    before = JSON.stringify(h.service.listVolumes());
    callsBefore = h.runner.calls.length;
  });

  afterAll(() => h.close());

  const all = cases();

  it('has at least 200 cases', () => {
    expect(all.length).toBeGreaterThanOrEqual(200);
  });

  it.each(all.map((c) => [c.title, c] as const))('%s: 4xx problem naming the field, nothing run', async (_title, c) => {
    const res = await h.app.inject({
      method: c.method,
      url: c.url,
      ...(c.body !== undefined ? { payload: c.body, headers: { 'content-type': c.contentType ?? 'application/json' } } : {}),
    });
    expect(res.statusCode).toBe(c.status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = res.json();
    expect(problem.field).toBe(c.field);
    expect(problem.status).toBe(c.status);
    expect(typeof problem.code).toBe('string');
    expect(typeof problem.detail).toBe('string');
    expect(h.runner.calls.length).toBe(callsBefore);
    expect(JSON.stringify(h.service.listVolumes())).toBe(before);
  });
});
