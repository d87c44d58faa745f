#!/usr/bin/env node
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { SocketInUseError } from '@copse/csi-grpc';
import pino from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { startController } from './app';
import { FlagError, USAGE, flagsJson, parseFlags, type Config } from './flags';
import { serveMetrics } from './metrics';

const SERVICE_ACCOUNT_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/** The only place that reads flags, files and the environment, and wires the objects. */
async function main(argv: string[]): Promise<void> {
  if (argv.length === 1 && argv[0] === '--help=json') {
    process.stdout.write(`${flagsJson()}\n`); // the flag table, for deploy/'s render-and-check test
    return;
  }
  const config = parseFlags(argv);
  const log = pino({ level: config.logLevel, base: { service: 'csi-controller' } });
  const kubeConfig = loadKubeConfig(config);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const vendorVersion = (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;

  const controller = await startController(config, {
    kubeConfig,
    log,
    registry,
    vendorVersion,
    defaultLeaseNamespace: leaseNamespace(),
  });
  const metrics = config.metricsAddress === '' ? undefined : await serveMetrics(registry, config.metricsAddress);
  log.info(
    {
      csiSocket: controller.socketPath,
      apiGroup: config.apiGroup,
      cluster: kubeConfig.getCurrentCluster()?.server,
      metrics: metrics ? `http://${metrics.address}/metrics` : 'off',
      leaderElection: config.leaderElection,
      nodeCleanup: config.nodeCleanup,
      version: vendorVersion,
    },
    'csi-controller ready',
  );

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    metrics?.server.close();
    controller.stop().then(
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

function loadKubeConfig(config: Config): KubeConfig {
  const kc = new KubeConfig();
  if (config.kubeconfig) kc.loadFromFile(config.kubeconfig);
  else if (process.env['KUBERNETES_SERVICE_HOST'] && existsSync(SERVICE_ACCOUNT_NAMESPACE)) kc.loadFromCluster();
  else kc.loadFromDefault();
  return kc;
}

/** The pod's namespace (downward API, else the service account's), else "default". */
function leaseNamespace(): string {
  const fromEnv = process.env['POD_NAMESPACE'];
  if (fromEnv) return fromEnv;
  try {
    return readFileSync(SERVICE_ACCOUNT_NAMESPACE, 'utf8').trim() || 'default';
  } catch {
    return 'default';
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  if (e instanceof FlagError) {
    process.stderr.write(e.message ? `csi-controller: ${e.message}\n\n${USAGE}\n` : `${USAGE}\n`);
    process.exit(e.message ? 2 : 0);
  }
  process.stderr.write(`csi-controller: ${e instanceof Error ? e.message : String(e)}\n`);
  if (e instanceof SocketInUseError) process.stderr.write('csi-controller: stop the other controller, or choose another --csi-socket\n');
  process.exit(1);
});
