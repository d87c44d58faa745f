/**
 * What a create must still do, decided from the volume as lvs shows it (pure: no lvm).
 *
 * A create is lvcreate (with every tag, lvmd-http's incomplete marker among them), then,
 * for a snapshot larger than its source, lvresize, then `lvchange --deltag` of the
 * marker. lvcreate activates the new volume or fails and removes it, so activation is
 * no step of its own; a volume found incomplete is activated before its marker goes.
 *
 * An existing volume is compared with the request in full (class, origin, size, access
 * for snapshots, tags, lvcreate option class): any difference is a conflict. An
 * incomplete one is compared by the size its create was for, and its remaining steps
 * are planned.
 */
import type { DeviceClass, LvRecord } from '@copse/lvm-model';
import { ApiError } from '../errors';
import { callerTags, creatingTag, optionClassTag, ownTags, sameTags, type OwnTags } from './own-tags';
import { belongsTo } from './views';

export interface CreateIntent {
  readonly name: string;
  readonly dc: DeviceClass;
  /** The extent-rounded size asked for, exactly: it may exceed Number.MAX_SAFE_INTEGER, and then never fits. */
  readonly sizeBytes: bigint;
  /** the request field to name when the size does not fit */
  readonly sizeField: string;
  /** the caller's tags, deduplicated */
  readonly tags: readonly string[];
  readonly optionClass?: string;
  /** snapshots (restores, clones): the source; absent for a plain create */
  readonly source?: { readonly name: string; readonly sizeBytes: number };
  /** snapshots only: accessType ro */
  readonly readOnly?: boolean;
}

export type CreateAction =
  | { readonly kind: 'lvcreate'; readonly sizeBytes: number; readonly tags: readonly string[] }
  | { readonly kind: 'grow'; readonly sizeBytes: number }
  | { readonly kind: 'activate' }
  | { readonly kind: 'finish'; readonly tags: readonly string[] };

/** The actions from `lv` (undefined: absent) to the volume the intent asks for; [] when it is there. */
export function planCreate(lv: LvRecord | undefined, intent: CreateIntent, freeBytes: number): CreateAction[] {
  if (!lv) {
    const size = fitting(intent, intent.sizeBytes, freeBytes);
    const tags = [...intent.tags, ...(intent.optionClass ? [optionClassTag(intent.optionClass)] : []), creatingTag(size)];
    return [
      { kind: 'lvcreate', sizeBytes: size, tags },
      ...(intent.source && size > intent.source.sizeBytes ? [{ kind: 'grow', sizeBytes: size } as const] : []),
      { kind: 'finish', tags: [creatingTag(size)] },
    ];
  }
  const own = ownTags(lv.tags);
  const diff = differences(lv, intent, own);
  if (diff.length > 0) {
    throw new ApiError('conflict', `logical volume "${intent.name}" already exists with other parameters: ${diff.join('; ')}`);
  }
  if (!own.creating) return [];
  const size = Number(intent.sizeBytes);
  const actions: CreateAction[] = [];
  if (lv.sizeBytes < size) {
    fitting(intent, BigInt(size - lv.sizeBytes), freeBytes);
    actions.push({ kind: 'grow', sizeBytes: size });
  }
  if (!lv.attr.active || lv.attr.activationSkip) actions.push({ kind: 'activate' });
  actions.push({ kind: 'finish', tags: own.creating.tags });
  return actions;
}

/** `needed` as a number when the class has that much free; 507 naming the size field otherwise. */
function fitting(intent: CreateIntent, needed: bigint, freeBytes: number): number {
  if (needed > BigInt(freeBytes)) {
    throw new ApiError('no-space', `${needed} bytes requested, ${freeBytes} bytes free in device class ${intent.dc.name}`, intent.sizeField);
  }
  return Number(needed);
}

/** How an existing volume differs from what the intent asks for, in words for the 409. */
export function differences(lv: LvRecord, intent: CreateIntent, own: OwnTags = ownTags(lv.tags)): string[] {
  const out: string[] = [];
  if (!belongsTo(lv, intent.dc)) out.push(`it belongs to another device class or volume type than ${intent.dc.name}`);
  if (intent.source) {
    if (lv.origin !== intent.source.name) out.push(`it is not a snapshot of ${intent.source.name}`);
  } else if (lv.origin !== '') {
    out.push(`it is a snapshot of ${lv.origin}`);
  }
  // an incomplete volume is compared by the size its create was for
  const size = own.creating?.sizeBytes ?? lv.sizeBytes;
  if (BigInt(size) !== intent.sizeBytes || lv.sizeBytes > size) out.push(`its size is ${size} bytes, not ${intent.sizeBytes}`);
  if (intent.readOnly !== undefined) {
    const readOnly = lv.attr.permission !== 'writeable';
    if (readOnly !== intent.readOnly) out.push(`its access is ${readOnly ? 'ro' : 'rw'}, not ${intent.readOnly ? 'ro' : 'rw'}`);
  }
  const tags = callerTags(lv.tags);
  if (!sameTags(tags, intent.tags)) out.push(`its tags are [${tags.join(', ')}], not [${intent.tags.join(', ')}]`);
  if ((own.optionClass ?? '') !== (intent.optionClass ?? '')) {
    out.push(
      `its lvcreate option class is ${own.optionClass ? `"${own.optionClass}"` : 'none'}, not ${intent.optionClass ? `"${intent.optionClass}"` : 'none'}`,
    );
  }
  return out;
}
