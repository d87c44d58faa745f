import { hostname } from 'node:os';
import { randomInt, randomUUID } from 'node:crypto';
import type { V1Node, V1PersistentVolume, V1PersistentVolumeClaim, V1SecretReference, V1StorageClass } from '@kubernetes/client-node';
import {
  apiCall,
  Controller,
  isAlreadyExists,
  isNotFound,
  ItemExponentialRateLimiter,
  sleep,
  updateWithRetry,
  WorkQueue,
} from '@copse/controller-runtime';
import type { CreateVolumeRequest, CreateVolumeResponse__Output } from '@copse/csi-spec';
import type { Logger } from 'pino';
import { unary, type CsiConnection } from '../csi/connection';
import { grpcErrorText, provisioningStateAfter, type ProvisioningState } from '../csi/grpc-errors';
import type { KubeApi } from '../kube/api';
import { eventRecorder, type EventRecorder } from '../kube/events';
import type { SharedInformers } from '../kube/informers';
import { addFinalizer, annotation, copy, hasFinalizer, isDeleting, removeAnnotation, removeFinalizer } from '../kube/meta';
import { quietConflicts } from '../kube/written';
import { contentSourceFor } from './data-source';
import {
  ANN_MIGRATED_TO,
  ANN_SELECTED_NODE,
  claimProvisioner,
  finishRequest,
  IgnoredError,
  prepareVolume,
  ProvisionError,
  type ProvisionSettings,
} from './prepare';
import {
  ANN_DELETION_SECRET_NAME,
  ANN_DELETION_SECRET_NAMESPACE,
  ANN_PROVISIONED_BY,
  persistentVolumeFor,
  PV_FINALIZER,
} from './persistent-volume';
import { SECRET_PARAMS, secretReference } from '../csi/secret-params';
import { accessibilityRequirements, TopologyError } from './topology';

export const PVC_CLONE_FINALIZER = 'provisioner.storage.kubernetes.io/cloning-protection';
const ANN_ALPHA_SELECTED_NODE = 'volume.alpha.kubernetes.io/selected-node';
const ANN_BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';
/** external-provisioner's deleteVolumeRetryCount: DeleteVolume calls made to clean up a refused answer */
const CLEANUP_ATTEMPTS = 5;

export interface ProvisionerOptions {
  readonly conn: CsiConnection;
  readonly api: KubeApi;
  readonly informers: SharedInformers;
  readonly log: Logger;
  /** --timeout: each CSI call's deadline (external-provisioner 3.x: 10 s) */
  readonly timeoutMs: number;
  /** --extra-create-metadata */
  readonly extraCreateMetadata: boolean;
  /** --default-fstype */
  readonly defaultFsType: string;
  /** --volume-name-prefix, --volume-name-uuid-length */
  readonly volumeNamePrefix: string;
  readonly volumeNameUuidLength: number;
  /** --feature-gates=Topology=true (what TopoLVM deploys) */
  readonly topology: boolean;
  /** --strict-topology, --immediate-topology */
  readonly strictTopology: boolean;
  readonly immediateTopology: boolean;
  /** HonorPVReclaimPolicy: the external-provisioner.volume.kubernetes.io/finalizer on PVs */
  readonly addFinalizer: boolean;
  /** --retry-interval-start, --retry-interval-max */
  readonly retryStartMs: number;
  readonly retryMaxMs: number;
  /** --worker-threads */
  readonly workers: number;
}

type Outcome = { state: ProvisioningState; error?: Error; stop?: boolean };

/**
 * TEST STAND-IN for kubernetes-csi/external-provisioner (3.x, with
 * sig-storage-lib-external-provisioner 8): provisions claims annotated for this driver by calling
 * CreateVolume, checks the answer, creates the PersistentVolume; calls DeleteVolume for released
 * PVs of reclaim policy Delete; keeps the cloning-protection finalizer on clone sources.
 * docs/csi-standins.md says what it leaves out.
 */
export class ProvisionerStandIn {
  private readonly claims: Controller<string>;
  private readonly volumes: Controller<string>;
  private readonly cloneSources: Controller<string>;
  private readonly recorder: EventRecorder;
  private readonly settings: ProvisionSettings;
  /** external-provisioner's identity, in every PV's volumeAttributes */
  readonly identity: string;
  /** claims by uid: the claim queue is keyed by uid, as sig-storage-lib's is */
  private readonly claimsByUid = new Map<string, V1PersistentVolumeClaim>();
  /** claims whose CreateVolume may still run in the plugin: provisioned to the end even once deleted */
  private readonly inProgress = new Map<string, V1PersistentVolumeClaim>();
  private readonly supportsTopology: boolean;

  private constructor(
    private readonly o: ProvisionerOptions,
    controllerCapabilities: ReadonlySet<string>,
  ) {
    const driver = o.conn.driverName;
    this.identity = `${Date.now()}-${randomInt(10_000)}-${driver}`;
    this.settings = {
      driverName: driver,
      volumeNamePrefix: o.volumeNamePrefix,
      volumeNameUuidLength: o.volumeNameUuidLength,
      defaultFsType: o.defaultFsType,
      extraCreateMetadata: o.extraCreateMetadata,
      pluginCapabilities: o.conn.pluginCapabilities,
      controllerCapabilities,
    };
    this.supportsTopology = o.topology && o.conn.pluginCapabilities.has('VOLUME_ACCESSIBILITY_CONSTRAINTS');
    // sig-storage-lib's event source: <driver>_<hostname>_<uuid>
    this.recorder = eventRecorder(o.api.kubeConfig, `${driver}_${hostname()}_${randomUUID()}`, o.log);
    const queue = () => new WorkQueue<string>({ rateLimiter: new ItemExponentialRateLimiter({ baseDelayMs: o.retryStartMs, maxDelayMs: o.retryMaxMs }) });
    this.claims = new Controller({ name: 'provisioner-claims', queue: queue(), concurrency: o.workers, logger: o.log, reconcile: quietConflicts(o.log, (uid, s) => this.syncClaim(uid, s)) });
    this.volumes = new Controller({ name: 'provisioner-volumes', queue: queue(), concurrency: o.workers, logger: o.log, reconcile: quietConflicts(o.log, (n, s) => this.syncVolume(n, s)) });
    this.cloneSources = new Controller({ name: 'cloning-protection', queue: queue(), logger: o.log, reconcile: quietConflicts(o.log, (k) => this.syncCloneSource(k)) });

    const pvcs = o.informers.pvcs();
    const track = (pvc: V1PersistentVolumeClaim) => {
      const uid = pvc.metadata?.uid;
      if (uid) this.claimsByUid.set(uid, pvc);
    };
    pvcs.on('add', track);
    pvcs.on('update', track);
    pvcs.on('delete', (pvc) => {
      const uid = pvc.metadata?.uid;
      if (uid) this.claimsByUid.delete(uid);
    });
    this.claims.watch(pvcs, (pvc) => pvc.metadata?.uid);
    this.cloneSources.watch(pvcs, (pvc) => (isDeleting(pvc) ? `${pvc.metadata?.namespace}/${pvc.metadata?.name}` : undefined));
    this.volumes.watch(o.informers.pvs(), (pv) => pv.metadata?.name);
    // listers the calls read
    o.informers.storageClasses();
    o.informers.nodes();
    o.informers.csiNodes();
  }

  /** Checks the plugin as external-provisioner does at start and returns the stand-in (not yet running). */
  static async create(o: ProvisionerOptions): Promise<ProvisionerStandIn> {
    if (!o.conn.pluginCapabilities.has('CONTROLLER_SERVICE')) {
      throw new Error('CSI driver does not support dynamic provisioning: plugin CONTROLLER_SERVICE capability is not reported');
    }
    const caps = await o.conn.controllerCapabilities(o.timeoutMs);
    if (!caps.has('CREATE_DELETE_VOLUME')) {
      throw new Error('CSI driver does not support dynamic provisioning: controller CREATE_DELETE_VOLUME capability is not reported');
    }
    return new ProvisionerStandIn(o, caps);
  }

  start(): void {
    this.claims.start();
    this.volumes.start();
    this.cloneSources.start();
    this.o.log.info({ driver: this.settings.driverName, topology: this.supportsTopology }, 'test stand-in for external-provisioner started');
  }

  async stop(): Promise<void> {
    await Promise.all([this.claims.stop({ drain: false }), this.volumes.stop({ drain: false }), this.cloneSources.stop({ drain: false })]);
    await this.recorder.flush();
  }

  /** Waits until every event recorded so far is written (tests). */
  flushEvents(): Promise<void> {
    return this.recorder.flush();
  }

  // --- claims -------------------------------------------------------------------------------

  private async syncClaim(uid: string, signal: AbortSignal): Promise<void> {
    const claim = this.claimsByUid.get(uid) ?? this.inProgress.get(uid);
    if (!claim) return;
    if (!this.shouldProvision(claim)) return;
    const outcome = await this.provisionClaim(claim, signal);
    if (!outcome.error || outcome.state === 'Finished') {
      this.inProgress.delete(uid);
      if (outcome.stop || !outcome.error) return;
      throw outcome.error;
    }
    if (outcome.state === 'InBackground') this.inProgress.set(uid, claim);
    throw outcome.error;
  }

  /** sig-storage-lib's shouldProvision with external-provisioner's ShouldProvision. */
  private shouldProvision(claim: V1PersistentVolumeClaim): boolean {
    if (claim.spec?.volumeName) return false;
    // the PV controller annotates claims whose class names an external provisioner
    if (claimProvisioner(claim) !== this.settings.driverName) return false;
    const className = claimClass(claim);
    const sc = this.o.informers.storageClasses().get(className);
    if (!sc) throw new Error(`storageclass.storage.k8s.io "${className}" not found`);
    if (sc.volumeBindingMode === 'WaitForFirstConsumer') {
      // the PV controller annotates only once a node is selected, but a provisioner may have
      // removed the node to ask for another
      return Boolean(annotation(claim, ANN_SELECTED_NODE));
    }
    return true;
  }

  private async provisionClaim(claim: V1PersistentVolumeClaim, signal: AbortSignal): Promise<Outcome> {
    const className = claimClass(claim);
    const key = `${claim.metadata?.namespace}/${claim.metadata?.name}`;
    const log = this.o.log.child({ claim: key, class: className });
    log.info('provision started');
    const pvName = `pvc-${claim.metadata?.uid}`;
    if (this.o.informers.pvs().get(pvName)) {
      log.info({ pv: pvName }, 'persistentvolume already exists, skipping');
      return { state: 'Finished', stop: true };
    }
    const sc = this.o.informers.storageClasses().get(className);
    if (!sc) {
      // retried: the class may be (re)created
      return { state: 'Finished', error: new Error(`storageclass.storage.k8s.io "${className}" not found`) };
    }
    if (sc.provisioner !== this.settings.driverName) {
      log.error({ provisioner: sc.provisioner }, 'unknown provisioner requested in claim\'s StorageClass');
      return { state: 'Finished', stop: true };
    }
    let selectedNode: V1Node | undefined;
    const nodeName = annotation(claim, ANN_SELECTED_NODE) ?? annotation(claim, ANN_ALPHA_SELECTED_NODE);
    if (nodeName) {
      selectedNode = this.o.informers.nodes().get(nodeName);
      if (!selectedNode) return this.failed(claim, 'Reschedule', new Error(`node "${nodeName}" not found`), log);
    }
    this.recorder.event(claim, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${key}"`);
    let pv: V1PersistentVolume;
    try {
      pv = await this.provision(claim, sc, selectedNode, signal);
    } catch (err) {
      if (err instanceof IgnoredError) {
        log.info({ reason: err.message }, 'volume provision ignored');
        if (err.message.includes('assuming an external populator')) {
          this.recorder.event(claim, 'Normal', 'Provisioning', 'Assuming an external populator will provision the volume');
        }
        return { state: 'Finished', stop: true };
      }
      const state = err instanceof ProvisionError ? err.state : 'NoChange';
      return this.failed(claim, state, new Error(`failed to provision volume with StorageClass "${className}": ${(err as Error).message}`), log);
    }
    await this.saveVolume(pv, signal);
    log.info({ pv: pv.metadata?.name }, 'volume provisioned');
    this.recorder.event(claim, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pv.metadata?.name}`);
    return { state: 'Finished' };
  }

  /** provisionVolumeErrorHandling: the event, and for a reschedule the selected node removed. */
  private async failed(claim: V1PersistentVolumeClaim, state: ProvisioningState, error: Error, log: Logger): Promise<Outcome> {
    this.recorder.event(claim, 'Warning', 'ProvisioningFailed', error.message);
    log.warn({ state, err: error.message }, 'provisioning failed');
    if (state === 'Reschedule' && annotation(claim, ANN_SELECTED_NODE) !== undefined) {
      try {
        const next = removeAnnotation(copy(claim), ANN_SELECTED_NODE);
        await apiCall(() =>
          this.o.api.core.replaceNamespacedPersistentVolumeClaim({ name: claim.metadata?.name as string, namespace: claim.metadata?.namespace as string, body: next }),
        );
      } catch (err) {
        log.info({ err: (err as Error).message }, 'volume rescheduling failed');
        return { state: 'Finished', error };
      }
      log.info({ err: error.message }, 'volume rescheduled');
      return { state: 'Finished', stop: true, error };
    }
    return { state: state === 'Reschedule' ? 'Finished' : state, error };
  }

  /** external-provisioner's Provision: prepare, CreateVolume, check the answer, build the PV. */
  private async provision(claim: V1PersistentVolumeClaim, sc: V1StorageClass, selectedNode: V1Node | undefined, signal: AbortSignal): Promise<V1PersistentVolume> {
    const provisioner = claimProvisioner(claim);
    if (provisioner !== this.settings.driverName && annotation(claim, ANN_MIGRATED_TO) !== this.settings.driverName) {
      throw new IgnoredError(
        `PVC annotated with external-provisioner name ${provisioner ?? ''} does not match provisioner driver name ${this.settings.driverName}. This could mean the PVC is not migrated`,
      );
    }
    const prepared = prepareVolume(claim, sc, this.settings);
    const request: CreateVolumeRequest = {
      name: prepared.pvName,
      capacity_range: { required_bytes: prepared.requiredBytes },
      volume_capabilities: prepared.volumeCapabilities,
    };
    if (prepared.dataSource) {
      const ds = prepared.dataSource;
      try {
        request.volume_content_source = await contentSourceFor(this.o.api, this.o.informers, claim, sc, ds);
      } catch (err) {
        throw new ProvisionError(`error getting handle for DataSource Type ${ds.kind} by Name ${ds.name}: ${(err as Error).message}`, 'NoChange');
      }
      if (ds.kind === 'PersistentVolumeClaim') await this.setCloneFinalizer(ds.namespace, ds.name);
    }
    if (this.supportsTopology) {
      try {
        request.accessibility_requirements = accessibilityRequirements({
          driverName: this.settings.driverName,
          pvcName: claim.metadata?.name ?? '',
          allowedTopologies: sc.allowedTopologies,
          selectedNode,
          strictTopology: this.o.strictTopology,
          immediateTopology: this.o.immediateTopology,
          csiNodes: this.o.informers.csiNodes().list(),
          nodes: this.o.informers.nodes().list(),
        });
      } catch (err) {
        if (err instanceof TopologyError && err.notFound) throw new ProvisionError(err.message, 'Reschedule');
        throw new ProvisionError(`error generating accessibility requirements: ${(err as Error).message}`, 'NoChange');
      }
    }
    const { parameters, secrets } = finishRequest(claim, sc, prepared, this.settings);
    request.parameters = parameters;
    const credentials = await this.credentials(secrets.provisioner);
    if (credentials) request.secrets = credentials;

    signal.throwIfAborted();
    let response: CreateVolumeResponse__Output;
    try {
      response = await unary<CreateVolumeResponse__Output>((o, cb) => this.o.conn.controller.CreateVolume(request, o, cb), this.o.timeoutMs);
    } catch (err) {
      // rescheduling makes sense only with topology and a node the scheduler chose
      throw new ProvisionError(grpcErrorText(err), provisioningStateAfter(err, this.supportsTopology && selectedNode !== undefined));
    }
    const outcome = persistentVolumeFor({
      claim,
      storageClass: sc,
      prepared,
      secrets,
      response,
      driverName: this.settings.driverName,
      identity: this.identity,
      supportsTopology: this.supportsTopology,
      addFinalizer: this.o.addFinalizer,
    });
    if (!outcome.ok) {
      let message = outcome.error;
      try {
        await this.cleanupVolume(outcome.deleteVolumeId, credentials);
      } catch (err) {
        message = `${message}. Cleanup of volume ${prepared.pvName} failed, volume is orphaned: ${grpcErrorText(err)}`;
      }
      // retried: CreateVolume again, hoping for a better answer
      throw new ProvisionError(message, 'InBackground');
    }
    return outcome.pv;
  }

  /** cleanupVolume: DeleteVolume up to five times within one timeout. */
  private async cleanupVolume(volumeId: string, secrets: Record<string, string> | undefined): Promise<void> {
    const deadline = Date.now() + this.o.timeoutMs;
    let last: unknown;
    for (let i = 0; i < CLEANUP_ATTEMPTS; i++) {
      try {
        await unary((o, cb) => this.o.conn.controller.DeleteVolume({ volume_id: volumeId, ...(secrets ? { secrets } : {}) }, o, cb), Math.max(1, deadline - Date.now()));
        return;
      } catch (err) {
        last = err;
      }
    }
    throw last;
  }

  private async setCloneFinalizer(namespace: string, name: string): Promise<void> {
    const source = this.o.informers.pvcs().get(name, namespace);
    if (!source) throw new ProvisionError(`persistentvolumeclaim "${name}" not found`, 'NoChange');
    if (hasFinalizer(source, PVC_CLONE_FINALIZER)) return;
    try {
      await apiCall(() => this.o.api.core.replaceNamespacedPersistentVolumeClaim({ name, namespace, body: addFinalizer(copy(source), PVC_CLONE_FINALIZER) }));
    } catch (err) {
      throw new ProvisionError((err as Error).message, 'NoChange');
    }
  }

  /** getCredentials: the secret's data, decoded. */
  private async credentials(ref: V1SecretReference | undefined): Promise<Record<string, string> | undefined> {
    if (!ref?.name || !ref.namespace) return undefined;
    try {
      const secret = await apiCall(() => this.o.api.core.readNamespacedSecret({ name: ref.name as string, namespace: ref.namespace as string }));
      return Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
    } catch (err) {
      throw new ProvisionError(`error getting secret ${ref.name} in namespace ${ref.namespace}: ${(err as Error).message}`, 'NoChange');
    }
  }

  /** The lib's volume store: create the PV, retrying with backoff; AlreadyExists is success. */
  private async saveVolume(pv: V1PersistentVolume, signal: AbortSignal): Promise<void> {
    const limiter = new ItemExponentialRateLimiter<string>({ baseDelayMs: 5, maxDelayMs: 1000 });
    for (let attempt = 1; ; attempt++) {
      try {
        await apiCall(() => this.o.api.core.createPersistentVolume({ body: pv }));
        return;
      } catch (err) {
        if (isAlreadyExists(err)) return;
        this.o.log.warn({ pv: pv.metadata?.name, attempt, err: (err as Error).message }, 'error saving volume; retrying');
        if (attempt >= 10) throw err;
        await sleep(limiter.when('pv'), signal);
      }
    }
  }

  // --- clone sources ------------------------------------------------------------------------

  /** CloningProtectionController: a deleted clone source keeps its finalizer while a clone of it is Pending. */
  private async syncCloneSource(key: string): Promise<void> {
    const [namespace = '', name = ''] = key.split('/');
    const claim = this.o.informers.pvcs().get(name, namespace);
    if (!claim || !hasFinalizer(claim, PVC_CLONE_FINALIZER)) return;
    const cloning = this.o.informers
      .pvcs()
      .list(namespace)
      .find((p) => p.spec?.dataSource?.kind === 'PersistentVolumeClaim' && p.spec.dataSource.name === name && p.status?.phase === 'Pending');
    if (cloning) throw new Error(`PVC '${cloning.metadata?.name}' is in 'Pending' state, cloning in progress`);
    try {
      await apiCall(() => this.o.api.core.replaceNamespacedPersistentVolumeClaim({ name, namespace, body: removeFinalizer(copy(claim), PVC_CLONE_FINALIZER) }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  // --- volumes ------------------------------------------------------------------------------

  private async syncVolume(name: string, signal: AbortSignal): Promise<void> {
    let pv = this.o.informers.pvs().get(name);
    if (!pv) return;
    pv = await this.handleProtectionFinalizer(pv);
    if (!this.shouldDelete(pv)) return;
    const log = this.o.log.child({ pv: name });
    log.info('delete started');
    try {
      await this.deleteVolume(pv, signal);
    } catch (err) {
      const message = grpcErrorText(err);
      log.error({ err: message }, 'volume deletion failed');
      this.recorder.event(pv, 'Warning', 'VolumeFailedDelete', message);
      throw err;
    }
    log.info('volume deleted');
    try {
      await apiCall(() => this.o.api.core.deletePersistentVolume({ name }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (this.o.addFinalizer) {
      try {
        await updateWithRetry({
          read: () => this.o.api.core.readPersistentVolume({ name }),
          mutate: (cur) => (hasFinalizer(cur, PV_FINALIZER) ? removeFinalizer(cur, PV_FINALIZER) : undefined),
          write: (next) => this.o.api.core.replacePersistentVolume({ name, body: next }),
        });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    log.info('persistentvolume deleted');
  }

  /** handleProtectionFinalizer: the finalizer on this driver's Delete-policy PVs, off the others. */
  private async handleProtectionFinalizer(pv: V1PersistentVolume): Promise<V1PersistentVolume> {
    if (pv.metadata?.annotations?.[ANN_PROVISIONED_BY] !== this.settings.driverName) return pv;
    const policy = pv.spec?.persistentVolumeReclaimPolicy;
    const has = hasFinalizer(pv, PV_FINALIZER);
    let next: V1PersistentVolume | undefined;
    if ((!this.o.addFinalizer || policy === 'Retain' || policy === 'Recycle') && has) next = removeFinalizer(copy(pv), PV_FINALIZER);
    if (this.o.addFinalizer && policy === 'Delete' && !isDeleting(pv) && !has) next = addFinalizer(copy(pv), PV_FINALIZER);
    if (!next) return pv;
    return apiCall(() => this.o.api.core.replacePersistentVolume({ name: pv.metadata?.name as string, body: next }));
  }

  private shouldDelete(pv: V1PersistentVolume): boolean {
    if (this.o.addFinalizer) {
      if (!hasFinalizer(pv, PV_FINALIZER) && isDeleting(pv)) return false;
    } else if (isDeleting(pv)) return false;
    if (pv.status?.phase !== 'Released') return false;
    if (pv.spec?.persistentVolumeReclaimPolicy !== 'Delete') return false;
    const by = pv.metadata?.annotations?.[ANN_PROVISIONED_BY];
    return by === this.settings.driverName || pv.metadata?.annotations?.[ANN_MIGRATED_TO] === this.settings.driverName;
  }

  /** external-provisioner's Delete: DeleteVolume with the deletion secrets the PV names. */
  private async deleteVolume(pv: V1PersistentVolume, signal: AbortSignal): Promise<void> {
    if (!pv.spec?.csi) throw new Error('invalid CSI PV');
    const secrets = await this.deletionSecrets(pv);
    signal.throwIfAborted();
    await unary((o, cb) => this.o.conn.controller.DeleteVolume({ volume_id: pv.spec?.csi?.volumeHandle, ...(secrets ? { secrets } : {}) }, o, cb), this.o.timeoutMs);
  }

  private async deletionSecrets(pv: V1PersistentVolume): Promise<Record<string, string> | undefined> {
    const a = pv.metadata?.annotations ?? {};
    let ref: V1SecretReference | undefined;
    if (ANN_DELETION_SECRET_NAME in a && ANN_DELETION_SECRET_NAMESPACE in a) {
      if (a[ANN_DELETION_SECRET_NAME] && a[ANN_DELETION_SECRET_NAMESPACE]) ref = { name: a[ANN_DELETION_SECRET_NAME], namespace: a[ANN_DELETION_SECRET_NAMESPACE] };
    } else {
      const sc = this.o.informers.storageClasses().get(pv.spec?.storageClassName ?? '');
      const claimRef = pv.spec?.claimRef;
      if (sc && claimRef) ref = secretReference(SECRET_PARAMS.provisioner, sc.parameters ?? {}, pv.metadata?.name ?? '', { metadata: { name: claimRef.name, namespace: claimRef.namespace } });
    }
    if (!ref) return undefined;
    try {
      return await this.credentials(ref);
    } catch (err) {
      // continue with deletion: the secret may be gone already
      this.o.log.error({ pv: pv.metadata?.name, err: (err as Error).message }, 'failed to get credentials for volume');
      return undefined;
    }
  }
}

/** The claim's class: spec.storageClassName, else the beta annotation (GetPersistentVolumeClaimClass). */
export function claimClass(claim: V1PersistentVolumeClaim): string {
  return annotation(claim, ANN_BETA_STORAGE_CLASS) ?? claim.spec?.storageClassName ?? '';
}
