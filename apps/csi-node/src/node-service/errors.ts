import { CsiError, GrpcStatus } from '@copse/csi-grpc';
import { FsCommandError } from '@copse/fs-exec';
import { FsSizeParseError, MountInfoParseError } from '@copse/fs-model';
import { LvmdClientError } from '@copse/lvmd-api';
import { CommandUnavailableError } from '@copse/process-runner';
import { lvmdErrorToCsi } from '../lvmd-errors';

/**
 * The Node service's domain errors as the gRPC status the caller receives: the one place
 * that translates them (wrapNodeService). Anything else is INTERNAL with its detail
 * only in the log (csi-grpc's errorToStatus), and a call whose caller gave up answers its
 * abort's code whatever was thrown.
 *
 * | error | status |
 * | --- | --- |
 * | lvmd-http answered a problem, or could not be connected to | as csi-node's lvmdErrorToCsi: the problem code's gRPC status; UNAVAILABLE |
 * | a filesystem or mount command failed | INTERNAL, naming the command and what it said |
 * | a command could not be started | INTERNAL, naming the program (a node without it) |
 * | output the plugin could not read | INTERNAL, naming the tool or file |
 */
export function nodeErrorToCsi(err: unknown): CsiError | undefined {
  if (err instanceof CsiError) return undefined;
  if (err instanceof FsCommandError) return new CsiError(GrpcStatus.INTERNAL, `${err.command} failed (exit code ${err.exitCode}): ${err.detail}`, { cause: err });
  if (err instanceof CommandUnavailableError) return new CsiError(GrpcStatus.INTERNAL, `cannot run ${err.argv[0]} on this node: ${err.cause.message}`, { cause: err });
  if (err instanceof FsSizeParseError || err instanceof MountInfoParseError) return new CsiError(GrpcStatus.INTERNAL, err.message, { cause: err });
  if (err instanceof LvmdClientError || isConnectionError(err)) return lvmdErrorToCsi(err);
  return undefined;
}

/**
 * undici's own errors (UND_ERR_*), and a failed connect(2) to lvmd-http's socket or port;
 * never the Node service's own file errors (an ENOENT from mkdir is not lvmd-http's).
 */
function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const { code, syscall } = err as NodeJS.ErrnoException;
  return (typeof code === 'string' && code.startsWith('UND_ERR')) || syscall === 'connect';
}
