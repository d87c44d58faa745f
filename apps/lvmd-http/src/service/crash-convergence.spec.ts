/**
 * Issue 6, finding 1: lvmd-http dies between the lvm steps of an operation, restarts, and
 * the client repeats the request. Every operation of more than one step, at every step,
 * for every way the death can meet the running lvm command (never ran, ran unseen, still
 * running after the restart: see DyingRunner), must converge to what was asked, with
 * lvmd-http's marker gone and nothing else left behind.
 */
import { Lvm } from '@copse/lvm-exec';
import { parseLvmdConfig, type LvRecord, type LvmRunner } from '@copse/lvm-model';
import { DyingRunner, type DeathMode } from '../../test/dying-runner';
import { GiB, MiB, silentLog } from '../../test/harness';
import { toApiError } from '../errors';
import { simulatedBackend } from '../sim-backend';
import { LvmService } from './lvm-service';

const VG = 'myvg1';
const config = parseLvmdConfig(`
device-classes:
  - name: thin
    volume-group: ${VG}
    default: true
    type: thin
    thin-pool: {name: pool0, overprovision-ratio: 5}
  - name: thick
    volume-group: ${VG}
    spare-gb: 1
lvcreate-option-classes:
  - name: sequential
    options: ["--readahead", "2048"]
`);

async function service(runner: LvmRunner): Promise<LvmService> {
  const s = new LvmService({ config, lvm: new Lvm(runner), log: silentLog, refreshIntervalMs: 0 });
  await s.start();
  return s;
}

/** What lvs shows, bypassing every lvmd-http cache. */
async function lvs(sim: LvmRunner): Promise<Map<string, LvRecord>> {
  const { lvs: all } = await new Lvm(sim).readVg(VG);
  return new Map(all.filter((lv) => lv.name !== 'pool0').map((lv) => [lv.name, lv]));
}

const isMarker = (t: string) => t.startsWith('copse.lvmd/creating=');

interface CreateCase {
  readonly title: string;
  /** mutating lvm commands the create runs */
  readonly steps: number;
  readonly name: string;
  readonly setup?: (s: LvmService) => Promise<unknown>;
  readonly request: (s: LvmService) => Promise<{ created: boolean }>;
  /** another request for the same name: must be 409 whenever the volume exists */
  readonly other: (s: LvmService) => Promise<unknown>;
  readonly expect: { sizeBytes: number; writable: boolean; origin: string; thin: boolean; tags: string[] };
}

const source = (s: LvmService) => s.createVolume('src', { sizeBytes: 64 * MiB, tags: [] });

const CREATES: CreateCase[] = [
  {
    title: 'thin create',
    steps: 2,
    name: 'v',
    request: (s) => s.createVolume('v', { sizeBytes: GiB, tags: ['owner=copse'] }),
    other: (s) => s.createVolume('v', { sizeBytes: GiB, tags: ['owner=other'] }),
    expect: { sizeBytes: GiB, writable: true, origin: '', thin: true, tags: ['owner=copse'] },
  },
  {
    title: 'thick create with an lvcreate option class',
    steps: 2,
    name: 't',
    request: (s) => s.createVolume('t', { bodyClass: 'thick', sizeBytes: 50 * MiB, tags: [], optionClass: 'sequential' }),
    other: (s) => s.createVolume('t', { bodyClass: 'thick', sizeBytes: 50 * MiB, tags: [] }),
    expect: { sizeBytes: 52 * MiB, writable: true, origin: '', thin: false, tags: ['copse.lvmd/option-class=sequential'] },
  },
  {
    title: 'read-only snapshot',
    steps: 2,
    name: 'snap',
    setup: source,
    request: (s) => s.createSnapshot('src', { name: 'snap', accessType: 'ro', tags: ['kind=snapshot'] }),
    other: (s) => s.createSnapshot('src', { name: 'snap', accessType: 'rw', tags: ['kind=snapshot'] }),
    expect: { sizeBytes: 64 * MiB, writable: false, origin: 'src', thin: true, tags: ['kind=snapshot'] },
  },
  {
    title: 'clone of the same size',
    steps: 2,
    name: 'clone',
    setup: source,
    request: (s) => s.createSnapshot('src', { name: 'clone', accessType: 'rw', tags: [] }),
    other: (s) => s.createSnapshot('src', { name: 'clone', accessType: 'rw', sizeBytes: 128 * MiB, tags: [] }),
    expect: { sizeBytes: 64 * MiB, writable: true, origin: 'src', thin: true, tags: [] },
  },
  {
    title: 'restore larger than its source (lvcreate -s, lvresize)',
    steps: 3,
    name: 'big',
    setup: async (s) => {
      await source(s);
      await s.createSnapshot('src', { name: 'snap', accessType: 'ro', tags: [] });
    },
    request: (s) => s.createSnapshot('snap', { name: 'big', accessType: 'rw', sizeBytes: 201326592, tags: [] }),
    other: (s) => s.createSnapshot('snap', { name: 'big', accessType: 'rw', sizeBytes: 268435456, tags: [] }),
    expect: { sizeBytes: 201326592, writable: true, origin: 'snap', thin: true, tags: [] },
  },
];

const MODES: DeathMode[] = ['lost', 'ran', 'orphan'];
const deaths = (steps: number) => Array.from({ length: steps }, (_, i) => MODES.map((m) => [i + 1, m] as const)).flat();

describe.each(CREATES)('$title: killed at every step, restarted and repeated', (c) => {
  it.each(deaths(c.steps))('dies during mutating command %d (%s), and the repeat converges', async (dieAt, mode) => {
    const sim = await simulatedBackend({ config, vgSizeBytes: 100 * GiB, poolSizeBytes: 50 * GiB });
    if (c.setup) await c.setup(await service(sim));
    const before = new Set((await lvs(sim)).keys());

    const dying = new DyingRunner(sim, dieAt, mode);
    const first = await service(dying);
    void c.request(first).catch(() => undefined);
    await dying.died;

    // the restarted lvmd-http reads the VG; an orphaned lvm command finishes only after that
    const second = await service(sim);
    const atStart = (await lvs(sim)).get(c.name);
    const shown = second.listVolumes().find((v) => v.name === c.name);
    expect(shown?.state).toBe(atStart ? (atStart.tags.some(isMarker) ? 'incomplete' : 'ready') : undefined);
    if (shown) expect(shown.tags.some(isMarker)).toBe(false);
    await dying.release();

    const found = (await lvs(sim)).get(c.name);
    if (found) {
      // another request for the name is a conflict, whatever state the volume is in, and changes nothing
      // (asked of another instance: `second` must meet the orphan's work with its stale read)
      await expect(c.other(await service(sim))).rejects.toMatchObject({ code: 'conflict' });
      expect((await lvs(sim)).get(c.name)?.tags).toEqual(found.tags);
    }

    const retry = await c.request(second);
    // 201 when anything was left to do; 200 when it was complete already as the restarted lvmd-http read it
    // (an orphaned last step that finished after that read may answer either)
    if (!found || found.tags.some(isMarker)) expect(retry.created).toBe(true);
    if (atStart && !atStart.tags.some(isMarker)) expect(retry.created).toBe(false);
    const lv = (await lvs(sim)).get(c.name);
    expect({
      sizeBytes: lv?.sizeBytes,
      writable: lv?.attr.permission === 'writeable',
      origin: lv?.origin,
      thin: lv?.attr.isThinVolume,
      tags: [...(lv?.tags ?? [])].sort(),
    }).toEqual({ ...c.expect, tags: [...c.expect.tags].sort() });
    expect(lv?.attr.active).toBe(true);
    expect(lv?.attr.activationSkip).toBe(false);
    expect([...(await lvs(sim)).keys()].sort()).toEqual([...before, c.name].sort());

    // and once more: the same answer, no lvm change
    const recorded: string[][] = [];
    const third = await service({ run: (argv, o) => (recorded.push([...argv]), sim.run(argv, o)) });
    expect((await c.request(third)).created).toBe(false);
    expect(recorded.filter((argv) => argv[0] !== 'lvs' && argv[0] !== 'vgs')).toEqual([]);
  });
});

describe('changes that take more than one step converge too', () => {
  async function started() {
    const sim = await simulatedBackend({ config, vgSizeBytes: 100 * GiB, poolSizeBytes: 50 * GiB });
    const s = await service(sim);
    await s.createVolume('v', { sizeBytes: GiB, tags: [] });
    await s.setActivation('v', undefined, { active: false });
    return sim;
  }

  it.each(deaths(2))('activation read-only (lvchange -p r, then -a y): dies during command %d (%s)', async (dieAt, mode) => {
    const sim = await started();
    const dying = new DyingRunner(sim, dieAt, mode);
    void (await service(dying)).setActivation('v', undefined, { active: true, accessType: 'ro' }).catch(() => undefined);
    await dying.died;
    const second = await service(sim);
    await dying.release();
    expect(await second.setActivation('v', undefined, { active: true, accessType: 'ro' })).toMatchObject({ active: true, accessType: 'ro' });
    expect((await lvs(sim)).get('v')?.attr).toMatchObject({ active: true, permission: 'read-only' });
  });

  it.each(MODES)('grow: dies during lvresize (%s)', async (mode) => {
    const sim = await started();
    const dying = new DyingRunner(sim, 1, mode);
    void (await service(dying)).resize('v', undefined, 2 * GiB).catch(() => undefined);
    await dying.died;
    const second = await service(sim);
    await dying.release();
    expect((await second.resize('v', undefined, 2 * GiB)).sizeBytes).toBe(2 * GiB);
    expect((await lvs(sim)).get('v')?.sizeBytes).toBe(2 * GiB);
  });

  it.each(MODES)('delete: dies during lvremove (%s), and the repeat answers done', async (mode) => {
    const sim = await started();
    const dying = new DyingRunner(sim, 1, mode);
    void (await service(dying)).delete('v', undefined).catch(() => undefined);
    await dying.died;
    const second = await service(sim);
    await dying.release();
    await expect(second.delete('v', undefined)).resolves.toBeDefined();
    expect((await lvs(sim)).has('v')).toBe(false);
    expect(second.listVolumes()).toEqual([]);
  });
});

describe('an incomplete volume between the death and the repeat', () => {
  async function incomplete() {
    const sim = await simulatedBackend({ config, vgSizeBytes: 100 * GiB, poolSizeBytes: 50 * GiB });
    await (await service(sim)).createVolume('src', { sizeBytes: 64 * MiB, tags: [] });
    // dies during lvresize, which never ran: the restore is at its source's size
    const dying = new DyingRunner(sim, 2, 'lost');
    void (await service(dying)).createSnapshot('src', { name: 'big', accessType: 'rw', sizeBytes: 192 * MiB, tags: [] }).catch(() => undefined);
    await dying.died;
    return { sim, s: await service(sim) };
  }

  it('is listed with state incomplete, its own tags hidden', async () => {
    const { s } = await incomplete();
    expect(s.getVolume('big')).toMatchObject({ name: 'big', state: 'incomplete', sizeBytes: 64 * MiB, tags: [] });
    expect(s.getVolume('src').state).toBe('ready');
  });

  it('refuses every change but the repeat and the delete with 409 incomplete, and is no snapshot source', async () => {
    const { s } = await incomplete();
    await expect(s.resize('big', undefined, 256 * MiB)).rejects.toMatchObject({ code: 'incomplete', field: 'params.name' });
    await expect(s.setActivation('big', undefined, { active: false })).rejects.toMatchObject({ code: 'incomplete' });
    await expect(s.createSnapshot('big', { name: 'snap', accessType: 'ro', tags: [] })).rejects.toMatchObject({ code: 'incomplete' });
    expect(s.getVolume('big').state).toBe('incomplete');
  });

  it('is removed by a delete', async () => {
    const { sim, s } = await incomplete();
    expect(await s.delete('big', undefined)).toEqual({ deleted: true });
    expect((await lvs(sim)).has('big')).toBe(false);
  });

  it('a create lvm refuses for good leaves nothing half-made behind', async () => {
    const sim = await simulatedBackend({ config, vgSizeBytes: 100 * GiB, poolSizeBytes: 50 * GiB });
    await (await service(sim)).createVolume('src', { sizeBytes: 64 * MiB, tags: [] });
    const refusing: LvmRunner = {
      run: (argv, o) =>
        argv[0] === 'lvresize'
          ? Promise.resolve({ exitCode: 5, stdout: '', stderr: '  Insufficient free space: 1 extents needed, but only 0 available\n' })
          : sim.run(argv, o),
    };
    const s = await service(refusing);
    const error = await s.createSnapshot('src', { name: 'big', accessType: 'rw', sizeBytes: 192 * MiB, tags: [] }).catch((e: unknown) => e);
    expect(toApiError(error)).toMatchObject({ code: 'no-space' });
    expect([...(await lvs(sim)).keys()]).toEqual(['src']);
    expect(s.listVolumes().map((v) => v.name)).toEqual(['src']);
  });
});
