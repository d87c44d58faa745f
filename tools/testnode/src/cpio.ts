/**
 * A minimal writer for the "newc" cpio format the kernel unpacks as an initramfs.
 * Written here (rather than piping a staging tree into cpio(1)) so that device nodes
 * such as /dev/console can be archived without root and the archive is reproducible
 * (uid/gid 0, mtime 0, inode numbers in entry order).
 */
import * as fs from 'node:fs';

export type CpioEntry =
  | { readonly kind: 'dir'; readonly path: string; readonly mode?: number }
  | { readonly kind: 'file'; readonly path: string; readonly mode?: number; readonly data: Buffer }
  | { readonly kind: 'hostFile'; readonly path: string; readonly mode?: number; readonly source: string }
  | { readonly kind: 'symlink'; readonly path: string; readonly target: string }
  | { readonly kind: 'charDev'; readonly path: string; readonly mode?: number; readonly major: number; readonly minor: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

function pad4(n: number): number {
  return (4 - (n % 4)) % 4;
}

export function cpioHeader(fields: {
  ino: number;
  mode: number;
  nlink: number;
  fileSize: number;
  rdevMajor?: number;
  rdevMinor?: number;
  name: string;
}): Buffer {
  const nameBytes = Buffer.from(fields.name + '\0', 'utf8');
  const header =
    '070701' +
    hex8(fields.ino) +
    hex8(fields.mode) +
    hex8(0) + // uid
    hex8(0) + // gid
    hex8(fields.nlink) +
    hex8(0) + // mtime
    hex8(fields.fileSize) +
    hex8(0) + // devmajor
    hex8(0) + // devminor
    hex8(fields.rdevMajor ?? 0) +
    hex8(fields.rdevMinor ?? 0) +
    hex8(nameBytes.length) +
    hex8(0); // check
  return Buffer.concat([Buffer.from(header, 'ascii'), nameBytes, Buffer.alloc(pad4(110 + nameBytes.length))]);
}

/** Writes the entries (paths relative to the archive root, no leading slash) to file. */
export function writeCpio(file: string, entries: readonly CpioEntry[]): void {
  const fd = fs.openSync(file, 'w', 0o644);
  try {
    let ino = 1;
    for (const entry of entries) {
      const name = entry.path.replace(/^\/+/, '');
      let mode: number;
      let data: Buffer = Buffer.alloc(0);
      let rdevMajor = 0;
      let rdevMinor = 0;
      switch (entry.kind) {
        case 'dir':
          mode = S_IFDIR | (entry.mode ?? 0o755);
          break;
        case 'file':
          mode = S_IFREG | (entry.mode ?? 0o644);
          data = entry.data;
          break;
        case 'hostFile':
          mode = S_IFREG | (entry.mode ?? fs.statSync(entry.source).mode & 0o7777);
          data = fs.readFileSync(entry.source);
          break;
        case 'symlink':
          mode = S_IFLNK | 0o777;
          data = Buffer.from(entry.target, 'utf8');
          break;
        case 'charDev':
          mode = S_IFCHR | (entry.mode ?? 0o600);
          rdevMajor = entry.major;
          rdevMinor = entry.minor;
          break;
      }
      const nlink = entry.kind === 'dir' ? 2 : 1;
      fs.writeSync(fd, cpioHeader({ ino: ino++, mode, nlink, fileSize: data.length, rdevMajor, rdevMinor, name }));
      if (data.length > 0) {
        fs.writeSync(fd, data);
        fs.writeSync(fd, Buffer.alloc(pad4(data.length)));
      }
    }
    const trailer = cpioHeader({ ino: 0, mode: 0, nlink: 1, fileSize: 0, name: 'TRAILER!!!' });
    fs.writeSync(fd, trailer);
    const written = fs.fstatSync(fd).size;
    fs.writeSync(fd, Buffer.alloc((512 - (written % 512)) % 512));
  } finally {
    fs.closeSync(fd);
  }
}
