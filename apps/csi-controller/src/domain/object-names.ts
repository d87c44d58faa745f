// CSI names to LogicalVolume object names. The sidecars send names that are object names
// already ("pvc-<uid>", "snapshot-<uid>"), and those are used as they are, as TopoLVM does, so
// that a TopoLVM user's objects keep their names. Any other CSI name (csi-sanity sends
// 128-byte names with upper case; CSI allows any text without control characters) maps to a
// lower-case prefix plus a hash of the whole name: deterministic, so that a retry finds the
// object, and distinct for names that differ only in case. The CSI name itself is kept in
// spec.name, which is what a lookup compares.
import { createHash } from 'node:crypto';

/** metadata.name rule of cluster-scoped custom resources: a DNS-1123 subdomain. */
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const MAX_NAME = 253;
/** the readable part of a derived name, kept well under the limit */
const MAX_PREFIX = 200;
/** hex digits of sha256 in a derived name: 64 bits */
const HASH_DIGITS = 16;

export function isObjectName(name: string): boolean {
  return name.length <= MAX_NAME && SUBDOMAIN.test(name);
}

/** The LogicalVolume object name for a CSI volume or snapshot name. */
export function objectNameFor(csiName: string): string {
  if (isObjectName(csiName)) return csiName;
  const hash = createHash('sha256').update(csiName, 'utf8').digest('hex').slice(0, HASH_DIGITS);
  const prefix = csiName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, MAX_PREFIX)
    .replace(/^-+|-+$/g, '');
  return prefix ? `${prefix}-${hash}` : `csi-${hash}`;
}
