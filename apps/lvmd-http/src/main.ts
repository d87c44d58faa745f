import { mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import pino from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { ConfigError, formatFieldError, parseLvmdConfig, type DmsetupRunner, type LvmRunner } from '@copse/lvm-model';
import { Dmsetup, ExecDmsetupRunner, ExecLvmRunner, Lvm } from '@copse/lvm-exec';
import { SocketInUseError, bindPathFor, claimSocket, refuseIfServed, releaseSocket, type SocketClaim } from '@copse/unix-socket';
import { buildApp } from './app';
import { tokenProblem } from './auth';
import { FlagError, USAGE, flagsJson, parseFlags, type Flags, type Listen } from './flags';
import type { ServerLimits } from './http/limits';
import type { TlsMaterial } from './http/server';
import { Metrics } from './metrics';
import { simulatedNode } from './sim-backend';
import { LvmService } from './service/lvm-service';
import { SysfsBlockStats } from './pool/block-stats';
import { PoolMonitor } from './pool/pool-monitor';
import { registerPoolMetrics } from './pool/pool-metrics';
import { forwardPoolChanges } from './pool/service-events';

/** The only place that reads flags, files and the environment, and wires the objects. */
async function main(argv: string[]): Promise<void> {
  if (argv.length === 1 && argv[0] === '--help=json') {
    process.stdout.write(`${flagsJson()}\n`); // the flag table, for deploy/'s render-and-check test
    return;
  }
  const flags = parseFlags(argv);
  const log = pino({
    level: flags.logLevel,
    base: { service: 'lvmd-http' },
    redact: ['req.headers.authorization'],
  });
  const config = parseLvmdConfig(readFileSync(flags.configPath, 'utf8'));
  const listen: Listen = flags.listen ?? { kind: 'unix', path: config.socketName ?? '/run/topolvm/lvmd.sock' };
  const token = readToken(flags.tokenFile);
  const tls: TlsMaterial | undefined = flags.tls && {
    cert: readFileSync(flags.tls.certPath),
    key: readFileSync(flags.tls.keyPath),
    ...(flags.tls.clientCaPath ? { ca: readFileSync(flags.tls.clientCaPath) } : {}),
  };
  const nodeName = flags.nodeName ?? hostname();
  // Refuse before touching lvm when another instance already serves the socket.
  if (listen.kind === 'unix') await refuseIfServed(listen.path);

  const simulated =
    flags.backend === 'sim'
      ? await simulatedNode({
          config,
          vgSizeBytes: flags.simVgSizeBytes,
          poolSizeBytes: flags.simPoolSizeBytes,
          statePath: flags.simStatePath,
          noSpaceTimeoutMs: flags.simNoSpaceTimeoutMs,
        })
      : undefined;
  const runner: LvmRunner =
    simulated?.lvm ??
    new ExecLvmRunner({
      lvmPath: flags.lvmPath,
      commandPrefix: flags.lvmCommandPrefix ?? config.lvmCommandPrefix,
      timeoutMs: flags.lvmTimeoutMs,
    });

  // One registry per process, never prom-client's global one; more parts may register into it.
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = new Metrics(registry, nodeName);

  // The pool monitor follows the thin pools through device-mapper (docs/lvmd-http.md,
  // "Thin pool monitoring"); the simulated backend has a simulated dmsetup and sysfs.
  const dmsetupRunner: DmsetupRunner =
    simulated?.dmsetup ??
    new ExecDmsetupRunner({
      dmsetupPath: flags.dmsetupPath,
      commandPrefix: flags.lvmCommandPrefix ?? config.lvmCommandPrefix,
      timeoutMs: flags.lvmTimeoutMs,
      parentDeathGuard: flags.setprivPath ? [flags.setprivPath, '--pdeathsig', 'KILL', '--'] : [],
    });
  const poolMetrics = registerPoolMetrics(registry, { nodeName, monitor: () => monitor });
  const monitor = new PoolMonitor({
    config,
    dmsetup: new Dmsetup(dmsetupRunner, {
      onInvocation: (inv) => {
        poolMetrics.dmsetupInvocation(inv);
        log.debug({ argv: ['dmsetup', ...inv.argv], exitCode: inv.exitCode, seconds: inv.seconds }, 'dmsetup');
      },
    }),
    blockStats: simulated?.blockStats ?? new SysfsBlockStats(flags.sysfsRoot),
    pollIntervalMs: flags.poolPollIntervalMs,
    warningPercent: flags.poolWarningPercent,
    log,
    onRead: (ref, trigger) => poolMetrics.poolRead(ref, trigger),
  });
  await monitor.start();
  const lvm = new Lvm(runner, {
    onInvocation: (inv) => {
      const command = inv.argv[0] ?? '';
      metrics.lvmInvocations.inc({ command, exit_code: String(inv.exitCode) });
      metrics.lvmSeconds.observe({ command }, inv.seconds);
      log.debug({ argv: inv.argv, exitCode: inv.exitCode, seconds: inv.seconds }, 'lvm');
    },
  });
  const service = new LvmService({ config, lvm, log, refreshIntervalMs: flags.refreshIntervalMs, pools: monitor });
  await service.start();
  forwardPoolChanges(monitor, service, config);
  const app = await buildApp({
    service,
    metrics,
    token,
    tls,
    limits: limitsOf(flags),
    loggerInstance: log,
    watch: {
      historySize: flags.watchHistory,
      limits: { bufferBytes: flags.watchBufferBytes, stallTimeoutMs: flags.watchStallTimeoutMs },
    },
  });

  let claim: SocketClaim | undefined;
  if (listen.kind === 'unix') {
    mkdirSync(dirname(listen.path), { recursive: true });
    const bindPath = bindPathFor(listen.path, 'lvmd');
    await app.listen({ path: bindPath });
    try {
      claim = await claimSocket(bindPath, listen.path);
    } catch (e) {
      await app.close();
      throw e;
    }
  } else {
    try {
      await app.listen({ host: listen.host, port: listen.port });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new SocketInUseError(`another process listens on tcp:${listen.host}:${listen.port}`);
      throw e;
    }
  }
  log.info(
    {
      // the port actually bound (tcp:HOST:0 picks a free one)
      listen: listen.kind === 'unix' ? `unix:${listen.path}` : `tcp:${listen.host}:${(app.server.address() as AddressInfo).port}`,
      backend: flags.backend,
      deviceClasses: config.deviceClasses.map((dc) => `${dc.name}(${dc.type} ${dc.volumeGroup}${dc.thinPool ? `/${dc.thinPool.name}` : ''})`),
      auth: [token ? 'bearer' : '', tls?.ca ? 'client certificate' : ''].filter(Boolean).join(' + ') || 'none (unix socket)',
      tls: tls !== undefined,
      limits: limitsOf(flags),
    },
    'lvmd-http ready',
  );

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    service.stop();
    void monitor.stop();
    app.close().then(
      () => {
        if (claim) {
          const outcome = releaseSocket(claim);
          if (outcome === 'not-ours') log.warn({ path: claim.path }, 'the socket path now belongs to another process; left it alone');
        }
        process.exit(0);
      },
      (e: unknown) => {
        log.error({ err: String(e) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

function readToken(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  const token = readFileSync(path, 'utf8').trim();
  const problem = tokenProblem(token);
  if (problem) throw new FlagError(`--token-file ${path}: ${problem}`);
  return token;
}

function limitsOf(flags: Flags): ServerLimits {
  return {
    maxConnections: flags.maxConnections,
    headersTimeoutMs: flags.headersTimeoutMs,
    requestTimeoutMs: flags.requestTimeoutMs,
    keepAliveTimeoutMs: flags.keepAliveTimeoutMs,
    // longer than an lvm command may take, so that no request waiting for lvm is cut
    idleTimeoutMs: flags.lvmTimeoutMs + 30_000,
  };
}

main(process.argv.slice(2)).catch((e: unknown) => {
  if (e instanceof FlagError) {
    process.stderr.write(e.message ? `lvmd-http: ${e.message}\n\n${USAGE}\n` : `${USAGE}\n`);
    process.exit(e.message ? 2 : 0);
  }
  if (e instanceof ConfigError) {
    process.stderr.write(`lvmd-http: invalid config:\n${e.errors.map((fe) => `  ${formatFieldError(fe)}`).join('\n')}\n`);
    process.exit(2);
  }
  process.stderr.write(`lvmd-http: ${e instanceof Error ? e.message : String(e)}\n`);
  if (e instanceof SocketInUseError) process.stderr.write('lvmd-http: stop the other server, or choose another --listen\n');
  process.exit(1);
});
