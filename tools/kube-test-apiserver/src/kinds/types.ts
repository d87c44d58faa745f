/**
 * What the server knows about one served resource (one group/version/resource endpoint).
 * Built-in kinds come from the kinds table (builtin.ts); custom resources from CRDs.
 */
import type { FieldError } from '../api/status';
import type { KubeObject } from '../api/object';
import type { Schema } from '../crd/schema-types';

export interface PrinterColumn {
  readonly name: string;
  readonly type: string;
  readonly format?: string;
  readonly description?: string;
  readonly priority?: number;
}

export interface TablePrinter {
  readonly columns: readonly PrinterColumn[];
  /** One row's cells, in column order. */
  cells(obj: KubeObject, now: Date): unknown[];
}

/** Where and how objects are stored: two endpoints may share it (core and events.k8s.io Events, CRD versions). */
export interface StorageRef {
  readonly group: string;
  readonly resource: string;
  /** The apiVersion objects are stored as. */
  readonly apiVersion: string;
}

/** The strategy hooks a kind may define (k8s.io/apiserver's RESTCreateStrategy and friends). */
export interface KindStrategy {
  /** Defaults applied to a request object (external form) before validation. */
  defaults?(obj: KubeObject): void;
  /** Resets fields a create may not set (status for kinds with a status subresource). */
  prepareForCreate?(obj: KubeObject): void;
  /** Validation of a new object (after defaulting). */
  validate?(obj: KubeObject): FieldError[];
  /** Validation of an update (after defaulting); immutable fields and transitions. */
  validateUpdate?(obj: KubeObject, old: KubeObject): FieldError[];
  /** Field values for field selectors beyond metadata.name and metadata.namespace. */
  fieldSelectors?: Record<string, (obj: KubeObject) => string | undefined>;
  /** The first DELETE of an object with this strategy: mark it (finalizers, conditions) before the finalizer rules run. */
  beginDelete?(obj: KubeObject, now: Date): void;
  /** Warnings for a create or update (Warning headers). */
  warnings?(obj: KubeObject): string[];
}

export interface ResourceType {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly listKind: string;
  readonly plural: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly verbs: readonly string[];
  readonly statusSubresource: boolean;
  readonly storage: StorageRef;
  /** metadata.generation is maintained (set to 1, bumped on spec changes). */
  readonly generation: boolean;
  /** DELETE answers with the deleted object rather than a Success Status. */
  readonly returnDeletedObject: boolean;
  /** PUT of a missing object creates it. */
  readonly allowCreateOnUpdate: boolean;
  /** PUT without metadata.resourceVersion overwrites (built-ins); false requires one (custom resources, CRDs). */
  readonly allowUnconditionalUpdate?: boolean;
  /** Validates metadata.name; returns the messages of the problems found. */
  readonly nameValidation: 'subdomain' | 'label' | 'path';
  /** Structural schema: validation, pruning, defaulting. Undefined: keep everything. */
  readonly schema?: Schema;
  readonly strategy: KindStrategy;
  readonly table?: TablePrinter;
  /** Set for custom resources: the CRD's name. */
  readonly crdName?: string;
  /** Conversion from the storage form to this endpoint's form, and back. Identity (apiVersion rewrite) when absent. */
  readonly convert?: {
    fromStorage(obj: KubeObject): KubeObject;
    toStorage(obj: KubeObject): KubeObject;
  };
  /** Subresources served besides status (e.g. namespaces/finalize). */
  readonly extraSubresources?: readonly string[];
  /** Printed in strategic merge patch errors and used to pick the patch types allowed. */
  readonly strategicMergePatch: boolean;
}

export function apiVersionOfType(t: ResourceType): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;

/** The group and resource of an endpoint, as errors name it (`logicalvolumes.topolvm.cybozu.com`). */
export function grOf(t: ResourceType): { group: string; resource: string } {
  return { group: t.group, resource: t.plural };
}
