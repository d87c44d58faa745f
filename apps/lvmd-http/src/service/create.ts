/**
 * Creating volumes: plain thin and thick ones, and thin snapshots (snapshots, restores,
 * clones). Both run through planCreate and converge, so a repeat after an interrupted
 * create completes it (see create-plan.ts and converge.ts).
 */
import { findLvcreateOptionClass, roundUpExact, type DeviceClass } from '@copse/lvm-model';
import { isLvmError } from '@copse/lvm-exec';
import type { AccessType, LogicalVolume } from '@copse/lvmd-api';
import { ApiError } from '../errors';
import { checkName, refuseIncomplete } from './checks';
import { freeBytes, lvIn, requireLvIn, vgState, view, type ServiceContext } from './context';
import { converge, fullRefresh, type Step } from './converge';
import { planCreate, type CreateAction, type CreateIntent } from './create-plan';
import { createClass, refuseNameElsewhere, requireLocated } from './locate';
import { ownTags, requestTags } from './own-tags';

export interface Created {
  readonly created: boolean;
  readonly volume: LogicalVolume;
}

export interface CreateVolumeRequest {
  /** the deviceClass query parameter, as given */
  readonly queryClass?: string;
  /** body.deviceClass, as given */
  readonly bodyClass?: string;
  readonly sizeBytes: number;
  readonly tags: readonly string[];
  /** "" is none */
  readonly optionClass?: string;
}

export interface CreateSnapshotRequest {
  readonly name: string;
  /** body.deviceClass, as given */
  readonly bodyClass?: string;
  readonly accessType: AccessType;
  readonly sizeBytes?: number;
  readonly tags: readonly string[];
}

/** lvcreate for the intent's first step, with the size and tags planCreate chose. */
type Lvcreate = (a: { sizeBytes: number; tags: readonly string[] }, signal?: AbortSignal) => Promise<void>;

export async function createVolume(ctx: ServiceContext, name: string, req: CreateVolumeRequest, signal?: AbortSignal): Promise<Created> {
  checkName(name, 'params.name');
  const tags = requestTags(req.tags, 'body.tags');
  const dc = createClass(ctx.config, { value: req.queryClass, field: 'query.deviceClass' }, { value: req.bodyClass, field: 'body.deviceClass' });
  const optionClass = req.optionClass || undefined;
  const options = [...dc.lvcreateOptions, ...optionClassOptions(ctx, optionClass)];
  return ctx.lock.run(dc.volumeGroup, async () => {
    refuseNameElsewhere(ctx, name, dc);
    const intent: CreateIntent = {
      name,
      dc,
      sizeBytes: roundUpExact(req.sizeBytes, vgState(ctx, dc).vg.extentSizeBytes),
      sizeField: 'body.sizeBytes',
      tags,
      ...(optionClass ? { optionClass } : {}),
    };
    const vg = dc.volumeGroup;
    const lvcreate: Lvcreate = (a, s) =>
      dc.type === 'thin' && dc.thinPool
        ? ctx.lvm.createThin({ vg, pool: dc.thinPool.name, name, sizeBytes: a.sizeBytes, tags: a.tags, options }, s)
        : ctx.lvm.createThick({ vg, name, sizeBytes: a.sizeBytes, tags: a.tags, stripe: dc.stripe, stripeSize: dc.stripeSize, options }, s);
    return runCreate(ctx, intent, lvcreate, signal);
  });
}

export async function createSnapshot(ctx: ServiceContext, source: string, req: CreateSnapshotRequest, signal?: AbortSignal): Promise<Created> {
  checkName(source, 'params.name');
  checkName(req.name, 'body.name');
  const tags = requestTags(req.tags, 'body.tags');
  // the snapshot is made in its source's class, wherever that is
  const { dc } = requireLocated(ctx, source, { value: req.bodyClass, field: 'body.deviceClass' });
  if (dc.type !== 'thin') {
    throw new ApiError(
      'unsupported-for-thick',
      `"${source}" is in device class ${dc.name}, which is thick; snapshots need a thin device class`,
      req.bodyClass !== undefined ? 'body.deviceClass' : 'params.name',
    );
  }
  return ctx.lock.run(dc.volumeGroup, async () => {
    const src = requireLvIn(ctx, dc, source, 'params.name');
    refuseIncomplete(src, 'params.name');
    refuseNameElsewhere(ctx, req.name, dc);
    const sizeBytes = req.sizeBytes === undefined ? BigInt(src.sizeBytes) : roundUpExact(req.sizeBytes, vgState(ctx, dc).vg.extentSizeBytes);
    if (sizeBytes < BigInt(src.sizeBytes)) {
      throw new ApiError('out-of-range', `sizeBytes ${req.sizeBytes} is smaller than the source's current size ${src.sizeBytes}`, 'body.sizeBytes');
    }
    const readOnly = req.accessType === 'ro';
    const intent: CreateIntent = {
      name: req.name,
      dc,
      sizeBytes,
      sizeField: req.sizeBytes === undefined ? 'params.name' : 'body.sizeBytes',
      tags,
      source: { name: source, sizeBytes: src.sizeBytes },
      readOnly,
    };
    const lvcreate: Lvcreate = (a, s) => ctx.lvm.createThinSnapshot({ vg: dc.volumeGroup, source, name: req.name, readOnly, tags: a.tags }, s);
    return runCreate(ctx, intent, lvcreate, signal);
  });
}

/**
 * Plans and runs the create (callers hold the VG's lock). created is true when anything
 * had to be done: a fresh volume, or the rest of an incomplete one. When lvm refuses a
 * step for good, the incomplete volume is removed, so nothing half-made stays behind;
 * when the request is cancelled it stays, for the repeat to complete.
 */
async function runCreate(ctx: ServiceContext, intent: CreateIntent, lvcreate: Lvcreate, signal?: AbortSignal): Promise<Created> {
  const { dc, name } = intent;
  const field = intent.source ? 'body.name' : 'params.name';
  const plan = (lv: Parameters<typeof planCreate>[0]): Step[] => planCreate(lv, intent, freeBytes(ctx, dc)).map((a) => step(ctx, dc, name, a, lvcreate));
  let created: boolean;
  try {
    created = await converge(ctx, { dc, name, plan, signal });
  } catch (e) {
    if (isLvmError(e)) await removeIncomplete(ctx, dc, name);
    throw e;
  }
  const lv = requireLvIn(ctx, dc, name, field);
  if (created) {
    ctx.log.info(
      { lv: name, deviceClass: dc.name, sizeBytes: lv.sizeBytes, ...(intent.source ? { source: intent.source.name, readOnly: intent.readOnly } : {}) },
      intent.source ? 'snapshot created' : 'logical volume created',
    );
  }
  return { created, volume: view(ctx, lv, dc) };
}

function step(ctx: ServiceContext, dc: DeviceClass, name: string, a: CreateAction, lvcreate: Lvcreate): Step {
  const vg = dc.volumeGroup;
  switch (a.kind) {
    case 'lvcreate':
      return { what: 'lvcreate', run: (s) => lvcreate(a, s) };
    case 'grow':
      return { what: `lvresize to ${a.sizeBytes} bytes`, run: (s) => ctx.lvm.resize({ vg, name, sizeBytes: a.sizeBytes }, s) };
    case 'activate':
      return { what: 'activate', run: (s) => ctx.lvm.setActive({ vg, name, active: true }, s) };
    case 'finish':
      return { what: 'clear the incomplete marker', run: (s) => ctx.lvm.deleteTags({ vg, name, tags: a.tags }, s) };
  }
}

async function removeIncomplete(ctx: ServiceContext, dc: DeviceClass, name: string): Promise<void> {
  const lv = lvIn(ctx, dc, name);
  if (!lv || !ownTags(lv.tags).creating) return;
  try {
    await ctx.lvm.remove({ vg: dc.volumeGroup, name });
    ctx.log.warn({ lv: name }, 'removed the incomplete volume lvm refused to finish');
  } catch (e) {
    ctx.log.error({ lv: name, err: String(e) }, 'could not remove the incomplete volume');
  }
  await fullRefresh(ctx, dc);
}

function optionClassOptions(ctx: ServiceContext, name: string | undefined): string[] {
  if (!name) return [];
  const oc = findLvcreateOptionClass(ctx.config, name);
  if (!oc) throw new ApiError('invalid-field', `lvcreate option class "${name}" is not configured`, 'body.lvcreateOptionClass');
  return oc.options;
}
