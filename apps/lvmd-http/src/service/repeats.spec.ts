/**
 * Issue 6, finding 9: a create repeated with any other parameter is 409 conflict naming
 * the difference; the same parameters (tags in any order, duplicated) are 200 with the
 * volume as it was. Every create parameter, for plain creates and for snapshots.
 */
import { startHarness, type Harness, GiB, MiB } from '../../test/harness';

const YAML = `
device-classes:
  - name: thin
    volume-group: myvg1
    default: true
    type: thin
    thin-pool: {name: pool0, overprovision-ratio: 5}
  - name: thick
    volume-group: myvg1
    spare-gb: 1
lvcreate-option-classes:
  - name: sequential
    options: ["--readahead", "2048"]
  - name: random
    options: ["--readahead", "0"]
`;

describe('repeated creates', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ yaml: YAML, vgSizeBytes: 20 * GiB, poolSizeBytes: 4 * GiB });
  });
  afterAll(() => h.close());

  const put = (name: string, payload: object) => h.app.inject({ method: 'PUT', url: `/v1/logical-volumes/${name}`, payload });
  const post = (source: string, payload: object) => h.app.inject({ method: 'POST', url: `/v1/logical-volumes/${source}/snapshots`, payload });

  const BASE = { sizeBytes: 64 * MiB, tags: ['owner=copse', 'pvc=p1'], lvcreateOptionClass: 'sequential' };
  it.each<[string, object, number, RegExp | undefined]>([
    ['the same parameters', BASE, 200, undefined],
    ['the same tags in another order, one twice', { ...BASE, tags: ['pvc=p1', 'owner=copse', 'pvc=p1'] }, 200, undefined],
    ['a size that rounds to the same extents', { ...BASE, sizeBytes: 64 * MiB - 511 }, 200, undefined],
    ['another size', { ...BASE, sizeBytes: 128 * MiB }, 409, /its size is 67108864 bytes, not 134217728/],
    ['a tag more', { ...BASE, tags: [...BASE.tags, 'x=1'] }, 409, /its tags are \[owner=copse, pvc=p1\], not \[owner=copse, pvc=p1, x=1\]/],
    ['a tag less', { ...BASE, tags: ['owner=copse'] }, 409, /its tags are/],
    ['no tags', { sizeBytes: BASE.sizeBytes, lvcreateOptionClass: 'sequential' }, 409, /its tags are/],
    ['another option class', { ...BASE, lvcreateOptionClass: 'random' }, 409, /its lvcreate option class is "sequential", not "random"/],
    ['no option class', { sizeBytes: BASE.sizeBytes, tags: BASE.tags }, 409, /its lvcreate option class is "sequential", not none/],
    ['"" as the option class', { ...BASE, lvcreateOptionClass: '' }, 409, /not none/],
    ['another device class', { ...BASE, deviceClass: 'thick' }, 409, /another device class/],
  ])('repeat with %s: %d', async (_title, body, status, detail) => {
    expect((await put('v1', BASE)).statusCode).toBeLessThan(300);
    const calls = h.runner.calls.length;
    const r = await put('v1', body);
    expect(r.statusCode).toBe(status);
    if (detail) expect(r.json()).toMatchObject({ code: 'conflict', detail: expect.stringMatching(detail) });
    expect(h.runner.calls.slice(calls).filter((a) => a[0] !== 'lvs')).toEqual([]);
    expect(h.service.getVolume('v1')).toMatchObject({ sizeBytes: 64 * MiB, tags: BASE.tags, lvcreateOptionClass: 'sequential', state: 'ready' });
  });

  it('a volume created without an option class: a repeat naming one is a conflict', async () => {
    expect((await put('v2', { sizeBytes: 64 * MiB })).statusCode).toBe(201);
    expect(h.service.getVolume('v2').lvcreateOptionClass).toBeUndefined();
    expect((await put('v2', { sizeBytes: 64 * MiB, lvcreateOptionClass: '' })).statusCode).toBe(200);
    const r = await put('v2', { sizeBytes: 64 * MiB, lvcreateOptionClass: 'random' });
    expect(r.json()).toMatchObject({ code: 'conflict', detail: expect.stringMatching(/is none, not "random"/) });
  });

  const SNAP = { name: 's1', accessType: 'rw', sizeBytes: 128 * MiB, tags: ['kind=restore'] };
  it.each<[string, string, object, number, RegExp | undefined]>([
    ['the same parameters', 'src', SNAP, 200, undefined],
    ['another source', 'src2', SNAP, 409, /not a snapshot of src2/],
    ['another access', 'src', { ...SNAP, accessType: 'ro' }, 409, /its access is rw, not ro/],
    ['another size', 'src', { ...SNAP, sizeBytes: 256 * MiB }, 409, /its size is 134217728 bytes, not 268435456/],
    ['the size left out (the source size)', 'src', { name: 's1', accessType: 'rw', tags: ['kind=restore'] }, 409, /its size/],
    ['other tags', 'src', { ...SNAP, tags: ['kind=clone'] }, 409, /its tags are \[kind=restore\], not \[kind=clone\]/],
    ['no tags', 'src', { name: 's1', accessType: 'rw', sizeBytes: 128 * MiB }, 409, /its tags/],
  ])('snapshot repeat with %s: %d', async (_title, source, body, status, detail) => {
    for (const s of ['src', 'src2']) expect((await put(s, { sizeBytes: 64 * MiB })).statusCode).toBeLessThan(300);
    expect((await post('src', SNAP)).statusCode).toBeLessThan(300);
    const r = await post(source, body);
    expect(r.statusCode).toBe(status);
    if (detail) expect(r.json()).toMatchObject({ code: 'conflict', detail: expect.stringMatching(detail) });
    expect(h.service.getVolume('s1')).toMatchObject({ origin: 'src', sizeBytes: 128 * MiB, accessType: 'rw', tags: ['kind=restore'] });
  });

  it("never shows lvmd-http's own tags, and refuses them in a request", async () => {
    const lvs = await h.runner.run(['lvs', 'myvg1/v1', '-o', 'lv_tags', '--reportformat', 'json']);
    expect(lvs.stdout).toContain('copse.lvmd/option-class=sequential');
    expect(h.service.getVolume('v1').tags).toEqual(BASE.tags);
    const r = await put('v9', { sizeBytes: 64 * MiB, tags: ['copse.lvmd/option-class=random'] });
    expect(r.json()).toMatchObject({ code: 'invalid-field', field: 'body.tags[0]' });
  });
});
