import type { V1ListMeta, V1ObjectMeta } from '@kubernetes/client-node';
import { QuantityError } from '@copse/lvm-model';
import { LOGICAL_VOLUME_CRDS, LOGICAL_VOLUME_NAMES } from './generated/crds';
import type { components } from './generated/types';
import type { NameSet } from './names';
import { formatQuantity, quantityToBytes } from './quantity';
import { validateAgainstSchema, type FieldError, type SchemaNode } from './schema';

type Schema = components['schemas']['LogicalVolume'];

/** spec as TopoLVM has it: {name, nodeName, size, deviceClass, lvcreateOptionClass, source, accessType}. */
export type LogicalVolumeSpec = Schema['spec'];
/** status as TopoLVM has it ({volumeID, code, message, currentSize}) plus Copse's conditions. */
export type LogicalVolumeStatus = NonNullable<Schema['status']>;
export type LogicalVolumeCondition = NonNullable<LogicalVolumeStatus['conditions']>[number];
/** "ro": a snapshot (VolumeSnapshot); "rw": a restore or a clone. */
export type AccessType = 'ro' | 'rw';

/** A LogicalVolume object; metadata is client-node's, so informers and clients take it as is. */
export interface LogicalVolume {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  spec: LogicalVolumeSpec;
  status?: LogicalVolumeStatus;
}

export interface LogicalVolumeList {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ListMeta;
  items: LogicalVolume[];
}

export const LOGICAL_VOLUME_KIND = LOGICAL_VOLUME_NAMES.kind;

/** The CRD object for the name set's group (what deploy/crds/ holds for it). */
export function logicalVolumeCrd(names: NameSet): (typeof LOGICAL_VOLUME_CRDS)[keyof typeof LOGICAL_VOLUME_CRDS] {
  return LOGICAL_VOLUME_CRDS[names.group];
}

/** The openAPIV3Schema of the LogicalVolume kind (the same for both groups). */
export const LOGICAL_VOLUME_SCHEMA: SchemaNode = Object.values(LOGICAL_VOLUME_CRDS)[0]!.spec.versions[0].schema
  .openAPIV3Schema as SchemaNode;

export interface NewLogicalVolume {
  /** metadata.name, and spec.name unless csiName is given (TopoLVM uses the CSI request name, lower-cased, for both). */
  readonly name: string;
  /** spec.name when it differs from the object's name: a CSI name that is no valid object name. */
  readonly csiName?: string;
  readonly nodeName: string;
  readonly sizeBytes: number;
  readonly deviceClass?: string;
  readonly lvcreateOptionClass?: string;
  /** For a snapshot, restore or clone: the source LogicalVolume's name and how to activate. */
  readonly source?: { readonly name: string; readonly accessType: AccessType };
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * A LogicalVolume as the CSI controller creates it: the finalizer that makes the node remove
 * the LV before the object goes, and the node label that lets a node watch only its own
 * volumes. Optional fields are left out rather than set empty, as TopoLVM's omitempty does.
 */
export function newLogicalVolume(names: NameSet, input: NewLogicalVolume): LogicalVolume {
  const spec: LogicalVolumeSpec = {
    name: input.csiName ?? input.name,
    nodeName: input.nodeName,
    size: formatQuantity(input.sizeBytes),
  };
  if (input.deviceClass) spec.deviceClass = input.deviceClass;
  if (input.lvcreateOptionClass) spec.lvcreateOptionClass = input.lvcreateOptionClass;
  if (input.source) {
    spec.source = input.source.name;
    spec.accessType = input.source.accessType;
  }
  const metadata: V1ObjectMeta = {
    name: input.name,
    finalizers: [names.logicalVolumeFinalizer],
    labels: { ...input.labels, [names.nodeLabel]: input.nodeName },
  };
  if (input.annotations) metadata.annotations = { ...input.annotations };
  return { apiVersion: names.apiVersion, kind: LOGICAL_VOLUME_KIND, metadata, spec };
}

/**
 * Everything kube-apiserver would refuse about this object under the CRD's schema, plus what
 * the schema cannot say: a size that is not a whole number of bytes or is zero, and
 * accessType set without source or the other way round. [] when it is fine.
 */
export function validateLogicalVolume(lv: unknown): FieldError[] {
  const errors = validateAgainstSchema(lv, LOGICAL_VOLUME_SCHEMA);
  if (errors.length > 0) return errors;
  const { spec, status } = lv as LogicalVolume;
  const sizeProblem = quantityProblem(spec.size, { positive: true });
  if (sizeProblem) errors.push({ field: 'spec.size', message: sizeProblem });
  if (status?.currentSize !== undefined) {
    const problem = quantityProblem(status.currentSize, { positive: false });
    if (problem) errors.push({ field: 'status.currentSize', message: problem });
  }
  if (spec.source && !spec.accessType) {
    errors.push({ field: 'spec.accessType', message: 'Required value: "ro" or "rw" when spec.source is set' });
  }
  if (spec.accessType && !spec.source) {
    errors.push({ field: 'spec.source', message: 'Required value: the source LogicalVolume when spec.accessType is set' });
  }
  return errors;
}

function quantityProblem(quantity: number | string, { positive }: { positive: boolean }): string | undefined {
  try {
    const bytes = quantityToBytes(quantity);
    return positive && bytes === 0 ? 'must be greater than zero' : undefined;
  } catch (e) {
    if (e instanceof QuantityError) return e.message;
    throw e;
  }
}

/** spec.size in bytes; throws QuantityError when the object holds no valid size. */
export function specSizeBytes(lv: LogicalVolume): number {
  return quantityToBytes(lv.spec.size);
}

/** status.currentSize in bytes, or undefined before the node has reported one. */
export function currentSizeBytes(lv: LogicalVolume): number | undefined {
  const current = lv.status?.currentSize;
  return current === undefined ? undefined : quantityToBytes(current);
}

/** Ready as the READY column shows it: the LV exists (volumeID) and no error is reported (code). */
export function isLogicalVolumeReady(lv: Pick<LogicalVolume, 'status'>): boolean {
  return Boolean(lv.status?.volumeID) && !lv.status?.code;
}

/** gRPC status code names by number, as TopoLVM stores codes in status.code. */
export const GRPC_CODE_NAMES: readonly string[] = [
  'OK',
  'Canceled',
  'Unknown',
  'InvalidArgument',
  'DeadlineExceeded',
  'NotFound',
  'AlreadyExists',
  'PermissionDenied',
  'ResourceExhausted',
  'FailedPrecondition',
  'Aborted',
  'OutOfRange',
  'Unimplemented',
  'Internal',
  'Unavailable',
  'DataLoss',
  'Unauthenticated',
];

export const READY_CONDITION = 'Ready';

/**
 * The status with its Ready condition brought in line with volumeID and code, so the two can
 * never disagree: every writer of a LogicalVolume's status passes it through here. The
 * condition's lastTransitionTime moves only when its status changes.
 */
export function withReadyCondition(
  status: LogicalVolumeStatus,
  options: { readonly generation?: number; readonly now?: Date } = {},
): LogicalVolumeStatus {
  const ready = Boolean(status.volumeID) && !status.code;
  let reason: string;
  let message: string;
  if (status.code) {
    reason = GRPC_CODE_NAMES[status.code] ?? `Code${status.code}`;
    message = status.message ?? '';
  } else if (ready) {
    reason = 'VolumeCreated';
    message = `logical volume ${status.volumeID} exists on its node`;
  } else {
    reason = 'Pending';
    message = 'waiting for the node to create the logical volume';
  }
  const conditionStatus = ready ? 'True' : 'False';
  const others = (status.conditions ?? []).filter((c) => c.type !== READY_CONDITION);
  const previous = status.conditions?.find((c) => c.type === READY_CONDITION);
  const lastTransitionTime =
    previous && previous.status === conditionStatus
      ? previous.lastTransitionTime
      : (options.now ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const condition: LogicalVolumeCondition = { type: READY_CONDITION, status: conditionStatus, lastTransitionTime, reason, message };
  if (options.generation !== undefined) condition.observedGeneration = options.generation;
  return { ...status, conditions: [...others, condition] };
}
