// How the CSI controller reads a LogicalVolume: volume or snapshot, ready or failed, its size,
// its health, and whether it matches a repeated create. Pure: objects in, answers out.
import { GRPC_CODE_NAMES, quantityToBytes, type LogicalVolume } from '@copse/k8s-crd';

/** "ro" LogicalVolumes are snapshots; the rest (plain, restores, clones) are volumes. */
export type VolumeKind = 'volume' | 'snapshot';

export function kindOf(lv: LogicalVolume): VolumeKind {
  return lv.spec.accessType === 'ro' ? 'snapshot' : 'volume';
}

export function isDeleting(lv: LogicalVolume): boolean {
  return Boolean(lv.metadata?.deletionTimestamp);
}

/** The node made the LV (status.volumeID), whatever happened since. */
export function isCreated(lv: LogicalVolume): boolean {
  return Boolean(lv.status?.volumeID);
}

/** The node reported a failure (status.code, a gRPC code). */
export function failureOf(lv: LogicalVolume): { code: number; message: string } | undefined {
  const code = lv.status?.code ?? 0;
  if (code === 0) return undefined;
  return { code, message: lv.status?.message || `the node reported ${GRPC_CODE_NAMES[code] ?? `code ${code}`}` };
}

/** spec.size in bytes (0 for an object without a valid size, which no create matches). */
export function specBytes(lv: LogicalVolume): number {
  try {
    return quantityToBytes(lv.spec.size);
  } catch {
    return 0;
  }
}

/** The LV's real size: status.currentSize, or spec.size before the node has reported one (TopoLVM before 0.4). */
export function currentBytes(lv: LogicalVolume): number {
  const current = lv.status?.currentSize;
  if (current !== undefined) {
    try {
      return quantityToBytes(current);
    } catch {
      // fall through to spec.size
    }
  }
  return specBytes(lv);
}

/** Normalises an optional class name: absent and '' are the same (the node's default). */
const cls = (v: string | undefined): string => v ?? '';

/** What a create asks for, to compare with an object of the same name. */
export interface WantedVolume {
  readonly csiName: string;
  readonly kind: VolumeKind;
  readonly deviceClass: string;
  readonly lvcreateOptionClass: string;
  /** the source's object name, for snapshots, restores and clones */
  readonly source?: string;
  /** the size the request comes to, and its upper bound (0: none); not compared for snapshots */
  readonly minBytes: number;
  readonly limitBytes: number;
  /** whether the existing object's node satisfies the call's accessibility requirements */
  readonly nodeAllowed: (node: string) => boolean;
}

/**
 * Why an existing object cannot answer a create of the same name (the CSI spec's
 * ALREADY_EXISTS: same name, other parameters), or undefined when it can. The size is
 * compatible when it lies within the requested range, so a volume grown since still matches.
 */
export function incompatibility(lv: LogicalVolume, wanted: WantedVolume): string | undefined {
  const what = `${wanted.kind} ${JSON.stringify(wanted.csiName)}`;
  if (lv.spec.name !== wanted.csiName) {
    return `${what} maps to LogicalVolume ${lv.metadata?.name}, which holds another name (${JSON.stringify(lv.spec.name)})`;
  }
  const kind = kindOf(lv);
  if (kind !== wanted.kind) return `${what} already exists as a ${kind}`;
  if ((lv.spec.source ?? '') !== (wanted.source ?? '')) {
    const had = lv.spec.source ? `LogicalVolume ${lv.spec.source}` : 'no source';
    const asked = wanted.source ? `LogicalVolume ${wanted.source}` : 'no source';
    return `${what} already exists with another source (${had}; this request: ${asked})`;
  }
  if (cls(lv.spec.deviceClass) !== wanted.deviceClass) {
    return `${what} already exists in device class ${JSON.stringify(cls(lv.spec.deviceClass))}; this request asks for ${JSON.stringify(wanted.deviceClass)}`;
  }
  if (wanted.kind === 'volume') {
    if (cls(lv.spec.lvcreateOptionClass) !== wanted.lvcreateOptionClass) {
      return `${what} already exists with lvcreate option class ${JSON.stringify(cls(lv.spec.lvcreateOptionClass))}; this request asks for ${JSON.stringify(wanted.lvcreateOptionClass)}`;
    }
    const size = specBytes(lv);
    if (size < wanted.minBytes || (wanted.limitBytes !== 0 && size > wanted.limitBytes)) {
      const range = wanted.limitBytes !== 0 ? `${wanted.minBytes} to ${wanted.limitBytes} bytes` : `at least ${wanted.minBytes} bytes`;
      return `${what} already exists with ${size} bytes; this request asks for ${range}`;
    }
  }
  if (!wanted.nodeAllowed(lv.spec.nodeName)) {
    return `${what} already exists on node ${lv.spec.nodeName}, which accessibility_requirements exclude`;
  }
  return undefined;
}

export interface Health {
  readonly abnormal: boolean;
  readonly message: string;
}

/**
 * The volume's condition for ControllerGetVolume and ListVolumes (VOLUME_CONDITION): abnormal
 * while being deleted, when the node reports a failure (status.code, e.g. a failed resize), or
 * when a condition the node keeps (Ready, and any other) is False; the messages say why.
 */
export function healthOf(lv: LogicalVolume): Health {
  const node = lv.spec.nodeName;
  if (isDeleting(lv)) return { abnormal: true, message: `the volume is being deleted from node ${node}` };
  const failure = failureOf(lv);
  if (failure) return { abnormal: true, message: `node ${node}: ${GRPC_CODE_NAMES[failure.code] ?? failure.code}: ${failure.message}` };
  if (!isCreated(lv)) return { abnormal: true, message: `the volume is not created on node ${node} yet` };
  const failing = (lv.status?.conditions ?? []).filter((c) => c.status === 'False');
  if (failing.length > 0) {
    return { abnormal: true, message: failing.map((c) => `${c.type} ${c.reason}: ${c.message}`).join('; ') };
  }
  return { abnormal: false, message: `the logical volume exists on node ${node}` };
}
