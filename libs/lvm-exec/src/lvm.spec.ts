import type { LvmResult, LvmRunner } from '@copse/lvm-model';
import { LvmError } from './errors';
import { Lvm, type LvmInvocation } from './lvm';

class Recorder implements LvmRunner {
  readonly calls: string[][] = [];
  constructor(private readonly answer: LvmResult = { exitCode: 0, stdout: '', stderr: '' }) {}
  async run(argv: readonly string[]): Promise<LvmResult> {
    this.calls.push([...argv]);
    return this.answer;
  }
}

describe('Lvm argv', () => {
  const cases: Array<[string, (lvm: Lvm) => Promise<unknown>, string[]]> = [
    [
      'thin create (TopoLVM)',
      (l) => l.createThin({ vg: 'vg', pool: 'pool0', name: 'v1', sizeBytes: 1073741824, tags: ['a=b'], options: [] }),
      ['lvcreate', '-T', 'vg/pool0', '-n', 'v1', '-V', '1073741824b', '-W', 'y', '-y', '--addtag', 'a=b'],
    ],
    [
      'thick create with stripes and options',
      (l) => l.createThick({ vg: 'vg', name: 't1', sizeBytes: 4194304, tags: [], stripe: 2, stripeSize: '64', options: ['--type=raid1'] }),
      ['lvcreate', '-n', 't1', '-L', '4194304b', '-W', 'y', '-y', '-i', '2', '-I', '64', '--type=raid1', 'vg'],
    ],
    [
      'read-only snapshot: no activation skip, read-only at creation',
      (l) => l.createThinSnapshot({ vg: 'vg', source: 'v1', name: 's1', readOnly: true, tags: [] }),
      ['lvcreate', '-s', '-k', 'n', '-p', 'r', '-n', 's1', 'vg/v1'],
    ],
    [
      'read-write snapshot (restore, clone)',
      (l) => l.createThinSnapshot({ vg: 'vg', source: 's1', name: 'r1', readOnly: false, tags: ['x'] }),
      ['lvcreate', '-s', '-k', 'n', '-n', 'r1', '--addtag', 'x', 'vg/s1'],
    ],
    ['grow', (l) => l.resize({ vg: 'vg', name: 'v1', sizeBytes: 2147483648 }), ['lvresize', '-L', '2147483648b', 'vg/v1']],
    ['permission ro', (l) => l.setPermission({ vg: 'vg', name: 'v1', readOnly: true }), ['lvchange', '-p', 'r', 'vg/v1']],
    ['delete tags', (l) => l.deleteTags({ vg: 'vg', name: 'v1', tags: ['a=1', 'b'] }), ['lvchange', '--deltag', 'a=1', '--deltag', 'b', 'vg/v1']],
    ['activate clears skip', (l) => l.setActive({ vg: 'vg', name: 'v1', active: true }), ['lvchange', '-k', 'n', '-a', 'y', 'vg/v1']],
    ['deactivate', (l) => l.setActive({ vg: 'vg', name: 'v1', active: false }), ['lvchange', '-a', 'n', 'vg/v1']],
    ['remove', (l) => l.remove({ vg: 'vg', name: 'v1' }), ['lvremove', '-f', 'vg/v1']],
  ];

  it.each(cases)('%s', async (_title, op, argv) => {
    const r = new Recorder();
    await op(new Lvm(r));
    expect(r.calls).toEqual([argv]);
  });

  it('turns a non-zero exit into an LvmError that knows not-found, and reports the invocation', async () => {
    const seen: LvmInvocation[] = [];
    const lvm = new Lvm(new Recorder({ exitCode: 5, stdout: '', stderr: '  Failed to find logical volume "vg/v1"\n' }), {
      onInvocation: (i) => seen.push(i),
    });
    const error = await lvm.remove({ vg: 'vg', name: 'v1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LvmError);
    expect((error as LvmError).isNotFound).toBe(true);
    expect((error as LvmError).exitCode).toBe(5);
    expect(seen).toEqual([expect.objectContaining({ argv: ['lvremove', '-f', 'vg/v1'], exitCode: 5 })]);
  });
});

describe('LvmError predicates on lvm2 2.03.16 messages', () => {
  const err = (exitCode: number, stderr: string) => new LvmError(['x'], { exitCode, stdout: '', stderr });
  it.each([
    ['lv not found', err(5, '  Failed to find logical volume "myvg1/nosuch"'), 'isNotFound', true],
    ['vg not found', err(5, '  Volume group "nosuchvg" not found\n  Cannot process volume group nosuchvg'), 'isNotFound', true],
    ['duplicate', err(5, '  Logical Volume "thin1" already exists in volume group "myvg1"'), 'isAlreadyExists', true],
    ['no space', err(5, '  Volume group "myvg1" has insufficient free space (112 extents): 25600 required.'), 'isNoSpace', true],
    ['invalid name', err(3, '  Logical volume name "bad;name" is invalid.'), 'isInvalidArgument', true],
    ['invalid name is not not-found', err(3, '  Logical volume name "bad;name" is invalid.'), 'isNotFound', false],
    // open devices (lvremove, lvchange -an), as lvm2 2.03.16 words each holder it finds
    ['open by a process', err(5, '  Logical volume vg0/thin1 in use.'), 'isInUse', true],
    ['mounted (measured in the test node)', err(5, '  Logical volume vgx/a contains a filesystem in use.'), 'isInUse', true],
    ['held by a stacked device', err(5, '  Logical volume vg0/thin1 is used by another device.'), 'isInUse', true],
    ['in use needs exit 5', err(3, '  Logical volume vg0/thin1 in use.'), 'isInUse', false],
    ['not found is not in use', err(5, '  Failed to find logical volume "vg0/thin1"'), 'isInUse', false],
    ['a VG in use is not an LV in use', err(5, '  Volume group "vg0" in use.'), 'isInUse', false],
  ] as const)('%s', (_t, e, predicate, expected) => {
    expect(e[predicate]).toBe(expected);
  });
});
