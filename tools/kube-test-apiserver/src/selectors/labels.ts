/**
 * Label selectors in their query-string form (k8s.io/apimachinery/pkg/labels.Parse):
 * `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x,y)`, `a`, `!a`, joined by commas.
 */
import { badRequest } from '../api/status';
import { labelValueErrors, qualifiedNameErrors } from '../api/names';

export type LabelRequirement =
  | { readonly key: string; readonly op: 'in' | 'notin'; readonly values: readonly string[] }
  | { readonly key: string; readonly op: 'exists' | '!' };

export type LabelSelector = readonly LabelRequirement[];

export function matchesLabels(sel: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return sel.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case '!':
        return !has;
      case 'in':
        return has && r.values.includes(l[r.key] as string);
      case 'notin':
        return !has || !r.values.includes(l[r.key] as string);
    }
  });
}

class Lexer {
  pos = 0;
  constructor(readonly s: string) {}
  skipSpace(): void {
    while (this.pos < this.s.length && /\s/.test(this.s[this.pos] as string)) this.pos++;
  }
  peek(): string {
    this.skipSpace();
    return this.s[this.pos] ?? '';
  }
  /** An identifier: everything up to a space or one of ,()=! */
  word(): string {
    this.skipSpace();
    const start = this.pos;
    while (this.pos < this.s.length && !/[\s,()=!]/.test(this.s[this.pos] as string)) this.pos++;
    return this.s.slice(start, this.pos);
  }
  eat(tok: string): boolean {
    this.skipSpace();
    if (this.s.startsWith(tok, this.pos)) {
      this.pos += tok.length;
      return true;
    }
    return false;
  }
  done(): boolean {
    this.skipSpace();
    return this.pos >= this.s.length;
  }
}

function fail(why: string): never {
  throw badRequest(`unable to parse requirement: ${why}`);
}

function checkKey(key: string): void {
  const errs = qualifiedNameErrors(key);
  if (errs.length) fail(`<nil>: Invalid value: ${JSON.stringify(key)}: ${errs.join('; ')}`);
}

function checkValue(key: string, v: string): void {
  const errs = labelValueErrors(v);
  if (errs.length) fail(`values[0][${key}]: Invalid value: ${JSON.stringify(v)}: ${errs.join('; ')}`);
}

export function parseLabelSelector(text: string | undefined): LabelSelector {
  if (!text || !text.trim()) return [];
  const lx = new Lexer(text);
  const out: LabelRequirement[] = [];
  for (;;) {
    if (lx.eat('!')) {
      const key = lx.word();
      if (!key) fail(`found '${lx.peek()}', expected: identifier`);
      checkKey(key);
      out.push({ key, op: '!' });
    } else {
      const key = lx.word();
      if (!key) fail(`found '${lx.peek() || 'EOF'}', expected: !, identifier, or 'end of string'`);
      checkKey(key);
      if (lx.eat('==') || lx.eat('=')) {
        const v = lx.word();
        checkValue(key, v);
        out.push({ key, op: 'in', values: [v] });
      } else if (lx.eat('!=')) {
        const v = lx.word();
        checkValue(key, v);
        out.push({ key, op: 'notin', values: [v] });
      } else {
        const save = lx.pos;
        const w = lx.word();
        if (w === 'in' || w === 'notin') {
          if (!lx.eat('(')) fail(`found '${lx.peek()}', expected: '('`);
          const values: string[] = [];
          if (!lx.eat(')')) {
            for (;;) {
              const v = lx.word();
              checkValue(key, v);
              values.push(v);
              if (lx.eat(')')) break;
              if (!lx.eat(',')) fail(`found '${lx.peek() || 'EOF'}', expected: ',', or ')'`);
            }
          }
          if (w === 'in' && values.length === 0) fail(`for 'in', 'notin' operators, values set can't be empty`);
          out.push({ key, op: w, values });
        } else {
          lx.pos = save;
          out.push({ key, op: 'exists' });
        }
      }
    }
    if (lx.done()) break;
    if (!lx.eat(',')) fail(`found '${lx.peek()}', expected: ',' or 'end of string'`);
  }
  return out;
}

/** metav1.LabelSelector (matchLabels / matchExpressions) to requirements. */
export function fromLabelSelectorObject(sel: {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}): LabelSelector {
  const out: LabelRequirement[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) out.push({ key: k, op: 'in', values: [v] });
  for (const e of sel.matchExpressions ?? []) {
    switch (e.operator) {
      case 'In':
        out.push({ key: e.key, op: 'in', values: e.values ?? [] });
        break;
      case 'NotIn':
        out.push({ key: e.key, op: 'notin', values: e.values ?? [] });
        break;
      case 'Exists':
        out.push({ key: e.key, op: 'exists' });
        break;
      case 'DoesNotExist':
        out.push({ key: e.key, op: '!' });
        break;
      default:
        throw badRequest(`${JSON.stringify(e.operator)} is not a valid label selector operator`);
    }
  }
  return out;
}
