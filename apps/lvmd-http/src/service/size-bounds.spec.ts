/**
 * Issue 6, finding 7: every size the contract allows (1 .. 2^53 - 1) is handled, a size
 * it does not allow is 400 naming the field, and no size reaches a 500. Table-driven at
 * the boundaries for every size path: create (thin, thick), snapshot sizeBytes, resize,
 * extent rounding and the free-space arithmetic. The thin class may overprovision its
 * pool a billionfold, so that the free bytes themselves reach 2^53 - 1.
 */
import { startHarness, type Harness, GiB, MiB } from '../../test/harness';

const MAX = Number.MAX_SAFE_INTEGER; // 9007199254740991, the schema's maximum
const LARGEST_ROUNDABLE = 2 ** 53 - 4 * MiB; // the largest size whose 4 MiB-extent rounding is safe

const YAML = `
device-classes:
  - name: thin
    volume-group: myvg1
    default: true
    type: thin
    thin-pool: {name: pool0, overprovision-ratio: 1000000000}
  - name: thick
    volume-group: myvg1
    spare-gb: 1
`;

describe('size bounds', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ yaml: YAML, vgSizeBytes: 100 * GiB, poolSizeBytes: 50 * GiB });
  });
  afterEach(() => h.close());

  const put = (name: string, payload: object | string) =>
    h.app.inject({ method: 'PUT', url: `/v1/logical-volumes/${name}`, payload, headers: { 'content-type': 'application/json' } });
  const json = (n: number | string) => `{"sizeBytes":${n}}`;

  it('the free bytes of the thin class are capped at 2^53 - 1, not overflowed', async () => {
    const thin = (await h.app.inject({ method: 'GET', url: '/v1/device-classes/thin' })).json();
    expect(thin.freeBytes).toBe(MAX);
  });

  it.each<[string, number | string, number, string | undefined, number | undefined]>([
    // [title, sizeBytes as JSON, status, field, created size]
    ['0', 0, 400, 'body.sizeBytes', undefined],
    ['-1', -1, 400, 'body.sizeBytes', undefined],
    ['1.5', 1.5, 400, 'body.sizeBytes', undefined],
    ['1', 1, 201, undefined, 4 * MiB],
    ['one extent', 4 * MiB, 201, undefined, 4 * MiB],
    ['one byte over an extent', 4 * MiB + 1, 201, undefined, 8 * MiB],
    ['the largest size that rounds safely', LARGEST_ROUNDABLE, 201, undefined, LARGEST_ROUNDABLE],
    ['the smallest size that rounds past 2^53 (issue: 500)', LARGEST_ROUNDABLE + 1, 507, 'body.sizeBytes', undefined],
    ['2^53 - 2 (issue: 500)', MAX - 1, 507, 'body.sizeBytes', undefined],
    ['the schema maximum 2^53 - 1 (issue: 500)', MAX, 507, 'body.sizeBytes', undefined],
    ['2^53, past the schema', '9007199254740992', 400, 'body.sizeBytes', undefined],
    ['1e300', '1e300', 400, 'body.sizeBytes', undefined],
  ])('thin create of %s: %d', async (_title, size, status, field, created) => {
    const r = await put('v', json(size));
    expect(r.statusCode).toBe(status);
    if (field) expect(r.json()).toMatchObject({ field });
    if (created !== undefined) expect(r.json().sizeBytes).toBe(created);
    // whatever happened, capacity still reads
    expect((await h.app.inject({ method: 'GET', url: '/v1/device-classes' })).statusCode).toBe(200);
  });

  it.each<[string, number, number]>([
    ['the VG free minus spare', 0, 201],
    ['an extent more', 1, 507],
    ['the schema maximum', MAX, 507],
  ])('thick create of %s: %d', async (_title, extra, status) => {
    const thick = (await h.app.inject({ method: 'GET', url: '/v1/device-classes/thick' })).json();
    const size = extra === MAX ? MAX : thick.freeBytes + extra * thick.extentSizeBytes;
    const r = await put('t', { deviceClass: 'thick', sizeBytes: size });
    expect(r.statusCode).toBe(status);
    if (status === 507) expect(r.json()).toMatchObject({ code: 'no-space', field: 'body.sizeBytes' });
  });

  it.each<[string, number, number]>([
    ['the source size', 64 * MiB, 201],
    ['the largest that rounds safely', LARGEST_ROUNDABLE - 64 * MiB, 201],
    ['the smallest that rounds past 2^53', LARGEST_ROUNDABLE + 1, 507],
    ['the schema maximum', MAX, 507],
  ])('restore of %s: %d', async (_title, size, status) => {
    expect((await put('src', { sizeBytes: 64 * MiB })).statusCode).toBe(201);
    const r = await h.app.inject({ method: 'POST', url: '/v1/logical-volumes/src/snapshots', payload: { name: 'r', accessType: 'rw', sizeBytes: size } });
    expect(r.statusCode).toBe(status);
    if (status === 507) expect(r.json()).toMatchObject({ code: 'no-space', field: 'body.sizeBytes' });
    else expect(r.json().sizeBytes).toBe(size);
  });

  it.each<[string, number, number]>([
    ['its own size', 64 * MiB, 200],
    ['the largest that rounds safely', LARGEST_ROUNDABLE - 64 * MiB, 200],
    ['the smallest that rounds past 2^53', LARGEST_ROUNDABLE + 1, 507],
    ['the schema maximum', MAX, 507],
  ])('grow to %s: %d', async (_title, size, status) => {
    expect((await put('v', { sizeBytes: 64 * MiB })).statusCode).toBe(201);
    const r = await h.app.inject({ method: 'PATCH', url: '/v1/logical-volumes/v', payload: { sizeBytes: size } });
    expect(r.statusCode).toBe(status);
    if (status === 507) expect(r.json()).toMatchObject({ code: 'no-space', field: 'body.sizeBytes' });
  });

  it('a pool overprovisioned past 2^53 by hand still reads (real lvm2 makes 8 PiB thin volumes)', async () => {
    for (const n of ['h1', 'h2']) {
      expect((await h.runner.run(['lvcreate', '-T', 'myvg1/pool0', '-n', n, '-V', `${LARGEST_ROUNDABLE}b`])).exitCode).toBe(0);
    }
    await h.service.refreshAll();
    const thin = (await h.app.inject({ method: 'GET', url: '/v1/device-classes/thin' })).json();
    expect(thin.thinPool.virtualSizeBytes).toBe(MAX);
    expect(thin.freeBytes).toBe(0);
    expect((await put('v', { sizeBytes: 4 * MiB })).json()).toMatchObject({ code: 'no-space' });
  });
});
