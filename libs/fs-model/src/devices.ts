/**
 * Device numbers as Linux encodes them in a 64-bit dev_t (glibc's gnu_dev_major/minor):
 * the major in bits 8-19 and 44-63, the minor in bits 0-7 and 20-43.
 * Node's fs.stat({ bigint: true }) gives st_rdev and st_dev exactly as bigints.
 */
export interface DeviceNumber {
  readonly major: number;
  readonly minor: number;
}

export function deviceNumber(dev: bigint): DeviceNumber {
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & 0xfffff000n);
  const minor = (dev & 0xffn) | ((dev >> 12n) & 0xffffff00n);
  return { major: Number(major), minor: Number(minor) };
}

export function sameDevice(a: DeviceNumber, b: DeviceNumber): boolean {
  return a.major === b.major && a.minor === b.minor;
}

export function formatDeviceNumber(d: DeviceNumber): string {
  return `${d.major}:${d.minor}`;
}

/** /sys/dev/block/MAJ:MIN/size counts 512-byte sectors whatever the device's block size. */
export const SYSFS_SECTOR_BYTES = 512;
