import { resolve } from 'node:path';

/**
 * The socket path of a CSI endpoint as kubelet and the sidecars write it: `unix:///abs/path`,
 * `unix:/abs/path`, `unix:relative/path` (gRPC's forms) or a bare path. Only unix sockets
 * are served: the CSI contract's callers sit on the same host.
 */
export function socketPathOf(endpoint: string): string {
  let path: string;
  if (endpoint.startsWith('unix://')) {
    path = endpoint.slice('unix://'.length);
    if (!path.startsWith('/')) throw new Error(`CSI endpoint ${endpoint}: write unix:///absolute/path or unix:relative/path`);
  } else if (endpoint.startsWith('unix:')) path = endpoint.slice('unix:'.length);
  else if (/^[a-z][a-z0-9+.-]*:/i.test(endpoint)) throw new Error(`CSI endpoint ${endpoint}: only unix sockets are served (unix:///path/csi.sock)`);
  else path = endpoint;
  if (path === '') throw new Error(`CSI endpoint ${endpoint}: no socket path`);
  return resolve(path);
}
