/**
 * The kubeconfig kubectl and client-node use to reach the test server. The server speaks plain
 * HTTP on 127.0.0.1; client-node 1.x refuses http:// unless the cluster says
 * insecure-skip-tls-verify, which kubectl accepts as well.
 */
import { stringify } from 'yaml';

export const CONTEXT_NAME = 'kube-test-apiserver';

export function kubeconfigYaml(url: string, token?: string, namespace = 'default'): string {
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: CONTEXT_NAME, cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    users: [{ name: CONTEXT_NAME, user: token ? { token } : {} }],
    contexts: [{ name: CONTEXT_NAME, context: { cluster: CONTEXT_NAME, user: CONTEXT_NAME, namespace } }],
    'current-context': CONTEXT_NAME,
    preferences: {},
  };
  return `# kube-test-apiserver: a TEST server on 127.0.0.1 (not a Kubernetes cluster)\n${stringify(doc)}`;
}
