/**
 * Generated hostile requests against lvmd-http as a process on the simulated lvm2, over
 * its unix socket and over TCP with a bearer token: every operation of the OpenAPI
 * document it serves, each request valid but for one fault (generate.ts). Every answer
 * must be a refusal the contract promises (4xx application/problem+json with a registry
 * code, naming the field), never a 5xx; nothing may be created or changed (the simulated
 * lvm2's state file is byte-for-byte the same, and no lvm command ran); lvmd-http stays
 * up with its memory bounded.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openApiDocument } from '@copse/lvmd-api';
import type { Contract } from './contract';
import { Daemon, MiB } from './daemon';
import { coverage, FAULTS, generateCases, type Case, type World } from './generate';
import { metricSum, runCases, servedContract, summarise } from './probe';
import { Rng } from './rng';
import { RUN, runSeed } from './run-sizes';

jest.setTimeout(300_000);

const seed = runSeed();
const BASE = 'hbase';
const BASE_BYTES = 64 * MiB;
/** requests in flight at once per listener */
const CONCURRENCY = 12;
/** what lvmd-http's resident memory may grow by over the whole run: generous for V8's heap, far below what keeping bodies or connections would cost */
const RSS_GROWTH_LIMIT = 96 * MiB;

describe(`generated hostile requests (seed ${seed})`, () => {
  const dirs: string[] = [];
  const daemons: Daemon[] = [];
  let unix: Daemon;
  let tcp: Daemon;
  let contract: Contract;

  beforeAll(async () => {
    process.stdout.write(`lvmd-hostile requests: HOSTILE_SEED=${seed}\n`);
    const dir = (name: string) => {
      const d = fs.mkdtempSync(path.join(os.tmpdir(), `lvmd-hostile-${name}-`));
      dirs.push(d);
      return d;
    };
    [unix, tcp] = await Promise.all([Daemon.start({ dir: dir('unix'), listen: 'unix' }), Daemon.start({ dir: dir('tcp'), listen: 'tcp' })]);
    daemons.push(unix, tcp);
    for (const d of daemons) {
      const client = d.client();
      try {
        await client.createLogicalVolume(BASE, { sizeBytes: BASE_BYTES, tags: ['hostile=base'] });
      } finally {
        await client.close();
      }
    }
    const served = await servedContract(unix);
    expect(served.document).toEqual(openApiDocument);
    contract = served.contract;
  });

  afterAll(async () => {
    await Promise.all(daemons.map((d) => d.stop()));
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  const world = (d: Daemon): World => ({
    volume: BASE,
    volumeSizeBytes: BASE_BYTES,
    deviceClass: 'thin',
    optionClass: 'sequential',
    ...(d.authorization ? { authorization: d.authorization } : {}),
  });

  /** the cases of each listener, generated once: the unix socket's half and TCP's */
  const casesOf = (listener: 'unix' | 'tcp') => {
    const d = listener === 'unix' ? unix : tcp;
    const share = listener === 'unix' ? Math.ceil(RUN.requests / 2) : Math.floor(RUN.requests / 2);
    return generateCases(contract, world(d), new Rng(seed ^ (listener === 'unix' ? 0x5a5a : 0xa5a5)), share, listener);
  };
  const generated = new Map<string, Case[]>();
  const cases = (listener: 'unix' | 'tcp') => {
    if (!generated.has(listener)) generated.set(listener, casesOf(listener));
    return generated.get(listener)!;
  };

  it('generates a share of requests for every operation of the document and every fault', () => {
    const all = [...cases('unix'), ...cases('tcp')];
    expect(all.length).toBe(RUN.requests);
    const { byOperation, byFault } = coverage(all);
    const operationIds = contract.operations.map((o) => o.operationId);
    expect(operationIds.length).toBeGreaterThanOrEqual(14);
    expect(Object.keys(byOperation).sort()).toEqual([...operationIds].sort());
    for (const id of operationIds) expect(byOperation[id]).toBeGreaterThanOrEqual(Math.floor(RUN.requests / operationIds.length) - 2);
    expect(Object.keys(byFault).sort()).toEqual(Object.keys(FAULTS).sort());
    process.stdout.write(`lvmd-hostile requests: by operation ${JSON.stringify(byOperation)}\n`);
  });

  for (const listener of ['unix', 'tcp'] as const) {
    it(`over ${listener === 'unix' ? 'the unix socket' : 'TCP with a bearer token'}: every answer a refusal the contract promises, nothing created or changed, memory bounded`, async () => {
      const d = listener === 'unix' ? unix : tcp;
      const stateBefore = d.stateText();
      const lvmBefore = await metricSum(d, 'lvmd_lvm_invocations_total');
      const rssBefore = d.rssBytes();
      const fdsBefore = d.fdCount();

      const result = await runCases(d, contract, cases(listener), CONCURRENCY);
      const { byFault } = coverage(cases(listener));
      process.stdout.write(
        `lvmd-hostile requests over ${listener}: ${cases(listener).length} in ${result.elapsedMs} ms; statuses ${JSON.stringify(result.statuses)}; faults ${JSON.stringify(byFault)}; ` +
          `RSS ${Math.round(rssBefore / MiB)} -> ${Math.round(d.rssBytes() / MiB)} MiB\n`,
      );

      expect(summarise(result.failures)).toBe('');
      expect(d.alive).toBe(true);
      // nothing created, changed or even attempted
      expect(d.stateText()).toBe(stateBefore);
      expect(await metricSum(d, 'lvmd_lvm_invocations_total')).toBe(lvmBefore);
      const names = new Set((await d.lvs()).map((lv) => lv.name));
      expect([...names].sort()).toEqual([BASE]);
      expect(cases(listener).flatMap((c) => c.creates).filter((n) => names.has(n))).toEqual([]);
      // bounded: memory, and no connection left open
      expect(d.rssBytes() - rssBefore).toBeLessThan(RSS_GROWTH_LIMIT);
      expect(d.fdCount()).toBeLessThanOrEqual(fdsBefore + 2);
    });
  }
});
