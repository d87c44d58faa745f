import { lvNameProblem, type LvRecord } from '@copse/lvm-model';
import { ApiError } from '../errors';
import { ownTags } from './own-tags';

/** 400 naming the field when lvm2 would refuse the name. */
export function checkName(name: string, field: string): void {
  const problem = lvNameProblem(name);
  if (problem) throw new ApiError('invalid-field', problem, field);
}

/** 409 incomplete: only a repeat of its create, a get, a list or a delete may touch an incomplete volume. */
export function refuseIncomplete(lv: LvRecord, field: string): void {
  if (ownTags(lv.tags).creating) {
    throw new ApiError(
      'incomplete',
      `logical volume "${lv.name}" is incomplete: its create was interrupted; repeat the create to complete it, or delete it`,
      field,
    );
  }
}
