/**
 * Every change is a plan of lvm steps from what lvs shows to what the request asks for,
 * made again whenever a step fails. That is what makes a repeat after a crash converge:
 * lvm commands that a killed lvmd-http started keep running and finish (they are
 * reparented to init), so what lvmd-http read at start may be stale; a step that fails
 * because the work is already done (lvcreate: "already exists", lvremove: "Failed to
 * find") is followed by a re-read and a new plan, which then has nothing, or less, to do.
 */
import type { DeviceClass, LvRecord } from '@copse/lvm-model';
import { LvmCancelledError, LvmUnavailableError } from '@copse/lvm-exec';
import { type ServiceContext, lvNamed } from './context';

export interface Step {
  /** What it does; the same step planned twice has the same description. */
  readonly what: string;
  run(signal?: AbortSignal): Promise<void>;
}

export interface ConvergeOptions {
  readonly dc: DeviceClass;
  readonly name: string;
  /**
   * The steps from the LV of that name as lvs shows it (undefined: absent) to the state
   * asked for; [] when it is there. Throws when that state cannot be reached (conflict,
   * no space, ...).
   */
  readonly plan: (lv: LvRecord | undefined) => Step[];
  /** the plan removes the LV */
  readonly removes?: boolean;
  readonly signal?: AbortSignal;
}

/**
 * Runs the plan, then re-reads what it touched. After a failed step the whole VG is
 * re-read and the plan made again: nothing left to do is success; a plan that starts
 * with the step that failed keeps the failure; any other plan runs, once. A cancelled
 * request or an lvm that cannot be run is not retried.
 *
 * Callers hold the VG's lock. Resolves to whether any step ran.
 */
export async function converge(ctx: ServiceContext, o: ConvergeOptions): Promise<boolean> {
  let steps = o.plan(lvNamed(ctx, o.dc, o.name));
  if (steps.length === 0) return false;
  for (let attempt = 0; ; attempt++) {
    const failed = await runSteps(steps, o.signal);
    if (!failed) break;
    await fullRefresh(ctx, o.dc);
    if (attempt > 0 || failed.error instanceof LvmCancelledError || failed.error instanceof LvmUnavailableError) throw failed.error;
    const again = o.plan(lvNamed(ctx, o.dc, o.name));
    if (again.length === 0) {
      ctx.log.info({ lv: o.name, step: failed.step.what }, 'a step failed, but what it was for is done (an earlier lvm finished it)');
      return true;
    }
    if (again[0]?.what === failed.step.what) throw failed.error;
    ctx.log.info({ lv: o.name, failed: failed.step.what, next: again.map((s) => s.what) }, 'a step failed; continuing from what lvm now shows');
    steps = again;
  }
  try {
    await ctx.cache.refreshTouched(o.dc, o.removes ? [] : [o.name], o.removes ? o.name : undefined);
  } catch (e) {
    ctx.log.warn({ vg: o.dc.volumeGroup, err: String(e) }, 'partial refresh failed; re-reading the volume group');
    await fullRefresh(ctx, o.dc);
  }
  return true;
}

async function runSteps(steps: readonly Step[], signal?: AbortSignal): Promise<{ step: Step; error: unknown } | undefined> {
  for (const step of steps) {
    try {
      await step.run(signal);
    } catch (error) {
      return { step, error };
    }
  }
  return undefined;
}

/** A failed or killed lvm may have changed anything: re-read the VG (a failure to do so is logged, not thrown). */
export async function fullRefresh(ctx: ServiceContext, dc: DeviceClass): Promise<void> {
  await ctx.cache.refresh(dc.volumeGroup).catch((e: unknown) => ctx.log.error({ vg: dc.volumeGroup, err: String(e) }, 'refresh after change failed'));
}
