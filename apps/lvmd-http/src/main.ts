import { chmodSync, existsSync, mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import pino from 'pino';
import { ConfigError, formatFieldError, parseLvmdConfig, type LvmRunner } from '@copse/lvm-model';
import { ExecLvmRunner, Lvm } from '@copse/lvm-exec';
import { buildApp } from './app';
import { FlagError, USAGE, parseFlags, type Listen } from './flags';
import { Metrics } from './metrics';
import { simulatedBackend } from './sim-backend';
import { LvmService } from './service/lvm-service';

/** The only place that reads flags, files and the environment, and wires the objects. */
async function main(argv: string[]): Promise<void> {
  const flags = parseFlags(argv);
  const log = pino({ level: flags.logLevel, base: { service: 'lvmd-http' }, redact: ['req.headers.authorization'] });
  const config = parseLvmdConfig(readFileSync(flags.configPath, 'utf8'));
  const listen: Listen = flags.listen ?? { kind: 'unix', path: config.socketName ?? '/run/topolvm/lvmd.sock' };
  const token = flags.tokenFile ? readFileSync(flags.tokenFile, 'utf8').trim() : undefined;
  if (flags.tokenFile && !token) throw new FlagError(`--token-file ${flags.tokenFile} is empty`);
  const nodeName = flags.nodeName ?? hostname();

  const runner: LvmRunner =
    flags.backend === 'sim'
      ? await simulatedBackend({
          config,
          vgSizeBytes: flags.simVgSizeBytes,
          poolSizeBytes: flags.simPoolSizeBytes,
          statePath: flags.simStatePath,
        })
      : new ExecLvmRunner({
          lvmPath: flags.lvmPath,
          commandPrefix: flags.lvmCommandPrefix ?? config.lvmCommandPrefix,
          timeoutMs: flags.lvmTimeoutMs,
        });

  const metrics = new Metrics(nodeName);
  const lvm = new Lvm(runner, {
    onInvocation: (inv) => {
      const command = inv.argv[0] ?? '';
      metrics.lvmInvocations.inc({ command, exit_code: String(inv.exitCode) });
      metrics.lvmSeconds.observe({ command }, inv.seconds);
      log.debug({ argv: inv.argv, exitCode: inv.exitCode, seconds: inv.seconds }, 'lvm');
    },
  });
  const service = new LvmService({ config, lvm, log, refreshIntervalMs: flags.refreshIntervalMs });
  await service.start();
  const app = await buildApp({ service, metrics, token, loggerInstance: log });

  if (listen.kind === 'unix') {
    mkdirSync(dirname(listen.path), { recursive: true });
    if (existsSync(listen.path)) unlinkSync(listen.path);
    await app.listen({ path: listen.path });
    chmodSync(listen.path, 0o660);
  } else {
    await app.listen({ host: listen.host, port: listen.port });
  }
  log.info(
    {
      listen: listen.kind === 'unix' ? `unix:${listen.path}` : `tcp:${listen.host}:${listen.port}`,
      backend: flags.backend,
      deviceClasses: config.deviceClasses.map((dc) => `${dc.name}(${dc.type} ${dc.volumeGroup}${dc.thinPool ? `/${dc.thinPool.name}` : ''})`),
      auth: token ? 'bearer' : 'none (unix socket)',
    },
    'lvmd-http ready',
  );

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    service.stop();
    app.close().then(
      () => process.exit(0),
      (e: unknown) => {
        log.error({ err: String(e) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
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
  process.exit(1);
});
