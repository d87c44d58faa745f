import { status } from '@grpc/grpc-js';

/**
 * How the sidecars read a failed CSI call (external-provisioner's checkError, external-snapshotter's
 * isCSIFinalError): whether the operation may still be running in the plugin, so that the
 * sidecar must call again with the same name rather than give up or clean up.
 */

/** The gRPC status code of a failed call; undefined when the failure is not a gRPC status (it happened before the call). */
export function grpcCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' && code >= 0 && code <= 16 ? code : undefined;
}

/** "rpc error: code = NotFound desc = ...", the way Go's status errors print (and the sidecars' events show them). */
export function grpcErrorText(err: unknown): string {
  const code = grpcCode(err);
  if (code === undefined) return (err as Error)?.message ?? String(err);
  const details = (err as { details?: string }).details ?? '';
  return `rpc error: code = ${goCodeName(code)} desc = ${details}`;
}

const GO_CODE_NAMES = [
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
] as const;

/** grpc-go's codes.Code.String(): "NotFound", "ResourceExhausted", ... */
export function goCodeName(code: number): string {
  return GO_CODE_NAMES[code] ?? `Code(${code})`;
}

/** sig-storage-lib-external-provisioner's ProvisioningState. */
export type ProvisioningState = 'Finished' | 'InBackground' | 'NoChange' | 'Reschedule';

/**
 * external-provisioner's checkError: after a failed CreateVolume, may the operation still be
 * running (InBackground: call again with the same name, never give up on it), did it certainly
 * fail (Finished), or should the scheduler pick another node (Reschedule: ResourceExhausted on a
 * node the scheduler chose, with topology)?
 */
export function provisioningStateAfter(err: unknown, mayReschedule: boolean): ProvisioningState {
  const code = grpcCode(err);
  if (code === undefined) return 'InBackground';
  switch (code) {
    case status.RESOURCE_EXHAUSTED:
      return mayReschedule ? 'Reschedule' : 'Finished';
    case status.CANCELLED:
    case status.DEADLINE_EXCEEDED:
    case status.UNAVAILABLE:
    case status.ABORTED:
      return 'InBackground';
    default:
      return 'Finished';
  }
}

/**
 * external-snapshotter's isCSIFinalError: a CreateSnapshot failure after which the snapshot
 * cannot be in the making. Not final (keep the being-created annotation, keep calling):
 * no gRPC status at all, CANCELLED, DEADLINE_EXCEEDED, UNAVAILABLE, RESOURCE_EXHAUSTED, ABORTED.
 */
export function isFinalSnapshotError(err: unknown): boolean {
  const code = grpcCode(err);
  if (code === undefined) return false;
  return ![status.CANCELLED, status.DEADLINE_EXCEEDED, status.UNAVAILABLE, status.RESOURCE_EXHAUSTED, status.ABORTED].includes(code);
}
