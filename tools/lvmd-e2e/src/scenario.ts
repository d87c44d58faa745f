/**
 * The contract scenario: one fixed list of lvmd-http API calls, run against lvmd-http on
 * the simulated lvm2 and on real lvm2 (same lvmd.yaml, same disk and pool sizes). The two
 * sequences of answers, HTTP status and JSON body, must be equal after normalise().
 */
import {
  LvmdClientError,
  type ActivationRequest,
  type CreateLogicalVolumeRequest,
  type CreateSnapshotRequest,
  type LvmdClient,
} from '@copse/lvmd-api';
import { MiB } from './fixture';

/** One answer as the wire carried it: status and JSON body (a Problem for errors). */
export interface Answer {
  readonly status: number;
  readonly body: unknown;
}

export interface Step {
  readonly label: string;
  /** The status this step is written to provoke: the scenario checks itself, so a step that silently stops testing what it says fails. */
  readonly expect: number;
  readonly call: (c: LvmdClient) => Promise<Answer>;
}

export interface Recorded {
  readonly label: string;
  readonly status: number;
  readonly body: unknown;
}

/** Runs the client call; success statuses are the ones the client reports (201 vs 200 for creates, 204 for deletes). */
async function answer(work: () => Promise<{ status: number; body: unknown }>): Promise<Answer> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof LvmdClientError) return { status: e.status, body: e.problem };
    throw e;
  }
}

const create = (label: string, expect: number, name: string, req: CreateLogicalVolumeRequest): Step => ({
  label,
  expect,
  call: (c) =>
    answer(async () => {
      const r = await c.createLogicalVolume(name, req);
      return { status: r.created ? 201 : 200, body: r.value };
    }),
});

const snapshot = (label: string, expect: number, source: string, req: CreateSnapshotRequest): Step => ({
  label,
  expect,
  call: (c) =>
    answer(async () => {
      const r = await c.createSnapshot(source, req);
      return { status: r.created ? 201 : 200, body: r.value };
    }),
});

const resize = (label: string, expect: number, name: string, sizeBytes: number, deviceClass?: string): Step => ({
  label,
  expect,
  call: (c) => answer(async () => ({ status: 200, body: await c.resizeLogicalVolume(name, sizeBytes, deviceClass) })),
});

const activation = (label: string, expect: number, name: string, req: ActivationRequest): Step => ({
  label,
  expect,
  call: (c) => answer(async () => ({ status: 200, body: await c.setActivation(name, req) })),
});

const get = (label: string, expect: number, name: string, deviceClass?: string): Step => ({
  label,
  expect,
  call: (c) => answer(async () => ({ status: 200, body: await c.getLogicalVolume(name, deviceClass) })),
});

const list = (label: string, deviceClass?: string): Step => ({
  label,
  expect: 200,
  call: (c) => answer(async () => ({ status: 200, body: await c.listLogicalVolumes(deviceClass) })),
});

const classes = (label: string): Step => ({
  label,
  expect: 200,
  call: (c) => answer(async () => ({ status: 200, body: await c.listDeviceClasses() })),
});

const deviceClass = (label: string, expect: number, name: string): Step => ({
  label,
  expect,
  call: (c) => answer(async () => ({ status: 200, body: await c.getDeviceClass(name) })),
});

const remove = (label: string, expect: number, name: string, deviceClass?: string): Step => ({
  label,
  expect,
  call: (c) =>
    answer(async () => {
      await c.deleteLogicalVolume(name, deviceClass);
      return { status: 204, body: null };
    }),
});

/**
 * The scenario, for a VG of DISK_BYTES with a POOL_BYTES thin pool (overprovision ratio
 * 3) and a thick class with 1 GiB spare: thin may promise 3 GiB, thick may take ~2 GiB.
 */
export const SCENARIO: readonly Step[] = [
  classes('capacity of a fresh volume group'),
  deviceClass('the thin class', 200, 'thin'),
  deviceClass('an unknown class', 404, 'nosuch'),
  list('no volumes yet'),

  create('create thin vol1', 201, 'vol1', { sizeBytes: 256 * MiB, tags: ['owner=copse'] }),
  create('repeat create vol1', 200, 'vol1', { sizeBytes: 256 * MiB, tags: ['owner=copse'] }),
  create('create vol1 with another size', 409, 'vol1', { sizeBytes: 512 * MiB }),
  create('create vol1 with other tags', 409, 'vol1', { sizeBytes: 256 * MiB, tags: ['owner=other'] }),
  create('create vol1 with an lvcreate option class', 409, 'vol1', { sizeBytes: 256 * MiB, tags: ['owner=copse'], lvcreateOptionClass: 'sequential' }),
  create('create thin with an lvcreate option class', 201, 'seq1', { sizeBytes: 64 * MiB, lvcreateOptionClass: 'sequential' }),
  create('repeat it', 200, 'seq1', { sizeBytes: 64 * MiB, lvcreateOptionClass: 'sequential' }),
  create('repeat it without the option class', 409, 'seq1', { sizeBytes: 64 * MiB }),
  create('create thin of the largest size the schema allows', 507, 'max1', { sizeBytes: Number.MAX_SAFE_INTEGER }),
  create('create thin odd size (rounds up to an extent)', 201, 'odd1', { sizeBytes: 10 * MiB + 512 }),
  create('create thick fat1 (rounds up to an extent)', 201, 'fat1', { deviceClass: 'thick', sizeBytes: 50 * MiB }),
  create('repeat create fat1', 200, 'fat1', { deviceClass: 'thick', sizeBytes: 50 * MiB }),
  create('create fat1 in the thin class', 409, 'fat1', { sizeBytes: 52 * MiB }),
  create('create a reserved name', 400, 'snapshot_x', { sizeBytes: 16 * MiB }),
  create('create in an unknown class', 404, 'vol2', { deviceClass: 'nosuch', sizeBytes: 16 * MiB }),

  snapshot('snapshot vol1 ro', 201, 'vol1', { name: 'snap1', accessType: 'ro' }),
  snapshot('repeat snapshot ro', 200, 'vol1', { name: 'snap1', accessType: 'ro' }),
  snapshot('snapshot again as rw', 409, 'vol1', { name: 'snap1', accessType: 'rw' }),
  snapshot('restore snap1 rw, larger', 201, 'snap1', { name: 'restore1', accessType: 'rw', sizeBytes: 512 * MiB }),
  snapshot('repeat the larger restore', 200, 'snap1', { name: 'restore1', accessType: 'rw', sizeBytes: 512 * MiB }),
  snapshot('clone live vol1 rw', 201, 'vol1', { name: 'clone1', accessType: 'rw', tags: ['kind=clone'] }),
  snapshot('snapshot of a restore of a snapshot', 201, 'restore1', { name: 'snap2', accessType: 'ro' }),
  snapshot('snapshot smaller than its source', 422, 'vol1', { name: 'small1', accessType: 'rw', sizeBytes: 128 * MiB }),
  snapshot('snapshot in the thick class', 501, 'fat1', { name: 'fatsnap', accessType: 'ro', deviceClass: 'thick' }),
  snapshot('snapshot of a thick volume, its class not named', 501, 'fat1', { name: 'fatsnap', accessType: 'ro' }),
  snapshot('snapshot naming another class than its source', 400, 'vol1', { name: 'snap9', accessType: 'ro', deviceClass: 'thick' }),
  snapshot('snapshot of a missing volume', 404, 'nosuch', { name: 'snap9', accessType: 'ro' }),
  snapshot('snapshot onto an existing name', 409, 'vol1', { name: 'clone1', accessType: 'ro' }),

  resize('grow vol1', 200, 'vol1', 384 * MiB),
  resize('grow vol1 to its size again', 200, 'vol1', 384 * MiB),
  resize('shrink vol1', 422, 'vol1', 128 * MiB),
  resize('grow thick fat1', 200, 'fat1', 100 * MiB, 'thick'),
  resize('grow a missing volume', 404, 'nosuch', 384 * MiB),

  activation('deactivate clone1', 200, 'clone1', { active: false }),
  activation('deactivate clone1 again', 200, 'clone1', { active: false }),
  activation('activate clone1 read-only', 200, 'clone1', { active: true, accessType: 'ro' }),
  activation('make clone1 writable', 200, 'clone1', { active: true, accessType: 'rw' }),
  activation('deactivate the ro snapshot', 200, 'snap1', { active: false }),
  activation('activate it again', 200, 'snap1', { active: true }),
  activation('activation of a missing volume', 404, 'nosuch', { active: true }),

  create('create thin beyond the pool, within the ratio (lvm warns)', 201, 'big1', { sizeBytes: 768 * MiB }),
  create('create thin beyond the overprovision ratio', 507, 'huge1', { sizeBytes: 2 * 1024 * MiB }),
  snapshot('restore beyond the overprovision ratio', 507, 'big1', { name: 'huge2', accessType: 'rw' }),
  resize('grow beyond the overprovision ratio', 507, 'vol1', 1536 * MiB),
  create('create thick beyond VG free minus spare', 507, 'huge3', { deviceClass: 'thick', sizeBytes: 2 * 1024 * MiB }),
  classes('capacity after the creates'),

  list('every volume'),
  list('thin volumes', 'thin'),
  list('thick volumes', 'thick'),
  get('get vol1', 200, 'vol1'),
  get('get the thick volume, its class found', 200, 'fat1'),
  get('get the thick volume naming the thin class', 400, 'fat1', 'thin'),
  get('get a missing volume', 404, 'nosuch'),

  remove('delete vol1, the origin of snap1 and clone1', 204, 'vol1'),
  remove('delete vol1 again', 204, 'vol1'),
  get('snap1 after its origin is gone', 200, 'snap1'),
  get('clone1 after its origin is gone', 200, 'clone1'),
  remove('delete the thick volume naming the thin class', 400, 'fat1', 'thin'),
  get('fat1 is still there', 200, 'fat1', 'thick'),
  remove('delete fat1, its class found', 204, 'fat1'),
  get('fat1 is gone', 404, 'fat1', 'thick'),
  remove('delete seq1', 204, 'seq1'),
  remove('delete a missing volume', 204, 'nosuch'),
  remove('delete big1', 204, 'big1'),
  list('after the deletes'),
  classes('capacity after the deletes'),
];

export async function runScenario(client: LvmdClient, steps: readonly Step[] = SCENARIO): Promise<Recorded[]> {
  const out: Recorded[] = [];
  for (const step of steps) {
    const a = await step.call(client);
    out.push({ label: step.label, status: a.status, body: a.body });
  }
  return out;
}

const UUID = /^[A-Za-z0-9]{6}(-[A-Za-z0-9]{4}){5}-[A-Za-z0-9]{6}$/;

/**
 * What may differ between two correct runs, and nothing else:
 * - uuids (lvm2 makes them at random): replaced by "<uuid>";
 * - requestId (per request, random): dropped; `instance` is the request path and is kept;
 * - major/minor of active volumes: the kernel hands out dm minors in its own order (the
 *   guest's pool holds four, and minors of removed devices are reused): replaced by "<n>";
 *   whether a volume HAS them (it is active) is still compared.
 * - when a thin pool was read (health.observedAt, health.since): replaced by "<time>".
 * dataPercent and metadataPercent are compared as they are: the scenario writes no data,
 * so both backends must agree exactly.
 */
export function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k === 'requestId') continue;
    if (k === 'uuid' && typeof v === 'string' && UUID.test(v)) out[k] = '<uuid>';
    else if ((k === 'major' || k === 'minor') && typeof v === 'number') out[k] = '<n>';
    else if ((k === 'observedAt' || k === 'since') && typeof v === 'string') out[k] = '<time>';
    else out[k] = normalise(v);
  }
  return out;
}

/** The recorded answers, normalised, one entry per step. */
export function normalised(recorded: readonly Recorded[]): Recorded[] {
  return recorded.map((r) => ({ label: r.label, status: r.status, body: normalise(r.body) }));
}
