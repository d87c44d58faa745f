import { CsiError, GrpcStatus } from '@copse/csi-grpc';
import { FsCommandError } from '@copse/fs-exec';
import { FsSizeParseError, MountInfoParseError } from '@copse/fs-model';
import { ERROR_CODES, LvmdClientError } from '@copse/lvmd-api';
import { CommandUnavailableError } from '@copse/process-runner';

/**
 * The Node service's domain errors as the gRPC status the caller receives: the one place
 * that translates them (CsiServer's mapError). Anything else is INTERNAL with its detail
 * only in the log (csi-grpc's errorToStatus), and a call whose caller gave up answers its
 * abort's code whatever was thrown.
 *
 * | error | status |
 * | --- | --- |
 * | lvmd-http answered a problem | the code's gRPC status from @copse/lvmd-api's ERROR_CODES |
 * | lvmd-http not reachable | UNAVAILABLE |
 * | a filesystem or mount command failed | INTERNAL, naming the command and what it said |
 * | a command could not be started | INTERNAL, naming the program (a node without it) |
 * | output the plugin could not read | INTERNAL, naming the tool or file |
 */
export function nodeErrorToCsi(err: unknown): CsiError | undefined {
  if (err instanceof LvmdClientError) {
    const info = ERROR_CODES[err.code];
    return new CsiError(GrpcStatus[info.grpc], `lvmd-http: ${err.problem.title}${err.problem.detail ? `: ${err.problem.detail}` : ''}`, { cause: err });
  }
  if (err instanceof FsCommandError) return new CsiError(GrpcStatus.INTERNAL, `${err.command} failed (exit code ${err.exitCode}): ${err.detail}`, { cause: err });
  if (err instanceof CommandUnavailableError) return new CsiError(GrpcStatus.INTERNAL, `cannot run ${err.argv[0]} on this node: ${err.cause.message}`, { cause: err });
  if (err instanceof FsSizeParseError || err instanceof MountInfoParseError) return new CsiError(GrpcStatus.INTERNAL, err.message, { cause: err });
  if (isConnectionError(err)) return new CsiError(GrpcStatus.UNAVAILABLE, `lvmd-http is not reachable: ${(err as Error).message}`, { cause: err });
  return undefined;
}

/** undici's own errors (UND_ERR_*), and a failed connect(2) to lvmd-http's socket or port; never our own file errors. */
function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const { code, syscall } = err as NodeJS.ErrnoException;
  return (typeof code === 'string' && code.startsWith('UND_ERR')) || syscall === 'connect';
}
