#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import pino from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { SocketInUseError } from '@copse/csi-grpc';
import type { LvmdClientOptions } from '@copse/lvmd-api';
import { startCsiNode } from './app';
import { FlagError, USAGE, flagsJson, parseFlags, type Flags } from './flags';

/** The only place that reads flags, files and the environment, and wires the objects. */
async function main(argv: string[]): Promise<void> {
  if (argv.length === 1 && argv[0] === '--help=json') {
    process.stdout.write(`${flagsJson()}\n`); // the flag table, for deploy/'s render-and-check test
    return;
  }
  const flags = parseFlags(argv, process.env);
  const log = pino({ level: flags.logLevel, base: { service: 'csi-node', node: flags.nodeName } });
  const kubeConfig = new KubeConfig();
  if (flags.kubeconfig) kubeConfig.loadFromFile(flags.kubeconfig);
  else kubeConfig.loadFromDefault(); // $KUBECONFIG, ~/.kube/config, else in-cluster

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const node = await startCsiNode(
    {
      apiGroup: flags.apiGroup,
      nodeName: flags.nodeName,
      csiEndpoint: flags.csiEndpoint,
      lvmd: lvmdOptions(flags),
      watchSelector: flags.watchSelector,
      workers: flags.workers,
      metrics: flags.metrics,
      vendorVersion: version(),
    },
    { kubeConfig, log, registry },
  );
  log.info(
    { apiGroup: flags.apiGroup, csiSocket: node.csi?.path, lvmd: flags.lvmdEndpoint, metricsPort: node.metricsPort, watchSelector: flags.watchSelector },
    'csi-node ready',
  );

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    node.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        log.error({ err: e }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

function lvmdOptions(flags: Flags): LvmdClientOptions {
  const read = (path: string | undefined) => (path === undefined ? undefined : readFileSync(path));
  const token = flags.lvmdTokenFile === undefined ? undefined : readFileSync(flags.lvmdTokenFile, 'utf8').trim();
  if (token === '') throw new FlagError(`--lvmd-token-file ${flags.lvmdTokenFile} is empty`);
  const tls = flags.lvmdEndpoint.startsWith('https:')
    ? { ca: read(flags.lvmdCaFile), cert: read(flags.lvmdCertFile), key: read(flags.lvmdKeyFile) }
    : undefined;
  return { endpoint: flags.lvmdEndpoint, token, tls, timeoutMs: flags.lvmdTimeoutMs };
}

function version(): string {
  try {
    return (JSON.parse(readFileSync(`${__dirname}/../package.json`, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  if (e instanceof FlagError) {
    process.stderr.write(e.message ? `csi-node: ${e.message}\n\n${USAGE}\n` : `${USAGE}\n`);
    process.exit(e.message ? 2 : 0);
  }
  process.stderr.write(`csi-node: ${e instanceof Error ? e.message : String(e)}\n`);
  if (e instanceof SocketInUseError) process.stderr.write('csi-node: stop the other plugin, or choose another --csi-socket\n');
  process.exit(1);
});
