/**
 * Issue 6, finding 14: the quick start's own config (dev/lvmd.yaml, what `npm run lvmd`
 * runs) must work end to end: every lvcreate option class it offers, in every device
 * class it has, creates a volume on the simulated lvm2 it runs on.
 */
import { readFileSync } from 'node:fs';
import { parseLvmdConfig } from '@copse/lvm-model';
import { DEV_CONFIG_PATH, startHarness, type Harness, GiB } from '../test/harness';

const config = parseLvmdConfig(readFileSync(DEV_CONFIG_PATH, 'utf8'));
const combos = config.deviceClasses.flatMap((dc) => ['', ...config.lvcreateOptionClasses.map((oc) => oc.name)].map((oc) => [dc.name, oc] as const));

describe('the quick start config', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('offers at least one lvcreate option class', () => {
    expect(config.lvcreateOptionClasses.length).toBeGreaterThan(0);
  });

  it.each(combos)('creates in device class %s with option class %p', async (deviceClass, optionClass) => {
    const name = `dev-${deviceClass}-${optionClass || 'none'}`;
    const r = await h.app.inject({
      method: 'PUT',
      url: `/v1/logical-volumes/${name}`,
      payload: { deviceClass, sizeBytes: GiB, ...(optionClass ? { lvcreateOptionClass: optionClass } : {}) },
    });
    expect([r.statusCode, r.json().detail]).toEqual([201, undefined]);
    expect(r.json()).toMatchObject({ deviceClass, state: 'ready', ...(optionClass ? { lvcreateOptionClass: optionClass } : {}) });
  });
});
