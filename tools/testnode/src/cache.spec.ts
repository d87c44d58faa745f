import { baseImageKey, BaseImageInputs, cacheRoot, kernelDirName } from './cache';

describe('cacheRoot', () => {
  it('prefers COPSE_TESTNODE_CACHE, then XDG_CACHE_HOME, then ~/.cache', () => {
    expect(cacheRoot({ COPSE_TESTNODE_CACHE: '/x/c', XDG_CACHE_HOME: '/xdg' }, '/home/u')).toBe('/x/c');
    expect(cacheRoot({ XDG_CACHE_HOME: '/xdg' }, '/home/u')).toBe('/xdg/copse-testnode');
    expect(cacheRoot({}, '/home/u')).toBe('/home/u/.cache/copse-testnode');
    expect(cacheRoot({ XDG_CACHE_HOME: 'relative' }, '/home/u')).toBe('/home/u/.cache/copse-testnode');
  });
});

describe('baseImageKey', () => {
  const inputs: BaseImageInputs = {
    layoutVersion: 1,
    kernel: 'linux-image-6.1.0-56-cloud-amd64_6.1.192-2',
    modules: ['virtio_blk', 'dm_mod'],
    packages: { lvm2: '2.03.16-2', 'busybox-static': '1:1.35.0-4' },
    node: { execPath: '/usr/bin/node', version: 'v20.20.2', size: 99, mtimeMs: 1 },
  };

  it('does not depend on the order of packages or modules', () => {
    const reordered = { ...inputs, modules: ['dm_mod', 'virtio_blk'], packages: { 'busybox-static': '1:1.35.0-4', lvm2: '2.03.16-2' } };
    expect(baseImageKey(reordered)).toBe(baseImageKey(inputs));
  });

  it.each([
    ['a package version', { packages: { lvm2: '2.03.17-1', 'busybox-static': '1:1.35.0-4' } }],
    ['the kernel', { kernel: 'linux-image-6.1.0-57-cloud-amd64_6.1.193-1' }],
    ['the node binary', { node: { ...inputs.node, version: 'v20.21.0' } }],
    ['the layout version', { layoutVersion: 2 }],
  ])('changes with %s', (_what, change) => {
    expect(baseImageKey({ ...inputs, ...change })).not.toBe(baseImageKey(inputs));
  });
});

describe('kernelDirName', () => {
  it('keeps the name and version, replacing characters unsafe in a path', () => {
    expect(kernelDirName('linux-image-6.1.0-56-cloud-amd64', '1:6.1/2')).toBe('linux-image-6.1.0-56-cloud-amd64_1_6.1_2');
  });
});
