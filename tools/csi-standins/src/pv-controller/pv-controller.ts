import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { apiCall, Controller, isNotFound } from '@copse/controller-runtime';
import type { Logger } from 'pino';
import type { KubeApi } from '../kube/api';
import { eventRecorder, type EventRecorder } from '../kube/events';
import type { SharedInformers } from '../kube/informers';
import { annotation, copy, hasAnnotation, setAnnotation } from '../kube/meta';
import { NewestWrites, quietConflicts } from '../kube/written';
import { ANN_BETA_STORAGE_PROVISIONER, ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER } from '../provisioner/prepare';
import { ANN_PROVISIONED_BY } from '../provisioner/persistent-volume';
import { claimClass } from '../provisioner/provisioner';
import {
  ANN_BIND_COMPLETED,
  ANN_BOUND_BY_CONTROLLER,
  bindClaimToVolume,
  bindVolumeToClaim,
  claimStatusFor,
  findMatchForClaim,
  isVolumeBoundToClaim,
  volumeStatusFor,
} from './binding';

export interface PvControllerOptions {
  readonly api: KubeApi;
  readonly informers: SharedInformers;
  readonly log: Logger;
  /** --pvclaimbinder-sync-period: every claim and volume is synced again this often (kube-controller-manager: 15 s) */
  readonly resyncMs: number;
}

/**
 * TEST STAND-IN for the binding half of kube-controller-manager's PersistentVolume controller,
 * which the API test server does not run: it annotates claims of external provisioners' classes
 * (volume.kubernetes.io/storage-provisioner), binds claims to their PVs (pre-bound first, then
 * the smallest matching Available one), keeps both phases (Pending, Bound, Lost; Available,
 * Bound, Released) and writes the controller's events. Reclaiming is left to the external
 * provisioner, as it is for every CSI volume. Never run it beside a real kube-controller-manager.
 */
export class PvControllerStandIn {
  private readonly claims: Controller<string>;
  private readonly volumes: Controller<string>;
  private readonly recorder: EventRecorder;
  private resync?: NodeJS.Timeout;
  private readonly written = new NewestWrites();

  constructor(private readonly o: PvControllerOptions) {
    this.recorder = eventRecorder(o.api.kubeConfig, 'persistentvolume-controller', o.log);
    this.claims = new Controller({ name: 'pv-controller-claims', logger: o.log, reconcile: quietConflicts(o.log, (k) => this.syncClaim(k)) });
    this.volumes = new Controller({ name: 'pv-controller-volumes', logger: o.log, reconcile: quietConflicts(o.log, (k) => this.syncVolume(k)) });
    this.claims.watch(o.informers.pvcs());
    this.volumes.watch(o.informers.pvs());
    // a claim is synced again when a volume pointing at it changes (bind finishes faster)
    const claimOfVolume = (pv: V1PersistentVolume) => {
      const ref = pv.spec?.claimRef;
      if (ref?.name && ref.namespace) this.claims.enqueue(`${ref.namespace}/${ref.name}`);
    };
    o.informers.pvs().on('add', claimOfVolume);
    o.informers.pvs().on('update', claimOfVolume);
    // a deleted claim releases its volume
    o.informers.pvcs().on('delete', (pvc) => {
      const name = pvc.spec?.volumeName;
      if (name) this.volumes.enqueue(name);
    });
    o.informers.storageClasses();
    o.informers.pods();
  }

  start(): void {
    this.claims.start();
    this.volumes.start();
    this.resync = setInterval(() => {
      for (const c of this.o.informers.pvcs().list()) this.claims.enqueue(`${c.metadata?.namespace}/${c.metadata?.name}`);
      for (const v of this.o.informers.pvs().list()) this.volumes.enqueue(v.metadata?.name as string);
    }, this.o.resyncMs);
    this.resync.unref();
    this.o.log.info('test stand-in for the PersistentVolume controller (binding) started');
  }

  async stop(): Promise<void> {
    clearInterval(this.resync);
    await Promise.all([this.claims.stop({ drain: false }), this.volumes.stop({ drain: false })]);
    await this.recorder.flush();
  }

  flushEvents(): Promise<void> {
    return this.recorder.flush();
  }

  // --- claims -------------------------------------------------------------------------------

  private async syncClaim(key: string): Promise<void> {
    const [namespace = '', name = ''] = key.split('/');
    const claim = this.o.informers.pvcs().get(name, namespace);
    if (!claim) {
      this.written.forget(`pvc/${key}`);
      return;
    }
    // an older copy than one written since: its update event brings the newer one
    if (this.written.isStale(`pvc/${key}`, claim)) return;
    if (!hasAnnotation(claim, ANN_BIND_COMPLETED)) await this.syncUnboundClaim(claim);
    else await this.syncBoundClaim(claim);
  }

  private async syncUnboundClaim(claim: V1PersistentVolumeClaim): Promise<void> {
    const className = claimClass(claim);
    if (!claim.spec?.volumeName) {
      const sc = className ? this.o.informers.storageClasses().get(className) : undefined;
      const delayBinding = sc?.volumeBindingMode === 'WaitForFirstConsumer';
      const volume = findMatchForClaim(claim, className, this.o.informers.pvs().list(), delayBinding);
      if (volume) {
        await this.bind(volume, claim);
        return;
      }
      if (delayBinding && !annotation(claim, ANN_SELECTED_NODE)) {
        this.emitForUnboundDelayBindingClaim(claim);
      } else if (className) {
        // provisionClaim: an external provisioner is asked through the annotation
        await this.provisionClaim(claim, className);
        return;
      } else {
        this.recorder.event(claim, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
      }
      await this.updateClaimStatus(claim, 'Pending', undefined);
      return;
    }
    // the user asked for a specific PV
    const volume = this.o.informers.pvs().get(claim.spec.volumeName);
    if (!volume) {
      await this.updateClaimStatus(claim, 'Pending', undefined);
      return;
    }
    if (!volume.spec?.claimRef || isVolumeBoundToClaim(volume, claim)) {
      await this.bind(volume, claim);
      return;
    }
    if (!hasAnnotation(claim, ANN_BOUND_BY_CONTROLLER)) {
      // bound to another claim by the user: wait
      await this.updateClaimStatus(claim, 'Pending', undefined);
      return;
    }
    const ref = volume.spec.claimRef;
    throw new Error(`Invalid binding of claim "${namespace(claim)}" to volume "${claim.spec.volumeName}": volume already claimed by "${ref.namespace}/${ref.name}"`);
  }

  private async syncBoundClaim(claim: V1PersistentVolumeClaim): Promise<void> {
    if (!claim.spec?.volumeName) {
      await this.lost(claim, 'ClaimLost', 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!');
      return;
    }
    const volume = this.o.informers.pvs().get(claim.spec.volumeName);
    if (!volume) {
      await this.lost(claim, 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
      return;
    }
    if (!volume.spec?.claimRef || volume.spec.claimRef.uid === claim.metadata?.uid) {
      await this.bind(volume, claim);
      return;
    }
    await this.lost(claim, 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly');
  }

  private async lost(claim: V1PersistentVolumeClaim, reason: string, message: string): Promise<void> {
    if (await this.updateClaimStatus(claim, 'Lost', undefined)) this.recorder.event(claim, 'Warning', reason, message);
  }

  /** emitEventForUnboundDelayBindingClaim */
  private emitForUnboundDelayBindingClaim(claim: V1PersistentVolumeClaim): void {
    const pods = this.o.informers
      .pods()
      .list(claim.metadata?.namespace)
      .filter((p) => !p.spec?.nodeName && (p.spec?.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === claim.metadata?.name))
      .map((p) => p.metadata?.name as string);
    if (pods.length === 0) {
      this.recorder.event(claim, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
    } else {
      this.recorder.event(
        claim,
        'Normal',
        'WaitForPodScheduled',
        pods.length > 1 ? `waiting for pods ${pods.join(',')} to be scheduled` : `waiting for pod ${pods[0]} to be scheduled`,
      );
    }
  }

  /** provisionClaim for an external provisioner: annotate the claim, say whom it waits for. */
  private async provisionClaim(claim: V1PersistentVolumeClaim, className: string): Promise<void> {
    const sc = this.o.informers.storageClasses().get(className);
    if (!sc) {
      const message = `storageclass.storage.k8s.io "${className}" not found`;
      this.recorder.event(claim, 'Warning', 'ProvisioningFailed', message);
      await this.updateClaimStatus(claim, 'Pending', undefined);
      throw new Error(message);
    }
    let current = claim;
    if (annotation(claim, ANN_STORAGE_PROVISIONER) !== sc.provisioner || annotation(claim, ANN_BETA_STORAGE_PROVISIONER) !== sc.provisioner) {
      const next = setAnnotation(setAnnotation(copy(claim), ANN_STORAGE_PROVISIONER, sc.provisioner), ANN_BETA_STORAGE_PROVISIONER, sc.provisioner);
      current = this.claimWritten(await apiCall(() => this.o.api.core.replaceNamespacedPersistentVolumeClaim({ name: name(claim), namespace: namespace(claim), body: next })));
    }
    this.recorder.event(
      current,
      'Normal',
      'ExternalProvisioning',
      `Waiting for a volume to be created either by the external provisioner '${sc.provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
    );
    await this.updateClaimStatus(current, 'Pending', undefined);
  }

  /** bind: PV to claim, PV Bound, claim to PV, claim Bound, each write only when needed. */
  private async bind(volume: V1PersistentVolume, claim: V1PersistentVolumeClaim): Promise<void> {
    const log = this.o.log.child({ claim: `${namespace(claim)}/${name(claim)}`, pv: volume.metadata?.name });
    let pv = volume;
    const boundPv = bindVolumeToClaim(pv, claim);
    if (boundPv) pv = this.volumeWritten(await apiCall(() => this.o.api.core.replacePersistentVolume({ name: volume.metadata?.name as string, body: boundPv })));
    pv = await this.updateVolumePhase(pv, 'Bound');
    let current = claim;
    const boundClaim = bindClaimToVolume(claim, pv);
    if (boundClaim) current = this.claimWritten(await apiCall(() => this.o.api.core.replaceNamespacedPersistentVolumeClaim({ name: name(claim), namespace: namespace(claim), body: boundClaim })));
    if (await this.updateClaimStatus(current, 'Bound', pv)) log.info('claim bound');
  }

  /** Writes the claim's status when it changes; true when it did. */
  private async updateClaimStatus(claim: V1PersistentVolumeClaim, phase: 'Pending' | 'Bound' | 'Lost', pv: V1PersistentVolume | undefined): Promise<boolean> {
    const status = claimStatusFor(claim, phase, pv);
    if (!status) return false;
    const next = { ...copy(claim), status };
    this.claimWritten(await apiCall(() => this.o.api.core.replaceNamespacedPersistentVolumeClaimStatus({ name: name(claim), namespace: namespace(claim), body: next })));
    return true;
  }

  // --- volumes ------------------------------------------------------------------------------

  private async syncVolume(pvName: string): Promise<void> {
    const volume = this.o.informers.pvs().get(pvName);
    if (!volume) {
      this.written.forget(`pv/${pvName}`);
      return;
    }
    if (this.written.isStale(`pv/${pvName}`, volume)) return;
    const ref = volume.spec?.claimRef;
    if (!ref || !ref.uid) {
      // unused, or pre-bound to a claim that has not bound yet (the claim's sync does that)
      await this.updateVolumePhase(volume, 'Available');
      return;
    }
    let claim = this.o.informers.pvcs().get(ref.name ?? '', ref.namespace);
    // the claim was deleted and another made with the same name
    if (claim && claim.metadata?.uid !== ref.uid) claim = undefined;
    if (!claim) {
      if (volume.status?.phase !== 'Released' && volume.status?.phase !== 'Failed') {
        this.o.log.info({ pv: pvName, reclaimPolicy: volume.spec?.persistentVolumeReclaimPolicy }, 'volume is released and its reclaim policy will be executed');
        await this.updateVolumePhase(volume, 'Released');
      }
      // reclaimVolume: Retain keeps it; Delete of a CSI volume is the external provisioner's
      return;
    }
    if (!claim.spec?.volumeName) {
      // binding not finished: the claim's sync does it
      this.claims.enqueue(`${namespace(claim)}/${name(claim)}`);
      return;
    }
    if (claim.spec.volumeName === pvName) {
      await this.updateVolumePhase(volume, 'Bound');
      return;
    }
    // the claim is bound to another volume
    if (hasAnnotation(volume, ANN_PROVISIONED_BY) && volume.spec?.persistentVolumeReclaimPolicy === 'Delete') {
      if (volume.status?.phase !== 'Released' && volume.status?.phase !== 'Failed') await this.updateVolumePhase(volume, 'Released');
      return;
    }
    if (hasAnnotation(volume, ANN_BOUND_BY_CONTROLLER)) {
      // unbindVolume: the controller bound it, so it frees it
      const next = copy(volume);
      if (next.spec) delete next.spec.claimRef;
      if (next.metadata?.annotations) delete next.metadata.annotations[ANN_BOUND_BY_CONTROLLER];
      const written = this.volumeWritten(await apiCall(() => this.o.api.core.replacePersistentVolume({ name: pvName, body: next })));
      await this.updateVolumePhase(written, 'Available');
    }
    // else: pre-bound by the user to a claim bound elsewhere; left alone
  }

  private claimWritten(c: V1PersistentVolumeClaim): V1PersistentVolumeClaim {
    this.written.record(`pvc/${namespace(c)}/${name(c)}`, c);
    return c;
  }

  private volumeWritten(v: V1PersistentVolume): V1PersistentVolume {
    this.written.record(`pv/${v.metadata?.name}`, v);
    return v;
  }

  private async updateVolumePhase(pv: V1PersistentVolume, phase: string): Promise<V1PersistentVolume> {
    const status = volumeStatusFor(pv, phase);
    if (!status) return pv;
    const next = { ...copy(pv), status };
    try {
      return this.volumeWritten(await apiCall(() => this.o.api.core.replacePersistentVolumeStatus({ name: pv.metadata?.name as string, body: next })));
    } catch (err) {
      if (isNotFound(err)) return pv;
      throw err;
    }
  }
}

function name(o: { metadata?: { name?: string } }): string {
  return o.metadata?.name as string;
}

function namespace(o: { metadata?: { namespace?: string } }): string {
  return o.metadata?.namespace as string;
}
