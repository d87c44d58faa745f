/**
 * What the suites read from a running lvmd-http through its own API: the served
 * OpenAPI document, metric values, and a run of generated cases checked against the
 * contract.
 */
import { contractOf, violations, type Contract, type Schema } from './contract';
import type { Daemon } from './daemon';
import type { Case } from './generate';
import { exchange, NoAnswerError, requestBytes, type Answer } from './wire';

function getRequest(d: Daemon, path: string): Buffer {
  const headers: Array<[string, string]> = [['Host', 'localhost']];
  if (d.authorization) headers.push(['Authorization', d.authorization]);
  return requestBytes('GET', path, headers);
}

export async function get(d: Daemon, path: string, timeoutMs = 30_000): Promise<Answer> {
  return exchange(d.endpoint, getRequest(d, path), { timeoutMs });
}

/** The contract as lvmd-http serves it at /openapi.json. */
export async function servedContract(d: Daemon): Promise<{ document: Schema; contract: Contract }> {
  const a = await get(d, '/openapi.json');
  if (a.status !== 200) throw new Error(`/openapi.json answered ${a.status}`);
  const document = JSON.parse(a.body.toString('utf8')) as Schema;
  return { document, contract: contractOf(document) };
}

/** The sum of a metric's samples whose labels contain every `labels` pair. */
export async function metricSum(d: Daemon, name: string, labels: Readonly<Record<string, string>> = {}): Promise<number> {
  const a = await get(d, '/metrics');
  if (a.status !== 200) throw new Error(`/metrics answered ${a.status}`);
  let sum = 0;
  for (const line of a.body.toString('utf8').split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const labelText = m[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) sum += Number(m[3]);
  }
  return sum;
}

export interface CaseFailure {
  readonly title: string;
  readonly problems: readonly string[];
}

export interface RunResult {
  readonly failures: CaseFailure[];
  /** answers by status */
  readonly statuses: Record<number, number>;
  readonly elapsedMs: number;
}

/** Sends every case on its own connection, `concurrency` at once, and checks each answer against the contract. */
export async function runCases(d: Daemon, contract: Contract, cases: readonly Case[], concurrency: number): Promise<RunResult> {
  const failures: CaseFailure[] = [];
  const statuses: Record<number, number> = {};
  const started = Date.now();
  let next = 0;
  const worker = async () => {
    for (;;) {
      const c = cases[next++];
      if (!c) return;
      let answer: Answer;
      try {
        answer = await exchange(d.endpoint, c.bytes, { head: c.head, timeoutMs: 20_000, closeWaitMs: 3000 });
      } catch (e) {
        failures.push({ title: c.title, problems: [e instanceof NoAnswerError ? `no answer: ${e.message}` : String(e)] });
        continue;
      }
      statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      const problems = violations(contract, c.method, c.path, answer, c.expect);
      if (problems.length > 0) failures.push({ title: c.title, problems });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { failures, statuses, elapsedMs: Date.now() - started };
}

/** Failures grouped by their first problem, for a readable assertion message. */
export function summarise(failures: readonly CaseFailure[], examples = 3): string {
  const groups = new Map<string, CaseFailure[]>();
  for (const f of failures) {
    const key = `${f.title.split(':')[0]} -> ${(f.problems[0] ?? '').replace(/\d{3,}/g, 'N').slice(0, 120)}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return [...groups.entries()]
    .map(([k, fs]) => `${fs.length} x ${k}\n${fs.slice(0, examples).map((f) => `    ${f.title.slice(0, 200)}: ${f.problems.join('; ').slice(0, 400)}`).join('\n')}`)
    .join('\n');
}
