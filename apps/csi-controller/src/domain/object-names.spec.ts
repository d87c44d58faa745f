import { isObjectName, objectNameFor } from './object-names';

describe('CSI names to object names', () => {
  it.each(['pvc-4f5c0b7e-7a47-4a4c-9f4e-2c1d0e9b8a71', 'snapshot-0a1b2c3d4e5f', 'a', 'vol.1'])('keeps %s, which is an object name already', (name) => {
    expect(objectNameFor(name)).toBe(name);
  });

  it.each([
    ['upper case', 'sanity-Controller-Vol-1', /^sanity-controller-vol-1-[0-9a-f]{16}$/],
    ['spaces and symbols', 'my volume (copy) #2', /^my-volume-copy-2-[0-9a-f]{16}$/],
    ['nothing readable', '日本語', /^csi-[0-9a-f]{16}$/],
    ['254 characters', 'a'.repeat(254), /^a{200}-[0-9a-f]{16}$/],
    ['a leading dash', '-x', /^x-[0-9a-f]{16}$/],
  ])('derives a valid name for %s', (_what, name, pattern) => {
    const derived = objectNameFor(name);
    expect(derived).toMatch(pattern);
    expect(isObjectName(derived)).toBe(true);
  });

  it('is deterministic, and tells apart names that differ only in case', () => {
    expect(objectNameFor('Vol-A')).toBe(objectNameFor('Vol-A'));
    expect(objectNameFor('Vol-A')).not.toBe(objectNameFor('VOL-A'));
    expect(objectNameFor('VOL-A')).not.toBe('vol-a');
  });
});
