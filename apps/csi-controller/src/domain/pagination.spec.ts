import { GrpcStatus as status } from '@copse/csi-grpc';
import { CsiError } from '@copse/csi-grpc';
import { decodeToken, encodeToken, paginate } from './pagination';

const ids = ['c', 'a', 'e', 'b', 'd'];
const id = (x: string) => x;

describe('pages of IDs', () => {
  it('lists everything in ID order without max_entries', () => {
    expect(paginate(ids, id, 0, '')).toEqual({ entries: ['a', 'b', 'c', 'd', 'e'], nextToken: '' });
  });

  it('hands out pages and a token to the next; the last page has none', () => {
    const first = paginate(ids, id, 2, '');
    expect(first.entries).toEqual(['a', 'b']);
    const second = paginate(ids, id, 2, first.nextToken);
    expect(second.entries).toEqual(['c', 'd']);
    const third = paginate(ids, id, 2, second.nextToken);
    expect(third).toEqual({ entries: ['e'], nextToken: '' });
  });

  it('keeps going after the entry a token names is deleted, never repeating one', () => {
    const first = paginate(ids, id, 2, '');
    expect(paginate(['a', 'c', 'd', 'e'], id, 0, first.nextToken).entries).toEqual(['c', 'd', 'e']);
  });

  it.each(['invalid-token', 'v1.', 'v1.!!', 'v2.YQ'])('refuses %j with ABORTED', (token) => {
    let err: unknown;
    try {
      decodeToken(token);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CsiError);
    expect((err as CsiError).code).toBe(status.ABORTED);
  });

  it('round-trips any ID', () => {
    expect(decodeToken(encodeToken('7c9e6679-7425-40de-944b-e07fc1f90ae7'))).toBe('7c9e6679-7425-40de-944b-e07fc1f90ae7');
  });

  it('refuses a negative max_entries with INVALID_ARGUMENT', () => {
    expect(() => paginate(ids, id, -1, '')).toThrow('max_entries must not be negative (-1)');
  });
});
