import { canonicalQuantity } from './quantity';

describe('canonical quantities (resource.Quantity String())', () => {
  test.each([
    ['1Gi', '1Gi'],
    ['1024Mi', '1Gi'],
    ['1048576Ki', '1Gi'],
    ['1.5Gi', '1536Mi'],
    ['0.5Ki', '512'],
    ['1073741824', '1073741824'],
    ['1000M', '1G'],
    ['1.5', '1500m'],
    ['1500', '1500'],
    ['1e3', '1e3'],
    ['0', '0'],
    ['not-a-quantity', 'not-a-quantity'],
  ])('%s -> %s', (input, want) => {
    expect(canonicalQuantity(input)).toBe(want);
  });
});
