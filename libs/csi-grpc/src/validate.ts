// Checks every CSI handler needs, so handlers stay short. Each throws a CsiError whose
// message names the field as the spec does (snake_case, with indexes), e.g.
// "volume_capabilities[1].access_mode.mode MULTI_NODE_MULTI_WRITER is not supported".
import type { AccessMode, CapacityRange__Output, VolumeCapability__Output } from '@copse/csi-spec';
import { CsiError } from './errors';

/** The spec's general size limits (Field Requirements: Size Limits). */
export const CSI_STRING_MAX_BYTES = 128;
export const CSI_MAP_MAX_BYTES = 4096;

/** A REQUIRED string field: present (proto3 sends '' for absent) and within `maxBytes`. */
export function requireString(value: string | undefined, field: string, maxBytes = CSI_STRING_MAX_BYTES): string {
  if (value === undefined || value === '') throw CsiError.invalidArgument(`${field} is required`);
  checkSize(value, field, maxBytes);
  return value;
}

/** An OPTIONAL string field within `maxBytes`. */
export function checkSize(value: string, field: string, maxBytes = CSI_STRING_MAX_BYTES): void {
  const bytes = Buffer.byteLength(value);
  if (bytes > maxBytes) throw CsiError.invalidArgument(`${field} is ${bytes} bytes; at most ${maxBytes} are allowed`);
}

/** A map<string, string> field within the spec's 4 KiB (keys and values together). */
export function checkMapSize(map: Readonly<Record<string, string>>, field: string, maxBytes = CSI_MAP_MAX_BYTES): void {
  let bytes = 0;
  for (const [k, v] of Object.entries(map)) bytes += Buffer.byteLength(k) + Buffer.byteLength(v);
  if (bytes > maxBytes) throw CsiError.invalidArgument(`${field} is ${bytes} bytes; at most ${maxBytes} are allowed`);
}

/** A REQUIRED message field (proto-loader gives null for an absent one). */
export function requireMessage<T>(value: T | null | undefined, field: string): T {
  if (value === null || value === undefined) throw CsiError.invalidArgument(`${field} is required`);
  return value;
}

/** A REQUIRED repeated field: at least one element. */
export function requireList<T>(value: readonly T[] | undefined, field: string): readonly T[] {
  if (!value || value.length === 0) throw CsiError.invalidArgument(`${field} is required: give at least one`);
  return value;
}

/**
 * An int64 field (a decimal string, as the contract is loaded) as a number: exact, since
 * anything beyond 2^53 - 1 is refused with OUT_OF_RANGE (8 PiB: more than any volume
 * group this plugin serves), and a negative size with INVALID_ARGUMENT.
 */
export function int64(value: string | number, field: string): number {
  const text = String(value);
  if (!/^-?\d+$/.test(text)) throw CsiError.invalidArgument(`${field} ${text} is not an integer`);
  const n = BigInt(text);
  if (n < 0n) throw CsiError.invalidArgument(`${field} must not be negative (${text})`);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw CsiError.outOfRange(`${field} ${text} is more than this plugin handles (at most ${Number.MAX_SAFE_INTEGER})`);
  return Number(n);
}

/** A capacity range in bytes; 0 means "not given", as in the spec. */
export interface CapacityRequest {
  readonly requiredBytes: number;
  readonly limitBytes: number;
}

/**
 * An OPTIONAL CapacityRange: both bounds as exact numbers, and the limit not below the
 * requirement. What the plugin can provide within them is the handler's decision.
 */
export function capacityRange(range: CapacityRange__Output | null | undefined, field = 'capacity_range'): CapacityRequest {
  if (!range) return { requiredBytes: 0, limitBytes: 0 };
  const requiredBytes = int64(range.required_bytes, `${field}.required_bytes`);
  const limitBytes = int64(range.limit_bytes, `${field}.limit_bytes`);
  if (limitBytes !== 0 && limitBytes < requiredBytes) {
    throw CsiError.invalidArgument(`${field}.limit_bytes ${limitBytes} is less than ${field}.required_bytes ${requiredBytes}`);
  }
  return { requiredBytes, limitBytes };
}

/** What volumes a plugin offers: the access modes, raw block or not, and the filesystems. */
export interface VolumeCapabilitySupport {
  readonly accessModes: readonly AccessMode[];
  readonly block: boolean;
  /** filesystems a mount capability may ask for; none: mount is not offered. '' (the plugin's default) is always allowed when mount is offered */
  readonly fsTypes: readonly string[];
}

/**
 * Why `cap` cannot be served, or undefined when it can. A sentence naming the field, for
 * an INVALID_ARGUMENT or ValidateVolumeCapabilitiesResponse.message.
 */
export function volumeCapabilityProblem(cap: VolumeCapability__Output, support: VolumeCapabilitySupport, field: string): string | undefined {
  const mode = cap.access_mode?.mode;
  if (!cap.access_mode || mode === undefined || mode === 'UNKNOWN') return `${field}.access_mode.mode is required`;
  if (!support.accessModes.includes(mode)) {
    return `${field}.access_mode.mode ${mode} is not supported; supported: ${support.accessModes.join(', ')}`;
  }
  if (cap.access_type === 'block' || (cap.access_type === undefined && cap.block)) {
    return support.block ? undefined : `${field}.block: raw block volumes are not supported`;
  }
  if (cap.access_type === 'mount' || (cap.access_type === undefined && cap.mount)) {
    if (support.fsTypes.length === 0) return `${field}.mount: filesystem volumes are not supported`;
    const fsType = cap.mount?.fs_type ?? '';
    if (fsType !== '' && !support.fsTypes.includes(fsType)) {
      return `${field}.mount.fs_type ${JSON.stringify(fsType)} is not supported; supported: ${support.fsTypes.join(', ')}`;
    }
    return undefined;
  }
  return `${field}.access_type is required: block or mount`;
}

/** A REQUIRED repeated VolumeCapability field, every element served. */
export function checkVolumeCapabilities(
  caps: readonly VolumeCapability__Output[] | undefined,
  support: VolumeCapabilitySupport,
  field = 'volume_capabilities',
): readonly VolumeCapability__Output[] {
  requireList(caps, field);
  caps!.forEach((cap, i) => {
    const problem = volumeCapabilityProblem(cap, support, `${field}[${i}]`);
    if (problem) throw CsiError.invalidArgument(problem);
  });
  return caps!;
}

/** A REQUIRED single VolumeCapability field (NodePublishVolume's volume_capability), served. */
export function checkVolumeCapability(
  cap: VolumeCapability__Output | null | undefined,
  support: VolumeCapabilitySupport,
  field = 'volume_capability',
): VolumeCapability__Output {
  const c = requireMessage(cap, field);
  const problem = volumeCapabilityProblem(c, support, field);
  if (problem) throw CsiError.invalidArgument(problem);
  return c;
}

const ALNUM = '[a-zA-Z0-9]';

/**
 * GetPluginInfo's name: domain name notation, at most 63 characters, alphanumerics at
 * both ends, dashes, dots and alphanumerics between. Throws an Error (a configuration
 * mistake, found at start, never a caller's).
 */
export function checkPluginName(name: string): void {
  const ok = name.length <= 63 && new RegExp(`^${ALNUM}([a-zA-Z0-9.-]*${ALNUM})?$`).test(name);
  if (!ok) throw new Error(`plugin name ${JSON.stringify(name)} is not a CSI plugin name (at most 63 characters, domain name notation)`);
}

/**
 * Why a topology segment map breaks the spec's rules, or undefined: keys are an optional
 * lower-case DNS prefix and a name, each at most 63 characters; values at most 63
 * characters, alphanumerics at both ends, '-', '_', '.' between.
 */
export function topologyProblem(segments: Readonly<Record<string, string>>, field = 'segments'): string | undefined {
  const nameRe = new RegExp(`^${ALNUM}([a-zA-Z0-9_.-]*${ALNUM})?$`);
  const prefixRe = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;
  const seen = new Set<string>();
  for (const [key, value] of Object.entries(segments)) {
    const slash = key.indexOf('/');
    const prefix = slash < 0 ? undefined : key.slice(0, slash);
    const name = slash < 0 ? key : key.slice(slash + 1);
    if (prefix !== undefined && (prefix.length > 63 || !prefixRe.test(prefix))) return `${field} key ${JSON.stringify(key)}: the prefix must be a lower-case DNS name of at most 63 characters`;
    if (name.length > 63 || !nameRe.test(name)) return `${field} key ${JSON.stringify(key)}: the name must be at most 63 characters, alphanumerics at both ends, '-', '_', '.' between`;
    if (seen.has(key.toLowerCase())) return `${field} key ${JSON.stringify(key)} repeats another but for case`;
    seen.add(key.toLowerCase());
    if (value.length > 63 || !nameRe.test(value)) return `${field}[${JSON.stringify(key)}] ${JSON.stringify(value)}: a value must be at most 63 characters, alphanumerics at both ends, '-', '_', '.' between`;
  }
  return undefined;
}
