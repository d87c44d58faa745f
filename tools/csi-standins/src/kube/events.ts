import type { KubeConfig } from '@kubernetes/client-node';
import { EventRecorder } from '@copse/controller-runtime';
import type { Logger } from 'pino';

/**
 * The `source.host` of every Event a stand-in writes (except the kubelet's, whose host is its
 * node): `kubectl describe` shows "From: <component>, csi-standins-test", so an Event written by
 * a stand-in never passes for one from the real component, while its reason, type and message
 * are the real component's.
 */
export const STANDIN_EVENT_HOST = 'csi-standins-test';

export function eventRecorder(kubeConfig: KubeConfig, component: string, log: Logger, host = STANDIN_EVENT_HOST): EventRecorder {
  return new EventRecorder({ kubeConfig, component, host, logger: log });
}

export type { EventRecorder };
