// The CSI Controller service, unlocked: main.ts wraps it in csi-grpc's withLocks (per name for
// creates, per ID for the rest). Every volume and snapshot is a LogicalVolume object; the node
// named in it does the lvm work and reports in its status, which the handlers wait for by
// watching. Behaviour follows TopoLVM's controller (internal/driver/controller.go) except
// where the CSI spec asks for more; docs/csi-controller.md lists the differences.
import type {
  ControllerExpandVolumeRequest__Output,
  ControllerExpandVolumeResponse,
  ControllerGetCapabilitiesResponse,
  ControllerGetVolumeRequest__Output,
  ControllerGetVolumeResponse,
  CreateSnapshotRequest__Output,
  CreateSnapshotResponse,
  CreateVolumeRequest__Output,
  CreateVolumeResponse,
  DeleteSnapshotRequest__Output,
  DeleteSnapshotResponse,
  DeleteVolumeRequest__Output,
  DeleteVolumeResponse,
  GetCapacityRequest__Output,
  GetCapacityResponse,
  GetSnapshotRequest__Output,
  GetSnapshotResponse,
  ListSnapshotsRequest__Output,
  ListSnapshotsResponse,
  ListVolumesRequest__Output,
  ListVolumesResponse,
  ValidateVolumeCapabilitiesRequest__Output,
  ValidateVolumeCapabilitiesResponse,
  VolumeContentSource__Output,
} from '@copse/csi-spec';
import {
  CsiError,
  capacityRange,
  checkMapSize,
  checkVolumeCapabilities,
  requireList,
  requireMessage,
  requireString,
  volumeCapabilityProblem,
  type CallContext,
  type ControllerService,
} from '@copse/csi-grpc';
import { formatQuantity, newLogicalVolume, type LogicalVolume, type NameSet } from '@copse/k8s-crd';
import { claimOf } from '../domain/claim';
import { minimumBytesFor, expansionBytes, newVolumeBytes, usageOf } from '../domain/capacity';
import { decodeContentSource, encodeContentSource, toCsiContentSource, type ContentSource } from '../domain/content-source';
import { currentBytes, incompatibility, isCreated, isDeleting, kindOf, specBytes, type VolumeKind } from '../domain/logical-volume-view';
import { objectNameFor } from '../domain/object-names';
import { paginate } from '../domain/pagination';
import { hasRequirements, nodeWithMostFree, requestedNode, requirementsAllow } from '../domain/placement';
import type { LogicalVolumes } from '../k8s/logical-volumes';
import type { NodeCapacities } from '../k8s/nodes';
import type { ControllerMetrics } from '../metrics';
import { NodeWaits } from './node-waits';
import { conditionOf, snapshotOf, topologyOf, volumeOf } from './responses';
import { controllerCapabilitiesOf, VOLUME_SUPPORT } from './support';

/** CSI's limit on names (Size Limits: 128 bytes). */
const NAME_MAX_BYTES = 128;
/** A device class or lvcreate option class name, as lvmd.yaml and the node annotation allow. */
const CLASS_NAME = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export interface ControllerCoreOptions {
  readonly names: NameSet;
  readonly volumes: LogicalVolumes;
  readonly nodes: NodeCapacities;
  readonly metrics: ControllerMetrics;
  /** resolves once the caches are filled; rejects when the signal aborts first */
  readonly synced: (signal: AbortSignal) => Promise<void>;
  /** advertise the alpha GET_SNAPSHOT capability (GetSnapshot is served either way) */
  readonly advertiseGetSnapshot?: boolean;
}

export type ControllerCore = Required<
  Pick<
    ControllerService,
    | 'CreateVolume'
    | 'DeleteVolume'
    | 'ValidateVolumeCapabilities'
    | 'ListVolumes'
    | 'GetCapacity'
    | 'ControllerGetCapabilities'
    | 'CreateSnapshot'
    | 'DeleteSnapshot'
    | 'ListSnapshots'
    | 'GetSnapshot'
    | 'ControllerExpandVolume'
    | 'ControllerGetVolume'
  >
>;

/** The StorageClass parameters this driver reads; everything else is ignored, as TopoLVM does. */
interface Classes {
  readonly deviceClass: string;
  readonly lvcreateOptionClass: string;
}

export class ControllerServer implements ControllerCore {
  private readonly names: NameSet;
  private readonly volumes: LogicalVolumes;
  private readonly nodes: NodeCapacities;
  private readonly waits: NodeWaits;
  private readonly synced: (signal: AbortSignal) => Promise<void>;
  private readonly capabilities: ControllerGetCapabilitiesResponse;

  constructor(options: ControllerCoreOptions) {
    this.capabilities = controllerCapabilitiesOf({ advertiseGetSnapshot: options.advertiseGetSnapshot ?? false });
    this.names = options.names;
    this.volumes = options.volumes;
    this.nodes = options.nodes;
    this.synced = options.synced;
    this.waits = new NodeWaits(options.volumes, options.metrics);
  }

  // --- volumes ----------------------------------------------------------------------------

  async CreateVolume(req: CreateVolumeRequest__Output, ctx: CallContext): Promise<CreateVolumeResponse> {
    const csiName = requireString(req.name, 'name', NAME_MAX_BYTES);
    const caps = checkVolumeCapabilities(req.volume_capabilities, VOLUME_SUPPORT);
    const range = capacityRange(req.capacity_range);
    checkMapSize(req.parameters, 'parameters');
    if (Object.keys(req.mutable_parameters ?? {}).length > 0) {
      throw CsiError.invalidArgument('mutable_parameters are not supported: this plugin has no MODIFY_VOLUME capability');
    }
    const classes = this.classesOf(req.parameters, ctx);
    await this.synced(ctx.signal);

    const source = req.volume_content_source ? await this.sourceOf(req.volume_content_source, ctx.signal) : undefined;
    if (source) {
      const sourceClass = source.lv.spec.deviceClass ?? '';
      if (classes.deviceClass !== '' && classes.deviceClass !== sourceClass) {
        throw CsiError.invalidArgument(
          `parameters[${JSON.stringify(this.names.deviceClassParameter)}] ${JSON.stringify(classes.deviceClass)} differs from the device class of ${source.label} (${JSON.stringify(sourceClass)}): a restore or clone is a thin snapshot in its source's device class`,
        );
      }
      if (!requirementsAllow(req.accessibility_requirements, this.names.topologyNodeKey, source.lv.spec.nodeName)) {
        throw CsiError.invalidArgument(
          `accessibility_requirements exclude node ${source.lv.spec.nodeName}, where ${source.label} is: a restore or clone is made on its source's node`,
        );
      }
    }
    const deviceClass = source ? (source.lv.spec.deviceClass ?? '') : classes.deviceClass;
    const bytes = newVolumeBytes(range, {
      minimumBytes: minimumBytesFor(caps),
      sourceBytes: source ? currentBytes(source.lv) : undefined,
      sourceLabel: source?.label,
    });
    const objectName = objectNameFor(csiName);
    const wanted = {
      csiName,
      kind: 'volume' as const,
      deviceClass,
      lvcreateOptionClass: classes.lvcreateOptionClass,
      source: source?.lv.metadata?.name,
      minBytes: bytes,
      limitBytes: range.limitBytes,
      nodeAllowed: (node: string) => requirementsAllow(req.accessibility_requirements, this.names.topologyNodeKey, node),
    };

    let lv = await this.existing(objectName, ctx.signal);
    if (lv) this.checkCompatible(lv, wanted);
    else {
      const node = source
        ? source.lv.spec.nodeName
        : hasRequirements(req.accessibility_requirements)
          ? requestedNode(req.accessibility_requirements, this.names.topologyNodeKey)
          : nodeWithMostFree(this.nodes.candidates(deviceClass), bytes, deviceClass);
      const annotations: Record<string, string> = {};
      const claim = claimOf(csiName, req.parameters);
      if (claim) {
        annotations[this.names.pvcUidAnnotation] = claim.uid;
        if (claim.namespace) annotations[this.names.pvcAnnotation] = `${claim.namespace}/${claim.name}`;
      }
      if (source) annotations[this.names.contentSourceAnnotation] = encodeContentSource(source.ref);
      const object = newLogicalVolume(this.names, {
        name: objectName,
        csiName: csiName === objectName ? undefined : csiName,
        nodeName: node,
        sizeBytes: bytes,
        deviceClass,
        lvcreateOptionClass: classes.lvcreateOptionClass,
        source: source ? { name: source.lv.metadata?.name as string, accessType: 'rw' } : undefined,
        annotations,
      });
      lv = await this.create(object, wanted, ctx);
    }
    const made = isCreated(lv) ? lv : await this.waits.created(lv, 'create_volume', ctx.signal, ctx.log);
    return {
      volume: {
        volume_id: made.status?.volumeID as string,
        capacity_bytes: currentBytes(made),
        // echoed as asked: the provisioner deletes a volume whose answer lacks it
        content_source: source ? toCsiContentSource(source.ref) : undefined,
        accessible_topology: topologyOf(this.names, made.spec.nodeName),
      },
    };
  }

  async DeleteVolume(req: DeleteVolumeRequest__Output, ctx: CallContext): Promise<DeleteVolumeResponse> {
    const id = requireString(req.volume_id, 'volume_id');
    await this.delete(id, 'volume', ctx);
    return {};
  }

  async ControllerExpandVolume(req: ControllerExpandVolumeRequest__Output, ctx: CallContext): Promise<ControllerExpandVolumeResponse> {
    const id = requireString(req.volume_id, 'volume_id');
    const range = capacityRange(requireMessage(req.capacity_range, 'capacity_range'));
    if (req.volume_capability) {
      const problem = volumeCapabilityProblem(req.volume_capability, VOLUME_SUPPORT, 'volume_capability');
      if (problem) throw CsiError.invalidArgument(problem);
    }
    // a filesystem grows on the node (NodeExpandVolume); a raw block device is grown already.
    // Without a capability the plugin cannot tell, and the node's expansion is harmless for block.
    const nodeExpansionRequired = req.volume_capability ? usageOf(req.volume_capability) !== 'block' : true;
    const wantedBytes = expansionBytes(range);
    await this.synced(ctx.signal);
    const lv = await this.find(id, 'volume', ctx.signal);
    if (!lv) throw CsiError.notFound(`volume ${id} not found`);
    const current = currentBytes(lv);
    if (wantedBytes <= current) return { capacity_bytes: current, node_expansion_required: nodeExpansionRequired };

    const growth = wantedBytes - Math.max(current, specBytes(lv));
    const free = this.nodes.freeOn(lv.spec.nodeName, lv.spec.deviceClass ?? '');
    if (growth > 0 && free.kind === 'free' && free.bytes < growth) {
      throw CsiError.resourceExhausted(
        `node ${lv.spec.nodeName} has ${free.bytes} bytes free in device class ${JSON.stringify(lv.spec.deviceClass ?? '')}; growing volume ${id} to ${wantedBytes} bytes needs ${growth} more`,
      );
    }
    ctx.signal.throwIfAborted();
    const name = lv.metadata?.name as string;
    const updated = await this.volumes.update(
      name,
      (o) => {
        if (o.metadata?.uid !== lv.metadata?.uid) throw CsiError.notFound(`volume ${id} not found`);
        const grow = specBytes(o) < wantedBytes;
        o.metadata = {
          ...o.metadata,
          // TopoLVM's nudge: a changed annotation makes the node retry a resize that failed before
          annotations: { ...o.metadata?.annotations, [this.names.resizeRequestedAtAnnotation]: new Date().toISOString() },
        };
        if (grow) o.spec = { ...o.spec, size: formatQuantity(wantedBytes) };
        return o;
      },
      ctx.signal,
    );
    const resized = await this.waits.resized(updated, wantedBytes, ctx.signal);
    return { capacity_bytes: currentBytes(resized), node_expansion_required: nodeExpansionRequired };
  }

  async ValidateVolumeCapabilities(req: ValidateVolumeCapabilitiesRequest__Output, ctx: CallContext): Promise<ValidateVolumeCapabilitiesResponse> {
    const id = requireString(req.volume_id, 'volume_id');
    const caps = requireList(req.volume_capabilities, 'volume_capabilities');
    await this.synced(ctx.signal);
    const lv = await this.find(id, 'volume', ctx.signal);
    if (!lv) throw CsiError.notFound(`volume ${id} not found`);
    for (const [i, cap] of caps.entries()) {
      const problem = volumeCapabilityProblem(cap, VOLUME_SUPPORT, `volume_capabilities[${i}]`);
      if (problem) return { message: problem };
    }
    const asked = req.parameters?.[this.names.deviceClassParameter];
    if (asked !== undefined && asked !== (lv.spec.deviceClass ?? '')) {
      return { message: `volume ${id} is in device class ${JSON.stringify(lv.spec.deviceClass ?? '')}, not ${JSON.stringify(asked)}` };
    }
    if (Object.keys(req.mutable_parameters ?? {}).length > 0) {
      return { message: 'mutable_parameters are not supported: this plugin has no MODIFY_VOLUME capability' };
    }
    return {
      confirmed: {
        volume_context: req.volume_context,
        volume_capabilities: [...caps],
        parameters: req.parameters,
      },
    };
  }

  async ListVolumes(req: ListVolumesRequest__Output, ctx: CallContext): Promise<ListVolumesResponse> {
    await this.synced(ctx.signal);
    const volumes = this.volumes.cached().filter((lv) => kindOf(lv) === 'volume' && isCreated(lv) && !isDeleting(lv));
    const page = paginate(volumes, (lv) => lv.status?.volumeID as string, req.max_entries, req.starting_token);
    return {
      entries: page.entries.map((lv) => ({
        volume: volumeOf(this.names, lv),
        status: { published_node_ids: [], volume_condition: conditionOf(lv) },
      })),
      next_token: page.nextToken,
    };
  }

  async ControllerGetVolume(req: ControllerGetVolumeRequest__Output, ctx: CallContext): Promise<ControllerGetVolumeResponse> {
    const id = requireString(req.volume_id, 'volume_id');
    await this.synced(ctx.signal);
    const lv = await this.find(id, 'volume', ctx.signal);
    if (!lv) throw CsiError.notFound(`volume ${id} not found`);
    return { volume: volumeOf(this.names, lv), status: { published_node_ids: [], volume_condition: conditionOf(lv) } };
  }

  // --- capacity and capabilities ------------------------------------------------------------

  async GetCapacity(req: GetCapacityRequest__Output, ctx: CallContext): Promise<GetCapacityResponse> {
    await this.synced(ctx.signal);
    const none: GetCapacityResponse = { available_capacity: 0, maximum_volume_size: { value: 0 } };
    // capabilities this plugin cannot serve have no capacity (the spec: report what satisfies ALL);
    // external-provisioner's capacity tracking sends one mount capability of access mode UNKNOWN
    // ("the capacity is independent of the capabilities"): such a one is judged by its type only
    const judged = (cap: (typeof req.volume_capabilities)[number]) =>
      !cap.access_mode || cap.access_mode.mode === 'UNKNOWN' ? { ...cap, access_mode: { mode: 'SINGLE_NODE_WRITER' as const } } : cap;
    if (req.volume_capabilities.some((cap, i) => volumeCapabilityProblem(judged(cap), VOLUME_SUPPORT, `volume_capabilities[${i}]`))) return none;
    const deviceClass = req.parameters[this.names.deviceClassParameter] ?? '';
    if (!CLASS_NAME.test(deviceClass) || deviceClass.length > 63) return none;
    const segments = req.accessible_topology?.segments;
    if (segments && Object.keys(segments).length > 0) {
      const value = segments[this.names.topologyNodeKey];
      const node = value === undefined ? undefined : this.nodes.nodeForTopology(value);
      if (!node) return none;
      const free = this.nodes.freeOn(node, deviceClass);
      const bytes = free.kind === 'free' ? free.bytes : 0;
      return { available_capacity: bytes, maximum_volume_size: { value: bytes } };
    }
    let total = 0;
    let largest = 0;
    for (const c of this.nodes.candidates(deviceClass)) {
      total += c.freeBytes;
      largest = Math.max(largest, c.freeBytes);
    }
    return { available_capacity: total, maximum_volume_size: { value: largest } };
  }

  ControllerGetCapabilities(): ControllerGetCapabilitiesResponse {
    return this.capabilities;
  }

  // --- snapshots ----------------------------------------------------------------------------

  async CreateSnapshot(req: CreateSnapshotRequest__Output, ctx: CallContext): Promise<CreateSnapshotResponse> {
    const csiName = requireString(req.name, 'name', NAME_MAX_BYTES);
    const sourceId = requireString(req.source_volume_id, 'source_volume_id');
    checkMapSize(req.parameters, 'parameters');
    await this.synced(ctx.signal);
    const source = await this.find(sourceId, 'volume', ctx.signal);
    if (!source) throw CsiError.notFound(`source volume ${sourceId} not found`);
    const objectName = objectNameFor(csiName);
    const wanted = {
      csiName,
      kind: 'snapshot' as const,
      deviceClass: source.spec.deviceClass ?? '',
      lvcreateOptionClass: '',
      source: source.metadata?.name,
      minBytes: 0,
      limitBytes: 0,
      nodeAllowed: () => true,
    };
    let lv = await this.existing(objectName, ctx.signal);
    if (lv) this.checkCompatible(lv, wanted);
    else {
      const object = newLogicalVolume(this.names, {
        name: objectName,
        csiName: csiName === objectName ? undefined : csiName,
        nodeName: source.spec.nodeName,
        // the source's real size: the snapshot's size_bytes, and what a restore must at least be
        sizeBytes: currentBytes(source),
        deviceClass: source.spec.deviceClass,
        source: { name: source.metadata?.name as string, accessType: 'ro' },
        annotations: { [this.names.contentSourceAnnotation]: encodeContentSource({ kind: 'volume', id: sourceId }) },
      });
      lv = await this.create(object, wanted, ctx);
    }
    const made = isCreated(lv) ? lv : await this.waits.created(lv, 'create_snapshot', ctx.signal, ctx.log);
    return { snapshot: snapshotOf(made, sourceId) };
  }

  async DeleteSnapshot(req: DeleteSnapshotRequest__Output, ctx: CallContext): Promise<DeleteSnapshotResponse> {
    const id = requireString(req.snapshot_id, 'snapshot_id');
    await this.delete(id, 'snapshot', ctx);
    return {};
  }

  async ListSnapshots(req: ListSnapshotsRequest__Output, ctx: CallContext): Promise<ListSnapshotsResponse> {
    await this.synced(ctx.signal);
    // not yet cut, or going: not listed (the spec: ListSnapshots never shows a snapshot being made)
    let snapshots = this.volumes.cached().filter((lv) => kindOf(lv) === 'snapshot' && isCreated(lv) && !isDeleting(lv));
    if (req.snapshot_id !== '') snapshots = snapshots.filter((lv) => lv.status?.volumeID === req.snapshot_id);
    if (req.source_volume_id !== '') snapshots = snapshots.filter((lv) => this.sourceVolumeIdOf(lv) === req.source_volume_id);
    const page = paginate(snapshots, (lv) => lv.status?.volumeID as string, req.max_entries, req.starting_token);
    return { entries: page.entries.map((lv) => ({ snapshot: snapshotOf(lv, this.sourceVolumeIdOf(lv)) })), next_token: page.nextToken };
  }

  async GetSnapshot(req: GetSnapshotRequest__Output, ctx: CallContext): Promise<GetSnapshotResponse> {
    const id = requireString(req.snapshot_id, 'snapshot_id');
    await this.synced(ctx.signal);
    const lv = await this.find(id, 'snapshot', ctx.signal);
    if (!lv) throw CsiError.notFound(`snapshot ${id} not found`);
    return { snapshot: snapshotOf(lv, this.sourceVolumeIdOf(lv)) };
  }

  // --- shared -------------------------------------------------------------------------------

  /** device-class and lvcreate-option-class; unknown parameters are ignored, as TopoLVM does. */
  private classesOf(parameters: Readonly<Record<string, string>>, ctx: CallContext): Classes {
    const read = (key: string): string => {
      const value = parameters[key] ?? '';
      if (value.length > 63 || !CLASS_NAME.test(value)) {
        throw CsiError.invalidArgument(
          `parameters[${JSON.stringify(key)}] ${JSON.stringify(value)} is not a class name: at most 63 letters, digits, '-', '_' or '.', alphanumeric at both ends`,
        );
      }
      return value;
    };
    const known = new Set([this.names.deviceClassParameter, this.names.lvcreateOptionClassParameter]);
    const unknown = Object.keys(parameters).filter((k) => k.startsWith(`${this.names.group}/`) && !known.has(k));
    if (unknown.length > 0) ctx.log.warn({ unknown }, 'ignoring StorageClass parameters this driver does not know (a typo?)');
    return { deviceClass: read(this.names.deviceClassParameter), lvcreateOptionClass: read(this.names.lvcreateOptionClassParameter) };
  }

  /** A volume's or snapshot's object by CSI ID; a kind mismatch is "not found" (CSI's IDs are per kind). */
  private async find(id: string, kind: VolumeKind, signal: AbortSignal): Promise<LogicalVolume | undefined> {
    const lv = await this.volumes.byVolumeId(id, signal);
    return lv && kindOf(lv) === kind ? lv : undefined;
  }

  /** The object of this name, once any earlier one of the name being deleted is gone. */
  private async existing(objectName: string, signal: AbortSignal): Promise<LogicalVolume | undefined> {
    const lv = await this.volumes.get(objectName);
    if (lv && isDeleting(lv)) {
      // a failed create, a removed orphan: the name is free once the node has cleaned up
      await this.waits.vacated(objectName, lv.metadata?.uid, signal);
      return this.volumes.get(objectName);
    }
    return lv;
  }

  private checkCompatible(lv: LogicalVolume, wanted: Parameters<typeof incompatibility>[1]): void {
    const problem = incompatibility(lv, wanted);
    if (problem) throw CsiError.alreadyExists(problem);
  }

  /** Creates the object, unless the caller has gone; a concurrent create of the same name (another replica) is compared like a repeat. */
  private async create(object: LogicalVolume, wanted: Parameters<typeof incompatibility>[1], ctx: CallContext): Promise<LogicalVolume> {
    ctx.signal.throwIfAborted();
    const { object: lv, created } = await this.volumes.createOrGet(object);
    if (created) ctx.log.info({ logicalVolume: lv.metadata?.name, node: lv.spec.nodeName, size: lv.spec.size, source: lv.spec.source }, 'created LogicalVolume');
    else this.checkCompatible(lv, wanted);
    return lv;
  }

  private async delete(id: string, kind: VolumeKind, ctx: CallContext): Promise<void> {
    await this.synced(ctx.signal);
    const lv = await this.volumes.byVolumeId(id, ctx.signal);
    if (!lv) return; // unknown: already deleted (the spec: OK)
    if (kindOf(lv) !== kind) {
      ctx.log.warn({ id, logicalVolume: lv.metadata?.name }, `the ID is a ${kindOf(lv)}'s, not a ${kind}'s: nothing deleted`);
      return;
    }
    ctx.signal.throwIfAborted();
    if (!isDeleting(lv)) {
      await this.volumes.delete(lv);
      ctx.log.info({ logicalVolume: lv.metadata?.name, node: lv.spec.nodeName }, 'deleted LogicalVolume; waiting for the node to remove the LV');
    }
    await this.waits.gone(lv, kind === 'volume' ? 'delete_volume' : 'delete_snapshot', ctx.signal);
  }

  /** A content source's object, or NOT_FOUND (also for an ID of the other kind, or one being deleted). */
  private async sourceOf(
    source: VolumeContentSource__Output,
    signal: AbortSignal,
  ): Promise<{ lv: LogicalVolume; ref: ContentSource; label: string }> {
    const ref: ContentSource | undefined = source.snapshot
      ? { kind: 'snapshot', id: source.snapshot.snapshot_id }
      : source.volume
        ? { kind: 'volume', id: source.volume.volume_id }
        : undefined;
    if (!ref) throw CsiError.invalidArgument('volume_content_source must name a snapshot or a volume');
    if (ref.id === '') throw CsiError.invalidArgument(`volume_content_source.${ref.kind}.${ref.kind}_id is required`);
    const lv = await this.find(ref.id, ref.kind, signal);
    if (!lv || isDeleting(lv)) throw CsiError.notFound(`source ${ref.kind} ${ref.id} not found`);
    return { lv, ref, label: `source ${ref.kind} ${ref.id}` };
  }

  /** A snapshot's source volume ID: recorded at creation, else (TopoLVM's objects) the source object's. */
  private sourceVolumeIdOf(lv: LogicalVolume): string {
    const recorded = decodeContentSource(lv.metadata?.annotations?.[this.names.contentSourceAnnotation]);
    if (recorded?.kind === 'volume') return recorded.id;
    return (lv.spec.source && this.volumes.cachedByName(lv.spec.source)?.status?.volumeID) || '';
  }
}
