import { deviceNumber, formatDeviceNumber, sameDevice } from './devices';

describe('deviceNumber', () => {
  it('splits the st_rdev of a device-mapper LV seen in the test node (64775 = 253:7)', () => {
    expect(deviceNumber(64775n)).toEqual({ major: 253, minor: 7 });
  });

  it('reads minors above 255 and majors above 4095 from the high bits', () => {
    // makedev(259, 300) and makedev(5000, 70000) as glibc encodes them
    const makedev = (major: bigint, minor: bigint) =>
      ((major & 0xfffn) << 8n) | ((major & ~0xfffn) << 32n) | (minor & 0xffn) | ((minor & ~0xffn) << 12n);
    expect(deviceNumber(makedev(259n, 300n))).toEqual({ major: 259, minor: 300 });
    expect(deviceNumber(makedev(5000n, 70000n))).toEqual({ major: 5000, minor: 70000 });
  });

  it('compares and prints', () => {
    expect(sameDevice({ major: 253, minor: 7 }, deviceNumber(64775n))).toBe(true);
    expect(sameDevice({ major: 253, minor: 8 }, deviceNumber(64775n))).toBe(false);
    expect(formatDeviceNumber({ major: 253, minor: 7 })).toBe('253:7');
  });
});
