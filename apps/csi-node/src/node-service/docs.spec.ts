import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { nameSet } from '@copse/k8s-crd';
import { createNodeService } from './wire';

/** docs/csi-node.md's Node service section stays true to the metrics the service registers. */
const docs = readFileSync(join(__dirname, '../../../../docs/csi-node.md'), 'utf8');
const section = docs.slice(docs.indexOf('## The CSI Node service'));

describe("docs/csi-node.md's Node service section", () => {
  it('documents every metric the Node service registers', () => {
    const registry = new Registry();
    createNodeService({ nodeName: 'n1', names: nameSet(), lvmd: { getLogicalVolume: () => Promise.reject(new Error('unused')) }, log: pino({ level: 'silent' }), registry });
    const names = registry.getMetricsAsArray().map((m) => m.name);
    expect(names).toEqual(['copse_node_fs_command_invocations_total', 'copse_node_fs_command_duration_seconds']);
    for (const name of names) expect([name, section.includes(`\`${name}\``)]).toEqual([name, true]);
  });

  it('lists every Node RPC the service answers', () => {
    const service = createNodeService({ nodeName: 'n1', names: nameSet(), lvmd: { getLogicalVolume: () => Promise.reject(new Error('unused')) }, log: pino({ level: 'silent' }) });
    for (const rpc of Object.keys(service)) expect([rpc, section.includes(rpc)]).toEqual([rpc, true]);
  });
});
