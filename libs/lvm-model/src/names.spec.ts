import {
  dmName,
  isValidLvName,
  isValidVgName,
  lvFullNameProblem,
  lvNameProblem,
  lvNameViolation,
  RESERVED_LV_SUBSTRINGS,
  vgNameProblem,
} from './names';

describe('LV names as lvm2 2.03.16 accepts them', () => {
  it.each([
    ['thin1'],
    ['a'],
    ['A-Z.a_z+0-9'],
    ['pvc-0a1b2c3d-4e5f-6789-abcd-ef0123456789'],
    ['x'.repeat(127)],
    ['...'],
    ['.hidden'],
    ['my-snapshot'], // "snapshot" is reserved only as a prefix
    ['pool_t'],
    ['tmeta'], // reserved substrings carry the underscore
  ])('%s is valid', (name) => {
    expect(lvNameProblem(name)).toBeUndefined();
    expect(isValidLvName(name)).toBe(true);
  });

  it.each([
    ['', 'empty', /must not be empty/],
    ['bad;name', 'charset', /contains ";"/], // from the capture: exit 3, "is invalid"
    ['-lead', 'leading-hyphen', /must not start with a hyphen/],
    ['.', 'dots', /"\." or "\.\."/],
    ['..', 'dots', /"\." or "\.\."/],
    ['vg/lv', 'charset', /must not contain "\/"/],
    ['/dev/vg/lv', 'charset', /must not contain "\/"/],
    ['sp ace', 'charset', /contains " "/],
    ['ümlaut', 'charset', /contains "ü"/],
    ['x'.repeat(128), 'length', /128 characters long; at most 127/],
    ['snapshot_x', 'reserved-prefix', /starting "snapshot"/], // from the capture: exit 3
    ['snapshot', 'reserved-prefix', /starting "snapshot"/],
    ['pvmove0', 'reserved-prefix', /starting "pvmove"/],
    ['pool0_tmeta', 'reserved-substring', /including "_tmeta"/],
    ['pool0_tdata', 'reserved-substring', /including "_tdata"/],
    ['lvol0_pmspare', 'reserved-substring', /including "_pmspare"/],
    ['a_vorigin_b', 'reserved-substring', /including "_vorigin"/],
    ['x_rimage_0', 'reserved-substring', /including "_rimage"/],
    ['x_wcorig', 'reserved-substring', /including "_wcorig"/],
  ])('%j is refused (%s)', (name, kind, message) => {
    expect(lvNameViolation(name)?.kind).toBe(kind);
    expect(lvNameProblem(name)).toMatch(message);
    expect(isValidLvName(name)).toBe(false);
  });

  it('checks the characters before the reservations, as lvm2 does', () => {
    expect(lvNameViolation('snapshot;x')?.kind).toBe('charset');
  });

  it('checks the prefix before the substrings, as lvm2 does', () => {
    expect(lvNameViolation('snapshot_tmeta')).toEqual({ kind: 'reserved-prefix', reserved: 'snapshot' });
  });

  it('reports the first reserved substring in lvm2 order', () => {
    expect(lvNameViolation('a_tmeta_cdata')).toEqual({ kind: 'reserved-substring', reserved: '_cdata' });
  });

  it.each(RESERVED_LV_SUBSTRINGS.map((s) => [s]))('reserves %s anywhere in the name', (s) => {
    expect(isValidLvName(`x${s}y`)).toBe(false);
  });
});

describe('VG names', () => {
  it.each([['myvg1'], ['vg-0'], ['snapshot'], ['vg_tmeta']])('%s is valid (no LV reservations)', (name) => {
    expect(vgNameProblem(name)).toBeUndefined();
    expect(isValidVgName(name)).toBe(true);
  });

  it.each([[''], ['-vg'], ['.'], ['..'], ['a/b'], ['v g'], ['v'.repeat(128)]])('%j is refused', (name) => {
    expect(vgNameProblem(name)).toMatch(/^Volume group name/);
  });
});

describe('full names', () => {
  it('doubles hyphens in the device-mapper name', () => {
    expect(dmName('my-vg', 'lv-1')).toBe('my--vg-lv--1');
  });

  it('accepts ordinary names', () => {
    expect(lvFullNameProblem('myvg1', 'thin1')).toBeUndefined();
  });

  it('limits the LV name by the length of its VG, as lvrename does', () => {
    expect(lvFullNameProblem('vg', 'x'.repeat(123))).toBeUndefined();
    expect(lvFullNameProblem('vg', 'x'.repeat(124))).toMatch(/at most 123/);
  });

  it('limits the device-mapper name, doubled hyphens counted', () => {
    expect(lvFullNameProblem('vg', '-x')).toMatch(/hyphen/);
    expect(lvFullNameProblem('vg', 'a-'.repeat(42) + 'b')).toMatch(/Device-mapper name/);
  });

  it('reports a bad part first', () => {
    expect(lvFullNameProblem('myvg1', 'bad;name')).toMatch(/contains ";"/);
    expect(lvFullNameProblem('bad vg', 'ok')).toMatch(/^Volume group name/);
  });
});
