import { parseQuantity, QuantityError } from '@copse/lvm-model';

/**
 * Kubernetes quantities as LogicalVolume objects carry them (spec.size, status.currentSize):
 * int-or-string, i.e. a JSON number of bytes or a quantity string. Parsing is lvm-model's
 * (exact, BigInt-based); this module only adds the int form and formatting.
 */
export type Quantity = number | string;

/** Bytes of an int-or-string quantity; throws QuantityError for junk, negatives, fractions of a byte. */
export function quantityToBytes(quantity: Quantity): number {
  if (typeof quantity === 'number') {
    if (!Number.isSafeInteger(quantity) || quantity < 0) {
      throw new QuantityError(String(quantity), 'must be a non-negative whole number of bytes');
    }
    return quantity;
  }
  return parseQuantity(quantity);
}

const BINARY_SUFFIXES: readonly (readonly [string, number])[] = [
  ['Ei', 2 ** 60],
  ['Pi', 2 ** 50],
  ['Ti', 2 ** 40],
  ['Gi', 2 ** 30],
  ['Mi', 2 ** 20],
  ['Ki', 2 ** 10],
];

/**
 * The canonical form Kubernetes gives a binary-SI quantity of whole bytes: the largest binary
 * suffix that divides it exactly ("1Gi", "1536Mi"), else the plain number ("1000").
 */
export function formatQuantity(bytes: number): string {
  if (!Number.isSafeInteger(bytes) || bytes < 0) {
    throw new RangeError(`a quantity of bytes must be a non-negative safe integer, got ${bytes}`);
  }
  if (bytes === 0) return '0';
  for (const [suffix, unit] of BINARY_SUFFIXES) {
    if (bytes % unit === 0) return `${bytes / unit}${suffix}`;
  }
  return String(bytes);
}
