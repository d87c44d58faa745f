import { QuantityError } from '@copse/lvm-model';
import { formatQuantity, quantityToBytes } from './quantity';

describe('quantities', () => {
  it.each([
    [0, '0'],
    [1, '1'],
    [1000, '1000'],
    [1024, '1Ki'],
    [1536, '1536'],
    [1610612736, '1536Mi'],
    [1073741824, '1Gi'],
    [5 * 2 ** 40, '5Ti'],
    [2 ** 50 + 4096, '1099511627780Ki'],
  ])('formats %d bytes as %s, and parses it back', (bytes, text) => {
    expect(formatQuantity(bytes)).toBe(text);
    expect(quantityToBytes(text)).toBe(bytes);
  });

  it('refuses to format what is not a whole, non-negative, safe number of bytes', () => {
    expect(() => formatQuantity(-1)).toThrow(RangeError);
    expect(() => formatQuantity(1.5)).toThrow(RangeError);
    expect(() => formatQuantity(2 ** 53)).toThrow(RangeError);
  });

  it('takes both forms of an int-or-string quantity', () => {
    expect(quantityToBytes(1073741824)).toBe(1073741824);
    expect(quantityToBytes('1Gi')).toBe(1073741824);
    expect(quantityToBytes('1G')).toBe(1e9);
    expect(quantityToBytes('1e3')).toBe(1000);
  });

  it.each([[-1], [1.5], ['-1Gi'], ['1.5'], ['1m'], ['ten'], ['']])('refuses %p with a QuantityError', (q) => {
    expect(() => quantityToBytes(q)).toThrow(QuantityError);
  });
});
