#!/usr/bin/env node
/**
 * kube-test-apiserver --port N --kubeconfig PATH [--token-file F] [--data-file F] [--crd FILE...]
 *
 * TEST INFRASTRUCTURE: a Kubernetes API test server on 127.0.0.1 for suites and the sandbox.
 */
import { readFileSync } from 'node:fs';
import { TestApiServer, defaultLogger } from './server';

export const USAGE = `usage: kube-test-apiserver [--port N] [--kubeconfig PATH] [--token-file FILE] [--data-file FILE]
                           [--crd FILE]... [--no-snapshot-crds] [--log-level LEVEL]

A Kubernetes API TEST server on 127.0.0.1 (not a kube-apiserver): the REST and watch protocol,
CRDs, discovery, OpenAPI and tables that kubectl and @kubernetes/client-node use.

  --port N             TCP port on 127.0.0.1 (default 0: a free port, printed at start)
  --kubeconfig PATH    write a kubeconfig for kubectl and client-node here
  --token-file FILE    require "Authorization: Bearer <token>" (token read from FILE)
  --data-file FILE     keep objects in FILE across restarts (written atomically)
  --crd FILE           serve the CustomResourceDefinitions in FILE from the start (repeatable)
  --no-snapshot-crds   do not preload the snapshot.storage.k8s.io/v1 CRDs
  --log-level LEVEL    pino level (default info)
`;

export interface CliFlags {
  port: number;
  kubeconfig?: string;
  tokenFile?: string;
  dataFile?: string;
  crds: string[];
  snapshotCrds: boolean;
  logLevel: string;
}

export function parseCliFlags(argv: readonly string[]): CliFlags {
  const flags: CliFlags = { port: 0, crds: [], snapshotCrds: true, logLevel: 'info' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const [name, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new Error(`${name} needs a value`);
      return v;
    };
    switch (name) {
      case '--port': {
        const v = value();
        if (!/^\d+$/.test(v) || Number(v) > 65535) throw new Error(`--port: not a port number: ${v}`);
        flags.port = Number(v);
        break;
      }
      case '--kubeconfig':
        flags.kubeconfig = value();
        break;
      case '--token-file':
        flags.tokenFile = value();
        break;
      case '--data-file':
        flags.dataFile = value();
        break;
      case '--crd':
        flags.crds.push(value());
        break;
      case '--no-snapshot-crds':
        flags.snapshotCrds = false;
        break;
      case '--log-level':
        flags.logLevel = value();
        break;
      case '-h':
      case '--help':
        throw new HelpRequested();
      default:
        throw new Error(`unknown flag ${a}`);
    }
  }
  return flags;
}

class HelpRequested extends Error {}

async function main(argv: string[]): Promise<void> {
  let flags: CliFlags;
  try {
    flags = parseCliFlags(argv);
  } catch (e) {
    if (e instanceof HelpRequested) {
      process.stdout.write(USAGE);
      return;
    }
    process.stderr.write(`kube-test-apiserver: ${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const token = flags.tokenFile ? readFileSync(flags.tokenFile, 'utf8').trim() : undefined;
  if (flags.tokenFile && !token) throw new Error(`--token-file ${flags.tokenFile} is empty`);
  const log = defaultLogger(flags.logLevel);
  const server = new TestApiServer({
    port: flags.port,
    token,
    dataFile: flags.dataFile,
    kubeconfigPath: flags.kubeconfig,
    crds: flags.crds,
    snapshotCrds: flags.snapshotCrds,
    historyLimit: 20_000,
    bookmarkIntervalMs: 60_000,
    log,
  });
  await server.start();
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`kube-test-apiserver: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
