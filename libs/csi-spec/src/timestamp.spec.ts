import { timestampFrom } from './timestamp';

describe('timestampFrom', () => {
  it.each([
    ['2026-11-22T04:00:00.000Z', 1795320000, 0],
    ['2026-11-22T04:00:00.123Z', 1795320000, 123_000_000],
    ['1969-12-31T23:59:59.500Z', -1, 500_000_000],
  ])('%s', (iso, seconds, nanos) => {
    expect(timestampFrom(new Date(iso))).toEqual({ seconds, nanos });
  });
  it('refuses an invalid date', () => {
    expect(() => timestampFrom(new Date('nope'))).toThrow(RangeError);
  });
});
