// Every Kubernetes API call csi-node makes: the union of what its modules declare next to
// their calls. deploy/'s RBAC for csi-node is exactly this (tools/deploy-check renders and
// compares); api-calls.spec.ts fails when a module calls without declaring.
import { mergeApiCalls, type ApiCall } from '@copse/controller-runtime';
import { API_CALLS as app } from './app';
import { API_CALLS as logicalVolumeApi } from './logical-volume/api';
import { API_CALLS as nodeCapacity } from './capacity/node-capacity';

export const MODULES = [app, logicalVolumeApi, nodeCapacity];

export function apiCalls(lvGroup: string): ApiCall[] {
  return mergeApiCalls(MODULES.map((calls) => calls(lvGroup)));
}
