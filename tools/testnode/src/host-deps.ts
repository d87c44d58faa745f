/**
 * What the host needs to build and boot a test node, and which Debian package
 * provides each piece (install-deps.sh installs the same list).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runSync } from './proc';

export interface HostRequirement {
  /** What it is for, in a few words. */
  readonly purpose: string;
  /** Program names looked up in the host's bin and sbin directories. */
  readonly programs: readonly string[];
  /** Debian package that provides them. */
  readonly debianPackage: string;
}

export const HOST_REQUIREMENTS: readonly HostRequirement[] = [
  { purpose: 'the emulator', programs: ['qemu-system-x86_64'], debianPackage: 'qemu-system-x86' },
  { purpose: "the guest's shell and init (static)", programs: ['busybox'], debianPackage: 'busybox-static' },
  { purpose: 'lvm2 for the guest', programs: ['lvm'], debianPackage: 'lvm2' },
  { purpose: 'dmsetup for the guest', programs: ['dmsetup'], debianPackage: 'dmsetup' },
  { purpose: 'thin_check for the guest', programs: ['pdata_tools', 'thin_check'], debianPackage: 'thin-provisioning-tools' },
  { purpose: 'ext4 tools and the share images', programs: ['mke2fs', 'mkfs.ext4', 'e2fsck'], debianPackage: 'e2fsprogs' },
  { purpose: 'xfs tools for the guest', programs: ['mkfs.xfs', 'xfs_repair'], debianPackage: 'xfsprogs' },
  { purpose: 'btrfs tools for the guest', programs: ['mkfs.btrfs', 'btrfs', 'btrfstune'], debianPackage: 'btrfs-progs' },
  { purpose: 'mount for the guest', programs: ['mount', 'umount'], debianPackage: 'mount' },
  { purpose: 'blkid, blockdev and setpriv for the guest', programs: ['blkid', 'blockdev', 'wipefs', 'setpriv'], debianPackage: 'util-linux' },
  { purpose: "module dependencies of the guest's kernel", programs: ['modinfo'], debianPackage: 'kmod' },
  { purpose: 'guest-to-host forwards (guestfwd)', programs: ['socat'], debianPackage: 'socat' },
  { purpose: 'fetching and unpacking the kernel package', programs: ['apt-get', 'apt-cache', 'dpkg-deb', 'dpkg-query'], debianPackage: 'apt, dpkg' },
  { purpose: "the libraries of the guest's dynamic binaries", programs: ['ldd'], debianPackage: 'libc-bin' },
];

/** Where programs are looked up: the usual bin and sbin directories, then PATH. */
export function searchDirs(envPath = process.env['PATH'] ?? ''): string[] {
  const dirs = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
  for (const dir of envPath.split(':')) {
    if (dir && !dirs.includes(dir)) dirs.push(dir);
  }
  return dirs;
}

export function findProgram(name: string, dirs: readonly string[] = searchDirs()): string | undefined {
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface MissingRequirement {
  readonly requirement: HostRequirement;
  readonly missingPrograms: readonly string[];
}

export function missingRequirements(
  find: (name: string) => string | undefined = (name) => findProgram(name),
  requirements: readonly HostRequirement[] = HOST_REQUIREMENTS,
): MissingRequirement[] {
  const missing: MissingRequirement[] = [];
  for (const requirement of requirements) {
    const missingPrograms = requirement.programs.filter((program) => find(program) === undefined);
    if (missingPrograms.length > 0) missing.push({ requirement, missingPrograms });
  }
  return missing;
}

export function describeMissing(missing: readonly MissingRequirement[]): string {
  const lines = missing.map(
    (m) => `${m.missingPrograms.join(', ')} (${m.requirement.purpose}): install Debian package ${m.requirement.debianPackage}`,
  );
  const packages = [...new Set(missing.flatMap((m) => m.requirement.debianPackage.split(', ')))];
  return (
    `missing host dependencies for the real-lvm2 test node:\n  ${lines.join('\n  ')}\n` +
    `  run tools/testnode/install-deps.sh (apt-get install -y ${packages.join(' ')})`
  );
}

export interface KernelPackage {
  /** e.g. linux-image-6.1.0-50-cloud-amd64 */
  readonly name: string;
  /** e.g. 6.1.176-1 */
  readonly version: string;
}

/** The metapackage whose dependency names the current cloud kernel. */
export const KERNEL_METAPACKAGE = 'linux-image-cloud-amd64';

/**
 * Parses `apt-cache show --no-all-versions linux-image-cloud-amd64`: its Depends line
 * names the kernel package and pins its version, e.g.
 * "Depends: linux-image-6.1.0-56-cloud-amd64 (= 6.1.192-2)".
 */
export function parseKernelMetapackage(output: string): KernelPackage | undefined {
  const match = /^Depends:.*?(linux-image-[0-9][^\s,]*-cloud-amd64)\s*\(=\s*([^)\s]+)\)/m.exec(output);
  return match ? { name: match[1] as string, version: match[2] as string } : undefined;
}

const APT_LISTS = '/var/lib/apt/lists';

/**
 * Resolves the current cloud kernel package from the apt lists (no network). apt-cache
 * takes about half a second, so the answer is remembered in memoFile until the apt lists
 * change (apt-get update).
 */
export function resolveKernelPackage(memoFile?: string): KernelPackage | { error: string } {
  let listsStamp = '';
  try {
    listsStamp = String(fs.statSync(APT_LISTS).mtimeMs);
  } catch {
    // no lists: apt-cache will say so
  }
  if (memoFile && listsStamp) {
    try {
      const memo = JSON.parse(fs.readFileSync(memoFile, 'utf8')) as { listsStamp: string } & KernelPackage;
      if (memo.listsStamp === listsStamp) return { name: memo.name, version: memo.version };
    } catch {
      // no memo yet
    }
  }
  const show = runSync('apt-cache', ['show', '--no-all-versions', KERNEL_METAPACKAGE]);
  if (!show) return { error: 'apt-cache not found (Debian package apt)' };
  const pkg = parseKernelMetapackage(show.stdout);
  if (!pkg) return { error: `apt-cache show ${KERNEL_METAPACKAGE} names no kernel package: run apt-get update` };
  if (memoFile && listsStamp) {
    try {
      fs.mkdirSync(path.dirname(memoFile), { recursive: true });
      fs.writeFileSync(memoFile, JSON.stringify({ listsStamp, ...pkg }) + '\n');
    } catch {
      // a read-only cache only costs time
    }
  }
  return pkg;
}

/** Versions of installed Debian packages (dpkg-query); missing ones are absent from the map. */
export function installedVersions(packages: readonly string[]): Map<string, string> {
  const out = runSync('dpkg-query', ['-W', '-f=${Package} ${Version} ${db:Status-Status}\\n', ...packages]);
  const versions = new Map<string, string>();
  for (const line of (out?.stdout ?? '').split('\n')) {
    const [pkg, version, status] = line.trim().split(/\s+/);
    if (pkg && version && status === 'installed') versions.set(pkg.replace(/:.*$/, ''), version);
  }
  return versions;
}
