/**
 * lvmd-http's own lvm tags: what it must remember about a volume that lvs does not show
 * otherwise. They all start with OWN_TAG_PREFIX, which callers may not use, and the API
 * never shows them among a volume's tags.
 *
 * - `copse.lvmd/creating=<bytes>`: written by the same lvcreate that makes the volume
 *   (so the volume never exists without it) and removed by the create's last step. A
 *   volume carrying it is incomplete: its create was interrupted. <bytes> is the size the
 *   create was for, so that a repeat can tell "the same create" from another one.
 * - `copse.lvmd/option-class=<name>`: the lvcreate option class it was created with, so
 *   that a repeat naming another class (or none) is a conflict.
 */
import { ApiError } from '../errors';

export const OWN_TAG_PREFIX = 'copse.lvmd/';
const CREATING = `${OWN_TAG_PREFIX}creating=`;
const OPTION_CLASS = `${OWN_TAG_PREFIX}option-class=`;

export interface OwnTags {
  /** The volume is incomplete; the marker tags to remove when it is done, and the size it is being made for. */
  readonly creating?: { readonly tags: readonly string[]; readonly sizeBytes?: number };
  readonly optionClass?: string;
}

export function creatingTag(sizeBytes: number): string {
  return `${CREATING}${sizeBytes}`;
}

export function optionClassTag(name: string): string {
  return `${OPTION_CLASS}${name}`;
}

/** What lvmd-http's own tags on a volume say. */
export function ownTags(tags: readonly string[]): OwnTags {
  const markers = tags.filter((t) => t.startsWith(CREATING));
  const optionClass = tags.find((t) => t.startsWith(OPTION_CLASS))?.slice(OPTION_CLASS.length);
  const sizes = markers.map((t) => Number(t.slice(CREATING.length))).filter((n) => Number.isSafeInteger(n) && n > 0);
  return {
    ...(markers.length > 0 ? { creating: { tags: markers, ...(sizes.length === 1 ? { sizeBytes: sizes[0] } : {}) } } : {}),
    ...(optionClass ? { optionClass } : {}),
  };
}

/** The tags a caller gave (or sees): all but lvmd-http's own. */
export function callerTags(tags: readonly string[]): string[] {
  return tags.filter((t) => !t.startsWith(OWN_TAG_PREFIX));
}

/** A request's tags, deduplicated as lvm2 keeps them; lvmd-http's own prefix is refused. */
export function requestTags(tags: readonly string[], field: string): string[] {
  tags.forEach((t, i) => {
    if (t.startsWith(OWN_TAG_PREFIX)) {
      throw new ApiError('invalid-field', `tags starting "${OWN_TAG_PREFIX}" are lvmd-http's own`, `${field}[${i}]`);
    }
  });
  return [...new Set(tags)];
}

export function sameTags(a: readonly string[], b: readonly string[]): boolean {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === y.size && [...x].every((t) => y.has(t));
}
