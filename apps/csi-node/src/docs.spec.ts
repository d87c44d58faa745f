import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { USAGE } from './flags';
import { NodeMetrics } from './metrics';

/** docs/csi-node.md stays true to the flags csi-node takes and the metrics it exports. */
const docs = readFileSync(join(__dirname, '../../../docs/csi-node.md'), 'utf8');

describe('docs/csi-node.md', () => {
  it('documents every flag of the usage text, and no flag csi-node does not take', () => {
    const flags = [...USAGE.matchAll(/^\s+(--[a-z-]+)/gm)].map((m) => m[1]!);
    expect(flags.length).toBeGreaterThan(10);
    for (const flag of flags) expect([flag, docs.includes(`| \`${flag}`)]).toEqual([flag, true]);
    const documented = [...docs.matchAll(/^\| `(--[a-z-]+)/gm)].map((m) => m[1]!);
    expect(documented.filter((f) => !flags.includes(f))).toEqual([]);
  });

  it('documents every metric csi-node registers', () => {
    const registry = new Registry();
    new NodeMetrics(registry, 'node1').observeDeviceClasses(() => []);
    const names = registry.getMetricsAsArray().map((m) => m.name);
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) expect([name, docs.includes(`\`${name}\``)]).toEqual([name, true]);
  });
});
