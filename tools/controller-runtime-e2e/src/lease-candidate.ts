/**
 * TEST INFRASTRUCTURE: one leader-election candidate as its own process, for
 * leader-election.kube.spec.ts. Configured by environment; reports on stdout, one JSON line per
 * event ({ event, identity, at, ... }); SIGTERM is a clean shutdown (the lease is released).
 *
 *   KUBECONFIG, LEASE_NAMESPACE, LEASE_NAME, IDENTITY, LEASE_MS, RENEW_MS, RETRY_MS
 */
import { KubeConfig } from '@kubernetes/client-node';
import { LeaderElector } from '@copse/controller-runtime';

function report(event: string, extra: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ event, identity: process.env['IDENTITY'], at: Date.now(), ...extra })}\n`);
}

const kubeConfig = new KubeConfig();
kubeConfig.loadFromDefault();
const stop = new AbortController();
process.on('SIGTERM', () => stop.abort());

const elector = new LeaderElector({
  kubeConfig,
  namespace: process.env['LEASE_NAMESPACE'] ?? 'default',
  name: process.env['LEASE_NAME'] as string,
  identity: process.env['IDENTITY'],
  leaseDurationMs: Number(process.env['LEASE_MS'] ?? 15_000),
  renewDeadlineMs: Number(process.env['RENEW_MS'] ?? 10_000),
  retryPeriodMs: Number(process.env['RETRY_MS'] ?? 2_000),
  onStartedLeading: async (signal) => {
    report('leading');
    // the leader's work: a heartbeat until leadership ends
    while (!signal.aborted) {
      report('working');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    report('work-stopped');
  },
  onStoppedLeading: () => report('stopped-leading'),
  onNewLeader: (identity) => report('new-leader', { leader: identity }),
});

report('started');
elector.run(stop.signal).then(
  () => {
    report('exit');
    process.exit(0);
  },
  (err: unknown) => {
    report('error', { message: String(err) });
    process.exit(1);
  },
);
