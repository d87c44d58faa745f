/** What every simulated command works with: the machine's state, its output, and where new uuids and times come from. */
import type { Output } from './output';
import type { SimState } from './state';

/** Plain functions, not methods: commands may destructure them. */
export interface SimContext {
  readonly state: SimState;
  readonly out: Output;
  /** A new lvm2-shaped uuid. */
  uuid(): string;
  /** lv_time for an LV created now: "2026-11-21 05:13:07 +0000". */
  time(): string;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** A time as lvm2 reports lv_time (in UTC here). */
export function lvmTime(d: Date): string {
  return (
    `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} +0000`
  );
}
