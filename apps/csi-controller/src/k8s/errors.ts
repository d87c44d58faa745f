// The controller's domain errors are the Kubernetes API's. This is their translation into
// gRPC status for csi-grpc's one error-to-status function (CsiServer's mapError): what a
// sidecar retries (UNAVAILABLE, ABORTED) and what an operator must fix (INTERNAL with the
// API's own words, which never carry secrets).
import { toApiError } from '@copse/controller-runtime';
import { CsiError, GrpcStatus as status } from '@copse/csi-grpc';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

function networkCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export function mapKubernetesError(err: unknown): CsiError | undefined {
  const api = toApiError(err);
  if (api) {
    switch (api.reason) {
      case 'Conflict':
        return new CsiError(status.ABORTED, `the Kubernetes object changed meanwhile; retry: ${api.message}`, { cause: err });
      case 'TooManyRequests':
      case 'ServiceUnavailable':
      case 'Timeout':
      case 'ServerTimeout':
        return new CsiError(status.UNAVAILABLE, `the Kubernetes API server is busy; retry: ${api.message}`, { cause: err });
      case 'Forbidden':
      case 'Unauthorized':
        return new CsiError(status.INTERNAL, `the Kubernetes API server refused the controller (check its RBAC): ${api.message}`, { cause: err });
      default:
        if (api.code === 0 || api.code >= 500) {
          return new CsiError(status.UNAVAILABLE, `the Kubernetes API server failed; retry: ${api.message}`, { cause: err });
        }
        return new CsiError(status.INTERNAL, `the Kubernetes API server answered ${api.code} ${api.reason}: ${api.message}`, { cause: err });
    }
  }
  const code = networkCode(err);
  if (code) return new CsiError(status.UNAVAILABLE, `the Kubernetes API server is unreachable (${code}); retry`, { cause: err });
  return undefined;
}
