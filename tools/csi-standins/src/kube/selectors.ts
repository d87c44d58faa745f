import type { V1LabelSelector } from '@kubernetes/client-node';

/** metav1.LabelSelector matching (matchLabels AND every matchExpression). */
export function matchesLabelSelector(selector: V1LabelSelector, labels: Readonly<Record<string, string>> | undefined): boolean {
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = e.key in l;
    const value = l[e.key];
    switch (e.operator) {
      case 'In':
        if (!has || !(e.values ?? []).includes(value as string)) return false;
        break;
      case 'NotIn':
        if (has && (e.values ?? []).includes(value as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/**
 * corev1helpers.MatchNodeSelectorTerms: true when any term matches the node (a term matches when
 * all its label expressions and field expressions do; an empty term matches nothing).
 */
export function matchesNodeSelectorTerms(
  terms: readonly { matchExpressions?: NodeRequirement[]; matchFields?: NodeRequirement[] }[],
  node: { metadata?: { name?: string; labels?: Record<string, string> } },
): boolean {
  const labels = node.metadata?.labels ?? {};
  const fields: Record<string, string> = { 'metadata.name': node.metadata?.name ?? '' };
  return terms.some((t) => {
    const exprs = t.matchExpressions ?? [];
    const flds = t.matchFields ?? [];
    if (exprs.length === 0 && flds.length === 0) return false;
    return exprs.every((e) => requirementMatches(e, labels)) && flds.every((e) => requirementMatches(e, fields));
  });
}

export interface NodeRequirement {
  key: string;
  operator: string;
  values?: string[];
}

function requirementMatches(r: NodeRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = r.key in labels;
  const v = labels[r.key];
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return has && values.includes(v as string);
    case 'NotIn':
      return !has || !values.includes(v as string);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has || values.length !== 1) return false;
      const a = Number.parseInt(v as string, 10);
      const b = Number.parseInt(values[0] as string, 10);
      if (Number.isNaN(a) || Number.isNaN(b)) return false;
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}
