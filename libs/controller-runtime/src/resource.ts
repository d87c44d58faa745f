import { CustomObjectsApi, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { apiCall } from './errors';

/**
 * Where a kind lives in the API. The core group is "" (paths under /api/v1); every other
 * group, built-in (coordination.k8s.io) or custom (a CRD's), lives under /apis/<group>/<version>.
 */
export interface ResourceRef {
  readonly group: string;
  readonly version: string;
  /** The resource name in paths, e.g. "logicalvolumes". */
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

export function apiVersionOf(ref: ResourceRef): string {
  return ref.group ? `${ref.group}/${ref.version}` : ref.version;
}

/** The collection path: /api/v1/nodes, /apis/<group>/<version>[/namespaces/<ns>]/<plural>. */
export function collectionPath(ref: ResourceRef, namespace?: string): string {
  const root = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
  if (ref.namespaced && namespace) return `${root}/namespaces/${encodeURIComponent(namespace)}/${ref.plural}`;
  return `${root}/${ref.plural}`;
}

/** One page of a list: what the informer asks for and what a lister must send. */
export interface ListPageOptions {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly limit?: number;
  /** client-node's spelling of the "continue" token. */
  readonly _continue?: string;
}

/**
 * Lists one page. client-node's generated calls fit as they are, e.g.
 * `(o) => core.listNode(o)` or `(o) => custom.listClusterCustomObject({ group, version, plural, ...o })`.
 */
export type ListPage<T extends KubernetesObject> = (options: ListPageOptions) => Promise<KubernetesListObject<T>>;

/**
 * A lister for a kind outside the core group through client-node's CustomObjectsApi, which
 * serves any /apis/<group>/<version> path and returns the objects as the API sent them
 * (plain JSON, as watch events are). `namespace` limits a namespaced kind to one namespace.
 */
export function customObjectLister<T extends KubernetesObject>(kubeConfig: KubeConfig, ref: ResourceRef, namespace?: string): ListPage<T> {
  if (!ref.group) throw new RangeError(`${ref.kind} is in the core group: list it with CoreV1Api`);
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  const { group, version, plural } = ref;
  return (options) =>
    apiCall(() =>
      ref.namespaced && namespace
        ? api.listNamespacedCustomObject({ group, version, plural, namespace, ...options })
        : api.listClusterCustomObject({ group, version, plural, ...options }),
    ) as Promise<KubernetesListObject<T>>;
}

/** The list's continue token, in either spelling (typed lists say _continue, plain JSON continue). */
export function continueToken(list: KubernetesListObject<KubernetesObject>): string | undefined {
  const meta = list.metadata as { _continue?: string; continue?: string } | undefined;
  return meta?._continue || meta?.continue || undefined;
}
