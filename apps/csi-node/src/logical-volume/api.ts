import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { apiCall, isNotFound } from '@copse/controller-runtime';
import type { LogicalVolume, LogicalVolumeList, LogicalVolumeStatus, NameSet } from '@copse/k8s-crd';
import { type ApiCalls } from '@copse/controller-runtime';

/** The Kubernetes API calls this module makes (deploy/'s RBAC grants exactly the app's union; api-calls.spec.ts checks it against the calls). */
export const API_CALLS: ApiCalls = (lvGroup) => [
  { group: lvGroup, resource: 'logicalvolumes', verbs: ['get', 'list', 'patch'] },
  { group: lvGroup, resource: 'logicalvolumes/status', verbs: ['update'] },
];

/** One JSON patch operation (RFC 6902), as client-node sends PATCH bodies. */
export type JsonPatchOp =
  | { readonly op: 'add' | 'replace' | 'test'; readonly path: string; readonly value: unknown }
  | { readonly op: 'remove'; readonly path: string };

/** A JSON pointer segment (RFC 6901): `~` and `/` escaped, as annotation and label keys need. */
export function pointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * The LogicalVolume calls the node makes, over client-node's CustomObjectsApi (which sends
 * objects as they are). Every write carries the resourceVersion it was computed from, so a
 * write based on a stale cache is refused with 409 Conflict and retried after the informer
 * has the newer object, as client-go controllers do.
 */
export class LogicalVolumeApi {
  private readonly api: CustomObjectsApi;
  private readonly ref: { group: string; version: string; plural: string };

  constructor(kc: KubeConfig, names: NameSet) {
    this.api = kc.makeApiClient(CustomObjectsApi);
    const { group, version, plural } = names.logicalVolumes;
    this.ref = { group, version, plural };
  }

  /** The object as the API has it now; undefined when it is gone. */
  async get(name: string): Promise<LogicalVolume | undefined> {
    try {
      return (await apiCall(() => this.api.getClusterCustomObject({ ...this.ref, name }))) as LogicalVolume;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** One page of LogicalVolumes matching a label selector. */
  async list(labelSelector: string, continueToken?: string): Promise<LogicalVolumeList> {
    return (await apiCall(() =>
      this.api.listClusterCustomObject({ ...this.ref, labelSelector, limit: 500, _continue: continueToken }),
    )) as LogicalVolumeList;
  }

  /** At most one LogicalVolume matching a field selector: whether the API server takes the selector at all. */
  async probeFieldSelector(fieldSelector: string): Promise<void> {
    await apiCall(() => this.api.listClusterCustomObject({ ...this.ref, fieldSelector, limit: 1 }));
  }

  /** Replaces status through the status subresource, with lv's resourceVersion; undefined when the object is gone. */
  async writeStatus(lv: LogicalVolume, status: LogicalVolumeStatus): Promise<LogicalVolume | undefined> {
    const body = { ...lv, status };
    try {
      return (await apiCall(() =>
        this.api.replaceClusterCustomObjectStatus({ ...this.ref, name: lv.metadata?.name ?? '', body }),
      )) as LogicalVolume;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /**
   * Patches metadata with JSON patch operations, guarded by lv's resourceVersion (a stale
   * one answers 409); undefined when the object is gone.
   */
  async patchMetadata(lv: LogicalVolume, ops: readonly JsonPatchOp[]): Promise<LogicalVolume | undefined> {
    const body = [{ op: 'replace', path: '/metadata/resourceVersion', value: lv.metadata?.resourceVersion }, ...ops];
    try {
      return (await apiCall(() => this.api.patchClusterCustomObject({ ...this.ref, name: lv.metadata?.name ?? '', body }))) as LogicalVolume;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}
