/**
 * Runs in the test node: csi-node's CSI server with the Node service exactly as csi-node's
 * app.ts wires it (createNodeService: the fs command layer through a process runner,
 * lvmd-http's client, the locks and the error translation; the CSI gRPC server on a unix
 * socket), without the LogicalVolume reconciler and the Kubernetes side, which the Node
 * service does not use. A TCP forward to that socket lets the suite on the host call it
 * through the test node's port forward. Test tooling: the product serves the unix socket
 * only.
 *
 * argv: --node-name NAME --lvmd URL --lvmd-token-file FILE --csi-socket PATH --tcp-port PORT
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { CsiServer, identityService } from '@copse/csi-grpc';
import { createNodeService } from '@copse/csi-node/node-service';
import { pluginCapabilities, PluginServiceType, VolumeExpansionType } from '@copse/csi-spec';
import { nameSet } from '@copse/k8s-crd';
import { LvmdClient } from '@copse/lvmd-api';
import pino from 'pino';
import { Registry } from 'prom-client';

function flag(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const value = i < 0 ? undefined : process.argv[i + 1];
  if (!value) throw new Error(`--${name} is required`);
  return value;
}

async function main(): Promise<void> {
  const log = pino({ level: 'debug', base: { service: 'node-plugin' } });
  const names = nameSet();
  const lvmd = new LvmdClient({ endpoint: flag('lvmd'), token: fs.readFileSync(flag('lvmd-token-file'), 'utf8').trim(), timeoutMs: 120_000 });
  const registry = new Registry();
  const node = createNodeService({ nodeName: flag('node-name'), names, lvmd, log, registry });
  const socket = flag('csi-socket');
  fs.mkdirSync(path.dirname(socket), { recursive: true });
  await CsiServer.start({
    endpoint: `unix://${socket}`,
    identity: identityService({
      name: names.driverName,
      vendorVersion: 'node-service-e2e',
      capabilities: pluginCapabilities({ services: [PluginServiceType.VOLUME_ACCESSIBILITY_CONSTRAINTS], volumeExpansion: VolumeExpansionType.ONLINE }),
      ready: () => true,
    }),
    node,
    log,
    registry,
  });
  const bridge = net.createServer((client) => {
    const upstream = net.connect(socket);
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
  });
  bridge.listen(Number(flag('tcp-port')), '0.0.0.0', () => log.info({ socket }, 'node plugin serving'));
}

main().catch((e: unknown) => {
  process.stderr.write(`node plugin failed: ${(e as Error).stack}\n`);
  process.exit(1);
});
