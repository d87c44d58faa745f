import type { PublishParams } from './requests';

export interface PublishRecord {
  readonly volumeId: string;
  readonly params: PublishParams;
}

/**
 * What this process published where, so that a repeated NodePublishVolume can be told
 * from a conflicting one down to the mount flags. The mount table says the rest (device,
 * raw block or filesystem, its type, read-only) and is all there is after a restart:
 * then a republish that differs only in mount flags is answered OK, as the kernel's
 * view of the flags is not the request's.
 */
export class PublishedTargets {
  private readonly byTarget = new Map<string, PublishRecord>();

  get(target: string): PublishRecord | undefined {
    return this.byTarget.get(target);
  }

  set(target: string, record: PublishRecord): void {
    this.byTarget.set(target, record);
  }

  delete(target: string): void {
    this.byTarget.delete(target);
  }

  get size(): number {
    return this.byTarget.size;
  }
}

export function sameFlags(a: readonly string[], b: readonly string[]): boolean {
  const x = [...new Set(a)].sort();
  const y = [...new Set(b)].sort();
  return x.length === y.length && x.every((f, i) => f === y[i]);
}
