// ListVolumes and ListSnapshots pages. Entries are ordered by ID and a token names the last ID
// handed out, so a page never repeats an entry and the deletion of the entry a token names
// does not invalidate the token (the CSI spec allows entries to come and go between pages).
// A token that is not one of ours is ABORTED, as the spec and csi-sanity ask.
import { CsiError } from '@copse/csi-grpc';

const PREFIX = 'v1.';

export function encodeToken(lastId: string): string {
  return PREFIX + Buffer.from(lastId, 'utf8').toString('base64url');
}

export function decodeToken(token: string): string {
  if (!token.startsWith(PREFIX)) throw CsiError.aborted(`starting_token ${JSON.stringify(token)} is not a token this plugin issued: start again without one`);
  const body = token.slice(PREFIX.length);
  const id = Buffer.from(body, 'base64url').toString('utf8');
  if (body === '' || Buffer.from(id, 'utf8').toString('base64url') !== body) {
    throw CsiError.aborted(`starting_token ${JSON.stringify(token)} is not a token this plugin issued: start again without one`);
  }
  return id;
}

export interface Page<T> {
  readonly entries: T[];
  /** '' when this is the last page */
  readonly nextToken: string;
}

/** One page of `items` (any order; sorted here by id) after `startingToken`, at most `maxEntries` (0: all). */
export function paginate<T>(items: readonly T[], idOf: (item: T) => string, maxEntries: number, startingToken: string): Page<T> {
  if (!Number.isInteger(maxEntries) || maxEntries < 0) throw CsiError.invalidArgument(`max_entries must not be negative (${maxEntries})`);
  const after = startingToken === '' ? undefined : decodeToken(startingToken);
  const sorted = [...items].sort((a, b) => (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0));
  const rest = after === undefined ? sorted : sorted.filter((item) => idOf(item) > after);
  if (maxEntries === 0 || rest.length <= maxEntries) return { entries: rest, nextToken: '' };
  const entries = rest.slice(0, maxEntries);
  return { entries, nextToken: encodeToken(idOf(entries[entries.length - 1]!)) };
}
