// LogicalVolumes as CSI messages. Pure.
import { timestampFrom, type Snapshot, type Topology, type Volume, type VolumeCondition } from '@copse/csi-spec';
import type { LogicalVolume, NameSet } from '@copse/k8s-crd';
import { decodeContentSource, toCsiContentSource } from '../domain/content-source';
import { currentBytes, healthOf } from '../domain/logical-volume-view';

export function topologyOf(names: NameSet, node: string): Topology[] {
  return [{ segments: { [names.topologyNodeKey]: node } }];
}

/** A volume as ListVolumes and ControllerGetVolume show it. */
export function volumeOf(names: NameSet, lv: LogicalVolume): Volume {
  const volume: Volume = {
    volume_id: lv.status?.volumeID ?? '',
    capacity_bytes: currentBytes(lv),
    accessible_topology: topologyOf(names, lv.spec.nodeName),
  };
  const source = decodeContentSource(lv.metadata?.annotations?.[names.contentSourceAnnotation]);
  if (source) volume.content_source = toCsiContentSource(source);
  return volume;
}

export function conditionOf(lv: LogicalVolume): VolumeCondition {
  return healthOf(lv);
}

/** The creation time: the object's, which every answer for the snapshot repeats. */
function createdAt(lv: LogicalVolume): Date {
  const ts = lv.metadata?.creationTimestamp as Date | string | undefined;
  const date = ts === undefined ? new Date() : new Date(ts);
  return Number.isFinite(date.getTime()) ? date : new Date();
}

/**
 * A snapshot: ready_to_use once the node made it (a thin snapshot needs no processing), its
 * size the real size (status.currentSize, never 0: restore sizes and CDI depend on it).
 */
export function snapshotOf(lv: LogicalVolume, sourceVolumeId: string): Snapshot {
  return {
    snapshot_id: lv.status?.volumeID ?? '',
    source_volume_id: sourceVolumeId,
    size_bytes: currentBytes(lv),
    creation_time: timestampFrom(createdAt(lv)),
    ready_to_use: Boolean(lv.status?.volumeID),
  };
}
