/** The label and field selector of a list or watch, applied to stored objects of one endpoint. */
import type { KubeObject } from '../api/object';
import { getPath } from '../api/object';
import { checkSupportedFields, matchesFields, parseFieldSelector, type FieldSelector } from '../selectors/fields';
import { matchesLabels, parseLabelSelector, type LabelSelector } from '../selectors/labels';
import type { ResourceType } from '../kinds/types';

export interface Filter {
  readonly labels: LabelSelector;
  readonly fields: FieldSelector;
  readonly empty: boolean;
  /** A metadata.name=x requirement, when there is one (a single-object watch). */
  readonly name?: string;
  matches(storedOrExternal: KubeObject): boolean;
}

/** Field selectors a CRD version declares (spec.versions[].selectableFields), as getters. */
export function selectableFieldGetters(paths: readonly string[]): Record<string, (o: KubeObject) => string | undefined> {
  const out: Record<string, (o: KubeObject) => string | undefined> = {};
  for (const p of paths) {
    const parts = p.replace(/^\./, '').split('.');
    out[parts.join('.')] = (o) => {
      const v = getPath(o, parts);
      return v === undefined || v === null ? undefined : typeof v === 'string' ? v : String(v);
    };
  }
  return out;
}

export function makeFilter(t: ResourceType, labelSelector: string | undefined, fieldSelector: string | undefined): Filter {
  const labels = parseLabelSelector(labelSelector);
  const fields = parseFieldSelector(fieldSelector);
  const getters = t.strategy.fieldSelectors ?? {};
  checkSupportedFields(fields, (f) => f === 'metadata.name' || f === 'metadata.namespace' || f in getters);
  const get = (o: KubeObject) => (f: string) => {
    if (f === 'metadata.name') return o.metadata.name;
    if (f === 'metadata.namespace') return o.metadata.namespace ?? '';
    return getters[f]?.(o);
  };
  const nameReq = fields.find((r) => r.field === 'metadata.name' && r.op === '=');
  return {
    labels,
    fields,
    empty: labels.length === 0 && fields.length === 0,
    name: nameReq?.value,
    matches: (o) => matchesLabels(labels, o.metadata.labels) && matchesFields(fields, get(o)),
  };
}
