import { operations } from '@copse/lvmd-api';

/**
 * The methods the OpenAPI document defines for a path, for a 405's Allow header: a
 * request for a known path with another method is method-not-allowed, not not-found.
 */
export function methodsFor(): (path: string) => string[] {
  const byTemplate = new Map<string, { pattern: RegExp; methods: Set<string> }>();
  for (const op of operations()) {
    let entry = byTemplate.get(op.path);
    if (!entry) {
      const pattern = new RegExp(`^${op.path.split(/\{[^}]+\}/).map(escape).join('[^/]+')}$`);
      entry = { pattern, methods: new Set() };
      byTemplate.set(op.path, entry);
    }
    entry.methods.add(op.method);
    if (op.method === 'GET') entry.methods.add('HEAD');
  }
  const entries = [...byTemplate.values()];
  return (path) => {
    const methods = new Set<string>();
    for (const e of entries) if (e.pattern.test(path)) for (const m of e.methods) methods.add(m);
    return [...methods].sort();
  };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
