import { moduleLoadOrder, parseLdd } from './guest-image';

describe('moduleLoadOrder', () => {
  const deps: Record<string, string[]> = {
    dm_thin_pool: ['dm-persistent-data', 'dm-bio-prison', 'dm_mod'],
    dm_persistent_data: ['dm-bufio', 'libcrc32c'],
    dm_bufio: [],
    libcrc32c: [],
    dm_bio_prison: [],
    dm_mod: [],
    virtio_blk: ['virtio', 'virtio_ring'],
    virtio: [],
    virtio_ring: [],
  };

  it('loads every module after its dependencies, each once, normalizing dashes', () => {
    const order = moduleLoadOrder(['dm-thin-pool', 'virtio_blk', 'dm_mod'], (m) => deps[m] ?? []);
    expect(new Set(order).size).toBe(order.length);
    for (const [mod, ds] of Object.entries(deps)) {
      for (const d of ds) expect(order.indexOf(d.replace(/-/g, '_'))).toBeLessThan(order.indexOf(mod));
    }
    expect(order).toContain('dm_thin_pool');
  });

  it('reports a dependency cycle instead of looping', () => {
    expect(() => moduleLoadOrder(['a'], (m) => (m === 'a' ? ['b'] : ['a']))).toThrow(/cycle/);
  });
});

describe('parseLdd', () => {
  it('returns the libraries and the loader, skipping the vdso', () => {
    const out = [
      '\tlinux-vdso.so.1 (0x00007ffd)',
      '\tlibaio.so.1 => /lib/x86_64-linux-gnu/libaio.so.1 (0x00007f90)',
      '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f90)',
      '\t/lib64/ld-linux-x86-64.so.2 (0x00007f90)',
    ].join('\n');
    expect(parseLdd(out)).toEqual(['/lib/x86_64-linux-gnu/libaio.so.1', '/lib/x86_64-linux-gnu/libc.so.6', '/lib64/ld-linux-x86-64.so.2']);
  });

  it('returns nothing for a static binary', () => {
    expect(parseLdd('\tnot a dynamic executable\n')).toEqual([]);
  });
});
