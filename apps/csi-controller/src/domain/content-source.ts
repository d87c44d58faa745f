// A snapshot's, restore's or clone's CSI content source, kept on its LogicalVolume as
// "volume:<id>" or "snapshot:<id>": the source object may be deleted later (thin snapshots
// are independent of their source), and ListSnapshots must still name source_volume_id.
import type { VolumeContentSource } from '@copse/csi-spec';

export type ContentSource = { readonly kind: 'volume' | 'snapshot'; readonly id: string };

export function encodeContentSource(source: ContentSource): string {
  return `${source.kind}:${source.id}`;
}

export function decodeContentSource(value: string | undefined): ContentSource | undefined {
  if (!value) return undefined;
  const colon = value.indexOf(':');
  const kind = value.slice(0, colon);
  const id = value.slice(colon + 1);
  if (colon < 0 || id === '' || (kind !== 'volume' && kind !== 'snapshot')) return undefined;
  return { kind, id };
}

/** The CSI message for a content source. */
export function toCsiContentSource(source: ContentSource): VolumeContentSource {
  return source.kind === 'snapshot' ? { snapshot: { snapshot_id: source.id } } : { volume: { volume_id: source.id } };
}
