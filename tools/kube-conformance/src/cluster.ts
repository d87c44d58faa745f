/**
 * The cluster a conformance run talks to: the one KUBECONFIG names, used unchanged, or else
 * a fresh API test server on 127.0.0.1 with a kubeconfig written for it.
 *
 * Nothing here assumes an empty cluster: every object the suite creates carries a name with
 * this run's id and the label RUN_LABEL, lives in a namespace of the run's own (or is a
 * cluster-scoped object the run tracks), and is removed at the end.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { startTestApiServer, type RunningTestApiServer } from '@copse/kube-test-apiserver';
import { ApiClient } from './http';

/** Every object the suite creates carries this label, valued with the run id. */
export const RUN_LABEL = 'conformance.copse.io/run';

export interface Cluster {
  /** 'kubeconfig': the cluster KUBECONFIG names; 'test-server': a test server started for this file. */
  readonly source: 'kubeconfig' | 'test-server';
  readonly kc: KubeConfig;
  /** A kubeconfig file kubectl can use (KUBECONFIG itself when set). */
  readonly kubeconfigPath: string;
  readonly api: ApiClient;
  /** Random, lowercase, unique to this process: part of every name the suite makes. */
  readonly runId: string;
  /** A fresh DNS-label name: `<prefix>-<runId>-<n>`. */
  name(prefix: string): string;
  /** Labels every created object should carry (the run label, plus any given). */
  labels(extra?: Record<string, string>): Record<string, string>;
  /** A namespace of the run's own (created now, deleted at the end). */
  createNamespace(prefix?: string): Promise<string>;
  /**
   * Remember an object to remove at the end: its finalizers are cleared first so nothing a
   * failed test left behind blocks its namespace or CRD from going away.
   */
  track(path: string): void;
  close(): Promise<void>;
}

function randomId(length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let out = 'abcdefghijklmnopqrstuvwxyz'[Math.floor(Math.random() * 26)] as string;
  while (out.length < length) out += alphabet[Math.floor(Math.random() * alphabet.length)];
  return out;
}

async function startTestServer(dir: string): Promise<{ server: RunningTestApiServer; kubeconfigPath: string }> {
  const kubeconfigPath = join(dir, 'kubeconfig');
  const server = await startTestApiServer({ port: 0, kubeconfigPath });
  if (server.kubeconfigPath === undefined) writeFileSync(kubeconfigPath, server.kubeconfigYaml());
  return { server, kubeconfigPath: server.kubeconfigPath ?? kubeconfigPath };
}

export async function connect(): Promise<Cluster> {
  const runId = randomId(6);
  const external = process.env['KUBECONFIG'];
  let dir: string | undefined;
  let server: RunningTestApiServer | undefined;
  let kubeconfigPath: string;
  const kc = new KubeConfig();
  if (external) {
    kc.loadFromDefault();
    kubeconfigPath = external;
  } else {
    dir = mkdtempSync(join(tmpdir(), 'copse-conformance-'));
    ({ server, kubeconfigPath } = await startTestServer(dir));
    kc.loadFromFile(kubeconfigPath);
  }
  const api = await ApiClient.fromKubeConfig(kc);
  const tracked: string[] = [];
  const namespaces: string[] = [];
  let counter = 0;

  const cluster: Cluster = {
    source: external ? 'kubeconfig' : 'test-server',
    kc,
    kubeconfigPath,
    api,
    runId,
    name(prefix: string): string {
      counter += 1;
      return `${prefix}-${runId}-${counter}`;
    },
    labels(extra: Record<string, string> = {}): Record<string, string> {
      return { [RUN_LABEL]: runId, ...extra };
    },
    async createNamespace(prefix = 'conf'): Promise<string> {
      const name = cluster.name(prefix);
      const res = await api.post('/api/v1/namespaces', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name, labels: cluster.labels() },
      });
      if (res.status !== 201) throw new Error(`creating namespace ${name}: ${res.status} ${res.text}`);
      namespaces.push(name);
      return name;
    },
    track(path: string): void {
      tracked.push(path);
    },
    async close(): Promise<void> {
      try {
        for (const path of tracked.reverse()) {
          await api.patch(path, 'application/merge-patch+json', { metadata: { finalizers: null } });
          await api.delete(path);
        }
        for (const ns of namespaces) await api.delete(`/api/v1/namespaces/${ns}`);
      } finally {
        await server?.close();
        if (dir) rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  return cluster;
}
