/**
 * The JSONPath subset CRD printer columns and selectable fields use (k8s.io/client-go/util/jsonpath):
 * `.a.b`, `.a[0]`, `.a[*]`, `['a.b']`, and filters `[?(@.type=="Ready")]` with == and !=.
 */
import { isPlainObject } from '../api/object';

type Step = { kind: 'field'; name: string } | { kind: 'index'; index: number } | { kind: 'all' } | { kind: 'filter'; path: string[]; op: '==' | '!='; value: unknown };

export function parseJsonPath(expr: string): Step[] {
  let s = expr.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1);
  if (s.startsWith('$')) s = s.slice(1);
  const steps: Step[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '.') {
      i++;
      let j = i;
      while (j < s.length && s[j] !== '.' && s[j] !== '[') j++;
      const name = s.slice(i, j);
      if (name) steps.push({ kind: 'field', name });
      i = j;
    } else if (c === '[') {
      const end = s.indexOf(']', i);
      if (end < 0) throw new Error(`unterminated [ in ${expr}`);
      let inner = s.slice(i + 1, end);
      // a filter may contain ']' inside quotes: extend to the matching ')]'
      if (inner.startsWith('?(')) {
        const close = s.indexOf(')]', i);
        inner = s.slice(i + 1, close + 1);
        i = close + 2;
        const m = /^\?\(@((?:\.[^.=!]+)+)\s*(==|!=)\s*(.+)\)$/.exec(inner);
        if (!m) throw new Error(`unsupported filter ${inner}`);
        const raw = (m[3] as string).trim();
        let value: unknown = raw;
        if (/^(".*"|'.*')$/.test(raw)) value = raw.slice(1, -1);
        else if (raw === 'true' || raw === 'false') value = raw === 'true';
        else if (!Number.isNaN(Number(raw))) value = Number(raw);
        steps.push({ kind: 'filter', path: (m[1] as string).slice(1).split('.'), op: m[2] as '==' | '!=', value });
        continue;
      }
      i = end + 1;
      if (inner === '*') steps.push({ kind: 'all' });
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: 'index', index: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ kind: 'field', name: inner.slice(1, -1) });
      else throw new Error(`unsupported subscript [${inner}]`);
    } else {
      let j = i;
      while (j < s.length && s[j] !== '.' && s[j] !== '[') j++;
      steps.push({ kind: 'field', name: s.slice(i, j) });
      i = j;
    }
  }
  return steps;
}

/** Every value the path finds (none when a key is missing, as with AllowMissingKeys). */
export function findAll(steps: readonly Step[], root: unknown): unknown[] {
  let cur: unknown[] = [root];
  for (const st of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (st.kind === 'field') {
        if (isPlainObject(v) && st.name in v) next.push(v[st.name]);
      } else if (st.kind === 'index') {
        if (Array.isArray(v)) {
          const idx = st.index < 0 ? v.length + st.index : st.index;
          if (idx >= 0 && idx < v.length) next.push(v[idx]);
        }
      } else if (st.kind === 'all') {
        if (Array.isArray(v)) next.push(...v);
        else if (isPlainObject(v)) next.push(...Object.values(v));
      } else {
        const items = Array.isArray(v) ? v : [];
        for (const item of items) {
          let x: unknown = item;
          for (const p of st.path) x = isPlainObject(x) ? x[p] : undefined;
          const eq = x === st.value || (x !== undefined && String(x) === String(st.value));
          if ((st.op === '==') === eq && x !== undefined) next.push(item);
        }
      }
    }
    cur = next;
  }
  return cur;
}
