import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { V1CSINode, V1Node, V1PersistentVolume, V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node';
import { apiCall, collectionPath, isAlreadyExists, isNotFound, updateWithRetry, waitFor } from '@copse/controller-runtime';
import type { NodeExpandVolumeResponse__Output, NodeGetInfoResponse__Output, NodeGetVolumeStatsResponse__Output } from '@copse/csi-spec';
import type { Logger } from 'pino';
import { kubeletVolumeCapability } from '../csi/capability';
import { unary, type CsiConnection } from '../csi/connection';
import { grpcErrorText } from '../csi/grpc-errors';
import type { KubeApi } from '../kube/api';
import { eventRecorder, type EventRecorder } from '../kube/events';
import type { SharedInformers } from '../kube/informers';
import { annotation, setAnnotation } from '../kube/meta';
import { bytesOf, storageRequest } from '../kube/quantity';
import { PVCS } from '../kube/resources';
import { matchesNodeSelectorTerms } from '../kube/selectors';
import { ANN_SELECTED_NODE } from '../provisioner/prepare';
import { claimClass } from '../provisioner/provisioner';
import { hasFileSystemResizePending, mergeResizeConditions } from '../resizer/resizer';
import { TEST_POD_LABEL } from './pod-volumes';
import { csiNodeWithDriver, newCsiNode, nodeWithDriver } from './registration';

export interface TestKubeletOptions {
  readonly nodeName: string;
  /** the plugin's node socket, as node-driver-registrar is given it */
  readonly conn: CsiConnection;
  readonly api: KubeApi;
  readonly informers: SharedInformers;
  readonly log: Logger;
  /** this stand-in's /var/lib/kubelet: target and staging paths are made under it */
  readonly rootDir: string;
  /** kubelet's CSI call timeout (2 min) */
  readonly timeoutMs: number;
  /** how long publish() waits for a claim to be bound (the scheduler's bind timeout: 10 min) */
  readonly bindTimeoutMs: number;
  /** create a Pod object per publication (spec.nodeName, the claim among its volumes), as a scheduled pod would be */
  readonly createPods: boolean;
}

export interface PublishOptions {
  /** the pod's volume says readOnly: true */
  readonly readOnly?: boolean;
  /** the pod's name (default standin-<claim>-<random>) */
  readonly podName?: string;
  /** an existing pod scheduled to this node (kubectl's): published for, never created or deleted */
  readonly pod?: { readonly namespace: string; readonly name: string; readonly uid: string };
}

/** One volume published for one stand-in pod: what kubelet remembers to unpublish it. */
export interface Publication {
  readonly nodeName: string;
  readonly claim: { readonly namespace: string; readonly name: string };
  readonly pod: { readonly namespace: string; readonly name: string; readonly uid: string };
  /** the stand-in made the pod object (and deletes it at unpublish) */
  readonly ownPod: boolean;
  readonly pvName: string;
  readonly volumeId: string;
  readonly block: boolean;
  readonly readOnly: boolean;
  /** NodePublishVolume's target_path */
  readonly targetPath: string;
  /** NodeStageVolume's staging_target_path, when the plugin stages */
  readonly stagingPath?: string;
}

/**
 * TEST STAND-IN for the parts of kubelet (and of node-driver-registrar and the scheduler) a CSI
 * node plugin meets: at start the Node and CSINode objects and the driver's registration
 * (NodeGetInfo -> node id annotation, topology labels, CSINode entry); then, per "pod", the
 * scheduler's choice of this node for WaitForFirstConsumer claims, NodeStageVolume (when the
 * plugin stages) and NodePublishVolume with kubelet's paths and fields, NodeGetVolumeStats,
 * NodeExpandVolume (and the claim's status after it), NodeUnpublishVolume and NodeUnstageVolume.
 * No container runs, nothing is mounted by kubelet itself.
 */
export class TestKubelet {
  private readonly recorder: EventRecorder;
  private readonly publications = new Map<string, Publication>();
  private nodeCaps: ReadonlySet<string> = new Set();
  private singleNodeMultiWriter = false;
  private nodeInfo?: NodeGetInfoResponse__Output;

  private constructor(private readonly o: TestKubeletOptions) {
    this.recorder = eventRecorder(o.api.kubeConfig, 'kubelet', o.log, o.nodeName);
    o.informers.csiDrivers();
    o.informers.storageClasses();
  }

  get nodeName(): string {
    return this.o.nodeName;
  }

  /** NodeGetInfo's answer at registration. */
  get info(): NodeGetInfoResponse__Output | undefined {
    return this.nodeInfo;
  }

  /** Registers the node and the driver, as kubelet and node-driver-registrar do when both start. */
  static async register(o: TestKubeletOptions): Promise<TestKubelet> {
    const k = new TestKubelet(o);
    await k.registerNode();
    await k.registerDriver();
    return k;
  }

  /** Publications made and not yet unpublished. */
  published(): Publication[] {
    return [...this.publications.values()];
  }

  async stop(): Promise<void> {
    await this.recorder.flush();
  }

  flushEvents(): Promise<void> {
    return this.recorder.flush();
  }

  // --- registration -------------------------------------------------------------------------

  /** kubelet's node registration (when the Node does not exist yet) and its empty CSINode. */
  private async registerNode(): Promise<void> {
    const name = this.o.nodeName;
    let node: V1Node;
    try {
      node = await apiCall(() =>
        this.o.api.core.createNode({
          body: {
            apiVersion: 'v1',
            kind: 'Node',
            metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': process.arch === 'arm64' ? 'arm64' : 'amd64' } },
            status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'test stand-in kubelet is posting ready status' }] },
          },
        }),
      );
      this.o.log.info({ node: name }, 'test stand-in kubelet registered its node');
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      node = await apiCall(() => this.o.api.core.readNode({ name }));
    }
    try {
      await apiCall(() => this.o.api.storage.createCSINode({ body: newCsiNode(node) }));
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }

  /** node-driver-registrar's registration, and what kubelet does with it (InstallCSIDriver). */
  private async registerDriver(): Promise<void> {
    const conn = this.o.conn;
    this.nodeCaps = await conn.nodeCapabilities(this.o.timeoutMs);
    this.singleNodeMultiWriter = this.nodeCaps.has('SINGLE_NODE_MULTI_WRITER');
    const info = await unary<NodeGetInfoResponse__Output>((opts, cb) => conn.node.NodeGetInfo({}, opts, cb), this.o.timeoutMs);
    if (!info.node_id) throw new Error('error adding CSI driver node info: driverNodeID must not be empty');
    this.nodeInfo = info;
    const topology = info.accessible_topology?.segments ?? {};
    const name = this.o.nodeName;
    await updateWithRetry({
      read: () => this.o.api.core.readNode({ name }),
      mutate: (node) => nodeWithDriver(node, conn.driverName, info.node_id, topology),
      write: (next) => this.o.api.core.replaceNode({ name, body: next }),
    });
    await updateWithRetry<V1CSINode>({
      read: () => this.o.api.storage.readCSINode({ name }),
      mutate: (c) => csiNodeWithDriver(c, conn.driverName, info.node_id, Number(info.max_volumes_per_node), topology),
      write: (next) => this.o.api.storage.replaceCSINode({ name, body: next }),
    });
    this.o.log.info({ node: name, driver: conn.driverName, nodeId: info.node_id, topology }, 'test stand-in kubelet registered the CSI driver');
  }

  // --- publish ------------------------------------------------------------------------------

  /**
   * What a pod using `claim` on this node causes: for a WaitForFirstConsumer claim without a
   * node, the scheduler's volume.kubernetes.io/selected-node; a wait until the claim is Bound;
   * the PV's node affinity checked against this node; the pod object; NodeStageVolume if the
   * plugin stages, then NodePublishVolume; a pending filesystem resize finished.
   */
  async publish(claim: { namespace: string; name: string }, options: PublishOptions = {}): Promise<Publication> {
    const log = this.o.log.child({ claim: `${claim.namespace}/${claim.name}`, node: this.o.nodeName });
    await this.o.informers.waitForSync();
    let pvc = await apiCall(() => this.o.api.core.readNamespacedPersistentVolumeClaim(claim));
    if (!pvc.spec?.volumeName) {
      const sc = this.o.informers.storageClasses().get(claimClass(pvc));
      if (sc?.volumeBindingMode === 'WaitForFirstConsumer' && !annotation(pvc, ANN_SELECTED_NODE)) {
        // the scheduler's PreBind (volume binder): the node chosen for the pod
        await updateWithRetry({
          read: () => this.o.api.core.readNamespacedPersistentVolumeClaim(claim),
          mutate: (cur) => (cur.spec?.volumeName || annotation(cur, ANN_SELECTED_NODE) ? undefined : setAnnotation(cur, ANN_SELECTED_NODE, this.o.nodeName)),
          write: (next) => this.o.api.core.replaceNamespacedPersistentVolumeClaim({ ...claim, body: next }),
        });
        log.info('scheduler stand-in selected this node for the claim');
      }
      pvc = (await waitFor<V1PersistentVolumeClaim>({
        kubeConfig: this.o.api.kubeConfig,
        path: collectionPath(PVCS, claim.namespace),
        name: claim.name,
        get: () => this.o.api.core.readNamespacedPersistentVolumeClaim(claim),
        condition: (c) => c?.status?.phase === 'Bound' || c === undefined,
        timeoutMs: this.o.bindTimeoutMs,
      })) as V1PersistentVolumeClaim;
      if (!pvc) throw new Error(`persistentvolumeclaim "${claim.name}" not found`);
    }
    if (pvc.status?.phase !== 'Bound') throw new Error(`pod has unbound immediate PersistentVolumeClaims: ${claim.name}`);
    const pv = await apiCall(() => this.o.api.core.readPersistentVolume({ name: pvc.spec?.volumeName as string }));
    if (!pv.spec?.csi) throw new Error(`volume ${pv.metadata?.name} is not a CSI volume`);
    if (pv.spec.csi.driver !== this.o.conn.driverName) throw new Error(`volume ${pv.metadata?.name} belongs to driver ${pv.spec.csi.driver}, not ${this.o.conn.driverName}`);
    await this.checkNodeAffinity(pv);

    const pod = options.pod ?? (await this.podFor(pvc, options));
    const ownPod = options.pod === undefined;
    const block = pv.spec.volumeMode === 'Block';
    const readOnly = Boolean(options.readOnly) || Boolean(pv.spec.csi.readOnly);
    const stagingPath = this.nodeCaps.has('STAGE_UNSTAGE_VOLUME') ? this.stagingPath(pv, block) : undefined;
    const targetPath = block
      ? join(this.o.rootDir, 'plugins/kubernetes.io/csi/volumeDevices/publish', pv.metadata?.name as string, pod.uid)
      : join(this.o.rootDir, 'pods', pod.uid, 'volumes/kubernetes.io~csi', pv.metadata?.name as string, 'mount');
    const publication: Publication = {
      nodeName: this.o.nodeName,
      claim,
      pod,
      ownPod,
      pvName: pv.metadata?.name as string,
      volumeId: pv.spec.csi.volumeHandle,
      block,
      readOnly,
      targetPath,
      stagingPath,
    };
    const capability = kubeletVolumeCapability(pv, this.singleNodeMultiWriter);
    const context = await this.volumeContext(pv, pod);
    try {
      if (stagingPath && !this.isStaged(publication.volumeId)) {
        await mkdir(stagingPath, { recursive: true, mode: 0o750 });
        const secrets = await this.secrets(pv.spec.csi.nodeStageSecretRef);
        await unary(
          (opts, cb) =>
            this.o.conn.node.NodeStageVolume(
              { volume_id: publication.volumeId, publish_context: {}, staging_target_path: stagingPath, volume_capability: capability, volume_context: context, ...(secrets ? { secrets } : {}) },
              opts,
              cb,
            ),
          this.o.timeoutMs,
        );
      }
      // kubelet makes the target's parent, the plugin the target itself
      const parent = join(targetPath, '..');
      await mkdir(parent, { recursive: true, mode: 0o750 });
      if (!block) {
        await writeFile(
          join(parent, 'vol_data.json'),
          JSON.stringify({ driverName: this.o.conn.driverName, nodeName: this.o.nodeName, specVolID: publication.pvName, volumeHandle: publication.volumeId, volumeLifecycleMode: 'Persistent' }),
        );
      }
      const secrets = await this.secrets(pv.spec.csi.nodePublishSecretRef);
      await unary(
        (opts, cb) =>
          this.o.conn.node.NodePublishVolume(
            {
              volume_id: publication.volumeId,
              publish_context: {},
              ...(stagingPath ? { staging_target_path: stagingPath } : {}),
              target_path: targetPath,
              volume_capability: capability,
              readonly: readOnly,
              volume_context: context,
              ...(secrets ? { secrets } : {}),
            },
            opts,
            cb,
          ),
        this.o.timeoutMs,
      );
    } catch (err) {
      const message = `MountVolume.SetUp failed for volume "${publication.pvName}" : ${grpcErrorText(err)}`;
      this.recorder.event(this.podObject(pod), 'Warning', 'FailedMount', message);
      if (ownPod) await this.deletePod(pod);
      throw new Error(message);
    }
    this.publications.set(key(publication), publication);
    log.info({ targetPath, readOnly }, 'volume published');
    const current = await apiCall(() => this.o.api.core.readNamespacedPersistentVolumeClaim(claim));
    if (this.needsNodeExpansion(current, pv)) await this.expand(publication);
    return publication;
  }

  /** NodeUnpublishVolume, the target's directory removed, NodeUnstageVolume after the last publication, the pod deleted. */
  async unpublish(p: Publication): Promise<void> {
    await unary((opts, cb) => this.o.conn.node.NodeUnpublishVolume({ volume_id: p.volumeId, target_path: p.targetPath }, opts, cb), this.o.timeoutMs);
    this.publications.delete(key(p));
    // a block target is the plugin's file, a mount target its directory: kubelet removes either once free
    await removeEmptyDir(p.targetPath, this.o.log);
    if (!p.block) {
      const parent = join(p.targetPath, '..');
      await rm(join(parent, 'vol_data.json'), { force: true });
      await removeEmptyDir(parent, this.o.log);
    }
    if (p.stagingPath && !this.isStaged(p.volumeId)) {
      await unary((opts, cb) => this.o.conn.node.NodeUnstageVolume({ volume_id: p.volumeId, staging_target_path: p.stagingPath }, opts, cb), this.o.timeoutMs);
      await removeEmptyDir(p.stagingPath, this.o.log);
    }
    if (p.ownPod) await this.deletePod(p.pod);
    this.o.log.info({ claim: `${p.claim.namespace}/${p.claim.name}`, targetPath: p.targetPath }, 'volume unpublished');
  }

  /** kubelet's volume stats: NodeGetVolumeStats on the target path (when the plugin has GET_VOLUME_STATS). */
  async stats(p: Publication): Promise<NodeGetVolumeStatsResponse__Output> {
    if (!this.nodeCaps.has('GET_VOLUME_STATS')) throw new Error(`the CSI driver ${this.o.conn.driverName} does not report GET_VOLUME_STATS`);
    return unary<NodeGetVolumeStatsResponse__Output>(
      (opts, cb) => this.o.conn.node.NodeGetVolumeStats({ volume_id: p.volumeId, volume_path: p.targetPath, ...(p.stagingPath ? { staging_target_path: p.stagingPath } : {}) }, opts, cb),
      this.o.timeoutMs,
    );
  }

  /**
   * kubelet's node expansion of a published volume whose claim waits for it
   * (FileSystemResizePending, or a PV larger than the claim's capacity): NodeExpandVolume to the
   * PV's capacity, then the claim's capacity and conditions (MarkFSResizeFinished) and the
   * FileSystemResizeSuccessful events. Returns undefined when nothing was pending.
   */
  async expand(p: Publication): Promise<NodeExpandVolumeResponse__Output | undefined> {
    const pvc = await apiCall(() => this.o.api.core.readNamespacedPersistentVolumeClaim(p.claim));
    const pv = await apiCall(() => this.o.api.core.readPersistentVolume({ name: p.pvName }));
    if (!this.needsNodeExpansion(pvc, pv)) return undefined;
    const newSize = bytesOf(pv.spec?.capacity?.['storage']) ?? 0;
    let response: NodeExpandVolumeResponse__Output | undefined;
    if (this.nodeCaps.has('EXPAND_VOLUME')) {
      const secrets = await this.secrets(pv.spec?.csi?.nodeExpandSecretRef);
      try {
        response = await unary<NodeExpandVolumeResponse__Output>(
          (opts, cb) =>
            this.o.conn.node.NodeExpandVolume(
              {
                volume_id: p.volumeId,
                volume_path: p.targetPath,
                capacity_range: { required_bytes: newSize },
                ...(p.stagingPath ? { staging_target_path: p.stagingPath } : {}),
                volume_capability: kubeletVolumeCapability(pv, this.singleNodeMultiWriter),
                ...(secrets ? { secrets } : {}),
              },
              opts,
              cb,
            ),
          this.o.timeoutMs,
        );
      } catch (err) {
        const message = `MountVolume.NodeExpandVolume failed for volume "${p.pvName}" ${this.o.nodeName}: ${grpcErrorText(err)}`;
        this.recorder.event(this.podObject(p.pod), 'Warning', 'FileSystemResizeFailed', message);
        throw new Error(message);
      }
    }
    await updateWithRetry({
      read: () => this.o.api.core.readNamespacedPersistentVolumeClaim(p.claim),
      mutate: (cur) => {
        cur.status = { ...cur.status, capacity: { ...cur.status?.capacity, storage: pv.spec?.capacity?.['storage'] as string }, conditions: mergeResizeConditions(cur.status?.conditions, []) };
        return cur;
      },
      write: (next) => this.o.api.core.replaceNamespacedPersistentVolumeClaimStatus({ ...p.claim, body: next }),
    });
    const message = `MountVolume.NodeExpandVolume succeeded for volume "${p.pvName}" ${this.o.nodeName}`;
    this.recorder.event(this.podObject(p.pod), 'Normal', 'FileSystemResizeSuccessful', message);
    this.recorder.event(pvc, 'Normal', 'FileSystemResizeSuccessful', message);
    return response;
  }

  // -----------------------------------------------------------------------------------------

  private needsNodeExpansion(pvc: V1PersistentVolumeClaim, pv: V1PersistentVolume): boolean {
    if (hasFileSystemResizePending(pvc)) return true;
    const pvSize = bytesOf(pv.spec?.capacity?.['storage']) ?? 0;
    const claimSize = bytesOf(pvc.status?.capacity?.['storage']) ?? pvSize;
    return pvSize > claimSize && storageRequest(pvc.spec?.resources) > claimSize;
  }

  /** The scheduler puts a pod only on nodes its PVs' node affinity allows ("volume node affinity conflict"). */
  private async checkNodeAffinity(pv: V1PersistentVolume): Promise<void> {
    const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms;
    if (!terms) return;
    const node = await apiCall(() => this.o.api.core.readNode({ name: this.o.nodeName }));
    if (!matchesNodeSelectorTerms(terms, node)) throw new Error(`node ${this.o.nodeName} had volume node affinity conflict with volume ${pv.metadata?.name}`);
  }

  private async podFor(pvc: V1PersistentVolumeClaim, options: PublishOptions): Promise<Publication['pod']> {
    const namespace = pvc.metadata?.namespace as string;
    const name = options.podName ?? `standin-${(pvc.metadata?.name ?? '').slice(0, 40)}-${randomBytes(3).toString('hex')}`;
    if (!this.o.createPods) return { namespace, name, uid: randomUuid() };
    const body: V1Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace, labels: { [TEST_POD_LABEL]: 'true' } },
      spec: {
        nodeName: this.o.nodeName,
        containers: [{ name: 'test-stand-in', image: 'registry.k8s.io/pause:3.9' }],
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: pvc.metadata?.name as string, readOnly: Boolean(options.readOnly) } }],
      },
    };
    const pod = await apiCall(() => this.o.api.core.createNamespacedPod({ namespace, body }));
    return { namespace, name, uid: pod.metadata?.uid as string };
  }

  private async deletePod(pod: Publication['pod']): Promise<void> {
    if (!this.o.createPods) return;
    try {
      await apiCall(() => this.o.api.core.deleteNamespacedPod({ name: pod.name, namespace: pod.namespace, gracePeriodSeconds: 0 }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** An involvedObject for events about the stand-in pod. */
  private podObject(pod: Publication['pod']): V1Pod {
    return { apiVersion: 'v1', kind: 'Pod', metadata: { name: pod.name, namespace: pod.namespace, uid: pod.uid } };
  }

  /** The PV's volumeAttributes, plus the pod's identity when the CSIDriver asks for it (podInfoOnMount). */
  private async volumeContext(pv: V1PersistentVolume, pod: Publication['pod']): Promise<Record<string, string>> {
    const attrs = { ...(pv.spec?.csi?.volumeAttributes ?? {}) };
    const driver = this.o.informers.csiDrivers().get(this.o.conn.driverName);
    if (driver?.spec?.podInfoOnMount === true) {
      attrs['csi.storage.k8s.io/pod.name'] = pod.name;
      attrs['csi.storage.k8s.io/pod.namespace'] = pod.namespace;
      attrs['csi.storage.k8s.io/pod.uid'] = pod.uid;
      attrs['csi.storage.k8s.io/serviceAccount.name'] = 'default';
      attrs['csi.storage.k8s.io/ephemeral'] = 'false';
    }
    return attrs;
  }

  private stagingPath(pv: V1PersistentVolume, block: boolean): string {
    if (block) return join(this.o.rootDir, 'plugins/kubernetes.io/csi/volumeDevices/staging', pv.metadata?.name as string);
    const hash = createHash('sha256').update(pv.spec?.csi?.volumeHandle ?? '').digest('hex');
    return join(this.o.rootDir, 'plugins/kubernetes.io/csi', this.o.conn.driverName, hash, 'globalmount');
  }

  private isStaged(volumeId: string): boolean {
    return [...this.publications.values()].some((p) => p.volumeId === volumeId && p.stagingPath);
  }

  private async secrets(ref: { name?: string; namespace?: string } | undefined): Promise<Record<string, string> | undefined> {
    if (!ref?.name) return undefined;
    const secret = await apiCall(() => this.o.api.core.readNamespacedSecret({ name: ref.name as string, namespace: ref.namespace ?? 'default' }));
    return Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  }
}

function key(p: Publication): string {
  return `${p.pod.namespace}/${p.pod.name}/${p.pvName}`;
}

function randomUuid(): string {
  return globalThis.crypto.randomUUID();
}

/** removeMountDir: a directory kubelet made goes once it is empty (a target still mounted stays). */
async function removeEmptyDir(path: string, log: Logger): Promise<void> {
  try {
    await rmdir(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR') {
      await rm(path, { force: true });
      return;
    }
    log.warn({ path, code }, 'test stand-in kubelet left a directory that is not empty (still mounted?)');
  }
}
