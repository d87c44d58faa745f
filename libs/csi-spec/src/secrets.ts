import type * as protobuf from 'protobufjs';

/** What a secret field's value is replaced with in anything logged. */
export const STRIPPED = '***stripped***';

/** The custom field option csi.proto marks sensitive fields with (`[(csi_secret) = true]`). */
const SECRET_OPTION = '(csi_secret)';

/**
 * Every message of the contract that has fields marked `csi_secret`, by full name
 * (`csi.v1.CreateVolumeRequest`), with those fields' names. Read from the proto's own
 * options (protobufjs keeps custom options on each field's `options`), so a field the
 * next CSI version marks secret is stripped without anyone keeping a list.
 */
export function findSecretFields(root: protobuf.Root): ReadonlyMap<string, readonly string[]> {
  const found = new Map<string, string[]>();
  const visit = (ns: protobuf.NamespaceBase): void => {
    for (const nested of ns.nestedArray) {
      if (isType(nested)) {
        const names = nested.fieldsArray.filter(isSecret).map((f) => f.name);
        if (names.length > 0) found.set(fullName(nested), names);
      }
      if ('nestedArray' in nested) visit(nested as protobuf.NamespaceBase);
    }
  };
  visit(root);
  return found;
}

/**
 * A copy of `message` (a decoded object of `type`, as proto-loader hands it to a handler)
 * fit to log: every field marked `csi_secret`, at any depth, replaced by STRIPPED when
 * it holds anything. Keys the type does not know (proto-loader's virtual oneof fields)
 * are copied as they are.
 */
export function stripSecrets(type: protobuf.Type, message: unknown): unknown {
  if (message === null || typeof message !== 'object' || Array.isArray(message)) return message;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(message as Record<string, unknown>)) {
    const field = Object.hasOwn(type.fields, key) ? type.fields[key] : undefined;
    if (!field) out[key] = value;
    else if (isSecret(field)) out[key] = isEmpty(value) ? value : STRIPPED;
    else out[key] = stripField(field, value);
  }
  return out;
}

function stripField(field: protobuf.Field, value: unknown): unknown {
  const t = field.resolvedType;
  if (!t || !isType(t) || value === null || value === undefined) return value;
  if (field.map && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, stripSecrets(t, v)]));
  }
  if (field.repeated && Array.isArray(value)) return value.map((v) => stripSecrets(t, v));
  return stripSecrets(t, value);
}

function isSecret(field: protobuf.Field): boolean {
  return field.options?.[SECRET_OPTION] === true;
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value as object).length === 0;
}

function isType(o: protobuf.ReflectionObject): o is protobuf.Type {
  return 'fieldsArray' in o;
}

function fullName(o: protobuf.ReflectionObject): string {
  return o.fullName.replace(/^\./, '');
}
