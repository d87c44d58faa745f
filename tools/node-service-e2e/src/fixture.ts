/**
 * One test node for the Node service suite: a volume group with a thin pool, lvmd-http
 * on real lvm2, and the node plugin (src/guest/node-plugin.ts) in front of it, both
 * forwarded to host loopback.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CsiContract } from '@copse/csi-spec';
import { LvmdClient } from '@copse/lvmd-api';
import { GUEST_WORKSPACE, lvmdHttpService, startTestNode, workspaceShares, type TestNode } from '@copse/testnode';
import { TcpNodeClient } from './node-client';

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;
export const VG = 'vgnode';
export const POOL = 'pool0';
export const NODE_NAME = 'testnode';

const WORKSPACE = path.resolve(__dirname, '..', '..', '..');
const TOOL_DIST = path.join(WORKSPACE, 'tools', 'node-service-e2e', 'dist');
const GUEST_TOOL_DIST = `${GUEST_WORKSPACE}/tools/node-service-e2e/dist`;
const PORT = { lvmd: 8080, plugin: 9000 } as const;
const READY_TIMEOUT_MS = 300_000;

export interface NodeServiceNode {
  readonly node: TestNode;
  readonly lvmd: LvmdClient;
  readonly csi: TcpNodeClient;
  readonly readyMs: number;
  stop(): Promise<void>;
}

export async function startNodeServiceNode(): Promise<NodeServiceNode> {
  for (const built of [path.join(WORKSPACE, 'apps/lvmd-http/dist/main.js'), path.join(TOOL_DIST, 'guest/node-plugin.js')]) {
    if (!fs.existsSync(built)) throw new Error(`${built} not found: build first (npx nx run @copse/node-service-e2e:build)`);
  }
  const token = randomBytes(24).toString('hex');
  const node = await startTestNode({
    disks: [{ sizeBytes: 4 * GiB }],
    volumeGroups: [{ name: VG, disks: [0], thinPools: [{ name: POOL, sizeBytes: 3 * GiB }] }],
    shares: [...workspaceShares(WORKSPACE), { hostDir: TOOL_DIST, guestDir: GUEST_TOOL_DIST }],
    services: [
      lvmdHttpService({ name: 'lvmd', port: PORT.lvmd, configFile: 'lvmd.yaml', tokenFile: 'lvmd.token' }),
      {
        name: 'plugin',
        cwd: GUEST_WORKSPACE,
        argv: [
          'node', `${GUEST_TOOL_DIST}/guest/node-plugin.js`,
          '--node-name', NODE_NAME,
          '--lvmd', `http://127.0.0.1:${PORT.lvmd}`,
          '--lvmd-token-file', '/testnode/files/lvmd.token',
          '--csi-socket', '/run/csi/csi.sock',
          '--tcp-port', String(PORT.plugin),
        ],
      },
    ],
    forwards: [PORT.lvmd, PORT.plugin],
    files: {
      'lvmd.yaml': ['device-classes:', '  - name: thin', `    volume-group: ${VG}`, '    default: true', '    type: thin', '    thin-pool:', `      name: ${POOL}`, '      overprovision-ratio: 5', ''].join('\n'),
      'lvmd.token': `${token}\n`,
    },
    memoryMiB: 1536,
    bootTimeoutMs: 240_000,
  });
  const booted = Date.now();
  try {
    // generous: on a shared 2-core machine under load, node alone takes tens of seconds to start
    await node.waitForHttp(PORT.lvmd, '/readyz', { timeoutMs: READY_TIMEOUT_MS });
    await node.waitForPort(PORT.plugin, { timeoutMs: READY_TIMEOUT_MS });
  } catch (e) {
    const logs = await node.logs();
    await node.stop();
    // the services' own output says why; the serial console and dmesg rarely do
    const services = logs.includes('=== service ') ? logs.slice(logs.indexOf('=== service '), logs.indexOf('=== dmesg ===')) : logs;
    throw new Error(`${(e as Error).message}\n${services.slice(-8000)}`);
  }
  const lvmd = new LvmdClient({ endpoint: `http://127.0.0.1:${node.hostPort(PORT.lvmd)}`, token, timeoutMs: 300_000 });
  const csi = new TcpNodeClient(CsiContract.load(), node.hostPort(PORT.plugin));
  return {
    node,
    lvmd,
    csi,
    readyMs: Date.now() - booted,
    async stop() {
      csi.close();
      await lvmd.close();
      await node.stop();
    },
  };
}
