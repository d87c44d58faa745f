import type { Timestamp } from './generated/google/protobuf/Timestamp';

/** A google.protobuf.Timestamp for `date` (e.g. a snapshot's creation_time), to the millisecond. */
export function timestampFrom(date: Date): Timestamp {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('timestampFrom: invalid date');
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: (ms - seconds * 1000) * 1_000_000 };
}
