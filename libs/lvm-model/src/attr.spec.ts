import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LvAttrError, decodeLvAttr, lvHealth, type LvAttr } from './attr';

describe('decodeLvAttr on every lv_attr of the lvm2 2.03.16 capture', () => {
  it.each<[string, string, Partial<LvAttr>]>([
    [
      'Vwi-a-tz--',
      'active thin volume (thin1, big, restore1)',
      {
        volumeType: 'thin-volume',
        permission: 'writeable',
        allocationPolicy: 'inherit',
        allocationLocked: false,
        fixedMinor: false,
        state: 'active',
        active: true,
        suspended: false,
        open: false,
        targetType: 'thin',
        zero: true,
        health: 'ok',
        activationSkip: false,
        isThinVolume: true,
        isThinPool: false,
      },
    ],
    [
      'twi-aotz--',
      'thin pool, open by its thin volumes',
      {
        volumeType: 'thin-pool',
        permission: 'writeable',
        state: 'active',
        active: true,
        open: true,
        targetType: 'thin',
        zero: true,
        health: 'ok',
        isThinVolume: false,
        isThinPool: true,
      },
    ],
    [
      'Vri-a-tz--',
      'read-only snapshot (snap1 after lvchange -p r)',
      { volumeType: 'thin-volume', permission: 'read-only', active: true, isThinVolume: true, activationSkip: false },
    ],
    [
      'Vwi---tz-k',
      'snapshot created without -k n: inactive, activation skip',
      {
        volumeType: 'thin-volume',
        permission: 'writeable',
        state: 'inactive',
        active: false,
        open: false,
        activationSkip: true,
        health: 'ok',
      },
    ],
    [
      '-wi-a-----',
      'thick linear LV',
      {
        volumeType: 'plain',
        permission: 'writeable',
        state: 'active',
        active: true,
        targetType: 'none',
        zero: false,
        isThinVolume: false,
        isThinPool: false,
      },
    ],
  ])('%s (%s)', (raw, _what, expected) => {
    const attr = decodeLvAttr(raw);
    expect(attr).toMatchObject({ raw, ...expected });
    expect(lvHealth(attr)).toEqual({ healthy: true });
  });

  it('covers every lv_attr that appears in the captured reports', () => {
    const fixtures = join(__dirname, 'fixtures');
    const seen = new Set<string>();
    for (const file of ['lvs-all-fields.json', 'fullreport.json', 'lvs-after-origin-removed.json']) {
      for (const m of readFileSync(join(fixtures, file), 'utf8').matchAll(/"lv_attr":"([^"]*)"/g)) {
        seen.add(m[1] as string);
      }
    }
    expect([...seen].sort()).toEqual(['-wi-a-----', 'Vri-a-tz--', 'Vwi---tz-k', 'Vwi-a-tz--', 'twi-aotz--']);
    for (const raw of seen) expect(decodeLvAttr(raw).volumeType).not.toBe('unknown');
  });
});

describe('decodeLvAttr, one position at a time', () => {
  it.each([
    ['s', 'snapshot'],
    ['o', 'origin'],
    ['m', 'mirrored'],
    ['r', 'raid'],
    ['e', 'metadata'],
    ['T', 'thin-pool-data'],
    ['d', 'vdo-pool'],
    ['C', 'cache'],
    ['?', 'unknown'],
  ])('volume type %s is %s', (ch, volumeType) => {
    expect(decodeLvAttr(`${ch}wi-a-----`).volumeType).toBe(volumeType);
  });

  it.each([
    ['w', 'writeable'],
    ['r', 'read-only'],
    ['R', 'read-only-activation'],
    ['-', 'unknown'],
  ])('permission %s is %s', (ch, permission) => {
    expect(decodeLvAttr(`V${ch}i-a-tz--`).permission).toBe(permission);
  });

  it.each([
    ['a', 'anywhere', false],
    ['c', 'contiguous', false],
    ['i', 'inherit', false],
    ['l', 'cling', false],
    ['n', 'normal', false],
    ['N', 'normal', true],
    ['I', 'inherit', true],
  ])('allocation %s is %s (locked %s)', (ch, allocationPolicy, allocationLocked) => {
    expect(decodeLvAttr(`-w${ch}-a-----`)).toMatchObject({ allocationPolicy, allocationLocked });
  });

  it('reads the fixed minor flag', () => {
    expect(decodeLvAttr('-wima-----').fixedMinor).toBe(true);
  });

  it.each([
    ['-', 'inactive', false, false],
    ['a', 'active', true, false],
    ['s', 'suspended', true, true],
    ['I', 'invalid-snapshot', true, false],
    ['S', 'invalid-suspended-snapshot', true, true],
    ['m', 'snapshot-merge-failed', true, false],
    ['M', 'suspended-snapshot-merge-failed', true, true],
    ['d', 'mapped-without-tables', false, false],
    ['i', 'mapped-with-inactive-table', false, false],
    ['c', 'thin-pool-check-needed', true, false],
    ['C', 'suspended-thin-pool-check-needed', true, true],
    ['h', 'historical', false, false],
    ['X', 'unknown', false, false],
  ])('state %s is %s (active %s, suspended %s)', (ch, state, active, suspended) => {
    expect(decodeLvAttr(`twi-${ch}otz--`)).toMatchObject({ state, active, suspended });
  });

  it.each([
    ['C', 'cache'],
    ['m', 'mirror'],
    ['r', 'raid'],
    ['s', 'snapshot'],
    ['t', 'thin'],
    ['u', 'unknown'],
    ['v', 'virtual'],
    ['-', 'none'],
  ])('target type %s is %s', (ch, targetType) => {
    expect(decodeLvAttr(`-wi-a-${ch}---`).targetType).toBe(targetType);
  });

  it.each([
    ['-', 'ok'],
    ['p', 'partial'],
    ['r', 'refresh-needed'],
    ['m', 'mismatches'],
    ['w', 'writemostly'],
    ['X', 'unknown'],
    ['F', 'failed'],
    ['D', 'out-of-data'],
    ['M', 'metadata-read-only'],
    ['E', 'error'],
    ['?', 'unknown'],
  ])('health %s is %s', (ch, health) => {
    expect(decodeLvAttr(`twi-aotz${ch}-`).health).toBe(health);
  });

  it.each(['', 'Vwi-a-tz-', 'Vwi-a-tz---', '-wi-a-', '-wi-a---'])('throws on %j (not 10 characters)', (raw) => {
    expect(() => decodeLvAttr(raw)).toThrow(LvAttrError);
    expect(() => decodeLvAttr(raw)).toThrow(/expected 10 characters/);
  });
});

describe('lvHealth', () => {
  it.each([
    ['Vwi-a-tzp-', /partial/],
    ['Vwi-a-tzr-', /refresh/],
    ['Vwi-a-tzF-', /failed/],
    ['twi-aotzD-', /out of data space/],
    ['twi-aotzM-', /metadata is read-only/],
    ['-wi-a---E-', /error/],
    ['Vwi-s-tz--', /suspended/],
    ['twi-CotzF-', /failed/], // the health character wins over the state
    ['swi-I-s---', /snapshot is invalid/],
    ['owi-m-s---', /merge failed/],
  ])('%s is unhealthy (%s)', (raw, reason) => {
    const health = lvHealth(decodeLvAttr(raw));
    expect(health.healthy).toBe(false);
    expect(health.reason).toMatch(reason);
  });

  it.each(['Vwi-a-tzm-', 'rwi-a-r-w-', 'Vwi-a-tzX-', 'Vwi---tz-k', 'twi-cotz--'])(
    '%s is healthy (informational or inactive)',
    (raw) => {
      expect(lvHealth(decodeLvAttr(raw))).toEqual({ healthy: true });
    },
  );

  it('reports a thin volume unhealthy when its pool is out of data space', () => {
    const volume = decodeLvAttr('Vwi-aotz--');
    expect(lvHealth(volume, decodeLvAttr('twi-aotzD-'))).toEqual({
      healthy: false,
      reason: 'thin pool: the thin pool is out of data space',
    });
    expect(lvHealth(volume, decodeLvAttr('twi-aotz--'))).toEqual({ healthy: true });
  });

  it("prefers the volume's own problem over its pool's", () => {
    expect(lvHealth(decodeLvAttr('Vwi-aotzp-'), decodeLvAttr('twi-aotzM-')).reason).toMatch(/partial/);
  });
});
