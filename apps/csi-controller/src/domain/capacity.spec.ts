import { GrpcStatus as status } from '@copse/csi-grpc';
import type { VolumeCapability__Output } from '@copse/csi-spec';
import { CsiError } from '@copse/csi-grpc';
import { expansionBytes, minimumBytesFor, newVolumeBytes } from './capacity';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

const cap = (access: 'block' | string): VolumeCapability__Output =>
  (access === 'block'
    ? { block: {}, access_type: 'block', access_mode: { mode: 'SINGLE_NODE_WRITER' } }
    : { mount: { fs_type: access, mount_flags: [], volume_mount_group: '' }, access_type: 'mount', access_mode: { mode: 'SINGLE_NODE_WRITER' } }) as unknown as VolumeCapability__Output;

function codeOf(f: () => unknown): number | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof CsiError ? e.code : -1;
  }
  return undefined;
}

describe('the size of a new volume', () => {
  it.each([
    ['nothing asked: 1 GiB', 0, 0, 0, GiB],
    ['nothing asked, a limit above 1 GiB: 1 GiB', 0, 5 * GiB, 0, GiB],
    ['nothing asked, a limit below 1 GiB: the limit rounded down to 4096', 0, 100 * MiB + 5, 0, 100 * MiB],
    ['an exact size', 5 * GiB, 0, 0, 5 * GiB],
    ['one byte: rounded up to a sector', 8 * MiB + 1, 0, 0, 8 * MiB + 4096],
    ['below the minimum: raised to it', MiB, 0, 32 * MiB, 32 * MiB],
    ['a limit equal to the request', GiB, GiB, 0, GiB],
  ])('%s', (_what, required, limit, minimum, expected) => {
    expect(newVolumeBytes({ requiredBytes: required, limitBytes: limit }, { minimumBytes: minimum })).toBe(expected);
  });

  it.each([
    ['a limit below one sector', 0, 100, 0],
    ['a limit that the rounding passes', GiB + 1, GiB + 2, 0],
    ['a limit below the minimum', MiB, 100 * MiB, 300 * MiB],
  ])('is OUT_OF_RANGE for %s', (_what, required, limit, minimum) => {
    expect(codeOf(() => newVolumeBytes({ requiredBytes: required, limitBytes: limit }, { minimumBytes: minimum }))).toBe(status.OUT_OF_RANGE);
  });

  describe('with a source (restore, clone)', () => {
    const source = 2 * GiB + 4 * MiB;
    it('is the source\'s size when nothing is asked', () => {
      expect(newVolumeBytes({ requiredBytes: 0, limitBytes: 0 }, { minimumBytes: 32 * MiB, sourceBytes: source })).toBe(source);
    });
    it('may be larger', () => {
      expect(newVolumeBytes({ requiredBytes: 3 * GiB, limitBytes: 0 }, { minimumBytes: 0, sourceBytes: source })).toBe(3 * GiB);
    });
    it('compares after rounding: just under the source\'s size rounds up to it (TopoLVM #1039)', () => {
      expect(newVolumeBytes({ requiredBytes: source - 100, limitBytes: 0 }, { minimumBytes: 0, sourceBytes: source })).toBe(source);
    });
    it('is OUT_OF_RANGE below the source, naming it', () => {
      expect(() => newVolumeBytes({ requiredBytes: 2 * GiB, limitBytes: 0 }, { minimumBytes: 0, sourceBytes: source, sourceLabel: 'source snapshot s1' })).toThrow(
        `capacity_range.required_bytes ${2 * GiB} is smaller than source snapshot s1 (${source} bytes)`,
      );
      expect(codeOf(() => newVolumeBytes({ requiredBytes: 0, limitBytes: GiB }, { minimumBytes: 0, sourceBytes: source }))).toBe(status.OUT_OF_RANGE);
    });
  });
});

describe('minimum sizes', () => {
  it.each([
    [[cap('block')], 8 * MiB],
    [[cap('ext4')], 32 * MiB],
    [[cap('')], 32 * MiB],
    [[cap('xfs')], 300 * MiB],
    [[cap('btrfs')], 200 * MiB],
    [[cap('block'), cap('xfs')], 300 * MiB],
  ])('%j needs %d bytes', (caps, bytes) => {
    expect(minimumBytesFor(caps)).toBe(bytes);
  });
});

describe('the size of an expansion', () => {
  it('rounds the requirement up to a sector; takes the limit alone rounded down', () => {
    expect(expansionBytes({ requiredBytes: GiB + 1, limitBytes: 0 })).toBe(GiB + 4096);
    expect(expansionBytes({ requiredBytes: 0, limitBytes: GiB + 1 })).toBe(GiB);
  });
  it('is INVALID_ARGUMENT with neither, OUT_OF_RANGE past the limit', () => {
    expect(codeOf(() => expansionBytes({ requiredBytes: 0, limitBytes: 0 }))).toBe(status.INVALID_ARGUMENT);
    expect(codeOf(() => expansionBytes({ requiredBytes: GiB + 1, limitBytes: GiB + 2 }))).toBe(status.OUT_OF_RANGE);
  });
});
