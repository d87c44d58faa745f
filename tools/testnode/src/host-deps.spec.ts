import { describeMissing, HOST_REQUIREMENTS, missingRequirements, parseKernelMetapackage, searchDirs } from './host-deps';

describe('missingRequirements', () => {
  it('is empty when every program is found', () => {
    expect(missingRequirements(() => '/usr/bin/x')).toEqual([]);
  });

  it('names the Debian package for each missing program', () => {
    const present = new Set(['lvm', 'dmsetup', 'busybox']);
    const missing = missingRequirements((name) => (present.has(name) ? `/usr/sbin/${name}` : undefined));
    const packages = missing.map((m) => m.requirement.debianPackage);
    expect(packages).toContain('qemu-system-x86');
    expect(packages).toContain('thin-provisioning-tools');
    expect(packages).toContain('socat');
    expect(packages).not.toContain('lvm2');
    const reason = describeMissing(missing);
    expect(reason).toContain('qemu-system-x86_64 (the emulator): install Debian package qemu-system-x86');
    expect(reason).toContain('install-deps.sh');
    expect(reason).toMatch(/apt-get install -y .*xfsprogs/);
  });

  it('covers every package install-deps.sh installs for the guest', () => {
    const packages = HOST_REQUIREMENTS.map((r) => r.debianPackage);
    for (const p of ['qemu-system-x86', 'busybox-static', 'lvm2', 'thin-provisioning-tools', 'e2fsprogs', 'xfsprogs', 'socat', 'kmod', 'util-linux', 'mount']) {
      expect(packages).toContain(p);
    }
  });
});

describe('parseKernelMetapackage', () => {
  it('reads the pinned kernel package from apt-cache show', () => {
    const out = 'Package: linux-image-cloud-amd64\nVersion: 6.1.192-2\nDepends: linux-image-6.1.0-56-cloud-amd64 (= 6.1.192-2)\n';
    expect(parseKernelMetapackage(out)).toEqual({ name: 'linux-image-6.1.0-56-cloud-amd64', version: '6.1.192-2' });
  });

  it('returns undefined when apt knows no such package', () => {
    expect(parseKernelMetapackage('')).toBeUndefined();
  });
});

describe('searchDirs', () => {
  it('looks in sbin directories even when PATH lacks them (non-root shells)', () => {
    const dirs = searchDirs('/home/u/bin:/usr/bin');
    expect(dirs).toEqual(expect.arrayContaining(['/usr/sbin', '/sbin', '/home/u/bin']));
    expect(dirs.filter((d) => d === '/usr/bin')).toHaveLength(1);
  });
});
