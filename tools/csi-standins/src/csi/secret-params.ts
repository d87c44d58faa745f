import type { V1PersistentVolumeClaim, V1SecretReference } from '@kubernetes/client-node';

/**
 * StorageClass secret parameters as external-provisioner reads them
 * (verifyAndGetSecretNameAndNamespaceTemplate, getSecretReference, resolveTemplate): each kind of
 * secret is named by a pair of parameters (csi.storage.k8s.io/<kind>-secret-name and -namespace,
 * or the deprecated csi<Kind>SecretName pair), which may use ${pv.name}, ${pvc.name},
 * ${pvc.namespace} and ${pvc.annotations['key']} (names), ${pv.name} and ${pvc.namespace}
 * (namespaces). csi.storage.k8s.io/secret-name and -namespace are the default for every kind.
 */
export const CSI_PARAMETER_PREFIX = 'csi.storage.k8s.io/';

export interface SecretParams {
  readonly name: string;
  readonly nameKey: string;
  readonly namespaceKey: string;
  readonly deprecatedNameKey?: string;
  readonly deprecatedNamespaceKey?: string;
}

const p = (name: string, kind: string, deprecated?: string): SecretParams => ({
  name,
  nameKey: `${CSI_PARAMETER_PREFIX}${kind}-secret-name`,
  namespaceKey: `${CSI_PARAMETER_PREFIX}${kind}-secret-namespace`,
  ...(deprecated ? { deprecatedNameKey: `csi${deprecated}SecretName`, deprecatedNamespaceKey: `csi${deprecated}SecretNamespace` } : {}),
});

export const SECRET_PARAMS = {
  default: { name: 'Default', nameKey: `${CSI_PARAMETER_PREFIX}secret-name`, namespaceKey: `${CSI_PARAMETER_PREFIX}secret-namespace` },
  provisioner: p('Provisioner', 'provisioner', 'Provisioner'),
  controllerPublish: p('ControllerPublish', 'controller-publish', 'ControllerPublish'),
  nodeStage: p('NodeStage', 'node-stage', 'NodeStage'),
  nodePublish: p('NodePublish', 'node-publish', 'NodePublish'),
  controllerExpand: p('ControllerExpand', 'controller-expand'),
  nodeExpand: p('NodeExpand', 'node-expand'),
} satisfies Record<string, SecretParams>;

/** The StorageClass keys with the csi.storage.k8s.io/ prefix the provisioner knows (and strips from CreateVolume's parameters). */
export const KNOWN_PREFIXED_PARAMETERS: ReadonlySet<string> = new Set([
  `${CSI_PARAMETER_PREFIX}fstype`,
  ...Object.values(SECRET_PARAMS).flatMap((s) => [s.nameKey, s.namespaceKey]),
]);

function templates(secret: SecretParams, params: Readonly<Record<string, string>>): { name: string; namespace: string } | undefined {
  let name = '';
  let namespace = '';
  let numName = 0;
  let numNamespace = 0;
  for (const [key, isName] of [
    [secret.deprecatedNameKey, true],
    [secret.deprecatedNamespaceKey, false],
    [secret.nameKey, true],
    [secret.namespaceKey, false],
  ] as const) {
    if (key === undefined || !(key in params)) continue;
    if (isName) {
      name = params[key] as string;
      numName++;
    } else {
      namespace = params[key] as string;
      numNamespace++;
    }
  }
  if (numName > 1 || numNamespace > 1) throw new Error(`${secret.name} secrets specified in parameters with both "csi" and "${CSI_PARAMETER_PREFIX}" keys`);
  if (numName !== numNamespace) throw new Error(`either name and namespace for ${secret.name} secrets specified, Both must be specified`);
  if (numName === 0) return undefined;
  if (name === '' || namespace === '') throw new Error(`${secret.name} secrets specified in parameters but value of either namespace or name is empty`);
  return { name, namespace };
}

function resolve(template: string, values: Readonly<Record<string, string>>): string {
  const missing = new Set<string>();
  // os.Expand: ${var} and $var
  const out = template.replace(/\$\{([^}]*)\}|\$([A-Za-z0-9_]+)/g, (_m, braced: string | undefined, bare: string | undefined) => {
    const key = braced ?? bare ?? '';
    const v = values[key];
    if (v === undefined) missing.add(key);
    return v ?? '';
  });
  if (missing.size > 0) throw new Error(`invalid tokens: [${[...missing].sort().map((k) => JSON.stringify(k)).join(' ')}]`);
  return out;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * The secret a StorageClass names for one kind of call, resolved for this claim; undefined when
 * it names none. Throws with external-provisioner's messages when the parameters are wrong.
 */
export function secretReference(
  secret: SecretParams,
  params: Readonly<Record<string, string>>,
  pvName: string,
  pvc: Pick<V1PersistentVolumeClaim, 'metadata'> | undefined,
): V1SecretReference | undefined {
  const meta = pvc?.metadata;
  const namespaceValues: Record<string, string> = { 'pv.name': pvName, ...(meta ? { 'pvc.namespace': meta.namespace ?? '' } : {}) };
  const nameValues: Record<string, string> = { ...namespaceValues };
  if (meta) {
    nameValues['pvc.name'] = meta.name ?? '';
    for (const [k, v] of Object.entries(meta.annotations ?? {})) nameValues[`pvc.annotations['${k}']`] = v;
  }
  return resolveSecretReference(secret, params, namespaceValues, nameValues);
}

/**
 * The secret named by a parameter pair, its templates resolved with the given tokens (the
 * provisioner's are ${pv.name}, ${pvc.*}; the snapshotter's ${volumesnapshotcontent.name},
 * ${volumesnapshot.*}). Falls back to the default csi.storage.k8s.io/secret-name pair.
 */
export function resolveSecretReference(
  secret: SecretParams,
  params: Readonly<Record<string, string>>,
  namespaceValues: Readonly<Record<string, string>>,
  nameValues: Readonly<Record<string, string>>,
): V1SecretReference | undefined {
  let t: { name: string; namespace: string } | undefined;
  try {
    t = templates(secret, params);
  } catch (err) {
    throw new Error(`failed to get name and namespace template from params: ${(err as Error).message}`);
  }
  if (!t) {
    try {
      t = templates(SECRET_PARAMS.default, params);
    } catch (err) {
      throw new Error(`failed to get default name and namespace template from params: ${(err as Error).message}`);
    }
  }
  if (!t) return undefined;
  const namespace = resolveChecked(t.namespace, { ...namespaceValues }, DNS1123_LABEL, 63, 'namespace');
  const name = resolveChecked(t.name, { ...nameValues }, DNS1123_SUBDOMAIN, 253, 'secret');
  return { name, namespace };
}

function resolveChecked(template: string, values: Record<string, string>, re: RegExp, max: number, what: 'namespace' | 'secret'): string {
  let resolved: string;
  try {
    resolved = resolve(template, values);
  } catch (err) {
    throw new Error(`error resolving value "${template}": ${(err as Error).message}`);
  }
  if (!re.test(resolved) || resolved.length > max) {
    if (resolved !== template) throw new Error(`"${template}" resolved to "${resolved}" which is not a valid ${what} name`);
    throw new Error(`"${template}" is not a valid ${what} name`);
  }
  return resolved;
}

/**
 * CreateVolume's parameters: the StorageClass's, minus every csi.storage.k8s.io/ key; an unknown
 * key under that prefix is an error (removePrefixedParameters). The deprecated csi* secret keys
 * are passed on, as the real one does.
 */
export function removePrefixedParameters(params: Readonly<Record<string, string>>, known: ReadonlySet<string> = KNOWN_PREFIXED_PARAMETERS): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    if (k.startsWith(CSI_PARAMETER_PREFIX)) {
      if (!known.has(k)) throw new Error(`found unknown parameter key "${k}" with reserved namespace ${CSI_PARAMETER_PREFIX}`);
    } else {
      out[k] = v;
    }
  }
  return out;
}
