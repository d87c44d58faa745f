/**
 * The suite's one source of randomness: a seeded generator, so that a failing run is
 * repeated exactly with HOSTILE_SEED (run-sizes.ts), and fast-check's arbitraries drawn
 * from it for the values no list written by hand would think of (any JSON value, any
 * unicode string).
 */
import fc from 'fast-check';

export class Rng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed | 0;
  }

  /** A uniform draw in [0, 1) (mulberry32). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from nothing');
    return items[Math.floor(this.next() * items.length)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One value of a fast-check arbitrary, drawn from this generator's sequence. */
  sample<T>(arbitrary: fc.Arbitrary<T>): T {
    return fc.sample(arbitrary, { seed: this.int(-(2 ** 31), 2 ** 31 - 1), numRuns: 1 })[0]!;
  }
}
