import {
  DEFAULT_SIZE_BYTES,
  GiB,
  KiB,
  MIN_SIZE_BYTES,
  MiB,
  QuantityError,
  SECTOR,
  TiB,
  formatLvmBytes,
  minimumSize,
  parseLvmSizeArg,
  parseQuantity,
  roundUp,
  roundUpExact,
  roundUpToExtent,
  sumBytes,
  thickFreeBytes,
  thinFreeBytes,
  type VolumeKind,
} from './sizes';

describe('constants', () => {
  it('are binary multiples', () => {
    expect([KiB, MiB, GiB, TiB]).toEqual([1024, 1048576, 1073741824, 1099511627776]);
    expect(SECTOR).toBe(512);
    expect(DEFAULT_SIZE_BYTES).toBe(1073741824);
  });
});

describe('roundUp', () => {
  it.each([
    [0, 4096, 0],
    [1, 4096, 4096],
    [4096, 4096, 4096],
    [4097, 4096, 8192],
    [52428800, 4 * MiB, 54525952], // thick1 in the capture: 50 MiB became 52 MiB
    [104857600, 4 * MiB, 104857600],
  ])('roundUp(%d, %d) = %d', (bytes, multiple, expected) => {
    expect(roundUp(bytes, multiple)).toBe(expected);
    expect(roundUpToExtent(bytes, multiple)).toBe(expected);
  });

  it.each([
    [-1, 4096],
    [1.5, 4096],
    [4096, 0],
    [4096, -4096],
    [Number.MAX_SAFE_INTEGER + 1, 4096],
  ])('rejects roundUp(%d, %d)', (bytes, multiple) => {
    expect(() => roundUp(bytes, multiple)).toThrow(RangeError);
  });

  it('rejects a result beyond MAX_SAFE_INTEGER', () => {
    expect(() => roundUp(Number.MAX_SAFE_INTEGER, 4096)).toThrow(/exceeds/);
  });
});

describe('roundUpExact', () => {
  const MAX = Number.MAX_SAFE_INTEGER; // 2^53 - 1
  it.each([
    [0, 4 * MiB, 0n],
    [1, 4 * MiB, 4194304n],
    [52428800, 4 * MiB, 54525952n],
    // the largest size whose extent-rounded size is still safe, and the first that is not (issue 6, finding 7)
    [2 ** 53 - 4 * MiB, 4 * MiB, 9007199250546688n],
    [2 ** 53 - 4 * MiB + 1, 4 * MiB, 9007199254740992n],
    [MAX, 4 * MiB, 9007199254740992n],
    [MAX, 1, 9007199254740991n],
    [MAX, 512, 9007199254740992n],
    [MAX, 3 * MiB, 9007199255789568n],
  ])('roundUpExact(%d, %d) = %s, and agrees with roundUp wherever roundUp answers', (bytes, multiple, expected) => {
    expect(roundUpExact(bytes, multiple)).toBe(expected);
    if (expected <= BigInt(MAX)) expect(roundUp(bytes, multiple)).toBe(Number(expected));
    else expect(() => roundUp(bytes, multiple)).toThrow(RangeError);
  });

  it.each([
    [-1, 4096],
    [MAX + 1, 4096],
    [4096, 0],
  ])('rejects roundUpExact(%d, %d) as roundUp does', (bytes, multiple) => {
    expect(() => roundUpExact(bytes, multiple)).toThrow(RangeError);
  });
});

describe('sumBytes', () => {
  it.each([
    [[], 0],
    [[1, 2, 3], 6],
    [[2 ** 52, 2 ** 52 - 1], Number.MAX_SAFE_INTEGER],
    // two 8 PiB thin LVs, as real lvm2 creates them: saturates instead of losing precision
    [[9007199250546688, 4503599627370496], Number.MAX_SAFE_INTEGER],
  ])('sumBytes(%j) = %d', (values, expected) => {
    expect(sumBytes(values)).toBe(expected);
  });

  it('rejects a value that is not a byte count', () => {
    expect(() => sumBytes([1, -1])).toThrow(RangeError);
  });
});

describe('minimumSize', () => {
  it.each<[VolumeKind, number]>([
    ['block', 8 * MiB],
    ['ext4', 32 * MiB],
    ['xfs', 300 * MiB],
    ['btrfs', 200 * MiB],
  ])('%s needs %d bytes', (kind, bytes) => {
    expect(minimumSize(kind)).toBe(bytes);
    expect(MIN_SIZE_BYTES[kind]).toBe(bytes);
  });

  it('throws on an unknown filesystem', () => {
    expect(() => minimumSize('zfs' as VolumeKind)).toThrow(/unknown filesystem type "zfs"/);
    expect(() => minimumSize('toString' as VolumeKind)).toThrow(RangeError);
  });
});

describe('thinFreeBytes', () => {
  it.each([
    // pool, ratio, sum, expected
    [512 * MiB, 1, 0, 512 * MiB],
    [512 * MiB, 10, 0, 5 * GiB],
    [512 * MiB, 10, 5 * GiB, 0],
    [512 * MiB, 10, 6 * GiB, 0], // overprovisioned beyond the ratio: never negative
    [512 * MiB, 1.5, 100 * MiB, 668 * MiB],
    [1001, 1.5, 0, 1501], // floor(1501.5)
    // the capture's pool: 512 MiB with 100+100+200+10240 MiB of thin volumes
    [536870912, 25, 104857600 + 104857600 + 209715200 + 10737418240, 2264924160],
    [536870912, 20, 104857600 + 104857600 + 209715200 + 10737418240, 0],
  ])('pool %d x %d - %d = %d', (poolSizeBytes, overprovisionRatio, virtualSizeSumBytes, expected) => {
    expect(thinFreeBytes({ poolSizeBytes, overprovisionRatio, virtualSizeSumBytes })).toBe(expected);
  });

  it('rejects a ratio below 1', () => {
    expect(() => thinFreeBytes({ poolSizeBytes: GiB, overprovisionRatio: 0.5, virtualSizeSumBytes: 0 })).toThrow(
      /overprovisionRatio/,
    );
  });
});

describe('thickFreeBytes', () => {
  it.each([
    [469762048, 0, 469762048],
    [469762048, 10 * GiB, 0],
    [20 * GiB, 10 * GiB, 10 * GiB],
  ])('free %d - spare %d = %d', (vgFreeBytes, spareBytes, expected) => {
    expect(thickFreeBytes({ vgFreeBytes, spareBytes })).toBe(expected);
  });
});

describe('formatLvmBytes', () => {
  it('formats bytes as lvm argv', () => {
    expect(formatLvmBytes(104857600)).toBe('104857600b');
  });
  it('rejects non-integers', () => {
    expect(() => formatLvmBytes(1.5)).toThrow(RangeError);
  });
});

describe('parseQuantity', () => {
  it.each([
    ['0', 0],
    ['1', 1],
    ['1Ki', 1024],
    ['1Gi', GiB],
    ['1.5Gi', 1.5 * GiB],
    ['.5Ki', 512],
    ['500M', 500_000_000],
    ['1k', 1000],
    ['1e3', 1000],
    ['1E3', 1000],
    ['1.5e3', 1500],
    ['1000m', 1],
    ['5000000000n', 5],
    ['+1Mi', MiB],
    ['-0', 0],
    ['1Pi', 1024 * TiB],
    ['7Pi', 7 * 1024 * TiB],
  ])('%s = %d bytes', (input, expected) => {
    expect(parseQuantity(input as string)).toBe(expected);
  });

  it.each([
    ['', /expected a number/],
    ['Gi', /expected a number/],
    ['1 Gi', /expected a number/],
    ['1GB', /expected a number/],
    ['1gi', /expected a number/],
    ['1e', /expected a number/],
    ['0x10', /expected a number/],
    ['-1', /negative/],
    ['-1Gi', /negative/],
    ['1.5', /whole number of bytes/],
    ['1m', /whole number of bytes/],
    ['0.1Ki', /whole number of bytes/],
    ['1e-3', /whole number of bytes/],
    ['8Pi', /MAX_SAFE_INTEGER/],
    ['2E', /MAX_SAFE_INTEGER/],
    ['1e100', /MAX_SAFE_INTEGER/],
    ['1e-100', /fraction/],
  ])('rejects %j', (input, message) => {
    expect(() => parseQuantity(input)).toThrow(QuantityError);
    expect(() => parseQuantity(input)).toThrow(message);
  });
});

describe('parseLvmSizeArg', () => {
  it.each([
    ['104857600b', 104857600],
    ['104857600B', 104857600],
    ['10m', 10 * MiB],
    ['512M', 512 * MiB],
    ['4g', 4 * GiB],
    ['4G', 4 * GiB],
    ['1t', TiB],
    ['1p', 1024 * TiB],
    ['8s', 4096],
    ['64k', 64 * KiB],
    ['1.5g', 1.5 * GiB],
    ['0.3k', 0], // 307.2 bytes: truncated to whole sectors, as lvm does
    ['1.3k', 1024], // 1331.2 bytes -> 2 whole sectors
    ['1.5k', 1536],
    ['100', 100 * MiB], // default unit
  ])('%s = %d bytes', (input, bytes) => {
    expect(parseLvmSizeArg(input)).toEqual({ bytes });
  });

  it('uses the given default unit', () => {
    expect(parseLvmSizeArg('64', 'k')).toEqual({ bytes: 64 * KiB });
  });

  it('keeps the sign of relative sizes', () => {
    expect(parseLvmSizeArg('+10m')).toEqual({ bytes: 10 * MiB, sign: '+' });
    expect(parseLvmSizeArg('-1g')).toEqual({ bytes: GiB, sign: '-' });
  });

  it('answers a byte size that is not a multiple of 512 with lvm2 2.03.16 own message', () => {
    // lvcreate -T myvg1/pool0 -n odd -V 1000000b in the capture
    expect(parseLvmSizeArg('1000000b')).toEqual({
      error: 'Size is not a multiple of 512. Try using 999936 or 1000448.',
    });
  });

  it.each(['', 'abc', '10x', '10 m', '10mb', 'm', '1.5b', '0.5s', '1e3'])('rejects %j', (input) => {
    expect(parseLvmSizeArg(input)).toHaveProperty('error');
  });

  it('rejects sizes beyond MAX_SAFE_INTEGER', () => {
    expect(parseLvmSizeArg('8p')).toEqual({ error: expect.stringMatching(/too large/) });
    expect(parseLvmSizeArg('1e')).toEqual({ error: expect.stringMatching(/too large/) });
  });
});
