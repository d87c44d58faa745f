/**
 * Wires the test server together: store, kinds, controllers, HTTP. startTestApiServer (index.ts)
 * and the CLI (cli.ts) both come through here.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import pino, { type Logger } from 'pino';
import { parseAllDocuments } from 'yaml';
import { ObjectStore } from './store/object-store';
import { WatchHub } from './store/watch-hub';
import { DataFile } from './store/persistence';
import { ResourceRegistry } from './kinds/registry';
import { BUILTIN_KINDS } from './kinds/builtin';
import { crdResourceType } from './crd/crd-kind';
import { CrdController } from './crd/controller';
import { snapshotCrds } from './crd/snapshot-crds';
import { ApiObjects } from './rest/objects';
import { recordUpdate } from './rest/managed-fields';
import { internalContext } from './rest/context';
import { ControllerQueue } from './controllers/queue';
import { NamespaceController } from './controllers/namespace';
import { GarbageCollector } from './controllers/garbage-collector';
import { ProtectionController } from './controllers/protection';
import { OpenApiServer } from './openapi/handler';
import { createHttpServer } from './http/server';
import { kubeconfigYaml } from './kubeconfig';
import type { KubeObject } from './api/object';

export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0+kube-test-apiserver',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.23.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export interface ServerConfig {
  readonly port: number;
  readonly token?: string;
  readonly dataFile?: string;
  readonly kubeconfigPath?: string;
  /** CRDs to serve from the start: objects, or paths of YAML/JSON files (several documents allowed). */
  readonly crds: readonly (KubeObject | string)[];
  /** Serve the external-snapshotter CRDs (VolumeSnapshot, VolumeSnapshotContent, VolumeSnapshotClass) from the start. */
  readonly snapshotCrds: boolean;
  readonly historyLimit: number;
  readonly bookmarkIntervalMs: number;
  readonly watchTimeoutMs?: number;
  readonly log: Logger;
}

const BOOTSTRAP_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export class TestApiServer {
  readonly store: ObjectStore;
  readonly kinds = new ResourceRegistry();
  readonly objects: ApiObjects;
  readonly hub: WatchHub;
  private readonly queue: ControllerQueue;
  private readonly dataFile?: DataFile;
  private http?: Server;
  url = '';

  constructor(private readonly config: ServerConfig) {
    this.store = new ObjectStore({ historyLimit: config.historyLimit });
    this.hub = new WatchHub(this.store);
    for (const t of BUILTIN_KINDS) this.kinds.add(t);
    this.kinds.add(crdResourceType);
    this.objects = new ApiObjects(this.store, this.kinds, recordUpdate);
    this.queue = new ControllerQueue((key, err) => config.log.error({ key, err }, 'kube-test-apiserver: controller error'));
    if (config.dataFile) this.dataFile = new DataFile(config.dataFile, this.store);
  }

  async start(): Promise<void> {
    const log = this.config.log;
    const loaded = this.dataFile?.load() ?? 0;
    if (this.config.dataFile) log.info({ dataFile: this.config.dataFile, objects: loaded }, 'kube-test-apiserver: data file loaded');
    const crdController = new CrdController(this.objects, this.kinds, this.queue, log);
    const nsController = new NamespaceController(this.objects, this.kinds, this.queue, log);
    const gc = new GarbageCollector(this.objects, this.kinds, this.queue, log);
    const protection = new ProtectionController(this.objects, this.kinds, this.queue, log);
    crdController.start();
    this.bootstrap();
    nsController.start();
    gc.start();
    protection.start();
    await this.queue.idle();
    // revisions written so far are history: a watch from "1" answers 410, as on a real cluster
    this.store.compact();
    this.dataFile?.start();

    const openapi = new OpenApiServer(this.kinds, SERVER_VERSION.gitVersion);
    this.http = createHttpServer({
      objects: this.objects,
      kinds: this.kinds,
      hub: this.hub,
      openapi,
      token: this.config.token,
      version: SERVER_VERSION,
      log,
      timing: {
        bookmarkIntervalMs: this.config.bookmarkIntervalMs,
        defaultTimeoutMs: () => this.config.watchTimeoutMs ?? (1800 + Math.floor(Math.random() * 1800)) * 1000,
      },
    });
    const http = this.http;
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      // 127.0.0.1 only: never another address
      http.listen(this.config.port, '127.0.0.1', () => resolve());
    });
    const addr = http.address() as AddressInfo;
    this.url = `http://127.0.0.1:${addr.port}`;
    if (this.config.kubeconfigPath) {
      mkdirSync(dirname(this.config.kubeconfigPath), { recursive: true });
      writeFileSync(this.config.kubeconfigPath, this.kubeconfig(), { mode: 0o600 });
    }
    log.info({ url: this.url, kubeconfig: this.config.kubeconfigPath, auth: this.config.token ? 'bearer token' : 'none' }, 'kube-test-apiserver: TEST server listening (not a real kube-apiserver)');
  }

  kubeconfig(): string {
    return kubeconfigYaml(this.url, this.config.token);
  }

  private bootstrap(): void {
    const ctx = internalContext('kube-apiserver');
    const nsType = this.kinds.lookup('', 'v1', 'namespaces');
    for (const name of BOOTSTRAP_NAMESPACES) {
      if (nsType && !this.objects.getStored(nsType, undefined, name)) this.objects.create(nsType, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, ctx);
    }
    const crds: KubeObject[] = [...(this.config.snapshotCrds ? snapshotCrds() : [])];
    for (const c of this.config.crds) crds.push(...(typeof c === 'string' ? readCrdFile(c) : [c]));
    for (const crd of crds) {
      const name = crd.metadata?.name as string;
      if (this.objects.getStored(crdResourceType, undefined, name)) continue;
      this.objects.create(crdResourceType, undefined, crd, ctx);
    }
  }

  /** Forgets the history: every resourceVersion older than now answers 410 Gone. */
  compact(): void {
    this.store.compact();
  }

  /** Resolves once the server's own controllers (CRD, namespace, GC) have nothing queued. */
  settle(): Promise<void> {
    return this.queue.idle();
  }

  async close(): Promise<void> {
    this.queue.stop();
    this.hub.closeAll();
    const http = this.http;
    if (http) {
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
    }
    this.dataFile?.close();
    this.config.log.info({ url: this.url }, 'kube-test-apiserver: stopped');
  }
}

function readCrdFile(path: string): KubeObject[] {
  const docs = parseAllDocuments(readFileSync(path, 'utf8'));
  const out: KubeObject[] = [];
  for (const d of docs) {
    if (d.errors.length) throw new Error(`${path}: ${d.errors[0]?.message}`);
    const o = d.toJSON() as KubeObject | null;
    if (!o) continue;
    if (o.kind !== 'CustomResourceDefinition') throw new Error(`${path}: ${String(o.kind)} is not a CustomResourceDefinition`);
    out.push(o);
  }
  return out;
}


export function defaultLogger(level = 'info'): Logger {
  return pino({ level, base: { service: 'kube-test-apiserver', test: true }, redact: ['req.headers.authorization'] });
}
