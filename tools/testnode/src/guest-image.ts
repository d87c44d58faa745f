/**
 * Builds (once, then from the cache) what a test node boots: the Debian cloud kernel
 * and an uncompressed initramfs with busybox, lvm2, thin-provisioning-tools,
 * e2fsprogs, xfsprogs, btrfs-progs, util-linux's mount/blkid, the kernel modules for
 * virtio, dm-thin, xfs and btrfs, and the host's node binary with the libraries ldd lists. Everything per
 * boot (agent, token, configuration) travels on a separate config disk instead, so
 * this image never changes between runs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { baseImageKey, cacheRoot, IMAGE_LAYOUT_VERSION, kernelDirName } from './cache';
import { CpioEntry, writeCpio } from './cpio';
import { findProgram, installedVersions, KernelPackage, resolveKernelPackage } from './host-deps';
import { runChecked } from './proc';

/** Modules the guest needs beyond what the cloud kernel builds in; their dependencies follow. */
export const GUEST_MODULES = ['virtio_pci', 'virtio_blk', 'virtio_net', 'dm_thin_pool', 'dm_snapshot', 'xfs', 'btrfs', 'loop'];

/** Debian packages whose files are copied into the guest (their versions key the cache). */
export const GUEST_PACKAGES = [
  'busybox-static',
  'lvm2',
  'dmsetup',
  'libdevmapper1.02.1',
  'thin-provisioning-tools',
  'e2fsprogs',
  'xfsprogs',
  'btrfs-progs',
  'mount',
  'util-linux',
  'libc6',
  'nodejs',
];

/** Programs copied into the guest (with their libraries), by the name they are found under. */
export const GUEST_PROGRAMS = [
  'lvm',
  'dmsetup',
  // util-linux's, with --pdeathsig (lvmd-http runs dmsetup wait under it; busybox's has none)
  'setpriv',
  'pdata_tools',
  'mke2fs',
  'e2fsck',
  'tune2fs',
  'resize2fs',
  'dumpe2fs',
  'debugfs',
  'mkfs.xfs',
  'xfs_repair',
  'xfs_growfs',
  'xfs_db',
  'xfs_io',
  'xfs_admin',
  'xfs_info',
  'mkfs.btrfs',
  'btrfs',
  'btrfstune',
  'mount',
  'umount',
  'blkid',
  'blockdev',
  'losetup',
  'lsblk',
  'wipefs',
  'findmnt',
  'fsfreeze',
];

/** Aliases created as symlinks in the guest: name -> program it points at. */
export const GUEST_ALIASES: Record<string, string> = {
  ...Object.fromEntries(
    [
      'lvchange', 'lvconvert', 'lvcreate', 'lvdisplay', 'lvextend', 'lvmconfig', 'lvmdiskscan', 'lvreduce', 'lvremove',
      'lvrename', 'lvresize', 'lvs', 'lvscan', 'pvchange', 'pvck', 'pvcreate', 'pvdisplay', 'pvmove', 'pvremove',
      'pvresize', 'pvs', 'pvscan', 'vgcfgbackup', 'vgcfgrestore', 'vgchange', 'vgck', 'vgconvert', 'vgcreate',
      'vgdisplay', 'vgexport', 'vgextend', 'vgimport', 'vgimportclone', 'vgmerge', 'vgmknodes', 'vgreduce',
      'vgremove', 'vgrename', 'vgs', 'vgscan', 'vgsplit',
    ].map((name) => [name, 'lvm']),
  ),
  ...Object.fromEntries(
    ['thin_check', 'thin_dump', 'thin_repair', 'thin_restore', 'thin_ls', 'thin_delta', 'thin_rmap', 'thin_trim',
      'thin_metadata_size', 'cache_check'].map((name) => [name, 'pdata_tools']),
  ),
  'mkfs.ext4': 'mke2fs',
  'mkfs.ext3': 'mke2fs',
  'mkfs.ext2': 'mke2fs',
  'fsck.ext4': 'e2fsck',
  'fsck.xfs': 'xfs_repair',
};

export const GUEST_LVM_CONF = `# Written by tools/testnode: an initramfs has no udev.
devices {
\tobtain_device_list_from_udev = 0
}
activation {
\tudev_sync = 0
\tudev_rules = 0
\tmonitoring = 0
}
`;

const INITTAB = `::sysinit:/etc/init.d/rcS
::once:/etc/testnode/agent
::shutdown:/bin/sync
`;

/** Runs before the agent: pseudo filesystems, modules, network, the config disk. */
export const RCS = `#!/bin/sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm /run/lock/lvm /run/lvm /tmp /var/log/testnode /testnode
mount -t devpts devpts /dev/pts
while read -r m; do
  insmod "/lib/modules/testnode/$m.ko" || echo "testnode: insmod $m failed"
done < /etc/testnode/modules
ip link set lo up
ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0 && ip route add default via 10.0.2.2
for d in /sys/block/vd*; do
  if [ "$(cat "$d/serial" 2>/dev/null)" = "tnconfig" ]; then
    mount -t ext4 -o ro "/dev/\${d##*/}" /testnode
  fi
done
echo "testnode: rcS done $(cut -d' ' -f1 /proc/uptime)s"
`;

const AGENT_START = `#!/bin/sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
if [ -f /testnode/agent.js ]; then
  exec /usr/bin/node /testnode/agent.js /testnode/config.json
fi
echo "testnode: no /testnode/agent.js: the config disk is missing"
`;

export interface GuestImage {
  readonly kernel: string;
  readonly initrd: string;
  readonly kernelPackage: string;
  readonly key: string;
  /** true when this call built something (cold cache). */
  readonly built: boolean;
}

export interface EnsureImageOptions {
  readonly cacheDir?: string;
  readonly log?: (line: string) => void;
}

interface KernelDir {
  readonly dir: string;
  readonly vmlinuz: string;
  readonly modulesDir: string;
  readonly order: readonly string[];
}

function normalizeModule(name: string): string {
  return name.replace(/-/g, '_');
}

function walk(dir: string, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else out.push(full);
  }
  return out;
}

/** Orders modules so that each comes after its dependencies (depth-first post-order). */
export function moduleLoadOrder(wanted: readonly string[], dependsOf: (name: string) => readonly string[]): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string): void => {
    const s = state.get(name);
    if (s === 'done') return;
    if (s === 'visiting') throw new Error(`module dependency cycle at ${name}`);
    state.set(name, 'visiting');
    for (const dep of dependsOf(name)) visit(normalizeModule(dep));
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of wanted) visit(normalizeModule(name));
  return order;
}

async function ensureKernel(root: string, pkg: KernelPackage, log: (line: string) => void): Promise<KernelDir> {
  const dir = path.join(root, 'kernel', kernelDirName(pkg.name, pkg.version));
  const manifest = path.join(dir, 'manifest.json');
  if (fs.existsSync(manifest)) {
    const m = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { order: string[] };
    // a cache unpacked for a shorter GUEST_MODULES list is completed below (fetched again)
    if (GUEST_MODULES.every((name) => m.order.includes(normalizeModule(name)))) {
      return { dir, vmlinuz: path.join(dir, 'vmlinuz'), modulesDir: path.join(dir, 'modules'), order: m.order };
    }
  }
  log(`testnode: fetching ${pkg.name}=${pkg.version}`);
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const work = fs.mkdtempSync(path.join(path.dirname(dir), '.work-'));
  try {
    await runChecked('apt-get', ['download', `${pkg.name}=${pkg.version}`], { cwd: work, timeoutMs: 300_000 });
    const deb = fs.readdirSync(work).find((f) => f.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download ${pkg.name} produced no .deb`);
    const unpacked = path.join(work, 'root');
    await runChecked('dpkg-deb', ['-x', path.join(work, deb), unpacked]);
    const vmlinuz = fs.readdirSync(path.join(unpacked, 'boot')).find((f) => f.startsWith('vmlinuz-'));
    if (!vmlinuz) throw new Error(`${deb} has no /boot/vmlinuz-*`);
    const moduleRoot = path.join(unpacked, 'lib', 'modules');
    const kver = fs.readdirSync(moduleRoot)[0];
    if (!kver) throw new Error(`${deb} has no /lib/modules/<version>`);
    const files = new Map<string, string>();
    for (const file of walk(path.join(moduleRoot, kver))) {
      if (file.endsWith('.ko')) files.set(normalizeModule(path.basename(file, '.ko')), file);
    }
    const depends = new Map<string, string[]>();
    for (const name of new Set(GUEST_MODULES.map(normalizeModule))) {
      await collectDepends(name, files, depends);
    }
    const order = moduleLoadOrder(GUEST_MODULES, (name) => depends.get(name) ?? []);
    const staged = path.join(work, 'out');
    fs.mkdirSync(path.join(staged, 'modules'), { recursive: true });
    fs.copyFileSync(path.join(unpacked, 'boot', vmlinuz), path.join(staged, 'vmlinuz'));
    for (const name of order) {
      fs.copyFileSync(files.get(name) as string, path.join(staged, 'modules', `${name}.ko`));
    }
    fs.writeFileSync(
      path.join(staged, 'manifest.json'),
      JSON.stringify({ package: pkg.name, version: pkg.version, kernelRelease: kver, order }, null, 2) + '\n',
    );
    if (fs.existsSync(dir)) {
      // Completing an older cache: add the module files, then replace the manifest in one
      // rename, so that a node booting from the old manifest meanwhile still finds its files.
      for (const name of order) {
        const target = path.join(dir, 'modules', `${name}.ko`);
        if (!fs.existsSync(target)) fs.copyFileSync(path.join(staged, 'modules', `${name}.ko`), target);
      }
      fs.renameSync(path.join(staged, 'manifest.json'), `${manifest}.${process.pid}.tmp`);
      fs.renameSync(`${manifest}.${process.pid}.tmp`, manifest);
    } else {
      try {
        fs.renameSync(staged, dir);
      } catch (error) {
        if (!fs.existsSync(manifest)) throw error; // someone else finished first: fine
      }
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return ensureKernel(root, pkg, log);
}

async function collectDepends(name: string, files: Map<string, string>, depends: Map<string, string[]>): Promise<void> {
  if (depends.has(name)) return;
  const file = files.get(name);
  if (!file) throw new Error(`kernel module ${name} not found in the kernel package (built in? drop it from GUEST_MODULES)`);
  const out = await runChecked('modinfo', ['-F', 'depends', file]);
  const deps = out.stdout.trim().split(',').map((d) => normalizeModule(d.trim())).filter((d) => d.length > 0);
  depends.set(name, deps);
  for (const dep of deps) await collectDepends(dep, files, depends);
}

/** Parses ldd output into the absolute paths of the libraries (and loader) it names. */
export function parseLdd(output: string): string[] {
  const libs: string[] = [];
  for (const line of output.split('\n')) {
    const arrow = /=>\s*(\/\S+)/.exec(line);
    const direct = /^\s*(\/\S+)\s+\(/.exec(line);
    const lib = arrow?.[1] ?? direct?.[1];
    if (lib && !libs.includes(lib)) libs.push(lib);
  }
  return libs;
}

class Tree {
  private readonly entries = new Map<string, CpioEntry>();

  dir(p: string, mode = 0o755): void {
    const clean = p.replace(/^\/+|\/+$/g, '');
    if (!clean || this.entries.has(clean)) return;
    this.dir(path.posix.dirname(clean) === '.' ? '' : path.posix.dirname(clean));
    this.entries.set(clean, { kind: 'dir', path: clean, mode });
  }

  add(entry: CpioEntry): void {
    const clean = entry.path.replace(/^\/+/, '');
    const parent = path.posix.dirname(clean);
    if (parent !== '.') this.dir(parent);
    if (!this.entries.has(clean)) this.entries.set(clean, { ...entry, path: clean });
  }

  has(p: string): boolean {
    return this.entries.has(p.replace(/^\/+/, ''));
  }

  list(): CpioEntry[] {
    return [...this.entries.values()];
  }
}

/** The guest path for a host program: /sbin and /bin are folded into /usr (Debian 12 is usr-merged). */
function guestPathFor(hostPath: string): string {
  const dir = path.dirname(hostPath);
  const base = path.basename(hostPath);
  if (dir.endsWith('sbin')) return `/usr/sbin/${base}`;
  return `/usr/bin/${base}`;
}

async function buildInitrd(file: string, kernel: KernelDir, log: (line: string) => void): Promise<void> {
  const tree = new Tree();
  for (const d of ['dev', 'proc', 'sys', 'run', 'tmp', 'mnt', 'root', 'testnode', 'var/log/testnode', 'etc/lvm', 'usr/lib64']) {
    tree.dir(d);
  }
  tree.add({ kind: 'charDev', path: 'dev/console', major: 5, minor: 1 });
  tree.add({ kind: 'charDev', path: 'dev/null', major: 1, minor: 3, mode: 0o666 });

  const busybox = findProgram('busybox');
  if (!busybox) throw new Error('busybox not found: install busybox-static');
  tree.add({ kind: 'hostFile', path: 'bin/busybox', source: busybox, mode: 0o755 });
  tree.add({ kind: 'symlink', path: 'init', target: 'bin/busybox' });

  const dynamic: string[] = [];
  const guestPaths = new Map<string, string>();
  for (const name of GUEST_PROGRAMS) {
    const host = findProgram(name);
    if (!host) throw new Error(`${name} not found on the host (see tools/testnode/install-deps.sh)`);
    const real = fs.realpathSync(host);
    const guest = guestPathFor(host);
    guestPaths.set(name, guest);
    tree.add({ kind: 'hostFile', path: guest, source: real, mode: 0o755 });
    if (fs.readFileSync(real).subarray(0, 4).toString('latin1') === '\x7fELF') dynamic.push(real);
  }
  for (const [alias, target] of Object.entries(GUEST_ALIASES)) {
    const targetPath = guestPaths.get(target);
    if (!targetPath) continue;
    tree.add({ kind: 'symlink', path: `${path.posix.dirname(targetPath)}/${alias}`, target: path.posix.basename(targetPath) });
  }
  tree.add({ kind: 'hostFile', path: 'usr/bin/node', source: fs.realpathSync(process.execPath), mode: 0o755 });
  dynamic.push(fs.realpathSync(process.execPath));

  for (const binary of dynamic) {
    const out = await runChecked('ldd', [binary]);
    for (const lib of parseLdd(out.stdout)) {
      tree.add({ kind: 'hostFile', path: lib, source: fs.realpathSync(lib), mode: 0o755 });
    }
  }

  // busybox applets fill in everything else (sh, ip, insmod, ...); the real programs above
  // live in /usr/{s,}bin, ahead of /bin in PATH, so they win where both exist.
  const applets = await runChecked(busybox, ['--list']);
  for (const applet of applets.stdout.split('\n').map((a) => a.trim()).filter((a) => a && !a.includes('/'))) {
    if (!tree.has(`bin/${applet}`)) tree.add({ kind: 'symlink', path: `bin/${applet}`, target: 'busybox' });
  }
  tree.add({ kind: 'symlink', path: 'sbin', target: 'bin' });

  for (const name of kernel.order) {
    tree.add({ kind: 'hostFile', path: `lib/modules/testnode/${name}.ko`, source: path.join(kernel.modulesDir, `${name}.ko`), mode: 0o644 });
  }
  tree.add({ kind: 'file', path: 'etc/testnode/modules', data: Buffer.from(kernel.order.join('\n') + '\n') });
  tree.add({ kind: 'file', path: 'etc/lvm/lvm.conf', data: Buffer.from(GUEST_LVM_CONF) });
  if (fs.existsSync('/etc/mke2fs.conf')) tree.add({ kind: 'hostFile', path: 'etc/mke2fs.conf', source: '/etc/mke2fs.conf', mode: 0o644 });
  tree.add({ kind: 'file', path: 'etc/inittab', data: Buffer.from(INITTAB) });
  tree.add({ kind: 'file', path: 'etc/init.d/rcS', data: Buffer.from(RCS), mode: 0o755 });
  tree.add({ kind: 'file', path: 'etc/testnode/agent', data: Buffer.from(AGENT_START), mode: 0o755 });
  tree.add({ kind: 'file', path: 'etc/passwd', data: Buffer.from('root:x:0:0:root:/root:/bin/sh\n') });
  tree.add({ kind: 'file', path: 'etc/group', data: Buffer.from('root:x:0:\n') });
  tree.add({ kind: 'file', path: 'etc/hosts', data: Buffer.from('127.0.0.1 localhost\n10.0.2.15 testnode\n') });
  tree.add({ kind: 'symlink', path: 'etc/mtab', target: '/proc/self/mounts' });

  log(`testnode: writing initramfs (${tree.list().length} entries)`);
  writeCpio(file, tree.list());
}

/** Returns the cached kernel and initramfs, building whatever is missing. */
export async function ensureGuestImage(options: EnsureImageOptions = {}): Promise<GuestImage> {
  const root = options.cacheDir ?? cacheRoot();
  const log = options.log ?? (() => undefined);
  fs.mkdirSync(root, { recursive: true });
  let pkg = resolveKernelPackage(path.join(root, 'kernel', 'resolved.json'));
  if ('error' in pkg) {
    const cached = newestCachedKernel(root);
    if (!cached) throw new Error(pkg.error);
    pkg = cached;
  }
  const hadKernel = fs.existsSync(path.join(root, 'kernel', kernelDirName(pkg.name, pkg.version), 'manifest.json'));
  const kernel = await ensureKernel(root, pkg, log);
  const nodeStat = fs.statSync(fs.realpathSync(process.execPath));
  const versions = installedVersions(GUEST_PACKAGES);
  const key = baseImageKey({
    layoutVersion: IMAGE_LAYOUT_VERSION,
    kernel: kernelDirName(pkg.name, pkg.version),
    modules: kernel.order,
    packages: Object.fromEntries(versions),
    node: { execPath: process.execPath, version: process.version, size: nodeStat.size, mtimeMs: nodeStat.mtimeMs },
  });
  const baseDir = path.join(root, 'base', key);
  const initrd = path.join(baseDir, 'initrd.cpio');
  let built = !hadKernel;
  if (!fs.existsSync(initrd)) {
    fs.mkdirSync(baseDir, { recursive: true });
    const tmp = `${initrd}.${process.pid}.tmp`;
    try {
      await buildInitrd(tmp, kernel, log);
      fs.renameSync(tmp, initrd);
      fs.writeFileSync(
        path.join(baseDir, 'inputs.json'),
        JSON.stringify({ kernel: pkg, packages: Object.fromEntries(versions), node: process.version }, null, 2) + '\n',
      );
    } finally {
      fs.rmSync(tmp, { force: true });
    }
    built = true;
  }
  return { kernel: kernel.vmlinuz, initrd, kernelPackage: `${pkg.name}=${pkg.version}`, key, built };
}

function newestCachedKernel(root: string): KernelPackage | undefined {
  const dir = path.join(root, 'kernel');
  if (!fs.existsSync(dir)) return undefined;
  const candidates = fs
    .readdirSync(dir)
    .filter((d) => fs.existsSync(path.join(dir, d, 'manifest.json')))
    .map((d) => JSON.parse(fs.readFileSync(path.join(dir, d, 'manifest.json'), 'utf8')) as { package: string; version: string })
    .sort((a, b) => a.version.localeCompare(b.version, undefined, { numeric: true }));
  const newest = candidates[candidates.length - 1];
  return newest ? { name: newest.package, version: newest.version } : undefined;
}

/** True when a cached kernel exists (lets availability pass offline once built). */
export function hasCachedKernel(root = cacheRoot()): boolean {
  return newestCachedKernel(root) !== undefined;
}
