import type { Logger } from 'pino';
import { isConflict, isNotFound } from '@copse/controller-runtime';
import type { LogicalVolume, NameSet } from '@copse/k8s-crd';
import { pointer, type LogicalVolumeApi } from './api';

/**
 * The node watches only LogicalVolumes labelled with its name (names.nodeLabel), which
 * Copse's controller sets on every object it creates. Objects made before that (by
 * TopoLVM, whose node cached every object in the cluster) have no such label and would
 * never reach their node: not even to be deleted. At start the node lists the objects
 * that lack the label (`!<label>`: in a cluster Copse created, none, so the list is
 * empty and cheap) and labels those whose spec.nodeName is its own.
 *
 * Returns how many it labelled.
 */
export async function labelOwnLogicalVolumes(o: { api: LogicalVolumeApi; names: NameSet; nodeName: string; log: Logger }): Promise<number> {
  const selector = `!${o.names.nodeLabel}`;
  let labelled = 0;
  let token: string | undefined;
  do {
    const page = await o.api.list(selector, token);
    for (const lv of page.items) {
      if (lv.spec?.nodeName !== o.nodeName) continue;
      if (await labelOne(o, lv)) labelled += 1;
    }
    const meta = page.metadata as { _continue?: string; continue?: string } | undefined;
    token = meta?._continue || meta?.continue || undefined;
  } while (token);
  if (labelled > 0) o.log.info({ labelled, label: o.names.nodeLabel }, 'labelled LogicalVolumes of this node that had no node label');
  return labelled;
}

async function labelOne(o: { api: LogicalVolumeApi; names: NameSet; nodeName: string; log: Logger }, first: LogicalVolume): Promise<boolean> {
  let lv: LogicalVolume | undefined = first;
  for (let attempt = 0; attempt < 5 && lv; attempt++) {
    if (lv.metadata?.labels?.[o.names.nodeLabel] !== undefined) return false;
    const op = lv.metadata?.labels
      ? { op: 'add' as const, path: `/metadata/labels/${pointer(o.names.nodeLabel)}`, value: o.nodeName }
      : { op: 'add' as const, path: '/metadata/labels', value: { [o.names.nodeLabel]: o.nodeName } };
    try {
      await o.api.patchMetadata(lv, [op]);
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      if (!isConflict(err)) throw err;
      lv = await o.api.get(first.metadata?.name ?? '');
    }
  }
  return false;
}
