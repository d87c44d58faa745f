import { describeWithTestNode, JestApi, REAL_LVM_TEST_TIMEOUT_MS } from './jest';

function fakeApi() {
  const calls: { kind: string; name: string; fn: () => void }[] = [];
  const describe = Object.assign((name: string, fn: () => void) => calls.push({ kind: 'describe', name, fn }), {
    skip: (name: string, fn: () => void) => calls.push({ kind: 'skip', name, fn }),
  });
  const api: JestApi = { describe, it: (name, fn) => calls.push({ kind: 'it', name, fn }) };
  return { api, calls };
}

const suite = () => undefined;
const missing = () => ({ ok: false as const, reason: 'qemu-system-x86_64 missing: install Debian package qemu-system-x86' });

describe('describeWithTestNode', () => {
  it('runs the suite when the test node is available', () => {
    const { api, calls } = fakeApi();
    const timeouts: number[] = [];
    describeWithTestNode('real', suite, { api, availability: () => ({ ok: true }), env: {}, setTestTimeout: (ms) => timeouts.push(ms) });
    expect(calls).toEqual([{ kind: 'describe', name: 'real', fn: suite }]);
    // a guest call under emulation outlasts jest's 5 s default on a loaded machine
    expect(timeouts).toEqual([REAL_LVM_TEST_TIMEOUT_MS]);
    expect(REAL_LVM_TEST_TIMEOUT_MS).toBeGreaterThanOrEqual(60_000);
  });

  it('leaves the timeout alone when the suite skips', () => {
    const { api } = fakeApi();
    const timeouts: number[] = [];
    describeWithTestNode('real', suite, { api, availability: missing, env: {}, warn: () => undefined, setTestTimeout: (ms) => timeouts.push(ms) });
    expect(timeouts).toEqual([]);
  });

  it('skips locally, printing the reason', () => {
    const { api, calls } = fakeApi();
    const warnings: string[] = [];
    describeWithTestNode('real', suite, { api, availability: missing, env: {}, warn: (l) => warnings.push(l) });
    expect(calls.map((c) => c.kind)).toEqual(['skip']);
    expect(warnings.join('')).toContain('SKIPPING "real": qemu-system-x86_64 missing: install Debian package qemu-system-x86');
  });

  it('fails instead of skipping when CI=true', () => {
    const { api, calls } = fakeApi();
    describeWithTestNode('real', suite, { api, availability: missing, env: { CI: 'true' }, warn: () => undefined });
    expect(calls.map((c) => c.kind)).toEqual(['describe']);
    calls[0]?.fn();
    const test = calls.find((c) => c.kind === 'it');
    expect(test).toBeDefined();
    expect(() => test?.fn()).toThrow(/CI=true but the test node cannot run: qemu-system-x86_64 missing/);
  });
});
