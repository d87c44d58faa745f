// Every Kubernetes API call csi-controller makes: the union of what its modules declare next to
// their calls. deploy/'s RBAC for csi-controller is exactly this (tools/deploy-check renders and
// compares); api-calls.spec.ts fails when a module calls without declaring.
import { mergeApiCalls, type ApiCall } from '@copse/controller-runtime';
import { API_CALLS as app } from './app';
import { API_CALLS as logicalVolumeController } from './controllers/logical-volume';
import { API_CALLS as leaderWork } from './controllers/leader-work';
import { API_CALLS as nodeController } from './controllers/node';
import { API_CALLS as logicalVolumes } from './k8s/logical-volumes';

export const MODULES = [app, logicalVolumeController, leaderWork, nodeController, logicalVolumes];

export function apiCalls(lvGroup: string): ApiCall[] {
  return mergeApiCalls(MODULES.map((calls) => calls(lvGroup)));
}
