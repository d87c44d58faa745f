/** lvm2-shaped uuids (32 characters in groups 6-4-4-4-4-4-6): random or a deterministic sequence. */
import { randomInt } from 'node:crypto';
import type { SimState } from './state';

const UUID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** How a simulation gets its uuids: random (default), a deterministic sequence, or the caller's generator. */
export type UuidOption = 'random' | 'sequential' | (() => string);

function formatUuid(chars: string): string {
  return [6, 4, 4, 4, 4, 4, 6]
    .reduce<{ parts: string[]; at: number }>(
      (acc, n) => ({ parts: [...acc.parts, chars.slice(acc.at, acc.at + n)], at: acc.at + n }),
      { parts: [], at: 0 },
    )
    .parts.join('-');
}

function randomUuid(): string {
  let s = '';
  for (let i = 0; i < 32; i++) s += UUID_CHARS[randomInt(UUID_CHARS.length)];
  return formatUuid(s);
}

/** A deterministic lvm2-shaped uuid for counter n. */
export function sequentialUuid(n: number): string {
  let s = '';
  let x = n + 1;
  for (let i = 0; i < 32; i++) {
    // A cheap mixing so consecutive uuids do not look alike; deterministic per n.
    x = (x * 1103515245 + 12345 + i) % 2147483648;
    s += UUID_CHARS[x % UUID_CHARS.length];
  }
  return formatUuid(s);
}

/** The next uuid per the option; the sequence's counter lives in the state, so it survives a restart. */
export function nextUuid(option: UuidOption, state: SimState): string {
  if (typeof option === 'function') return option();
  if (option === 'sequential') return sequentialUuid(state.uuidCounter++);
  return randomUuid();
}
