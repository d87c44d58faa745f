import type { V1Node } from '@kubernetes/client-node';
import { capacityAnnotation, type NameSet } from '@copse/k8s-crd';
import type { DeviceClass } from '@copse/lvmd-api';
import { pointer, type JsonPatchOp } from '../logical-volume/api';

/**
 * The Node's capacity annotations, the pure part: what they should say, and the patch
 * that makes the Node say it (none when it already does).
 *
 * As TopoLVM's node writes them (internal/runners/metrics_exporter.go):
 * `capacity.<group>/<device-class>` for every device class and
 * `capacity.<group>/00default` for the default one, each the bytes a new volume may use
 * as a decimal string: a thick class's free bytes less its spare, a thin class's
 * overprovisioned free bytes (lvmd-http's `freeBytes` is exactly that). The scheduler
 * extender and csi-controller's choice of node read them. TopoLVM also puts the Node
 * finalizer `<group>/node` on, which the controller's node cleanup relies on; so does this.
 */

/** Annotation key -> value for the device classes lvmd-http reports. */
export function desiredCapacityAnnotations(names: NameSet, deviceClasses: readonly DeviceClass[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const dc of deviceClasses) {
    const free = String(Math.max(0, Math.floor(dc.freeBytes)));
    out[capacityAnnotation(names, dc.name)] = free;
    if (dc.default) out[names.defaultCapacityAnnotation] = free;
  }
  // a single class is the default one even if lvmd.yaml does not say so (TopoLVM's rule)
  if (deviceClasses.length === 1 && !deviceClasses[0]!.default) {
    out[names.defaultCapacityAnnotation] = String(Math.max(0, Math.floor(deviceClasses[0]!.freeBytes)));
  }
  return out;
}

/**
 * The JSON patch bringing the Node in line, guarded by its resourceVersion; undefined when
 * nothing differs or the Node is being deleted (as TopoLVM: the controller is cleaning up).
 * Capacity annotations of device classes lvmd-http no longer reports are removed, so that
 * a class dropped from lvmd.yaml stops attracting volumes.
 */
export function nodeCapacityPatch(names: NameSet, node: V1Node, desired: Record<string, string>): JsonPatchOp[] | undefined {
  const meta = node.metadata ?? {};
  if (meta.deletionTimestamp) return undefined;
  const current = meta.annotations ?? {};
  const ops: JsonPatchOp[] = [];
  if (!meta.annotations) {
    ops.push({ op: 'add', path: '/metadata/annotations', value: { ...desired } });
  } else {
    for (const [key, value] of Object.entries(desired)) {
      if (current[key] !== value) ops.push({ op: 'add', path: `/metadata/annotations/${pointer(key)}`, value });
    }
    for (const key of Object.keys(current)) {
      if (key.startsWith(names.capacityAnnotationPrefix) && !(key in desired)) ops.push({ op: 'remove', path: `/metadata/annotations/${pointer(key)}` });
    }
  }
  const finalizers = meta.finalizers;
  if (!finalizers) ops.push({ op: 'add', path: '/metadata/finalizers', value: [names.nodeFinalizer] });
  else if (!finalizers.includes(names.nodeFinalizer)) ops.push({ op: 'add', path: '/metadata/finalizers/-', value: names.nodeFinalizer });
  if (ops.length === 0) return undefined;
  return [{ op: 'replace', path: '/metadata/resourceVersion', value: meta.resourceVersion }, ...ops];
}
