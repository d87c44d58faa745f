/**
 * Per-boot disk images: sparse data disks, and ext4 images made with
 * `mkfs.ext4 -d DIR` (no mounting, no root) that carry shares and the config into
 * the guest, where they are mounted read-only (the cloud kernel has no 9p).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findProgram } from './host-deps';
import { runChecked } from './proc';

export function createSparseDisk(file: string, sizeBytes: number): void {
  if (!Number.isSafeInteger(sizeBytes) || sizeBytes < 16 * 1024 * 1024 || sizeBytes % 512 !== 0) {
    throw new Error(`disk size must be a multiple of 512 bytes and at least 16 MiB, got ${sizeBytes}`);
  }
  const fd = fs.openSync(file, 'wx', 0o600);
  try {
    fs.ftruncateSync(fd, sizeBytes);
  } finally {
    fs.closeSync(fd);
  }
}

export interface TreeUsage {
  readonly bytes: number;
  readonly entries: number;
}

/** Space a directory tree needs in 4 KiB blocks (symlinks are not followed). */
export function treeUsage(dir: string): TreeUsage {
  let bytes = 0;
  let entries = 0;
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop() as string;
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      entries += 1;
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        bytes += 4096;
        stack.push(full);
      } else if (entry.isFile()) {
        bytes += Math.ceil(fs.lstatSync(full).size / 4096) * 4096;
      } else {
        bytes += 4096;
      }
    }
  }
  return { bytes, entries };
}

/** Image size and inode count for a tree: the data plus a fifth, plus 16 MiB of headroom. */
export function ext4Geometry(usage: TreeUsage): { sizeKiB: number; inodes: number } {
  const sizeBytes = Math.ceil(usage.bytes * 1.2) + 16 * 1024 * 1024;
  return { sizeKiB: Math.ceil(sizeBytes / 1024), inodes: usage.entries + 1024 };
}

export function mkfsExt4Argv(dir: string, image: string, label: string, geometry: { sizeKiB: number; inodes: number }): string[] {
  return [
    '-q', '-F',
    '-O', '^has_journal',
    '-m', '0',
    '-N', String(geometry.inodes),
    '-E', 'root_owner=0:0',
    '-L', label,
    '-d', dir,
    image,
    `${geometry.sizeKiB}k`,
  ];
}

/** Builds an ext4 image holding a copy of dir. */
export async function buildExt4Image(dir: string, image: string, label: string): Promise<void> {
  const mkfs = findProgram('mkfs.ext4');
  if (!mkfs) throw new Error('mkfs.ext4 not found: install e2fsprogs');
  if (!fs.statSync(dir).isDirectory()) throw new Error(`${dir} is not a directory`);
  await runChecked(mkfs, mkfsExt4Argv(dir, image, label, ext4Geometry(treeUsage(dir))), { timeoutMs: 600_000 });
}
