/**
 * meta.k8s.io/v1 Table responses (Accept: application/json;as=Table;v=v1;g=meta.k8s.io), what
 * `kubectl get` prints: the kind's columns and one row per object, with includeObject
 * None | Metadata (default) | Object.
 */
import type { KubeObject } from '../api/object';
import { defaultPrinter } from '../kinds/printers';
import type { ResourceType } from '../kinds/types';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function partialObjectMetadata(o: KubeObject): Record<string, unknown> {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
}

export function toTable(
  t: ResourceType,
  objects: readonly KubeObject[],
  listMeta: Record<string, unknown>,
  opts: { includeObject: IncludeObject; noHeaders?: boolean; now?: Date; apiVersion?: string },
): Record<string, unknown> {
  const printer = t.table ?? defaultPrinter;
  const now = opts.now ?? new Date();
  const rows = objects.map((o) => {
    const row: Record<string, unknown> = { cells: printer.cells(o, now) };
    if (opts.includeObject === 'Metadata') row.object = partialObjectMetadata(o);
    else if (opts.includeObject === 'Object') row.object = o;
    return row;
  });
  const table: Record<string, unknown> = { kind: 'Table', apiVersion: opts.apiVersion ?? 'meta.k8s.io/v1', metadata: listMeta };
  table.columnDefinitions = opts.noHeaders ? null : printer.columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0 }));
  table.rows = rows;
  return table;
}
