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
  /** jest.setTimeout by default */
  readonly setTestTimeout?: (ms: number) => void;
}

/** jest's default of 5 s is for in-process tests, not for calls into an emulated guest */
export const REAL_LVM_TEST_TIMEOUT_MS = 60_000;

export function describeWithTestNode(name: string, fn: () => void, deps: DescribeWithTestNodeDeps = {}): void {
  const api = deps.api ?? (globalThis as unknown as JestApi);
  const env = deps.env ?? process.env;
  const a = (deps.availability ?? testNodeAvailability)();
  if (a.ok) {
    // every step in the guest runs under TCG emulation: on a loaded machine one lvm call can
    // take seconds, so tests of these suites get a minute unless they ask for more
    const setTestTimeout =
      deps.setTestTimeout ?? ((ms: number) => (globalThis as { jest?: { setTimeout(ms: number): void } }).jest?.setTimeout(ms));
    setTestTimeout(REAL_LVM_TEST_TIMEOUT_MS);
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
