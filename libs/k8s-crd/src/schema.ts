/**
 * Checks a value against the structural-schema subset the LogicalVolume CRD uses (type,
 * properties, required, items, enum, pattern, minLength, maxLength, minimum, maximum,
 * x-kubernetes-int-or-string), the way kube-apiserver does, so that code can refuse an
 * object with the same field paths before sending it, and tests can hold the schema to
 * the rules it claims. Unknown fields are reported (kube-apiserver prunes them, or refuses
 * them under fieldValidation=Strict).
 */

export interface FieldError {
  /** JSONPath-like field path as kube-apiserver prints it, e.g. "spec.accessType". */
  readonly field: string;
  readonly message: string;
}

export interface SchemaNode {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly required?: readonly string[];
  readonly items?: SchemaNode;
  readonly enum?: readonly unknown[];
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly 'x-kubernetes-int-or-string'?: boolean;
}

const patterns = new Map<string, RegExp>();
function regex(pattern: string): RegExp {
  let re = patterns.get(pattern);
  if (!re) {
    re = new RegExp(pattern, 'u');
    patterns.set(pattern, re);
  }
  return re;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

function checkString(value: string, node: SchemaNode, path: string, errors: FieldError[]): void {
  const length = [...value].length;
  if (node.minLength !== undefined && length < node.minLength) {
    errors.push({ field: path, message: `should be at least ${node.minLength} chars long` });
  }
  if (node.maxLength !== undefined && length > node.maxLength) {
    errors.push({ field: path, message: `may not be more than ${node.maxLength} bytes` });
  }
  if (node.pattern !== undefined && !regex(node.pattern).test(value)) {
    errors.push({ field: path, message: `should match '${node.pattern}'` });
  }
}

function checkNumber(value: number, node: SchemaNode, path: string, errors: FieldError[]): void {
  if (node.minimum !== undefined && value < node.minimum) {
    errors.push({ field: path, message: `should be greater than or equal to ${node.minimum}` });
  }
  if (node.maximum !== undefined && value > node.maximum) {
    errors.push({ field: path, message: `should be less than or equal to ${node.maximum}` });
  }
}

function visit(value: unknown, node: SchemaNode, path: string, errors: FieldError[]): void {
  const actual = typeOf(value);
  if (node['x-kubernetes-int-or-string']) {
    if (actual === 'string') checkString(value as string, node, path, errors);
    else if (actual === 'integer') checkNumber(value as number, node, path, errors);
    else errors.push({ field: path, message: `must be an integer or a string, got ${actual}` });
    return;
  }
  const expected = node.type;
  if (expected !== undefined) {
    const fits = actual === expected || (expected === 'number' && actual === 'integer');
    if (!fits) {
      errors.push({ field: path, message: `must be of type ${expected}, got ${actual}` });
      return;
    }
  }
  if (node.enum !== undefined && !node.enum.includes(value)) {
    errors.push({ field: path, message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${node.enum.map((v) => JSON.stringify(v)).join(', ')}` });
  }
  if (actual === 'string') checkString(value as string, node, path, errors);
  if (actual === 'integer' || actual === 'number') checkNumber(value as number, node, path, errors);
  if (actual === 'array' && node.items) {
    (value as unknown[]).forEach((item, i) => visit(item, node.items as SchemaNode, join(path, i), errors));
  }
  if (actual === 'object' && node.properties) {
    const object = value as Record<string, unknown>;
    for (const key of node.required ?? []) {
      if (object[key] === undefined) errors.push({ field: join(path, key), message: 'Required value' });
    }
    for (const [key, child] of Object.entries(object)) {
      if (child === undefined) continue;
      const childNode = node.properties[key];
      if (!childNode) errors.push({ field: join(path, key), message: 'unknown field' });
      else visit(child, childNode, join(path, key), errors);
    }
  }
}

/** Every way `value` breaks `schema`, with kube-apiserver-style field paths; [] when it fits. */
export function validateAgainstSchema(value: unknown, schema: SchemaNode, path = ''): FieldError[] {
  const errors: FieldError[] = [];
  visit(value, schema, path, errors);
  return errors;
}
