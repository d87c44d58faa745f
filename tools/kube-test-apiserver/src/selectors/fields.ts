/**
 * Field selectors (k8s.io/apimachinery/pkg/fields.ParseSelector): `f=v`, `f==v`, `f!=v`,
 * joined by commas, over the fields a kind supports (metadata.name and metadata.namespace
 * always; spec.nodeName for pods, involvedObject.* for events, a CRD's selectableFields).
 */
import { badRequest } from '../api/status';

export interface FieldRequirement {
  readonly field: string;
  readonly op: '=' | '!=';
  readonly value: string;
}

export type FieldSelector = readonly FieldRequirement[];

/** Splits on unescaped commas, then on the operator; `\,` `\=` `\\` escape as in apimachinery. */
export function parseFieldSelector(text: string | undefined): FieldSelector {
  if (!text || !text.trim()) return [];
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\' && i + 1 < text.length) {
      cur += c + (text[i + 1] as string);
      i++;
    } else if (c === ',') {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts.map((p) => {
    const m = /^(.*?)(!=|==|=)(.*)$/s.exec(p);
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${p}'`);
    const field = (m[1] as string).trim();
    const value = unescape((m[3] as string).trim());
    return { field, op: m[2] === '!=' ? '!=' : '=', value };
  });
}

function unescape(v: string): string {
  return v.replace(/\\(.)/g, '$1');
}

export function matchesFields(sel: FieldSelector, get: (field: string) => string | undefined): boolean {
  return sel.every((r) => {
    const v = get(r.field) ?? '';
    return r.op === '=' ? v === r.value : v !== r.value;
  });
}

/** Rejects fields the kind does not support, with the real server's message. */
export function checkSupportedFields(sel: FieldSelector, supported: (field: string) => boolean): void {
  for (const r of sel) if (!supported(r.field)) throw badRequest(`field label not supported: ${r.field}`);
}
