/**
 * The suite's own custom resources: CRDs in a group unique to the run, so that runs never
 * collide on a shared cluster and each run sees its CRDs appear and go.
 *
 * - Widget (namespaced, status subresource, printer columns, validation, defaults, a
 *   list-map): what Copse's own kinds look like.
 * - Gadget (cluster-scoped, no status subresource): the other shape the rules differ for.
 */
import type { Cluster } from './cluster';
import { condition, expectOk, resourcePath, waitForObject, type Obj } from './kube';

export const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

export interface CustomKind {
  readonly group: string;
  readonly version: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly crdName: string;
  readonly namespaced: boolean;
  /** Collection or object path (namespace ignored for cluster-scoped kinds). */
  path(namespace?: string, name?: string): string;
}

export function customKind(group: string, version: string, kind: string, plural: string, namespaced: boolean): CustomKind {
  const apiVersion = `${group}/${version}`;
  return {
    group,
    version,
    apiVersion,
    kind,
    plural,
    singular: kind.toLowerCase(),
    crdName: `${plural}.${group}`,
    namespaced,
    path: (namespace?: string, name?: string) => resourcePath(apiVersion, plural, namespaced ? namespace : undefined, name),
  };
}

const widgetSchema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['size'],
      properties: {
        size: { type: 'integer', minimum: 1 },
        color: { type: 'string', enum: ['red', 'green', 'blue'], default: 'green' },
        nodeName: { type: 'string' },
        tags: { type: 'array', items: { type: 'string' } },
        ports: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: {
            type: 'object',
            required: ['name'],
            properties: { name: { type: 'string' }, port: { type: 'integer' } },
          },
        },
        nested: {
          type: 'object',
          properties: { mode: { type: 'string', default: 'fast' }, level: { type: 'integer' } },
        },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      },
    },
    status: {
      type: 'object',
      properties: {
        phase: { type: 'string' },
        observedGeneration: { type: 'integer' },
        message: { type: 'string' },
      },
    },
  },
};

export function widgetCrd(kind: CustomKind, labels: Record<string, string>): Obj {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: kind.crdName, labels },
    spec: {
      group: kind.group,
      scope: kind.namespaced ? 'Namespaced' : 'Cluster',
      names: { plural: kind.plural, singular: kind.singular, kind: kind.kind, listKind: `${kind.kind}List`, shortNames: [`${kind.singular}x`], categories: ['copse-conformance'] },
      versions: [
        {
          name: kind.version,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: structuredClone(widgetSchema) },
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
            { name: 'Color', type: 'string', jsonPath: '.spec.color' },
            { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
            { name: 'Node', type: 'string', jsonPath: '.spec.nodeName', priority: 1 },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
        },
      ],
    },
  };
}

/** Cluster-scoped, no status subresource, no printer columns (so the default Age column). */
export function gadgetCrd(kind: CustomKind, labels: Record<string, string>): Obj {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: kind.crdName, labels },
    spec: {
      group: kind.group,
      scope: kind.namespaced ? 'Namespaced' : 'Cluster',
      names: { plural: kind.plural, singular: kind.singular, kind: kind.kind, listKind: `${kind.kind}List` },
      versions: [
        {
          name: kind.version,
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: { type: 'object', properties: { value: { type: 'string' }, count: { type: 'integer' } } },
                status: { type: 'object', properties: { phase: { type: 'string' } } },
              },
            },
          },
        },
      ],
    },
  };
}

/** Creates a CRD and waits (by watching it) until it is Established with its names accepted. */
export async function installCrd(cluster: Cluster, crd: Obj): Promise<Obj> {
  const res = await cluster.api.post(CRD_PATH, crd);
  if (res.status !== 201) throw new Error(`creating CRD ${crd.metadata.name}: ${res.status} ${res.text}`);
  cluster.track(`${CRD_PATH}/${crd.metadata.name}`);
  return waitForEstablished(cluster, crd.metadata.name);
}

export async function waitForEstablished(cluster: Cluster, name: string): Promise<Obj> {
  return waitForObject(cluster.api, CRD_PATH, name, (obj) =>
    condition(obj, 'Established')?.status === 'True' && condition(obj, 'NamesAccepted')?.status === 'True',
  );
}

/** The run's Widget kind (namespaced) and Gadget kind (cluster-scoped), installed. */
export async function installTestKinds(cluster: Cluster): Promise<{ widget: CustomKind; gadget: CustomKind }> {
  const group = `${cluster.name('g')}.conformance.copse.io`;
  const widget = customKind(group, 'v1', 'Widget', 'widgets', true);
  const gadget = customKind(group, 'v1', 'Gadget', 'gadgets', false);
  await installCrd(cluster, widgetCrd(widget, cluster.labels()));
  await installCrd(cluster, gadgetCrd(gadget, cluster.labels()));
  return { widget, gadget };
}

/** A Widget manifest. */
export function widget(cluster: Cluster, kind: CustomKind, namespace: string, name: string, spec: Obj = { size: 1 }, extraMeta: Obj = {}): Obj {
  return {
    apiVersion: kind.apiVersion,
    kind: kind.kind,
    metadata: { name, namespace, ...extraMeta, labels: cluster.labels(extraMeta.labels) },
    spec,
  };
}

/** Creates an object with POST and returns what the server stored (201 expected). */
export async function create(cluster: Cluster, collectionPath: string, body: Obj): Promise<Obj> {
  return expectOk(await cluster.api.post(collectionPath, body), 201);
}
