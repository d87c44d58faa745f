/**
 * describeWithTestNode: a describe() for suites that need the real-lvm2 test node.
 * Without the host dependencies it skips, printing why; with CI=true it fails
 * instead, because CI must run these suites, never skip them.
 */
import { Availability, testNodeAvailability } from './availability';

export interface JestApi {
  describe: ((name: string, fn: () => void) => void) & { skip: (name: string, fn: () => void) => void };
  it: (name: string, fn: () => void) => void;
}

export interface DescribeWithTestNodeDeps {
  readonly availability?: () => Availability;
  readonly env?: NodeJS.ProcessEnv;
  readonly api?: JestApi;
  readonly warn?: (line: string) => void;
}

export function describeWithTestNode(name: string, fn: () => void, deps: DescribeWithTestNodeDeps = {}): void {
  const api = deps.api ?? (globalThis as unknown as JestApi);
  const env = deps.env ?? process.env;
  const a = (deps.availability ?? testNodeAvailability)();
  if (a.ok) {
    api.describe(name, fn);
    return;
  }
  if (env['CI'] === 'true') {
    api.describe(name, () => {
      api.it('has the real-lvm2 test node dependencies (CI=true: suites must not skip)', () => {
        throw new Error(`CI=true but the test node cannot run: ${a.reason}`);
      });
    });
    return;
  }
  (deps.warn ?? ((line: string) => process.stderr.write(line)))(`\n[testnode] SKIPPING "${name}": ${a.reason}\n\n`);
  api.describe.skip(`${name} [skipped: real-lvm2 test node unavailable]`, fn);
}
