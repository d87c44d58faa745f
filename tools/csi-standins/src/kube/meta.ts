import type { KubernetesObject } from '@kubernetes/client-node';

/** Small metadata helpers shared by every stand-in (metav1.HasAnnotation and friends). */

export function annotation(obj: KubernetesObject | undefined, key: string): string | undefined {
  return obj?.metadata?.annotations?.[key];
}

export function hasAnnotation(obj: KubernetesObject | undefined, key: string): boolean {
  return annotation(obj, key) !== undefined;
}

export function setAnnotation<T extends KubernetesObject>(obj: T, key: string, value: string): T {
  obj.metadata ??= {};
  obj.metadata.annotations = { ...obj.metadata.annotations, [key]: value };
  return obj;
}

export function removeAnnotation<T extends KubernetesObject>(obj: T, key: string): T {
  if (obj.metadata?.annotations && key in obj.metadata.annotations) {
    const { [key]: _gone, ...rest } = obj.metadata.annotations;
    obj.metadata.annotations = rest;
  }
  return obj;
}

export function hasFinalizer(obj: KubernetesObject | undefined, finalizer: string): boolean {
  return obj?.metadata?.finalizers?.includes(finalizer) ?? false;
}

export function addFinalizer<T extends KubernetesObject>(obj: T, finalizer: string): T {
  obj.metadata ??= {};
  if (!hasFinalizer(obj, finalizer)) obj.metadata.finalizers = [...(obj.metadata.finalizers ?? []), finalizer];
  return obj;
}

export function removeFinalizer<T extends KubernetesObject>(obj: T, finalizer: string): T {
  if (obj.metadata?.finalizers) obj.metadata.finalizers = obj.metadata.finalizers.filter((f) => f !== finalizer);
  return obj;
}

/** True once a DELETE has been accepted and finalizers hold the object. */
export function isDeleting(obj: KubernetesObject | undefined): boolean {
  return obj?.metadata?.deletionTimestamp !== undefined && obj.metadata.deletionTimestamp !== null;
}

/** "namespace/name" (client-go's MetaNamespaceKeyFunc). */
export function keyOf(obj: KubernetesObject): string {
  const { namespace, name } = obj.metadata ?? {};
  return namespace ? `${namespace}/${name}` : (name ?? '');
}

/** A deep copy of an object read from a cache, to change and write (never change the cache). */
export function copy<T>(obj: T): T {
  return structuredClone(obj);
}

/** An RFC 3339 time of now, as the API server stores metav1.Time (whole seconds). */
export function nowTime(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}
