import {
  ConfigError,
  DEFAULT_LVM_COMMAND_PREFIX,
  findDeviceClass,
  findLvcreateOptionClass,
  parseLvmdConfig,
  validateLvmdConfig,
  type FieldError,
  type LvmdConfig,
} from './config';

const GiB = 1024 ** 3;

/** A TopoLVM-style lvmd.yaml using every key. */
const FULL_YAML = `
socket-name: /run/topolvm/lvmd.sock
lvm-command-prefix: []
device-classes:
  - name: ssd
    volume-group: myvg1
    default: true
    spare-gb: 0
  - name: thin
    volume-group: myvg1
    type: thin
    thin-pool:
      name: pool0
      overprovision-ratio: 10
  - name: striped
    volume-group: multi-pv-vg
    spare-gb: 2
    stripe: 2
    stripe-size: "64"
  - name: raid
    volume-group: raid-vg
    type: thick
    lvcreate-options:
      - --type=raid1
lvcreate-option-classes:
  - name: mirror
    options:
      - --type=raid1
      - --mirrors=1
  - name: empty
    options: []
`;

function errorsOf(raw: unknown): FieldError[] {
  const result = validateLvmdConfig(raw);
  if ('config' in result) throw new Error(`expected errors, got a config: ${JSON.stringify(result.config)}`);
  return result.errors;
}

function configOf(raw: unknown): LvmdConfig {
  const result = validateLvmdConfig(raw);
  if ('errors' in result) throw new Error(`expected a config, got ${JSON.stringify(result.errors)}`);
  return result.config;
}

/** One valid thick class, to be varied. */
const thick = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 'ssd',
  'volume-group': 'myvg1',
  default: true,
  ...extra,
});

describe('parseLvmdConfig on a valid file', () => {
  it('maps every key to the typed config', () => {
    expect(parseLvmdConfig(FULL_YAML)).toEqual({
      socketName: '/run/topolvm/lvmd.sock',
      lvmCommandPrefix: [],
      deviceClasses: [
        { name: 'ssd', volumeGroup: 'myvg1', default: true, spareBytes: 0, lvcreateOptions: [], type: 'thick' },
        {
          name: 'thin',
          volumeGroup: 'myvg1',
          default: false,
          spareBytes: 10 * GiB,
          lvcreateOptions: [],
          type: 'thin',
          thinPool: { name: 'pool0', overprovisionRatio: 10 },
        },
        {
          name: 'striped',
          volumeGroup: 'multi-pv-vg',
          default: false,
          spareBytes: 2 * GiB,
          stripe: 2,
          stripeSize: '64',
          lvcreateOptions: [],
          type: 'thick',
        },
        {
          name: 'raid',
          volumeGroup: 'raid-vg',
          default: false,
          spareBytes: 10 * GiB,
          lvcreateOptions: ['--type=raid1'],
          type: 'thick',
        },
      ],
      lvcreateOptionClasses: [
        { name: 'mirror', options: ['--type=raid1', '--mirrors=1'] },
        { name: 'empty', options: [] },
      ],
    });
  });

  it('fills in defaults for a minimal single-class file, making that class the default', () => {
    const config = parseLvmdConfig('device-classes:\n  - name: ssd\n    volume-group: myvg1\n');
    expect(config).toEqual({
      deviceClasses: [
        { name: 'ssd', volumeGroup: 'myvg1', default: true, spareBytes: 10 * GiB, lvcreateOptions: [], type: 'thick' },
      ],
      lvcreateOptionClasses: [],
      lvmCommandPrefix: ['/usr/bin/nsenter', '-m', '-u', '-i', '-n', '-p', '-t', '1'],
    });
    expect(config.lvmCommandPrefix).not.toBe(DEFAULT_LVM_COMMAND_PREFIX);
  });

  it('treats empty YAML values (null) as absent', () => {
    const config = parseLvmdConfig(
      'socket-name:\nlvcreate-option-classes:\ndevice-classes:\n  - name: ssd\n    volume-group: myvg1\n    spare-gb:\n    type:\n    lvcreate-options:\n',
    );
    expect(config.deviceClasses[0]).toMatchObject({ spareBytes: 10 * GiB, type: 'thick', lvcreateOptions: [] });
    expect(config).not.toHaveProperty('socketName');
  });

  it('allows a thick class on a VG whose thin pool is another class', () => {
    const config = configOf({
      'device-classes': [
        thick(),
        { name: 'thin', 'volume-group': 'myvg1', type: 'thin', 'thin-pool': { name: 'pool0', 'overprovision-ratio': 1 } },
        { name: 'thin2', 'volume-group': 'myvg1', type: 'thin', 'thin-pool': { name: 'pool1', 'overprovision-ratio': 1.5 } },
      ],
    });
    expect(config.deviceClasses.map((d) => d.name)).toEqual(['ssd', 'thin', 'thin2']);
  });

  it.each(['64', '64k', '1m', '512K'])('accepts stripe-size %j', (stripeSize) => {
    expect(configOf({ 'device-classes': [thick({ 'stripe-size': stripeSize })] }).deviceClasses[0]?.stripeSize).toBe(
      stripeSize,
    );
  });

  it('leaves the fill guard off unless a thin pool sets fill-guard-percent, and reads it when set', () => {
    expect(parseLvmdConfig(FULL_YAML).deviceClasses.find((d) => d.name === 'thin')?.thinPool).toEqual({ name: 'pool0', overprovisionRatio: 10 });
    const pool = (guard: unknown) =>
      configOf({ 'device-classes': [thick({ type: 'thin', 'thin-pool': { name: 'pool0', 'overprovision-ratio': 2, 'fill-guard-percent': guard } })] })
        .deviceClasses[0]?.thinPool;
    expect(pool(90)).toEqual({ name: 'pool0', overprovisionRatio: 2, fillGuardPercent: 90 });
    expect(pool(97.5)?.fillGuardPercent).toBe(97.5);
    expect(pool(100)?.fillGuardPercent).toBe(100);
    expect(pool(null)).toEqual({ name: 'pool0', overprovisionRatio: 2 });
  });

  it('accepts a 63-character class name', () => {
    expect(configOf({ 'device-classes': [thick({ name: 'a'.repeat(63) })] }).deviceClasses).toHaveLength(1);
  });
});

describe('validateLvmdConfig rules', () => {
  it.each<[string, unknown, FieldError[]]>([
    ['not a mapping', ['x'], [{ field: '', message: 'the configuration must be a mapping, got a list' }]],
    ['nothing', null, [{ field: '', message: 'the configuration must be a mapping, got null' }]],
    ['no device classes', {}, [{ field: 'device-classes', message: 'at least one device class is required' }]],
    [
      'empty device classes',
      { 'device-classes': [] },
      [{ field: 'device-classes', message: 'at least one device class is required' }],
    ],
    ['device classes not a list', { 'device-classes': {} }, [{ field: 'device-classes', message: 'must be a list, got a mapping' }]],
    [
      'a typo in a top-level key',
      { 'device-classes': [thick()], 'device-class': [] },
      [{ field: 'device-class', message: 'unknown field (did you mean "device-classes"?)' }],
    ],
    [
      'a typo in a class key',
      { 'device-classes': [thick({ 'spare-gib': 1 })] },
      [{ field: 'device-classes[0].spare-gib', message: 'unknown field (did you mean "spare-gb"?)' }],
    ],
    [
      'an unknown key nothing is close to',
      { 'device-classes': [thick({ color: 'red' })] },
      [{ field: 'device-classes[0].color', message: 'unknown field' }],
    ],
    [
      'a class that is not a mapping',
      { 'device-classes': ['ssd'] },
      [{ field: 'device-classes[0]', message: 'must be a mapping, got "ssd"' }],
    ],
    [
      'an empty class name',
      { 'device-classes': [thick({ name: '' })] },
      [{ field: 'device-classes[0].name', message: 'must not be empty' }],
    ],
    [
      'a missing class name',
      { 'device-classes': [{ 'volume-group': 'vg' }] },
      [{ field: 'device-classes[0].name', message: 'is required' }],
    ],
    [
      'a 64-character class name',
      { 'device-classes': [thick({ name: 'a'.repeat(64) })] },
      [{ field: 'device-classes[0].name', message: 'must be at most 63 characters (has 64)' }],
    ],
    [
      'a class named 00default',
      { 'device-classes': [thick({ name: '00default' })] },
      [{ field: 'device-classes[0].name', message: '"00default" is reserved for the default device class in node annotations' }],
    ],
    [
      'a class name that is a number',
      { 'device-classes': [thick({ name: 1 })] },
      [{ field: 'device-classes[0].name', message: 'must be a string, got number 1' }],
    ],
    [
      'duplicate class names',
      { 'device-classes': [thick(), thick({ default: false, 'volume-group': 'vg2' })] },
      [{ field: 'device-classes[1].name', message: 'duplicate device class name "ssd" (also device-classes[0])' }],
    ],
    [
      'a missing volume group',
      { 'device-classes': [{ name: 'ssd' }] },
      [{ field: 'device-classes[0].volume-group', message: 'is required' }],
    ],
    [
      'a volume group with a space',
      { 'device-classes': [thick({ 'volume-group': 'my vg' })] },
      [
        {
          field: 'device-classes[0].volume-group',
          message: 'is not a valid volume group name: contains " ": only letters, digits and . _ + - are allowed',
        },
      ],
    ],
    [
      'a volume group starting with -',
      { 'device-classes': [thick({ 'volume-group': '-vg' })] },
      [{ field: 'device-classes[0].volume-group', message: 'is not a valid volume group name: must not start with "-"' }],
    ],
    [
      'volume group ..',
      { 'device-classes': [thick({ 'volume-group': '..' })] },
      [{ field: 'device-classes[0].volume-group', message: 'is not a valid volume group name: must not be ".."' }],
    ],
    [
      'a 128-character volume group',
      { 'device-classes': [thick({ 'volume-group': 'v'.repeat(128) })] },
      [
        {
          field: 'device-classes[0].volume-group',
          message: 'is not a valid volume group name: must be at most 127 characters (has 128)',
        },
      ],
    ],
    [
      'two defaults',
      { 'device-classes': [thick(), thick({ name: 'hdd', 'volume-group': 'vg2' })] },
      [{ field: 'device-classes[1].default', message: 'only one device class may be the default (device-classes[0] already is)' }],
    ],
    [
      'no default among several classes',
      { 'device-classes': [thick({ default: false }), thick({ name: 'hdd', 'volume-group': 'vg2', default: false })] },
      [{ field: 'device-classes', message: 'one device class must have "default: true"' }],
    ],
    [
      'default: yes (YAML 1.1 boolean)',
      { 'device-classes': [thick({ default: 'yes' })] },
      [{ field: 'device-classes[0].default', message: 'must be true or false, got "yes"' }],
    ],
    [
      'negative spare-gb',
      { 'device-classes': [thick({ 'spare-gb': -1 })] },
      [{ field: 'device-classes[0].spare-gb', message: 'must be >= 0, got -1' }],
    ],
    [
      'fractional spare-gb',
      { 'device-classes': [thick({ 'spare-gb': 1.5 })] },
      [{ field: 'device-classes[0].spare-gb', message: 'must be a whole number, got number 1.5' }],
    ],
    [
      'spare-gb as a string',
      { 'device-classes': [thick({ 'spare-gb': '10' })] },
      [{ field: 'device-classes[0].spare-gb', message: 'must be a whole number, got "10"' }],
    ],
    [
      'spare-gb too large for bytes',
      { 'device-classes': [thick({ 'spare-gb': 2 ** 40 })] },
      [{ field: 'device-classes[0].spare-gb', message: 'is too large' }],
    ],
    [
      'stripe 0',
      { 'device-classes': [thick({ stripe: 0 })] },
      [{ field: 'device-classes[0].stripe', message: 'must be >= 1, got 0' }],
    ],
    [
      'stripe 1.5',
      { 'device-classes': [thick({ stripe: 1.5 })] },
      [{ field: 'device-classes[0].stripe', message: 'must be a whole number, got number 1.5' }],
    ],
    [
      'stripe-size with a bad unit',
      { 'device-classes': [thick({ 'stripe-size': '64x' })] },
      [
        {
          field: 'device-classes[0].stripe-size',
          message: 'is not an lvm size (e.g. "64k"): Invalid size "64x": expected a number with an optional unit (b s k m g t p e).',
        },
      ],
    ],
    [
      'stripe-size as a number',
      { 'device-classes': [thick({ 'stripe-size': 64 })] },
      [{ field: 'device-classes[0].stripe-size', message: 'must be a string, got number 64' }],
    ],
    [
      'stripe-size 0',
      { 'device-classes': [thick({ 'stripe-size': '0' })] },
      [{ field: 'device-classes[0].stripe-size', message: 'must be a positive size' }],
    ],
    [
      'lvcreate-options as a string',
      { 'device-classes': [thick({ 'lvcreate-options': '--type=raid1' })] },
      [{ field: 'device-classes[0].lvcreate-options', message: 'must be a list of strings, got "--type=raid1"' }],
    ],
    [
      'a non-string lvcreate option',
      { 'device-classes': [thick({ 'lvcreate-options': ['--type=raid1', 1] })] },
      [{ field: 'device-classes[0].lvcreate-options[1]', message: 'must be a string, got number 1' }],
    ],
    [
      'an unknown type',
      { 'device-classes': [thick({ type: 'thinn' })] },
      [{ field: 'device-classes[0].type', message: 'must be "thick" or "thin", got "thinn"' }],
    ],
    [
      'thin without a thin pool',
      { 'device-classes': [thick({ type: 'thin' })] },
      [{ field: 'device-classes[0].thin-pool', message: 'is required for a thin device class' }],
    ],
    [
      'a thin pool without a name',
      { 'device-classes': [thick({ type: 'thin', 'thin-pool': { 'overprovision-ratio': 2 } })] },
      [{ field: 'device-classes[0].thin-pool.name', message: 'is required' }],
    ],
    [
      'a thin pool with an invalid name',
      { 'device-classes': [thick({ type: 'thin', 'thin-pool': { name: 'pool/0', 'overprovision-ratio': 2 } })] },
      [
        {
          field: 'device-classes[0].thin-pool.name',
          message: 'is not a valid lvm name: contains "/": only letters, digits and . _ + - are allowed',
        },
      ],
    ],
    [
      'overprovision-ratio below 1',
      { 'device-classes': [thick({ type: 'thin', 'thin-pool': { name: 'pool0', 'overprovision-ratio': 0.5 } })] },
      [{ field: 'device-classes[0].thin-pool.overprovision-ratio', message: 'must be >= 1, got 0.5' }],
    ],
    [
      'a missing overprovision-ratio',
      { 'device-classes': [thick({ type: 'thin', 'thin-pool': { name: 'pool0' } })] },
      [{ field: 'device-classes[0].thin-pool.overprovision-ratio', message: 'is required' }],
    ],
    [
      'overprovision-ratio as a string',
      { 'device-classes': [thick({ type: 'thin', 'thin-pool': { name: 'pool0', 'overprovision-ratio': '10' } })] },
      [{ field: 'device-classes[0].thin-pool.overprovision-ratio', message: 'must be a number, got "10"' }],
    ],
    [
      'a typo in a thin-pool key',
      { 'device-classes': [thick({ type: 'thin', 'thin-pool': { name: 'pool0', 'overprovision-ratio': 2, overprovision: 3 } })] },
      [{ field: 'device-classes[0].thin-pool.overprovision', message: 'unknown field' }],
    ],
    ...[0, -5, 100.5, 120, '90', '90%', true].map((guard): [string, unknown, FieldError[]] => [
      `fill-guard-percent ${JSON.stringify(guard)}`,
      { 'device-classes': [thick({ type: 'thin', 'thin-pool': { name: 'pool0', 'overprovision-ratio': 2, 'fill-guard-percent': guard } })] },
      [
        {
          field: 'device-classes[0].thin-pool.fill-guard-percent',
          message: expect.stringMatching(/^must be a number above 0 and at most 100 \(the thin pool's data% or metadata% at which new thin volumes are refused\), got /) as unknown as string,
        },
      ],
    ]),
    [
      'a typo in fill-guard-percent',
      { 'device-classes': [thick({ type: 'thin', 'thin-pool': { name: 'pool0', 'overprovision-ratio': 2, 'fill-guard-percen': 90 } })] },
      [{ field: 'device-classes[0].thin-pool.fill-guard-percen', message: 'unknown field (did you mean "fill-guard-percent"?)' }],
    ],
    [
      'a thin pool that is not a mapping',
      { 'device-classes': [thick({ type: 'thin', 'thin-pool': 'pool0' })] },
      [{ field: 'device-classes[0].thin-pool', message: 'must be a mapping with name and overprovision-ratio, got "pool0"' }],
    ],
    [
      'a thin pool on a thick class',
      { 'device-classes': [thick({ 'thin-pool': { name: 'pool0', 'overprovision-ratio': 2 } })] },
      [{ field: 'device-classes[0].thin-pool', message: 'is only allowed on a device class with type: thin' }],
    ],
    [
      'two thick classes on one volume group',
      { 'device-classes': [thick(), thick({ name: 'hdd', default: false })] },
      [{ field: 'device-classes[1].volume-group', message: '"myvg1" is already used by device-classes[0]' }],
    ],
    [
      'two thin classes on one pool',
      {
        'device-classes': [
          thick({ type: 'thin', 'thin-pool': { name: 'pool0', 'overprovision-ratio': 2 } }),
          thick({ name: 'thin2', default: false, type: 'thin', 'thin-pool': { name: 'pool0', 'overprovision-ratio': 5 } }),
        ],
      },
      [{ field: 'device-classes[1].thin-pool.name', message: '"myvg1/pool0" is already used by device-classes[0]' }],
    ],
    [
      'option classes not a list',
      { 'device-classes': [thick()], 'lvcreate-option-classes': { name: 'x' } },
      [{ field: 'lvcreate-option-classes', message: 'must be a list, got a mapping' }],
    ],
    [
      'an option class without a name',
      { 'device-classes': [thick()], 'lvcreate-option-classes': [{ options: [] }] },
      [{ field: 'lvcreate-option-classes[0].name', message: 'is required' }],
    ],
    [
      'duplicate option classes',
      {
        'device-classes': [thick()],
        'lvcreate-option-classes': [
          { name: 'raid', options: ['--type=raid1'] },
          { name: 'raid', options: [] },
        ],
      },
      [{ field: 'lvcreate-option-classes[1].name', message: 'duplicate lvcreate option class name "raid" (also lvcreate-option-classes[0])' }],
    ],
    [
      'option class options not a list',
      { 'device-classes': [thick()], 'lvcreate-option-classes': [{ name: 'raid', options: '--type=raid1' }] },
      [{ field: 'lvcreate-option-classes[0].options', message: 'must be a list of strings, got "--type=raid1"' }],
    ],
    [
      'a typo in an option class',
      { 'device-classes': [thick()], 'lvcreate-option-classes': [{ name: 'raid', option: [] }] },
      [{ field: 'lvcreate-option-classes[0].option', message: 'unknown field (did you mean "options"?)' }],
    ],
    [
      'an lvm command prefix that is a string',
      { 'device-classes': [thick()], 'lvm-command-prefix': 'nsenter -t 1' },
      [{ field: 'lvm-command-prefix', message: 'must be a list of strings, got "nsenter -t 1"' }],
    ],
    [
      'an empty lvm command prefix word',
      { 'device-classes': [thick()], 'lvm-command-prefix': ['nsenter', ''] },
      [{ field: 'lvm-command-prefix[1]', message: 'must not be empty' }],
    ],
    [
      'a socket name that is not a string',
      { 'device-classes': [thick()], 'socket-name': 5 },
      [{ field: 'socket-name', message: 'must be a string, got number 5' }],
    ],
  ])('rejects %s', (_what, raw, expected) => {
    expect(errorsOf(raw)).toEqual(expected);
  });

  it('collects every error, not just the first', () => {
    const errors = errorsOf({
      'device-classes': [
        thick({ 'spare-gb': -1, stripe: 0 }),
        { name: '', type: 'thin' },
      ],
      'lvm-command-prefix': 'x',
      extra: 1,
    });
    expect(errors.map((e) => e.field)).toEqual([
      'extra',
      'device-classes[0].spare-gb',
      'device-classes[0].stripe',
      'device-classes[1].name',
      'device-classes[1].volume-group',
      'device-classes[1].thin-pool',
      'lvm-command-prefix',
    ]);
  });
});

describe('parseLvmdConfig errors', () => {
  function thrown(text: string): ConfigError {
    try {
      parseLvmdConfig(text);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return e as ConfigError;
    }
    throw new Error('parseLvmdConfig did not throw');
  }

  it('turns a YAML syntax error into a field-less error with its line', () => {
    const e = thrown('device-classes:\n  - name: ssd\n    volume-group: [myvg1\n');
    expect(e.errors.length).toBeGreaterThan(0);
    expect(e.errors[0]).toMatchObject({ field: '', line: expect.any(Number) });
    expect(e.errors[0]?.message).toMatch(/^YAML syntax error at line \d+, column \d+: /);
  });

  it('reports the line of a repeated key', () => {
    const e = thrown('device-classes:\n  - name: ssd\n    volume-group: a\n    volume-group: b\n');
    expect(e.errors).toEqual([
      { field: '', line: 4, message: expect.stringMatching(/^YAML syntax error at line 4, column 5: Map keys must be unique/) },
    ]);
  });

  it('lists every validation error in the message', () => {
    const e = thrown('device-classes:\n  - name: ""\n    volume-group: myvg1\n    spare-gb: -2\n');
    expect(e.errors.map((x) => x.field)).toEqual(['device-classes[0].name', 'device-classes[0].spare-gb']);
    expect(e.message).toBe(
      'invalid lvmd configuration: device-classes[0].name: must not be empty; device-classes[0].spare-gb: must be >= 0, got -2',
    );
  });

  it('rejects an empty file', () => {
    expect(thrown('').errors).toEqual([{ field: '', message: 'the configuration must be a mapping, got null' }]);
  });

  it('reads yes as a string, not a boolean (YAML 1.2)', () => {
    expect(thrown('device-classes:\n  - name: a\n    volume-group: vg\n    default: yes\n').errors[0]?.field).toBe(
      'device-classes[0].default',
    );
  });
});

describe('findDeviceClass', () => {
  const config = parseLvmdConfig(FULL_YAML);

  it.each([
    [undefined, 'ssd'],
    ['', 'ssd'],
    ['00default', 'ssd'],
    ['ssd', 'ssd'],
    ['thin', 'thin'],
    ['raid', 'raid'],
    ['nosuch', undefined],
    ['SSD', undefined],
  ])('%j finds %j', (name, expected) => {
    expect(findDeviceClass(config, name)?.name).toBe(expected);
  });

  it('finds the implicit default of a single-class file', () => {
    const single = parseLvmdConfig('device-classes:\n  - name: only\n    volume-group: vg\n');
    expect(findDeviceClass(single, '')?.name).toBe('only');
  });
});

describe('findLvcreateOptionClass', () => {
  const config = parseLvmdConfig(FULL_YAML);
  it('finds by exact name', () => {
    expect(findLvcreateOptionClass(config, 'mirror')?.options).toEqual(['--type=raid1', '--mirrors=1']);
    expect(findLvcreateOptionClass(config, 'Mirror')).toBeUndefined();
  });
});
