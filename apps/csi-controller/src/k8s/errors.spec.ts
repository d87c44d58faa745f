import { GrpcStatus as status } from '@copse/csi-grpc';
import { ApiException } from '@kubernetes/client-node';
import { mapKubernetesError } from './errors';

const apiError = (code: number, reason: string, message: string) =>
  new ApiException(code, message, JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, message, code }), {});

describe('Kubernetes API errors as gRPC status', () => {
  it.each([
    [409, 'Conflict', status.ABORTED],
    [429, 'TooManyRequests', status.UNAVAILABLE],
    [503, 'ServiceUnavailable', status.UNAVAILABLE],
    [500, 'InternalError', status.UNAVAILABLE],
    [403, 'Forbidden', status.INTERNAL],
    [422, 'Invalid', status.INTERNAL],
  ])('%d %s is %s, with the API\'s message', (code, reason, grpc) => {
    const err = mapKubernetesError(apiError(code, reason, 'the message'));
    expect(err?.code).toBe(grpc);
    expect(err?.message).toContain('the message');
  });

  it('a connection refused is UNAVAILABLE', () => {
    const err = Object.assign(new Error('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    expect(mapKubernetesError(err)?.code).toBe(status.UNAVAILABLE);
  });

  it('anything else is not its business', () => {
    expect(mapKubernetesError(new TypeError('x is undefined'))).toBeUndefined();
  });
});
