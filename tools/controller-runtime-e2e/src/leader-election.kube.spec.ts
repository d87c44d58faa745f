/**
 * Leader election between real processes (src/lease-candidate.ts), against the test server or
 * KUBECONFIG's cluster. Short durations keep the suite quick (lease 4 s, renew deadline 3 s,
 * retry 0.5 s); the library's defaults are client-go's (unit-tested below).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoordinationV1Api, type V1Lease } from '@kubernetes/client-node';
import { apiCall, isNotFound, LEADER_ELECTION_DEFAULTS, LeaderElector } from '@copse/controller-runtime';
import { useCluster } from './cluster';
import { ApiProxy } from './proxy';
import { until } from './until';

const cluster = useCluster();
const LEASE_MS = 4_000;
const RENEW_MS = 3_000;
const RETRY_MS = 500;
/** client-go's acquire jitter: a candidate retries within retry x (1 + 1.2). */
const MAX_RETRY_GAP = RETRY_MS * 2.2;
/** Process start, request latency and timer slack on a loaded 2-core machine. */
const SLACK_MS = 1_500;

interface Report {
  event: string;
  identity: string;
  at: number;
  leader?: string;
}

class Candidate {
  readonly reports: Report[] = [];
  readonly process: ChildProcess;
  private stderr = '';

  constructor(
    readonly identity: string,
    kubeconfigPath: string,
    leaseName: string,
  ) {
    this.process = spawn(process.execPath, ['-r', join(__dirname, 'ts-register.cjs'), join(__dirname, 'lease-candidate.ts')], {
      env: {
        ...process.env,
        KUBECONFIG: kubeconfigPath,
        LEASE_NAMESPACE: cluster().namespace,
        LEASE_NAME: leaseName,
        IDENTITY: identity,
        LEASE_MS: String(LEASE_MS),
        RENEW_MS: String(RENEW_MS),
        RETRY_MS: String(RETRY_MS),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffer = '';
    this.process.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        try {
          this.reports.push(JSON.parse(line) as Report);
        } catch {
          // not a report
        }
      }
    });
    this.process.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  first(event: string): Report | undefined {
    return this.reports.find((r) => r.event === event);
  }

  last(event: string): Report | undefined {
    return this.reports.filter((r) => r.event === event).at(-1);
  }

  async waitFor(event: string, timeoutMs = 20_000): Promise<Report> {
    await until(() => this.first(event) !== undefined || this.process.exitCode !== null, `${this.identity}: ${event}`, timeoutMs);
    const report = this.first(event);
    if (!report) throw new Error(`${this.identity} exited (${this.process.exitCode}) before "${event}": ${this.stderr}`);
    return report;
  }

  describe(): string {
    return `${this.identity} exit=${this.process.exitCode} reports=${JSON.stringify(this.reports.filter((r) => r.event !== 'working'))} stderr=${this.stderr.slice(-2000)}`;
  }

  sawLeader(identity: string): boolean {
    return this.reports.some((r) => r.event === 'new-leader' && r.leader === identity);
  }

  async kill(signal: NodeJS.Signals): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = new Promise((resolve) => this.process.once('exit', resolve));
    this.process.kill(signal);
    await exited;
  }
}

let candidates: Candidate[] = [];
let proxy: ApiProxy | undefined;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'copse-lease-'));
});
afterEach(async () => {
  await Promise.all(candidates.map((c) => c.kill('SIGKILL')));
  candidates = [];
  await proxy?.close();
  proxy = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function leaseApi(): CoordinationV1Api {
  return cluster().kc.makeApiClient(CoordinationV1Api);
}

function newLease(): string {
  const name = cluster().name('lease');
  cluster().onClose(async () => {
    try {
      await apiCall(() => leaseApi().deleteNamespacedLease({ name, namespace: cluster().namespace }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  });
  return name;
}

async function readLease(name: string): Promise<V1Lease> {
  return apiCall(() => leaseApi().readNamespacedLease({ name, namespace: cluster().namespace }));
}

function start(identity: string, lease: string, kubeconfigPath = cluster().kubeconfigPath): Candidate {
  const c = new Candidate(`${identity}-${cluster().runId}`, kubeconfigPath, lease);
  candidates.push(c);
  return c;
}

describe('leader election across processes', () => {
  it("uses client-go's defaults: 15 s lease, 10 s renew deadline, 2 s retry", () => {
    expect(LEADER_ELECTION_DEFAULTS).toEqual({ leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 });
    const kc = cluster().kc;
    const noop = () => undefined;
    expect(() => new LeaderElector({ kubeConfig: kc, namespace: 'x', name: 'y', onStartedLeading: noop, leaseDurationMs: 10_000 })).toThrow(
      'leaseDuration must be greater than renewDeadline',
    );
    expect(() => new LeaderElector({ kubeConfig: kc, namespace: 'x', name: 'y', onStartedLeading: noop, retryPeriodMs: 9_000 })).toThrow(
      'renewDeadline must be greater than retryPeriod',
    );
  });

  it('elects one leader; when it is killed the other leads once the lease has expired, within the lease duration of its last renewal', async () => {
    const lease = newLease();
    const a = start('a', lease);
    const leadingA = await a.waitFor('leading');
    const b = start('b', lease);
    await until(() => b.sawLeader(a.identity), 'b to see a as the leader').catch((e) => {
      throw new Error(`${e}\n${a.describe()}\n${b.describe()}`);
    });
    expect(b.first('leading')).toBeUndefined();

    const held = await readLease(lease);
    expect(held.spec).toMatchObject({ holderIdentity: a.identity, leaseDurationSeconds: LEASE_MS / 1000 });
    const transitions = held.spec?.leaseTransitions ?? 0;

    await a.kill('SIGKILL');
    const killedAt = Date.now();
    const lastRenewal = new Date(String((await readLease(lease)).spec?.renewTime)).getTime();
    const leadingB = await b.waitFor('leading', 30_000);

    // b waited for the lease to expire (no two leaders), and took over soon after: b sees a
    // renewal up to one retry late (its observedTime), and acts at its next retry after expiry
    expect(leadingB.at).toBeGreaterThanOrEqual(lastRenewal + LEASE_MS);
    expect(leadingB.at - lastRenewal).toBeLessThanOrEqual(LEASE_MS + 2 * MAX_RETRY_GAP + SLACK_MS);
    expect(leadingB.at - killedAt).toBeLessThanOrEqual(LEASE_MS + 2 * MAX_RETRY_GAP + SLACK_MS);
    expect(leadingB.at).toBeGreaterThan(leadingA.at);
    const after = await readLease(lease);
    expect(after.spec).toMatchObject({ holderIdentity: b.identity, leaseTransitions: transitions + 1 });
  });

  it('hands over at once on a clean shutdown: the leader stops its work, releases the lease, the successor leads', async () => {
    const lease = newLease();
    const a = start('a', lease);
    await a.waitFor('leading');
    const b = start('b', lease);
    await until(() => b.sawLeader(a.identity), 'b to see a as the leader');
    const transitions = (await readLease(lease)).spec?.leaseTransitions ?? 0;

    const terminatedAt = Date.now();
    await a.kill('SIGTERM');
    expect(a.process.exitCode).toBe(0);
    const stoppedWork = a.last('work-stopped');
    expect(stoppedWork).toBeDefined();
    expect(a.first('stopped-leading')).toBeDefined();
    const leadingB = await b.waitFor('leading', 30_000);

    // released: no waiting out the 4 s lease, only b's next attempt
    expect(leadingB.at - terminatedAt).toBeLessThan(MAX_RETRY_GAP + SLACK_MS);
    expect(leadingB.at - terminatedAt).toBeLessThan(LEASE_MS);
    // a's work had stopped before b's began
    expect(leadingB.at).toBeGreaterThanOrEqual((stoppedWork as Report).at);
    const after = await readLease(lease);
    expect(after.spec).toMatchObject({ holderIdentity: b.identity, leaseTransitions: transitions + 1 });
  });

  it("stops the leader's work when it cannot renew, before another can take over", async () => {
    proxy = await ApiProxy.start(cluster().kc);
    const proxyKubeconfig = join(dir, 'proxy-kubeconfig');
    writeFileSync(proxyKubeconfig, proxy.kubeConfig().exportConfig());
    const lease = newLease();
    const a = start('a', lease, proxyKubeconfig); // a reaches the API only through the proxy
    await a.waitFor('leading');
    const b = start('b', lease);
    await until(() => b.sawLeader(a.identity), 'b to see a as the leader');

    proxy.failAllRequests(true); // a is cut off from the API server
    const cutAt = Date.now();
    const stopped = await a.waitFor('stopped-leading', 30_000);
    const workStopped = a.last('work-stopped') as Report;
    expect(workStopped.at).toBeLessThanOrEqual(stopped.at);
    const leadingB = await b.waitFor('leading', 30_000);

    // a gives up within its renew deadline (plus one retry period), b only after the lease expired
    expect(stopped.at - cutAt).toBeLessThanOrEqual(RETRY_MS + RENEW_MS + SLACK_MS);
    expect(workStopped.at).toBeLessThan(leadingB.at);
    expect(leadingB.at - cutAt).toBeGreaterThanOrEqual(LEASE_MS - RETRY_MS);
    expect(a.reports.filter((r) => r.event === 'working' && r.at > stopped.at)).toEqual([]);
  });
});
