/** What a write request carries besides its body: dry run, field manager, field validation, warnings. */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface WriteContext {
  readonly dryRun: boolean;
  /** The field manager recorded in managedFields (query parameter, else derived from User-Agent). */
  readonly fieldManager: string;
  readonly fieldValidation: FieldValidation;
  /** Warning headers to send (299 - "text"). */
  readonly warnings: string[];
  readonly now: Date;
}

export function internalContext(manager: string, now = new Date()): WriteContext {
  return { dryRun: false, fieldManager: manager, fieldValidation: 'Ignore', warnings: [], now };
}

export interface DeleteOptions {
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  orphanDependents?: boolean;
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}
