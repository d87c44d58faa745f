/**
 * The QEMU command line of a test node, built from a plan (pure, unit tested).
 * TCG only: on these machines KVM dies with "emulation failure"
 * (/work/shared/reference/real-lvm-vm.md). Networking is user-mode with
 * restrict=on: the guest reaches nothing but the explicit forwards.
 */

/** Guest address that guest->host forwards listen on (guestfwd). */
export const GUEST_FORWARD_ADDRESS = '10.0.2.100';

export interface QemuDrive {
  readonly file: string;
  /** Virtio serial: how the guest agent tells the disks apart. */
  readonly serial: string;
  readonly readOnly: boolean;
}

export interface QemuPlan {
  readonly kernel: string;
  readonly initrd: string;
  readonly memoryMiB: number;
  readonly cpus: number;
  readonly consoleLog: string;
  readonly drives: readonly QemuDrive[];
  /** host 127.0.0.1:hostPort -> guest :guestPort */
  readonly hostForwards: readonly { readonly hostPort: number; readonly guestPort: number }[];
  /** guest 10.0.2.100:guestPort -> host 127.0.0.1:hostPort, one socat per connection */
  readonly guestForwards: readonly { readonly guestPort: number; readonly hostPort: number }[];
}

export const KERNEL_CMDLINE = 'console=ttyS0 panic=-1 quiet';

function port(p: number, what: string): number {
  if (!Number.isInteger(p) || p < 1 || p > 65535) throw new Error(`${what} must be a TCP port (1-65535), got ${p}`);
  return p;
}

function noComma(value: string, what: string): string {
  // QEMU option values are comma separated; a comma in a path would split the option.
  if (value.includes(',')) throw new Error(`${what} must not contain a comma: ${value}`);
  return value;
}

export function netdevOption(plan: Pick<QemuPlan, 'hostForwards' | 'guestForwards'>): string {
  const parts = ['user', 'id=n0', 'restrict=on'];
  for (const f of plan.hostForwards) {
    parts.push(`hostfwd=tcp:127.0.0.1:${port(f.hostPort, 'host port')}-:${port(f.guestPort, 'guest port')}`);
  }
  for (const f of plan.guestForwards) {
    parts.push(
      `guestfwd=tcp:${GUEST_FORWARD_ADDRESS}:${port(f.guestPort, 'guest port')}-cmd:socat STDIO TCP:127.0.0.1:${port(f.hostPort, 'host port')}`,
    );
  }
  return parts.join(',');
}

export function qemuArgv(plan: QemuPlan): string[] {
  const argv = [
    '-accel', 'tcg,thread=multi',
    '-smp', String(plan.cpus),
    '-m', String(plan.memoryMiB),
    '-nographic',
    '-nodefaults',
    '-monitor', 'none',
    '-no-reboot',
    '-serial', `file:${noComma(plan.consoleLog, 'console log path')}`,
    '-kernel', noComma(plan.kernel, 'kernel path'),
    '-initrd', noComma(plan.initrd, 'initrd path'),
    '-append', KERNEL_CMDLINE,
  ];
  plan.drives.forEach((drive, i) => {
    const id = `drive${i}`;
    const common = `file=${noComma(drive.file, 'disk path')},format=raw,if=none,id=${id}`;
    argv.push(
      '-drive',
      drive.readOnly ? `${common},readonly=on` : `${common},cache=unsafe,aio=threads,discard=unmap`,
      '-device',
      `virtio-blk-pci,drive=${id},serial=${noComma(drive.serial, 'serial')}`,
    );
  });
  argv.push('-netdev', netdevOption(plan), '-device', 'virtio-net-pci,netdev=n0,romfile=');
  return argv;
}
