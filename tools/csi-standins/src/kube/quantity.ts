import { formatQuantity, quantityToBytes } from '@copse/k8s-crd';

/**
 * Storage quantities: bytes of a "1Gi"-style quantity (resource.Quantity.Value()), and the
 * canonical BinarySI form of a byte count (resource.NewQuantity(bytes, BinarySI)), which is what
 * the sidecars write into PV capacities and snapshot restore sizes.
 */
export function bytesOf(quantity: string | number | undefined): number | undefined {
  if (quantity === undefined || quantity === null) return undefined;
  return quantityToBytes(quantity);
}

export function quantityOf(bytes: number): string {
  return formatQuantity(bytes);
}

/** The storage request of a claim-like spec, in bytes (0 when absent, as Value() of a zero Quantity). */
export function storageRequest(resources: { requests?: Record<string, unknown> } | undefined): number {
  return bytesOf(resources?.requests?.['storage'] as string | undefined) ?? 0;
}
