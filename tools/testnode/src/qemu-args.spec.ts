import { GUEST_FORWARD_ADDRESS, netdevOption, QemuPlan, qemuArgv } from './qemu-args';

const plan: QemuPlan = {
  kernel: '/cache/vmlinuz',
  initrd: '/cache/initrd.cpio',
  memoryMiB: 1024,
  cpus: 2,
  consoleLog: '/tmp/n/console.log',
  drives: [
    { file: '/tmp/n/config.img', serial: 'tnconfig', readOnly: true },
    { file: '/tmp/n/data0.img', serial: 'data0', readOnly: false },
  ],
  hostForwards: [
    { hostPort: 40001, guestPort: 7999 },
    { hostPort: 40002, guestPort: 8080 },
  ],
  guestForwards: [{ guestPort: 6443, hostPort: 16443 }],
};

function valueOf(argv: string[], flag: string): string[] {
  return argv.flatMap((a, i) => (a === flag ? [argv[i + 1] as string] : []));
}

describe('qemuArgv', () => {
  const argv = qemuArgv(plan);

  it('uses TCG with two threads, never KVM', () => {
    expect(valueOf(argv, '-accel')).toEqual(['tcg,thread=multi']);
    expect(valueOf(argv, '-smp')).toEqual(['2']);
    expect(argv.join(' ')).not.toMatch(/kvm/);
  });

  it('sends the serial console to the log file and keeps no display', () => {
    expect(valueOf(argv, '-serial')).toEqual(['file:/tmp/n/console.log']);
    expect(argv).toContain('-nographic');
    expect(argv).toContain('-no-reboot');
  });

  it('attaches shares read-only and data disks writable, each with its serial', () => {
    expect(valueOf(argv, '-drive')).toEqual([
      'file=/tmp/n/config.img,format=raw,if=none,id=drive0,readonly=on',
      'file=/tmp/n/data0.img,format=raw,if=none,id=drive1,cache=unsafe,aio=threads,discard=unmap',
    ]);
    expect(valueOf(argv, '-device')).toEqual([
      'virtio-blk-pci,drive=drive0,serial=tnconfig',
      'virtio-blk-pci,drive=drive1,serial=data0',
      'virtio-net-pci,netdev=n0,romfile=',
    ]);
  });

  it('restricts the network to loopback forwards and explicit guest->host socat forwards', () => {
    expect(valueOf(argv, '-netdev')).toEqual([
      'user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:40001-:7999,hostfwd=tcp:127.0.0.1:40002-:8080,' +
        `guestfwd=tcp:${GUEST_FORWARD_ADDRESS}:6443-cmd:socat STDIO TCP:127.0.0.1:16443`,
    ]);
  });

  it('has no forwards at all when none are asked for', () => {
    expect(netdevOption({ hostForwards: [], guestForwards: [] })).toBe('user,id=n0,restrict=on');
  });

  it.each([0, 65536, 1.5, -1])('rejects port %p', (p) => {
    expect(() => netdevOption({ hostForwards: [{ hostPort: p, guestPort: 80 }], guestForwards: [] })).toThrow(/TCP port/);
  });

  it('rejects a path with a comma, which would split the qemu option', () => {
    expect(() => qemuArgv({ ...plan, drives: [{ file: '/tmp/a,b.img', serial: 'data0', readOnly: false }] })).toThrow(/comma/);
  });
});
